// race.c with every increment an atomic read-modify-write
// (__atomic_fetch_add, an amoadd instruction): no update is lost and the
// final value is exactly 80000. A second counter is incremented with a
// compare-and-swap loop (__atomic_compare_exchange_n, lr/sc), also exact.
#include <pthread.h>
#include <stdio.h>

#define NTHREADS 4
#define ITERS 20000

static long counter;
static int cas_counter;
static pthread_barrier_t start;

static void *worker(void *arg) {
	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < ITERS; i++) {
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		int old = __atomic_load_n(&cas_counter, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&cas_counter, &old, old + 1, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
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
	printf("cas final=%d expected=%d\n", cas_counter, NTHREADS * ITERS);
	return 0;
}
