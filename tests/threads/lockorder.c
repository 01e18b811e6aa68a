// Lock-order inversion that always deadlocks: thread 1 takes lock_a then
// lock_b, thread 2 takes lock_b then lock_a, and a barrier between the two
// acquisitions makes sure each holds its first lock before asking for the
// second. main waits in pthread_join. Linux would hang forever; weft must
// notice that every task is blocked, name each blocked thread and the futex
// it waits on (lock_a, lock_b: the mutexes are globals so that they have
// symbols), and exit with status 1.
#include <pthread.h>
#include <stdio.h>

pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t bar;

static void *one(void *arg) {
	(void)arg;
	pthread_mutex_lock(&lock_a);
	pthread_barrier_wait(&bar);
	pthread_mutex_lock(&lock_b);
	printf("thread 1 got both locks\n");
	return NULL;
}

static void *two(void *arg) {
	(void)arg;
	pthread_mutex_lock(&lock_b);
	pthread_barrier_wait(&bar);
	pthread_mutex_lock(&lock_a);
	printf("thread 2 got both locks\n");
	return NULL;
}

int main(void) {
	pthread_barrier_init(&bar, NULL, 2);
	pthread_t t1, t2;
	pthread_create(&t1, NULL, one, NULL);
	pthread_create(&t2, NULL, two, NULL);
	printf("waiting for the threads\n");
	fflush(stdout);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	printf("not reached\n");
	return 0;
}
