/* A racy counter for tests/gdb_test.go's reverse-continue: main and a worker thread
 * both increment counter without a lock, and the worker, started second, writes it
 * last. gdb stops main after the join, watches counter and goes back to the last
 * write, the worker's. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define N 2000

long counter;

static void *worker(void *arg) {
	(void)arg;
	pthread_setname_np(pthread_self(), "incr");
	for (int i = 0; i < N; i++)
		counter++; /* the worker's write */
	return NULL;
}

int main(void) {
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	for (int i = 0; i < N; i++)
		counter++; /* main's write */
	pthread_join(th, NULL);
	printf("counter=%ld\n", counter); /* after the join */
	return 0;
}
