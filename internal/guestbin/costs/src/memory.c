//go:build ignore
// (That line keeps the go tool from taking this file for cgo source: bench/costs holds C
// programs only.)

/*
 * memory: the memory that K idle processes or threads cost, next to a parent with a
 * HEAP_MIB MiB heap that it has written (so that a forked child has pages to share).
 *
 *   memory process K HEAP_MIB   fork K children; each waits on a pipe, touching nothing
 *   memory thread K HEAP_MIB    create K threads; each waits on the same pipe
 *
 * Once all K are up, the program reads the host's accounting of what it and its
 * children use: the sum of Pss (proportional set size: a page shared by n processes
 * counts 1/n in each, so the sum is the memory really used) from
 * /proc/PID/smaps_rollup, plus VmPTE (page tables) from /proc/PID/status, before and
 * after. It prints the growth as native_bytes, or native_bytes=na when /proc does not
 * have those files (as under weft, which measures the run from its kernel instead).
 * Then it closes the pipe and reaps everyone.
 */
#include "costs.h"

#include <fcntl.h>

#define MAXK 1024

static int gate[2];  /* the children block reading gate[0] until the parent closes gate[1] */
static int ready[2]; /* each child writes one byte here when it is up */
static char buf[8192];

/* field returns the value in kB of "name:" in the file at path, or -1. */
static long field(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = 0, r;
	while (n < (ssize_t)sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	size_t len = strlen(name);
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, len) == 0 && p[len] == ':')
			return strtol(p + len + 1, NULL, 10);
	}
	return -1;
}

/* usage returns Pss + VmPTE of process pid in bytes, or -1 if the host does not say. */
static long long usage(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	long pss = field(path, "Pss");
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	long pte = field(path, "VmPTE");
	if (pss < 0 || pte < 0)
		return -1;
	return (long long)(pss + pte) * 1024;
}

static void wait_gate(void)
{
	char c = 1;
	write_full(ready[1], &c, 1);
	while (read(gate[0], &c, 1) != 0) {
	}
}

static void *idle_thread(void *arg)
{
	wait_gate();
	return arg;
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "process") != 0 && strcmp(argv[1], "thread") != 0)) {
		fprintf(stderr, "usage: %s process|thread K HEAP_MIB\n", argv[0]);
		return 2;
	}
	int proc = strcmp(argv[1], "process") == 0;
	long k = parse_count(argv[2], "K");
	long mib = parse_count(argv[3], "HEAP_MIB");
	if (k > MAXK) {
		fprintf(stderr, "K must be at most %d\n", MAXK);
		return 2;
	}
	size_t heap = (size_t)mib << 20;
	char *mem = malloc(heap ? heap : 1);
	if (mem == NULL)
		die("malloc");
	memset(mem, 1, heap);
	if (pipe(gate) != 0 || pipe(ready) != 0)
		die("pipe");

	pid_t self = getpid();
	usage(self); /* once to fault in what reading /proc touches */
	long long before = usage(self);

	static pid_t pids[MAXK];
	static pthread_t tids[MAXK];
	uint64_t t0 = measure_begin();
	for (long i = 0; i < k; i++) {
		if (proc) {
			pid_t pid = fork();
			if (pid < 0)
				die("fork");
			if (pid == 0) {
				close(gate[1]);
				wait_gate();
				_exit(0);
			}
			pids[i] = pid;
		} else {
			start_thread(&tids[i], idle_thread, NULL);
		}
	}
	for (long i = 0; i < k; i++) {
		char c;
		read_full(ready[0], &c, 1);
	}
	uint64_t t1 = measure_end();

	long long after = usage(self);
	for (long i = 0; proc && after >= 0 && i < k; i++) {
		long long u = usage(pids[i]);
		after = u < 0 ? -1 : after + u;
	}

	close(gate[1]);
	for (long i = 0; i < k; i++) {
		if (proc) {
			reap(pids[i]);
		} else {
			pthread_join(tids[i], NULL);
		}
	}
	char extra[96];
	if (before < 0 || after < 0)
		snprintf(extra, sizeof extra, "heap_mib=%ld native_bytes=na", mib);
	else
		snprintf(extra, sizeof extra, "heap_mib=%ld native_bytes=%lld", mib, after - before);
	report("memory", argv[1], k, t1 - t0, k, extra);
	free(mem);
	return 0;
}
