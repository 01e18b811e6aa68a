// pidfd_send_signal(2) takes a descriptor of a /proc/PID directory as a pidfd; any
// other file is EBADF.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
static volatile int got;
static void h(int s) { got = s; }
int main(void) {
	signal(SIGUSR1, h);
	char p[64];
	snprintf(p, sizeof p, "/proc/%d", getpid());
	int fd = open(p, O_DIRECTORY | O_RDONLY);
	printf("send via /proc dir %ld\n", syscall(SYS_pidfd_send_signal, fd, SIGUSR1, NULL, 0));
	printf("handled %d\n", got == SIGUSR1);
	int f2 = open("/proc/self/status", O_RDONLY);
	printf("send via a file %ld %s\n", syscall(SYS_pidfd_send_signal, f2, SIGUSR1, NULL, 0), strerror(errno));
	return 0;
}
