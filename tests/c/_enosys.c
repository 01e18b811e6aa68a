/* Calls a system call weft does not implement, twice: it must return ENOSYS both
 * times, and weft must say so only once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
	for (int i = 0; i < 2; i++) {
		long r = syscall(SYS_acct, 0);
		printf("acct = %ld (%s)\n", r, r < 0 ? strerror(errno) : "ok");
	}
	long r = syscall(4000);
	printf("syscall 4000 = %ld (%s)\n", r, r < 0 ? strerror(errno) : "ok");
	return 0;
}
