// A data race: 4 threads each add 1 to an unsynchronised global counter
// 20000 times with a plain load, add and store (the variable is volatile so
// that every increment really goes through memory). When the threads run
// at the same time on several CPUs, increments are lost: the final value
// may be anything up to 80000 and depends on the interleaving (under weft,
// on --seed). threads_test.go checks that some seeds lose updates and that
// one seed always gives the same result.
#include <pthread.h>
#include <stdio.h>

#define NTHREADS 4
#define ITERS 20000

static volatile long counter;
static pthread_barrier_t start;

static void *worker(void *arg) {
	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < ITERS; i++)
		counter = counter + 1;
	return NULL;
}

int main(void) {
	pthread_barrier_init(&start, NULL, NTHREADS);
	pthread_t th[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	printf("final=%ld expected=%d\n", counter, NTHREADS * ITERS);
	return 0;
}
