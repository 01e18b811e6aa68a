//go:build ignore
// (That line keeps the go tool from taking this file for cgo source: bench/costs holds C
// programs only.)

/*
 * comm: the round-trip time of a message of SIZE bytes sent to a partner that sends it
 * back.
 *
 *   comm process SIZE N   parent -> child -> parent through two pipes (write/read;
 *                         the data is copied into and out of the kernel each way)
 *   comm thread SIZE N    main -> partner -> main through one shared buffer; a futex
 *                         word says whose turn it is (each side copies the message in
 *                         and out of the buffer with memcpy)
 *
 * Each round trip checks that the message came back intact. Both parties are pinned to
 * CPU 0 (on the host; weft runs this row with one CPU), so that every round trip is
 * two context switches on one CPU and nothing runs in parallel: under weft, the work
 * the kernel counts then adds up to the time the guest measures. "pinned=0" in the
 * result line says the host refused the pinning.
 */
#include "costs.h"

#define MAXSIZE (1 << 20)

static long total;
static size_t size;
static uint32_t turn; /* 0 = main's turn, 1 = the partner's */
static char shared[MAXSIZE];

static void *partner(void *arg)
{
	char *local = malloc(size);
	if (local == NULL)
		die("malloc");
	(void)arg;
	for (long i = 0; i < total; i++) {
		wait_for(&turn, 1);
		memcpy(local, shared, size);
		local[0]++; /* the reply differs from the request */
		memcpy(shared, local, size);
		store(&turn, 0);
		futex_wake(&turn, 1);
	}
	free(local);
	return NULL;
}

static void check(const char *msg, const char *back, long i)
{
	if (back[0] != (char)(msg[0] + 1) || memcmp(msg + 1, back + 1, size - 1) != 0) {
		fprintf(stderr, "round trip %ld: the message came back changed\n", i);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "process") != 0 && strcmp(argv[1], "thread") != 0)) {
		fprintf(stderr, "usage: %s process|thread SIZE ROUNDTRIPS\n", argv[0]);
		return 2;
	}
	int proc = strcmp(argv[1], "process") == 0;
	size = parse_count(argv[2], "SIZE");
	if (size < 1 || size > MAXSIZE) {
		fprintf(stderr, "SIZE must be 1..%d\n", MAXSIZE);
		return 2;
	}
	long n = parse_count(argv[3], "ROUNDTRIPS");
	int pinned = pin_cpu0();
	total = n + WARMUP;
	char *msg = malloc(size), *back = malloc(size);
	if (msg == NULL || back == NULL)
		die("malloc");
	for (size_t i = 0; i < size; i++)
		msg[i] = (char)(i * 7 + 1);

	uint64_t t0 = 0, t1 = 0;
	if (proc) {
		int req[2], rep[2];
		if (pipe(req) != 0 || pipe(rep) != 0)
			die("pipe");
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(req[1]);
			close(rep[0]);
			for (long i = 0; i < total; i++) {
				read_full(req[0], back, size);
				back[0]++;
				write_full(rep[1], back, size);
			}
			_exit(0);
		}
		close(req[0]);
		close(rep[1]);
		for (long i = 0; i < total; i++) {
			if (i == WARMUP) {
				t0 = measure_begin();
			}
			msg[0] = (char)i;
			write_full(req[1], msg, size);
			read_full(rep[0], back, size);
			check(msg, back, i);
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
			msg[0] = (char)i;
			memcpy(shared, msg, size);
			store(&turn, 1);
			futex_wake(&turn, 1);
			wait_for(&turn, 0);
			memcpy(back, shared, size);
			check(msg, back, i);
		}
		t1 = measure_end();
		pthread_join(t, NULL);
	}
	char extra[48];
	snprintf(extra, sizeof extra, "size=%zu pinned=%d", size, pinned);
	report("comm", argv[1], n, t1 - t0, n, extra);
	return 0;
}
