// After SCTBench's wronglock_N: one thread updates a counter under lock A and checks
// that nobody else changed it meanwhile; N others update it under lock B, which
// excludes nobody that holds A. FIXED has everyone take A.
//
//	wronglock [N]   N threads with the wrong lock (default 3)
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t lockA = PTHREAD_MUTEX_INITIALIZER, lockB = PTHREAD_MUTEX_INITIALIZER;
static volatile int data;

static void *owner(void *arg) {
	(void)arg;
	pthread_mutex_lock(&lockA);
	int x = data;
	data = x + 1;
	assert(data == x + 1);
	pthread_mutex_unlock(&lockA);
	return 0;
}

static void *other(void *arg) {
	(void)arg;
#ifdef FIXED
	pthread_mutex_t *m = &lockA;
	(void)lockB;
#else
	pthread_mutex_t *m = &lockB;
#endif
	pthread_mutex_lock(m);
	data++;
	pthread_mutex_unlock(m);
	return 0;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 3;
	if (n < 1 || n > 200)
		return 2;
	pthread_t t[201];
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], 0, other, 0);
	pthread_create(&t[n], 0, owner, 0);
	for (int i = 0; i <= n; i++)
		pthread_join(t[i], 0);
	return 0;
}
