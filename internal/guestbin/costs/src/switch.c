//go:build ignore
// (That line keeps the go tool from taking this file for cgo source: bench/costs holds C
// programs only.)

/*
 * switch: the cost of a context switch, by ping-pong between two parties that share one
 * CPU, so that every hand-over is a switch.
 *
 *   switch process N   parent and child pass a byte back and forth through two pipes
 *   switch thread N    two threads pass the turn back and forth through a futex word
 *
 * Both sides are pinned to CPU 0 with sched_setaffinity (on the host; weft accepts the
 * call but is run with one simulated CPU instead). One round trip is two switches, so
 * the reported per-op time is round trip / 2. "pinned=0" in the result line says the
 * host refused the pinning, and then the numbers are round trips between CPUs, not
 * switches.
 */
#include "costs.h"

static long total; /* round trips, warm-up included */
static uint32_t turn; /* thread mode: 0 = main's turn, 1 = the partner's */

static void *partner(void *arg)
{
	(void)arg;
	for (long i = 0; i < total; i++) {
		wait_for(&turn, 1);
		store(&turn, 0);
		futex_wake(&turn, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "process") != 0 && strcmp(argv[1], "thread") != 0)) {
		fprintf(stderr, "usage: %s process|thread ROUNDTRIPS\n", argv[0]);
		return 2;
	}
	int proc = strcmp(argv[1], "process") == 0;
	long n = parse_count(argv[2], "ROUNDTRIPS");
	total = n + WARMUP;
	int pinned = pin_cpu0();

	uint64_t t0 = 0, t1 = 0;
	if (proc) {
		int ping[2], pong[2];
		if (pipe(ping) != 0 || pipe(pong) != 0)
			die("pipe");
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(ping[1]);
			close(pong[0]);
			char c;
			for (long i = 0; i < total; i++) {
				read_full(ping[0], &c, 1);
				write_full(pong[1], &c, 1);
			}
			_exit(0);
		}
		close(ping[0]);
		close(pong[1]);
		char c = 'x';
		for (long i = 0; i < total; i++) {
			if (i == WARMUP) {
				t0 = measure_begin();
			}
			write_full(ping[1], &c, 1);
			read_full(pong[0], &c, 1);
		}
		t1 = measure_end();
		reap(pid);
	} else {
		pthread_t t;
		start_thread(&t, partner, NULL);
		for (long i = 0; i < total; i++) {
			if (i == WARMUP) {
				t0 = measure_begin();
			}
			store(&turn, 1);
			futex_wake(&turn, 1);
			wait_for(&turn, 0);
		}
		t1 = measure_end();
		pthread_join(t, NULL);
	}
	char extra[32];
	snprintf(extra, sizeof extra, "pinned=%d", pinned);
	report("switch", argv[1], n, t1 - t0, 2 * n, extra);
	return 0;
}
