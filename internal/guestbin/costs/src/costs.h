//go:build ignore
// (That line keeps the go tool from taking this file for cgo source: bench/costs holds C
// programs only.)

/*
 * costs.h: helpers shared by the process-vs-thread cost programs (create.c, switch.c,
 * comm.c, memory.c). Every program is built twice from the same source: as a static
 * riscv64 guest for weft (make) and for the host (make native), so only portable POSIX,
 * pthreads and the Linux futex system call are used.
 *
 * Output protocol, read by weft/internal/costbench:
 *   - "@@cost-begin\n" and "@@cost-end\n" are written with one raw write(2) each to
 *     standard output right around the measured loop, so that whoever runs the program
 *     can time exactly the loop on the host (weft's standard output is written through
 *     synchronously, during the guest's write).
 *   - one result line at the end: "cost key=value key=value ...", with at least
 *     name, kind, iters, total_ns (CLOCK_MONOTONIC over the loop) and per_op_ns.
 */
#ifndef COSTS_H
#define COSTS_H

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/wait.h>

/* WARMUP iterations run before the measured loop: they fault in stacks, fill glibc's
 * thread-stack cache and (under weft) the decode cache, so the loop measures steady state. */
#define WARMUP 20

static inline void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(1);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void marker(const char *s)
{
	size_t n = strlen(s);
	if (write(1, s, n) != (ssize_t)n)
		die("write marker");
}

/* measure_begin writes the begin marker and returns the time the measured loop starts. */
static inline uint64_t measure_begin(void)
{
	marker("@@cost-begin\n");
	return now_ns();
}

/* measure_end returns the time the measured loop ended and writes the end marker. */
static inline uint64_t measure_end(void)
{
	uint64_t t = now_ns();
	marker("@@cost-end\n");
	return t;
}

/* start_thread starts fn(arg) in a new thread, or dies. */
static inline void start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(t, NULL, fn, arg);
	if (err != 0) {
		errno = err;
		die("pthread_create");
	}
}

/* reap waits for the child pid and dies unless it exited with status 0. */
static inline void reap(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "child ended with status %#x\n", st);
		exit(1);
	}
}

static inline long parse_count(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0) {
		fprintf(stderr, "bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static inline int futex_wait(uint32_t *addr, uint32_t val)
{
	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static inline int futex_wake(uint32_t *addr, int n)
{
	return syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static inline uint32_t load(uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void store(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* wait_for blocks until *p == want. */
static inline void wait_for(uint32_t *p, uint32_t want)
{
	uint32_t v;
	while ((v = load(p)) != want)
		futex_wait(p, v);
}

/* pin_cpu0 moves the calling thread (and so whatever it creates later) to CPU 0.
 * It returns 1 on success, 0 when the host does not allow it. */
static inline int pin_cpu0(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof set, &set) == 0;
}

static inline void read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read");
		p += r;
		n -= r;
	}
}

static inline void write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("write");
		p += r;
		n -= r;
	}
}

/* report prints the result line; ops is how many operations total_ns covers. */
static inline void report(const char *name, const char *kind, long iters, uint64_t total_ns,
		   long ops, const char *extra)
{
	printf("cost name=%s kind=%s iters=%ld ops=%ld total_ns=%llu per_op_ns=%.1f%s%s\n",
	       name, kind, iters, ops, (unsigned long long)total_ns,
	       ops > 0 ? (double)total_ns / (double)ops : 0.0, extra[0] ? " " : "", extra);
	fflush(stdout);
}

#endif
