// LR/SC across CPUs. argv[1] chooses how each of NTHREADS threads
// (argv[2], default 4) increments a shared word ITERS (argv[3], default
// 3000) times:
//   sc     lr.w; addi; sc.w; retry while sc.w fails — a correct atomic
//          increment: the reservation must be broken by any other CPU's
//          store to the word, so no update is ever lost;
//   mixed  even threads use the lr/sc loop, odd threads amoadd.w — an AMO
//          from another CPU must break the reservation as well;
//   sw     lr.w; addi; sw — the plain store ignores the reservation, so
//          with CPUs interleaved finely, updates are lost.
// It prints the final value and the expected one; for sc and mixed the
// program also counts failed sc.w attempts, which only show that the
// retry path ran (not printed: they depend on the interleaving).
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int word;
static int mode; // 0 sc, 1 mixed, 2 sw
static int iters = 3000;
static pthread_barrier_t start;
static long sc_failures;

static void *worker(void *arg) {
	long id = (long)arg;
	long fails = 0;
	pthread_barrier_wait(&start);
	for (int i = 0; i < iters; i++) {
		int tmp, rc;
		if (mode == 2) {
			__asm__ volatile("lr.w %0, (%1)\n\taddi %0, %0, 1\n\tsw %0, 0(%1)"
			                 : "=&r"(tmp)
			                 : "r"(&word)
			                 : "memory");
		} else if (mode == 1 && id % 2 == 1) {
			__asm__ volatile("amoadd.w zero, %1, (%0)" : : "r"(&word), "r"(1) : "memory");
		} else {
			for (;;) {
				__asm__ volatile("lr.w %0, (%2)\n\taddi %0, %0, 1\n\tsc.w %1, %0, (%2)"
				                 : "=&r"(tmp), "=&r"(rc)
				                 : "r"(&word)
				                 : "memory");
				if (rc == 0)
					break;
				fails++;
			}
		}
	}
	__atomic_fetch_add(&sc_failures, fails, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv) {
	if (argc < 2 || (strcmp(argv[1], "sc") && strcmp(argv[1], "mixed") && strcmp(argv[1], "sw"))) {
		fprintf(stderr, "usage: llsc sc|mixed|sw [threads [iters]]\n");
		return 2;
	}
	mode = !strcmp(argv[1], "sc") ? 0 : !strcmp(argv[1], "mixed") ? 1 : 2;
	int n = argc > 2 ? atoi(argv[2]) : 4;
	if (argc > 3)
		iters = atoi(argv[3]);
	pthread_barrier_init(&start, NULL, (unsigned)n);
	pthread_t th[16];
	for (long i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("%s: final=%d expected=%d\n", argv[1], word, n * iters);
	if (getenv("LLSC_VERBOSE"))
		fprintf(stderr, "sc failures: %ld\n", sc_failures);
	return 0;
}
