// futex_waitv(2) (Linux 5.16): wait on several futexes, woken by any.
//
// Man page / kernel documentation rules checked (Documentation/userspace-api/futex2):
// the call returns the index of the futex that was woken; a futex whose value differs
// from the expected one makes it fail with EAGAIN at once; the timeout is absolute, on
// CLOCK_MONOTONIC or CLOCK_REALTIME (other clocks EINVAL); flags other than 0,
// nr_futexes of 0 or over 128, a NULL array, an entry without FUTEX2_SIZE_U32 or with
// __reserved set are EINVAL; an unaligned address is EINVAL; a shared (not
// FUTEX2_PRIVATE) futex in MAP_SHARED memory is woken by FUTEX_WAKE from another
// process; after the wake the waiter is on no queue (a second FUTEX_WAKE wakes no one).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// The struct is in these headers; the flag names came later (Linux 6.7).
#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG
#endif

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-40s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)

static uint32_t fut[3];

static long waitv(struct futex_waitv *w, unsigned n, unsigned flags, struct timespec *to, int clk)
{
	return syscall(SYS_futex_waitv, w, n, flags, to, clk);
}

static long wake(uint32_t *addr, int n, int private)
{
	return syscall(SYS_futex, addr, FUTEX_WAKE | (private ? FUTEX_PRIVATE_FLAG : 0), n, NULL, NULL, 0);
}

static struct timespec in(int clk, long ms)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	ts.tv_nsec += ms * 1000000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

static long woke;

static void *waker(void *arg)
{
	(void)arg;
	usleep(50000);
	long n;
	// Wake futex 2 until the waiter is there to be woken.
	while ((n = wake(&fut[2], 1, 1)) == 0)
		usleep(1000);
	woke = n;
	return NULL;
}

int main(void)
{
	struct futex_waitv w[3];
	for (int i = 0; i < 3; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].uaddr = (uintptr_t)&fut[i];
		w[i].val = 0;
		w[i].flags = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE;
	}
	struct timespec to = in(CLOCK_MONOTONIC, 1000);

	pthread_t th;
	pthread_create(&th, NULL, waker, NULL);
	TRY("futex_waitv, futex 2 woken", waitv(w, 3, 0, &to, CLOCK_MONOTONIC));
	pthread_join(th, NULL);
	printf("waker woke %ld\n", woke);
	TRY("FUTEX_WAKE futex 0 after (no waiter)", wake(&fut[0], 1, 1));

	fut[1] = 7;
	TRY("value differs", waitv(w, 3, 0, &to, CLOCK_MONOTONIC));
	fut[1] = 0;
	to = in(CLOCK_MONOTONIC, 20);
	TRY("timeout CLOCK_MONOTONIC", waitv(w, 3, 0, &to, CLOCK_MONOTONIC));
	to = in(CLOCK_REALTIME, 20);
	TRY("timeout CLOCK_REALTIME", waitv(w, 3, 0, &to, CLOCK_REALTIME));
	TRY("clock CLOCK_BOOTTIME", waitv(w, 3, 0, &to, CLOCK_BOOTTIME));
	TRY("flags 1", waitv(w, 3, 1, &to, CLOCK_MONOTONIC));
	TRY("nr_futexes 0", waitv(w, 0, 0, &to, CLOCK_MONOTONIC));
	TRY("nr_futexes 129", waitv(w, 129, 0, &to, CLOCK_MONOTONIC));
	TRY("waiters NULL", waitv(NULL, 1, 0, &to, CLOCK_MONOTONIC));
	w[0].flags = FUTEX2_PRIVATE;
	TRY("entry without FUTEX2_SIZE_U32", waitv(w, 3, 0, &to, CLOCK_MONOTONIC));
	w[0].flags = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE;
	w[0].__reserved = 1;
	TRY("__reserved set", waitv(w, 3, 0, &to, CLOCK_MONOTONIC));
	w[0].__reserved = 0;
	w[0].uaddr = (uintptr_t)&fut[0] + 1;
	TRY("unaligned address", waitv(w, 3, 0, &to, CLOCK_MONOTONIC));
	w[0].uaddr = (uintptr_t)&fut[0];

	// A shared futex in MAP_SHARED memory, woken by another process.
	uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct futex_waitv sw = {.val = 0, .uaddr = (uintptr_t)sh, .flags = FUTEX2_SIZE_U32};
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		while (wake(sh, 1, 0) == 0)
			usleep(1000);
		_exit(0);
	}
	to = in(CLOCK_MONOTONIC, 1000);
	TRY("shared futex woken by another process", waitv(&sw, 1, 0, &to, CLOCK_MONOTONIC));
	waitpid(pid, NULL, 0);
	return 0;
}
