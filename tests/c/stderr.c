// Writing to stderr and stdout, through stdio and with write(2), then
// exiting with a failure status.  The harness compares both streams
// separately, so interleaving does not matter but content does.
// Order within stdout does matter: stdout is a pipe, not a terminal, so
// glibc buffers printf output fully and the raw write(1, ...) lands first.
// A kernel that wrongly reports the pipe as a tty (ioctl TCGETS) would
// switch glibc to line buffering and change the order.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
	fprintf(stderr, "error: something went wrong (%d)\n", 17);
	printf("normal output\n");
	write(2, "raw write to fd 2\n", 18);
	write(1, "raw write to fd 1\n", 18);
	errno = ENOENT;
	perror("perror prefix");
	fprintf(stderr, "strerror(EACCES)=%s\n", strerror(EACCES));
	fprintf(stderr, "strerror(EINVAL)=%s\n", strerror(EINVAL));
	for (int i = 0; i < 50; i++)
		fprintf(stderr, "stderr line %d: %s\n", i, "x");
	// A write of 0 bytes and a write to an invalid descriptor.
	ssize_t r0 = write(1, "", 0);
	errno = 0;
	ssize_t rb = write(99, "x", 1);
	printf("write 0 bytes -> %zd; write to fd 99 -> %zd errno=%s\n", r0, rb,
	       errno == EBADF ? "EBADF" : "other");
	// Large single write to stdout (more than a pipe buffer).
	static char big[200000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	for (size_t i = 99; i < sizeof big; i += 100)
		big[i] = '\n';
	size_t done = 0;
	while (done < sizeof big) {
		ssize_t w = write(1, big + done, sizeof big - done);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	fprintf(stderr, "wrote %zu bytes to stdout\n", done);
	exit(EXIT_FAILURE);
}
