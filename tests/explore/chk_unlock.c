// Misuse (weft --check): a worker releases a lock it never took. The "fast path" of
// finish() unlocks the queue's mutex although only the slow path locked it; glibc's
// normal mutex accepts the unlock silently, and with it another thread's critical
// section loses its exclusion. FIXED unlocks only what it locked.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static int pending = 2;

static void finish(int fast) {
	if (!fast) {
		pthread_mutex_lock(&qlock);
		pending--;
	} else {
		__atomic_fetch_sub(&pending, 1, __ATOMIC_SEQ_CST);
	}
#ifdef FIXED
	if (!fast)
		pthread_mutex_unlock(&qlock);
#else
	pthread_mutex_unlock(&qlock);
#endif
}

static void *worker(void *arg) {
	finish((int)(long)arg);
	return 0;
}

int main(void) {
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], 0, worker, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], 0);
	printf("pending %d\n", pending);
	return 0;
}
