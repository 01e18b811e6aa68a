// eventfd(2): the counter and its reads (all of it, or one at a time with
// EFD_SEMAPHORE), the largest value and the write that would pass it, the values and
// sizes refused, O_NONBLOCK, poll(2) readiness, what fstat and /proc/self/fd show (a
// link that cannot be opened again), and a reader blocked until another process
// writes.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static void rd(int fd) {
	uint64_t v = 0;
	long n = read(fd, &v, 8);
	if (n < 0)
		printf("read: %s\n", strerrorname_np(errno));
	else
		printf("read: %ld bytes, %llu\n", n, (unsigned long long)v);
}

static void wr(int fd, uint64_t v) {
	long n = write(fd, &v, 8);
	printf("write %llu: %s\n", (unsigned long long)v, n < 0 ? strerrorname_np(errno) : "ok");
}

static int pollfd(int fd) {
	struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
	poll(&p, 1, 0);
	return p.revents;
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("bad flags: %s\n", en(eventfd(0, 0x10)));
	int e = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
	printf("eventfd: %s, cloexec %d, nonblock %d\n", en(e), fcntl(e, F_GETFD), !!(fcntl(e, F_GETFL) & O_NONBLOCK));
	struct stat st;
	fstat(e, &st);
	printf("fstat: type %o mode %o\n", st.st_mode & S_IFMT, st.st_mode & 0777);
	char link[64] = {0}, path[32];
	snprintf(path, sizeof path, "/proc/self/fd/%d", e);
	readlink(path, link, sizeof link - 1);
	printf("link: %s\n", link);
	printf("reopen through /proc: %s\n", en(open(path, O_RDWR)));
	printf("poll: %#x\n", pollfd(e));
	rd(e);
	rd(e);
	printf("poll empty: %#x\n", pollfd(e));
	wr(e, 5);
	wr(e, 7);
	rd(e);
	wr(e, 0);
	printf("poll after writing 0: %#x\n", pollfd(e));
	wr(e, UINT64_MAX);
	wr(e, UINT64_MAX - 1);
	printf("poll full: %#x\n", pollfd(e));
	wr(e, 1);
	rd(e);
	char small[4];
	printf("short read: %s\n", en(read(e, small, 4)));
	printf("short write: %s\n", en(write(e, small, 4)));
	close(e);

	int s = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	for (int i = 0; i < 4; i++)
		rd(s);
	close(s);

	// A blocking reader, and a child that writes.
	int b = eventfd(0, 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(2000);
		uint64_t one = 42;
		write(b, &one, 8);
		_exit(0);
	}
	rd(b);
	waitpid(pid, NULL, 0);
	// A blocking writer waits for a reader to make room.
	uint64_t v = UINT64_MAX - 1;
	write(b, &v, 8);
	pid = fork();
	if (pid == 0) {
		usleep(2000);
		uint64_t x;
		read(b, &x, 8);
		_exit(x == UINT64_MAX - 1 ? 0 : 1);
	}
	wr(b, 10);
	int status;
	waitpid(pid, &status, 0);
	printf("child read the full count: %d\n", WEXITSTATUS(status) == 0);
	rd(b);
	return 0;
}
