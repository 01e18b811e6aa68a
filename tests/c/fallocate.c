// fallocate(2): allocation grows the size, FALLOC_FL_KEEP_SIZE does not, a punched hole
// reads as zeros without changing the size; EOPNOTSUPP for PUNCH_HOLE without
// KEEP_SIZE, EINVAL for a bad range, EBADF for a read-only descriptor, ESPIPE for a pipe.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long long size(int fd) {
	struct stat st;
	fstat(fd, &st);
	return st.st_size;
}

int main(void) {
	char path[] = "/tmp/fallocXXXXXX";
	int fd = mkstemp(path);
	printf("allocate 10000: %d, size %lld\n", fallocate(fd, 0, 0, 10000), size(fd));
	printf("keep size to 20000: %d, size %lld\n", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20000), size(fd));
	char buf[10000];
	memset(buf, 'x', sizeof buf);
	pwrite(fd, buf, sizeof buf, 0);
	printf("punch 100..9000: %d, size %lld\n", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 8900), size(fd));
	pread(fd, buf, sizeof buf, 0);
	int zeros = 0, xs = 0;
	for (int i = 0; i < 10000; i++) {
		if (buf[i] == 0) zeros++;
		if (buf[i] == 'x') xs++;
	}
	printf("zeros %d, x %d, first zero at %d, x again at %d\n", zeros, xs, (int)(memchr(buf, 0, sizeof buf) - (void *)buf),
	       (int)(memchr(buf + 9000, 'x', 1000) - (void *)buf));
	printf("punch without keep: %d %s\n", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), strerror(errno));
	printf("zero length: %d %s\n", fallocate(fd, 0, 0, 0), strerror(errno));
	printf("negative offset: %d %s\n", fallocate(fd, 0, -1, 10), strerror(errno));
	int ro = open(path, O_RDONLY);
	printf("read-only: %d %s\n", fallocate(ro, 0, 0, 10), strerror(errno));
	int p[2];
	pipe(p);
	printf("pipe: %d %s\n", fallocate(p[1], 0, 0, 10), strerror(errno));
	unlink(path);
	return 0;
}
