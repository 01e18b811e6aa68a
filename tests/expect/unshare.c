// unshare(2), as a user. Expected output written from unshare(2) (qemu-riscv64 is no
// oracle: the qemu process has threads of its own, and it refuses clone(CLONE_FILES)).
// A single-threaded process may unshare its descriptor table, file system information
// and semaphore undo list, and CLONE_VM, CLONE_SIGHAND and CLONE_THREAD are no-ops for
// it; unknown flags are EINVAL; a child made with clone(CLONE_FILES) that unshares gets
// its own table. weft keeps these per process, so a thread of a multi-threaded process
// gets EINVAL where Linux would give it copies of its own (a documented difference).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/syscall.h>
static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }
#define TRY(what, call) do { errno = 0; long r_ = (call); printf("%-36s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)
static void *idle(void *a) { (void)a; pause(); return NULL; }
int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	TRY("unshare(0)", unshare(0));
	TRY("unshare(CLONE_FILES)", unshare(CLONE_FILES));
	TRY("unshare(CLONE_FS)", unshare(CLONE_FS));
	TRY("unshare(CLONE_SYSVSEM)", unshare(CLONE_SYSVSEM));
	TRY("unshare(CLONE_VM|CLONE_SIGHAND)", unshare(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD));
	TRY("unshare(bad flag 0x1000)", unshare(0x1000));
	int fd = open("/dev/null", O_RDONLY);
	int p[2]; pipe(p);
	pid_t c = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (c == 0) {
		TRY("child: unshare(CLONE_FILES)", unshare(CLONE_FILES));
		close(fd);
		write(p[1], "x", 1);
		_exit(0);
	}
	char ch; read(p[0], &ch, 1);
	waitpid(c, NULL, 0);
	printf("parent's fd still open after the child closed its copy: %d\n", fcntl(fd, F_GETFD) >= 0);
	pthread_t th; pthread_create(&th, NULL, idle, NULL);
	TRY("threaded: unshare(CLONE_FILES)", unshare(CLONE_FILES));
	TRY("threaded: unshare(CLONE_VM)", unshare(CLONE_VM));
	return 0;
}
