// mmap(2) MAP_SHARED of a file: a page wholly past the file's end raises SIGBUS
// (BUS_ADRERR, si_addr the address touched), the rest of the file's last page reads as
// zeros; growing the file makes the page usable, and shrinking it takes pages back from
// every mapping, in this process and in another. The kernel's own accesses to such a
// page (read(2) into it, futex(2) on it) fail with EFAULT.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile sig_atomic_t got_code;
static volatile char *got_addr;
static char *base;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(env, 1);
}

// touch writes (or reads) the byte at p and says what happened.
static void touch(const char *what, volatile char *p, int write)
{
	got_code = 0;
	got_addr = NULL;
	if (sigsetjmp(env, 1) == 0) {
		int v = write ? (*p = 'x') : *p;
		printf("%-40s ok (%d)\n", what, v);
		return;
	}
	printf("%-40s SIGBUS code %d at base+%ld\n", what, got_code, (long)(got_addr - base));
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);

	char dir[] = "/tmp/weft-difftest-sigbus-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[80];
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	ftruncate(fd, 6000); // one page and a half
	base = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return 2;

	touch("read page 0", base + 10, 0);
	touch("read past EOF in the last page", base + 6100, 0);
	touch("write past EOF in the last page", base + 6100, 1);
	touch("read page 2 (past EOF)", base + 8192 + 1, 0);
	touch("write page 2 (past EOF)", base + 8192 + 7, 1);

	ftruncate(fd, 3 * 4096);
	touch("write page 2 after growing", base + 8192 + 7, 1);
	char c = 0;
	pread(fd, &c, 1, 8192 + 7);
	printf("the file holds '%c' there\n", c);

	memcpy(base, "hello", 5);
	ftruncate(fd, 0);
	touch("read page 0 after truncating to 0", base, 0);
	errno = 0;
	long r = syscall(SYS_futex, base, FUTEX_WAKE, 1, NULL, NULL, 0);
	printf("futex wake on it: %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	int p[2];
	pipe(p);
	write(p[1], "abc", 3);
	errno = 0;
	r = read(p[0], base, 3);
	printf("read(2) into it: %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	ftruncate(fd, 4096);
	touch("read page 0 after growing again", base, 0);

	// Another process's mapping loses the pages too.
	int go[2], done[2];
	pipe(go);
	pipe(done);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		touch("child: write page 0", base, 1);
		fflush(stdout);
		write(done[1], "1", 1);
		read(go[0], &c, 1);
		touch("child: read page 0 after parent's truncate", base, 0);
		fflush(stdout);
		_exit(0);
	}
	read(done[0], &c, 1);
	ftruncate(fd, 0);
	write(go[1], "1", 1);
	int st;
	waitpid(pid, &st, 0);
	printf("child exited %d\n", WEXITSTATUS(st));

	munmap(base, 3 * 4096);
	close(fd);
	unlink(path);

	// A file unlinked and closed lives on while it is mapped: its contents, written
	// with write(2) and first touched through the mapping only afterwards, in this
	// process and in another (as glibc's sem_open and sem_unlink leave a semaphore).
	fd = open(path, O_CREAT | O_RDWR, 0600);
	pwrite(fd, "written", 7, 0);
	pwrite(fd, "second page", 11, 4096);
	char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	unlink(path);
	printf("unlinked and closed, page 0 reads \"%s\"\n", m);
	fflush(stdout);
	if (fork() == 0) {
		printf("child: page 1 reads \"%s\"\n", m + 4096);
		m[4096] = 'S';
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	printf("parent: page 1 reads \"%s\"\n", m + 4096);
	munmap(m, 2 * 4096);
	rmdir(dir);
	return 0;
}
