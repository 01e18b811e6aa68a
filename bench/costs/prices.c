//go:build ignore
// (That line keeps the go tool from taking this file for cgo source: bench/costs holds C
// programs only.)

/*
 * prices: measures, on the host, the native price of the units of work that weft's cost
 * model charges for (internal/kernel/cost/model.go says which price comes from which
 * line). Built for the host only:
 *
 *	make -C bench/costs prices && bench/costs/bin/native-prices
 *
 * Each figure is in nanoseconds per unit: the median of 7 repetitions, with the fastest
 * and slowest beside it to show the spread. Run it on an otherwise idle machine: it
 * measures the machine, not weft; on a busy one, run it several times and keep the
 * lowest median of each line (interference only ever adds time).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPS 7

static uint64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void show(const char *name, double *v)
{
	qsort(v, REPS, sizeof *v, cmp);
	printf("%-40s %9.2f ns  (fastest %.2f, slowest %.2f)\n", name, v[REPS / 2], v[0], v[REPS - 1]);
	fflush(stdout);
}

static volatile uint64_t sink;

/* trap: a system call that does almost nothing, in and out of the kernel. */
static double trap(void)
{
	long n = 200000;
	uint64_t t = now();
	for (long i = 0; i < n; i++)
		sink += syscall(SYS_getppid);
	return (double)(now() - t) / n;
}

/* path_step: a stat(2) of a path of 64 components ("./././...") minus one of a
 * single component, per extra component: the walk's cost per name looked up. */
static double stat_path(int comps)
{
	char path[4 * 64 + 2] = "";
	for (int i = 0; i < comps; i++)
		strcat(path, i ? "/." : ".");
	struct stat st;
	long n = 100000;
	uint64_t t = now();
	for (long i = 0; i < n; i++)
		sink += stat(path, &st);
	return (double)(now() - t) / n;
}

static double path_step(void) { return (stat_path(64) - stat_path(1)) / 63; }

#define PAGES 8192 /* 32 MiB */

static char *region(void)
{
	char *p = mmap(NULL, PAGES * 4096L, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	madvise(p, PAGES * 4096L, MADV_NOHUGEPAGE);
	return p;
}

/* fault: first write to an anonymous page: trap, allocate, zero, map. */
static double fault(void)
{
	char *p = region();
	uint64_t t = now();
	for (long i = 0; i < PAGES; i++)
		p[i * 4096] = 1;
	double r = (double)(now() - t) / PAGES;
	munmap(p, PAGES * 4096L);
	return r;
}

/* unmap: munmap of written private pages, per page: unmap, drop, free. */
static double unmap(void)
{
	char *p = region();
	for (long i = 0; i < PAGES; i++)
		p[i * 4096] = 1;
	uint64_t t = now();
	munmap(p, PAGES * 4096L);
	return (double)(now() - t) / PAGES;
}

/* cow: a child's first write to a page its parent wrote before fork. */
static double cow(void)
{
	char *p = region();
	for (long i = 0; i < PAGES; i++)
		p[i * 4096] = 1;
	int fd[2];
	if (pipe(fd) != 0)
		exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t t = now();
		for (long i = 0; i < PAGES; i++)
			p[i * 4096] = 2;
		double r = (double)(now() - t) / PAGES;
		if (write(fd[1], &r, sizeof r) != sizeof r)
			_exit(1);
		_exit(0);
	}
	double r = 0;
	if (read(fd[0], &r, sizeof r) != sizeof r)
		exit(1);
	waitpid(pid, NULL, 0);
	close(fd[0]);
	close(fd[1]);
	munmap(p, PAGES * 4096L);
	return r;
}

/* chase follows a random cycle through one cache line in each of npages pages (a
 * different line in each, so that the lines do not compete for one cache set). */
static double chase(long npages)
{
	char *p = region();
	long *order = malloc(npages * sizeof *order);
	for (long i = 0; i < npages; i++)
		order[i] = i;
	srand(1);
	for (long i = npages - 1; i > 0; i--) {
		long j = rand() % (i + 1), x = order[i];
		order[i] = order[j];
		order[j] = x;
	}
	for (long i = 0; i < npages; i++) {
		long a = order[i], b = order[(i + 1) % npages];
		*(char **)(p + a * 4096 + (a % 64) * 64) = p + b * 4096 + (b % 64) * 64;
	}
	char *q = p + order[0] * 4096 + (order[0] % 64) * 64;
	long steps = 4000000;
	for (long i = 0; i < npages; i++) /* warm the caches */
		q = *(char **)q;
	uint64_t t = now();
	for (long i = 0; i < steps; i++)
		q = *(char **)q;
	double r = (double)(now() - t) / steps;
	sink += (uint64_t)q;
	free(order);
	munmap(p, PAGES * 4096L);
	return r;
}

static char bufa[1 << 16], bufb[1 << 16];

/* copy: memcpy of size bytes, per call. */
static double copy(long size)
{
	long n = (64L << 20) / size;
	uint64_t t = now();
	for (long i = 0; i < n; i++) {
		memcpy(bufa, bufb, size);
		__asm__ volatile("" ::: "memory");
	}
	return (double)(now() - t) / n;
}

static double zero(void)
{
	long n = 16384;
	uint64_t t = now();
	for (long i = 0; i < n; i++) {
		memset(bufa + (i & 7) * 4096, 0, 4096);
		__asm__ volatile("" ::: "memory");
	}
	return (double)(now() - t) / n;
}

/* forkwith: fork + _exit + waitpid, per call, with extra VMAs or descriptors. */
static double forkwith(void)
{
	long n = 200;
	uint64_t t = now();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	return (double)(now() - t) / n;
}

#define EXTRA 4000

/* best is the fastest of several fork loops: interference only adds time. */
static double best(void)
{
	double b = forkwith();
	for (int i = 0; i < 4; i++) {
		double x = forkwith();
		if (x < b)
			b = x;
	}
	return b;
}

static double per_vma(void)
{
	double base = best();
	/* EXTRA one-page mappings with alternating protections, so none merge. */
	char *p = mmap(NULL, 2 * EXTRA * 4096L, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (long i = 0; i < EXTRA; i++)
		mprotect(p + 2 * i * 4096, 4096, PROT_READ | PROT_WRITE);
	double more = best();
	munmap(p, 2 * EXTRA * 4096L);
	return (more - base) / EXTRA;
}

static double per_fd(void)
{
	double base = best();
	int fds[EXTRA];
	for (int i = 0; i < EXTRA; i++)
		fds[i] = dup(1);
	double more = best();
	for (int i = 0; i < EXTRA; i++)
		close(fds[i]);
	return (more - base) / EXTRA;
}

/* per_page: what fork+exit+wait costs per written private page of the parent (each is
 * referenced once more by the child's copied page table, and dropped at its exit). */
static double per_page(void)
{
	double base = best();
	char *p = region();
	for (long i = 0; i < PAGES; i++)
		p[i * 4096] = 1;
	double more = best();
	munmap(p, PAGES * 4096L);
	return (more - base) / PAGES;
}

/* pingpong passes a byte back and forth over two pipes n times between this process
 * and a thread (proc = 0) or a child process (proc = 1), all pinned to CPU 0, and
 * returns the time per switch: the difference between the two is what a switch of
 * address space adds to a switch on the same CPU. */
static int pp_in[2], pp_out[2];
static long pp_n;

static void *echo(void *arg)
{
	(void)arg;
	char c;
	for (long i = 0; i < pp_n; i++) {
		if (read(pp_in[0], &c, 1) != 1 || write(pp_out[1], &c, 1) != 1)
			exit(1);
	}
	return NULL;
}

static double pingpong(int proc)
{
	pp_n = 20000;
	if (pipe(pp_in) != 0 || pipe(pp_out) != 0)
		exit(1);
	pthread_t t;
	pid_t pid = 0;
	if (proc) {
		pid = fork();
		if (pid == 0) {
			echo(NULL);
			_exit(0);
		}
	} else {
		pthread_create(&t, NULL, echo, NULL);
	}
	char c = 'x';
	uint64_t t0 = now();
	for (long i = 0; i < pp_n; i++) {
		if (write(pp_in[1], &c, 1) != 1 || read(pp_out[0], &c, 1) != 1)
			exit(1);
	}
	double r = (double)(now() - t0) / (2 * pp_n);
	if (proc)
		waitpid(pid, NULL, 0);
	else
		pthread_join(t, NULL);
	close(pp_in[0]);
	close(pp_in[1]);
	close(pp_out[0]);
	close(pp_out[1]);
	return r;
}

int main(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0)
		printf("(could not pin to CPU 0: the ping-pong figures are not switches on one CPU)\n");
	{
		double th[REPS], pr[REPS];
		for (int r = 0; r < REPS; r++) {
			th[r] = pingpong(0);
			pr[r] = pingpong(1);
		}
		show("pipe ping-pong, 2 threads, per switch", th);
		show("pipe ping-pong, 2 processes, per switch", pr);
		/* show sorted both arrays: their medians are in the middle. */
		printf("%-40s %9.2f ns  (median minus median)\n", "address-space switch (difference)",
		       pr[REPS / 2] - th[REPS / 2]);
	}
	struct {
		const char *name;
		double (*fn)(void);
	} m[] = {
		{"trap (getppid round trip)", trap},
		{"first-touch fault, per page", fault},
		{"copy-on-write fault, per page", cow},
		{"munmap of written pages, per page", unmap},
		{"path lookup, per component", path_step},
		{"memset 4 KiB", zero},
		{"fork+exit+wait, per extra VMA", per_vma},
		{"fork+exit+wait, per extra fd", per_fd},
		{"fork+exit+wait, per written page", per_page},
	};
	double v[REPS];
	for (unsigned k = 0; k < sizeof m / sizeof m[0]; k++) {
		for (int r = 0; r < REPS; r++)
			v[r] = m[k].fn();
		show(m[k].name, v);
	}
	long sizes[] = {64, 4096, 65536};
	for (unsigned k = 0; k < 3; k++) {
		char name[64];
		for (int r = 0; r < REPS; r++)
			v[r] = copy(sizes[k]);
		snprintf(name, sizeof name, "memcpy %ld bytes", sizes[k]);
		show(name, v);
	}
	double few[REPS], many[REPS], diff[REPS];
	for (int r = 0; r < REPS; r++) {
		few[r] = chase(16);
		many[r] = chase(PAGES);
		diff[r] = many[r] - few[r];
	}
	show("load, 16 pages (TLB hits)", few);
	show("load, 8192 pages (TLB misses)", many);
	show("TLB miss (difference, same repetition)", diff);
	return 0;
}
