// select and poll on pipes: readiness, timeouts, EOF as readable, a full pipe not
// writable, EBADF and POLLNVAL for a closed descriptor (select(2), poll(2)).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
	int p[2];
	pipe(p);
	fd_set r, w;
	struct timeval tv = {0, 20000};
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	int n = select(p[0] + 1, &r, NULL, NULL, &tv);
	printf("empty pipe, 20 ms timeout: %d, readable=%d\n", n, FD_ISSET(p[0], &r));

	FD_ZERO(&w);
	FD_SET(p[1], &w);
	n = select(p[1] + 1, NULL, &w, NULL, NULL);
	printf("write end: %d, writable=%d\n", n, FD_ISSET(p[1], &w));

	pid_t c = fork();
	if (c == 0) {
		usleep(1000);
		write(p[1], "hi", 2);
		_exit(0);
	}
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	n = select(p[0] + 1, &r, NULL, NULL, NULL); // blocks until the child writes
	char buf[8];
	int got = read(p[0], buf, sizeof buf);
	printf("after the child's write: %d, readable=%d, read %d bytes\n", n, FD_ISSET(p[0], &r), got);
	waitpid(c, NULL, 0);

	// Fill the pipe: the write end is no longer writable.
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	char block[4096];
	memset(block, 'x', sizeof block);
	while (write(p[1], block, sizeof block) > 0)
		;
	struct pollfd pf[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
	n = poll(pf, 2, 0);
	printf("full pipe: poll=%d, read end POLLIN=%d, write end POLLOUT=%d\n", n,
	       !!(pf[0].revents & POLLIN), !!(pf[1].revents & POLLOUT));

	// EOF counts as readable; a closed descriptor is invalid.
	close(p[1]);
	while (read(p[0], block, sizeof block) > 0)
		;
	pf[0].revents = 0;
	n = poll(pf, 1, 1000);
	printf("writer gone: poll=%d, POLLHUP=%d\n", n, !!(pf[0].revents & POLLHUP));
	close(p[0]);
	n = poll(pf, 1, 0);
	printf("closed fd: poll=%d, POLLNVAL=%d\n", n, !!(pf[0].revents & POLLNVAL));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	errno = 0;
	tv.tv_usec = 0;
	n = select(p[0] + 1, &r, NULL, NULL, &tv);
	printf("select on a closed fd: %d %s\n", n, strerrorname_np(errno));
	return 0;
}
