//go:build ignore
// (That line keeps the go tool from taking this file for cgo source: bench/costs holds C
// programs only.)

/*
 * create: what it costs to create and reap a unit of execution that does nothing.
 *
 *   create process N   fork(); the child _exit(0)s at once; the parent waitpid()s it
 *   create thread N    pthread_create() of a function that returns at once; pthread_join()
 *
 * Reports the mean time of one create+exit+reap, measured with CLOCK_MONOTONIC. The
 * program pins itself to CPU 0 (sched_setaffinity; what it creates inherits that), so
 * that creator and created take turns on one CPU, as under weft run with one simulated
 * CPU; "pinned=0" in the result line says the host refused.
 */
#include "costs.h"

static void *noop(void *arg) { return arg; }

static void one_process(void)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(0);
	reap(pid);
}

static void one_thread(void)
{
	pthread_t t;
	start_thread(&t, noop, NULL);
	int err = pthread_join(t, NULL);
	if (err != 0) {
		errno = err;
		die("pthread_join");
	}
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "process") != 0 && strcmp(argv[1], "thread") != 0)) {
		fprintf(stderr, "usage: %s process|thread ITERATIONS\n", argv[0]);
		return 2;
	}
	int proc = strcmp(argv[1], "process") == 0;
	long n = parse_count(argv[2], "ITERATIONS");
	void (*one)(void) = proc ? one_process : one_thread;
	int pinned = pin_cpu0();

	for (int i = 0; i < WARMUP; i++)
		one();
	uint64_t t0 = measure_begin();
	for (long i = 0; i < n; i++)
		one();
	uint64_t t1 = measure_end();
	char extra[32];
	snprintf(extra, sizeof extra, "pinned=%d", pinned);
	report("create", argv[1], n, t1 - t0, n, extra);
	return 0;
}
