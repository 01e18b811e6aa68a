// Four threads update shared counters at once with a fetch-and-add (amoadd), a
// compare-and-swap loop (lr/sc on a doubleword) and an 8-bit fetch-and-add, which
// gcc lowers to an lr/sc loop on the containing word: reservations that other
// threads' stores must break. The sums are the same in every interleaving.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 4
#define ITERS 3000

static unsigned long added, swapped;
static _Atomic uint8_t small[8];

static void *work(void *arg)
{
	unsigned long n = (unsigned long)arg;
	for (int i = 0; i < ITERS; i++) {
		__atomic_fetch_add(&added, n, __ATOMIC_SEQ_CST);
		unsigned long old = __atomic_load_n(&swapped, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&swapped, &old, old + 2 * n, 0,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			;
		__atomic_fetch_add(&small[n], 1, __ATOMIC_RELAXED);
	}
	return 0;
}

int main(void)
{
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], 0, work, (void *)(i + 1)) != 0) {
			perror("pthread_create");
			return 1;
		}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	printf("added=%lu swapped=%lu\n", added, swapped);
	for (int i = 0; i < 8; i++)
		printf("small[%d]=%u\n", i, (unsigned)small[i]);
	return 0;
}
