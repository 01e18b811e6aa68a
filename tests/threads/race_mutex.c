// race.c with every increment done under a pthread mutex: whatever the
// interleaving, no update is lost and the final value is exactly 80000.
#include <pthread.h>
#include <stdio.h>

#define NTHREADS 4
#define ITERS 20000

static volatile long counter;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;

static void *worker(void *arg) {
	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&mu);
		counter = counter + 1;
		pthread_mutex_unlock(&mu);
	}
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
