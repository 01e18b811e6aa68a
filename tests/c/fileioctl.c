// The generic file ioctls: FIONBIO sets O_NONBLOCK, FIOCLEX/FIONCLEX the close-on-exec
// flag, FIONREAD the bytes ready in a pipe and in a regular file past the offset.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
int main(void) {
	int p[2], on = 1, off = 0, n = -1;
	pipe(p);
	printf("FIONBIO on %d flags %d\n", ioctl(p[0], FIONBIO, &on), (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	char c;
	printf("read empty %zd %s\n", read(p[0], &c, 1), strerror(errno));
	printf("FIONBIO off %d flags %d\n", ioctl(p[0], FIONBIO, &off), (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	printf("FIOCLEX %d fd %d\n", ioctl(p[1], FIOCLEX), fcntl(p[1], F_GETFD));
	printf("FIONCLEX %d fd %d\n", ioctl(p[1], FIONCLEX), fcntl(p[1], F_GETFD));
	write(p[1], "hello", 5);
	printf("FIONREAD pipe %d n %d\n", ioctl(p[0], FIONREAD, &n), n);
	char tmpl[] = "/tmp/fioXXXXXX";
	int fd = mkstemp(tmpl);
	write(fd, "0123456789", 10);
	lseek(fd, 3, SEEK_SET);
	printf("FIONREAD file %d n %d\n", ioctl(fd, FIONREAD, &n), n);
	printf("TCGETS on a file %d %s\n", ioctl(fd, TCGETS, &n), strerror(errno));
	unlink(tmpl);
	return 0;
}
