/* For cmd/weft's tests: reports on stderr which of fds 0 and 1 are open, and what a
   read of 0 and a write to 1 return. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
	for (int fd = 0; fd < 2; fd++) {
		int r = fcntl(fd, F_GETFD);
		fprintf(stderr, "fd %d: %s\n", fd, r >= 0 ? "open" : strerrorname_np(errno));
	}
	char c;
	ssize_t n = read(0, &c, 1);
	fprintf(stderr, "read(0): %zd %s\n", n, n < 0 ? strerrorname_np(errno) : "");
	n = write(1, "x", 1);
	fprintf(stderr, "write(1): %zd %s\n", n, n < 0 ? strerrorname_np(errno) : "");
	return 0;
}
