//go:build ignore
// (That line keeps the go tool from taking this file for cgo source of package bench.)

/* 4 threads update shared counters with atomics: a fetch-and-add (amoadd) and a
 * compare-and-swap loop (lr/sc). Run under weft with --cpus 4 --step 1 it measures how
 * fast weft switches harts at every instruction while reservations are held. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ITERS 50000

static unsigned long added, swapped;

static void *work(void *arg)
{
	unsigned long seed = (unsigned long)arg;
	for (int i = 0; i < ITERS; i++) {
		__atomic_fetch_add(&added, seed, __ATOMIC_SEQ_CST);
		unsigned long old = __atomic_load_n(&swapped, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(&swapped, &old, old * 31 + seed, 0,
						    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			;
	}
	return 0;
}

int main(void)
{
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], 0, work, (void *)(i + 1));
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], 0);
	/* The sum is the same in every interleaving; the chained value is not, so only
	 * the sum is printed (the checksum must match qemu's). */
	printf("atomics: added=%lu\n", added);
	return 0;
}
