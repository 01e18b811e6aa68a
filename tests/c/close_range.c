// close_range(2): bad ranges and flags, CLOSE_RANGE_CLOEXEC, closing to ~0U,
// CLOSE_RANGE_UNSHARE; posix_fadvise advice checks (EINVAL, ESPIPE on a pipe).
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
int main(void) {
	int fds[6];
	for (int i = 0; i < 6; i++) fds[i] = open("/dev/null", O_RDONLY);
	printf("einval %ld %s\n", syscall(SYS_close_range, 9, 3, 0), strerror(errno));
	printf("badflag %ld %s\n", syscall(SYS_close_range, 3, 4, 0x80), strerror(errno));
	printf("cloexec %ld\n", syscall(SYS_close_range, fds[0], fds[1], CLOSE_RANGE_CLOEXEC));
	printf("flags %d %d %d\n", fcntl(fds[0], F_GETFD), fcntl(fds[1], F_GETFD), fcntl(fds[2], F_GETFD));
	printf("close %ld\n", syscall(SYS_close_range, fds[2], ~0U, 0));
	printf("after %d %d %d\n", fcntl(fds[2], F_GETFD), fcntl(fds[5], F_GETFD), errno == EBADF);
	printf("unshare %ld\n", syscall(SYS_close_range, fds[0], fds[0], CLOSE_RANGE_UNSHARE));
	printf("gone %d\n", fcntl(fds[0], F_GETFD));
	int p[2]; pipe(p);
	printf("fadvise %d %d %d\n", posix_fadvise(fds[1], 0, 0, POSIX_FADV_SEQUENTIAL), posix_fadvise(fds[1], 0, 0, 99), posix_fadvise(p[0], 0, 0, 0));
	return 0;
}
