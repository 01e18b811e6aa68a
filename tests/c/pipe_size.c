// F_GETPIPE_SZ and F_SETPIPE_SZ (fcntl(2)): the default capacity, rounding up to a
// power of two pages, the limit of /proc/sys/fs/pipe-max-size, EBUSY below what the pipe
// holds, EBADF on a file that is not a pipe; and a write fills the new capacity.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

int main(void) {
	int p[2];
	pipe2(p, O_NONBLOCK);
	printf("default: %d\n", fcntl(p[0], F_GETPIPE_SZ));
	long r = fcntl(p[1], F_SETPIPE_SZ, 5000);
	printf("set 5000: %ld %s, now %d\n", r, en(r), fcntl(p[0], F_GETPIPE_SZ));
	static char buf[1 << 16];
	long n = write(p[1], buf, sizeof buf);
	printf("write 64 KiB into it: %ld\n", n);
	r = fcntl(p[1], F_SETPIPE_SZ, 4096);
	printf("shrink below its 8 KiB of data: %ld %s\n", r, en(r));
	r = fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	printf("set 1 MiB: %ld %s\n", r, en(r));
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
	long max = 0;
	if (f && fscanf(f, "%ld", &max) == 1)
		printf("pipe-max-size read: %d\n", max > 0);
	int fd = open("/proc/self/comm", O_RDONLY);
	r = fcntl(fd, F_GETPIPE_SZ);
	printf("not a pipe: %ld %s\n", r, en(r));
	return 0;
}
