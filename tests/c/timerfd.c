// timerfd_create(2) and friends, on what does not depend on how fast time passes: the
// errors, a disarmed timer, the setting gettime reads back, a read of an expired timer
// (an absolute time in the past, a short relative one waited for in read and in poll),
// O_NONBLOCK, disarming, and a timerfd under epoll.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static int set(int fd, int flags, long vs, long vns, long is, long ins) {
	struct itimerspec its = {.it_value = {vs, vns}, .it_interval = {is, ins}};
	return timerfd_settime(fd, flags, &its, NULL);
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("bad clock: %s\n", en(timerfd_create(99, 0)));
	printf("CPU-time clock: %s\n", en(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0)));
	printf("bad flags: %s\n", en(timerfd_create(CLOCK_MONOTONIC, 1)));
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	printf("timerfd_create: %s, cloexec %d\n", en(fd), fcntl(fd, F_GETFD));
	struct stat st;
	fstat(fd, &st);
	printf("fstat: type %o mode %o\n", st.st_mode & S_IFMT, st.st_mode & 0777);
	struct itimerspec cur;
	timerfd_gettime(fd, &cur);
	printf("disarmed: %ld.%09ld / %ld.%09ld\n", cur.it_value.tv_sec, cur.it_value.tv_nsec, cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
	uint64_t n = 0;
	printf("read, disarmed: %s\n", en(read(fd, &n, 8)));
	printf("bad nsec: %s\n", en(set(fd, 0, 1, 1000000000, 0, 0)));
	printf("negative: %s\n", en(set(fd, 0, -1, 0, 0, 0)));
	printf("bad settime flags: %s\n", en(set(fd, 4, 1, 0, 0, 0)));
	printf("settime on a pipe: %s\n", en(set(0, 0, 1, 0, 0, 0)));
	printf("settime on a bad fd: %s\n", en(set(99, 0, 1, 0, 0, 0)));
	printf("gettime on a bad fd: %s\n", en(timerfd_gettime(99, &cur)));

	printf("arm 100 s, every 3 s: %s\n", en(set(fd, 0, 100, 0, 3, 0)));
	timerfd_gettime(fd, &cur);
	printf("left between 99 and 100 s: %d, interval %ld.%09ld\n", cur.it_value.tv_sec >= 99 && cur.it_value.tv_sec <= 100, cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
	struct itimerspec old, its = {0};
	timerfd_settime(fd, 0, &its, &old);
	printf("disarm returns the old setting: %d, interval %ld\n", old.it_value.tv_sec >= 99, old.it_interval.tv_sec);
	timerfd_gettime(fd, &cur);
	printf("disarmed again: %ld %ld\n", cur.it_value.tv_sec + cur.it_value.tv_nsec, cur.it_interval.tv_sec);

	// An absolute time in the past expires at once.
	printf("absolute 1 ns: %s\n", en(set(fd, TFD_TIMER_ABSTIME, 0, 1, 0, 0)));
	printf("read: %s, %llu\n", en(read(fd, &n, 8)), (unsigned long long)n);
	printf("read again: %s\n", en(read(fd, &n, 8)));
	char small[4];
	printf("short read: %s\n", en(read(fd, small, 4)));
	printf("write: %s\n", en(write(fd, &n, 8)));

	// Relative: a blocking read waits for it.
	int b = timerfd_create(CLOCK_REALTIME, 0);
	set(b, 0, 0, 5000000, 0, 0);
	n = 0;
	printf("blocking read: %s, %llu\n", en(read(b, &n, 8)), (unsigned long long)n);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	set(b, TFD_TIMER_ABSTIME, now.tv_sec, now.tv_nsec, 0, 0);
	struct pollfd p = {.fd = b, .events = POLLIN | POLLOUT};
	printf("poll, absolute now: %d %#x\n", poll(&p, 1, -1), p.revents);
	read(b, &n, 8);
	set(b, 0, 0, 3000000, 0, 0);
	p.revents = 0;
	printf("poll, waiting: %d %#x\n", poll(&p, 1, -1), p.revents);
	read(b, &n, 8);
	printf("one expiry: %llu\n", (unsigned long long)n);

	// Under epoll, edge-triggered.
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 77};
	epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev);
	set(b, 0, 0, 2000000, 0, 0);
	struct epoll_event out[2];
	int k = epoll_wait(ep, out, 2, -1);
	printf("epoll: %d [%llu %#x]\n", k, (unsigned long long)out[0].data.u64, out[0].events);
	printf("epoll again: %d\n", epoll_wait(ep, out, 2, 0));
	read(b, &n, 8);
	printf("read after epoll: %llu\n", (unsigned long long)n);
	return 0;
}
