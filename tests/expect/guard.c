// Guard regions (madvise(2) MADV_GUARD_INSTALL and MADV_GUARD_REMOVE, Linux 6.13,
// mm/madvise.c): installing drops the pages' contents, and any access to a guard page
// raises SIGSEGV with SEGV_MAPERR (riscv's answer to VM_FAULT_SIGSEGV) and si_addr the
// address touched, in the process and in a child forked after; a system call that
// reads or writes it fails with EFAULT. MADV_DONTNEED and mprotect leave the guards,
// mremap moves them, /proc/PID/pagemap shows them as swap entries (PM_SWAP; 6.15's
// PM_GUARD_REGION is not in 6.13), and removing one leaves a page that reads as zeros.
// 6.13 allows guards on private anonymous memory only, and not on locked memory
// (EINVAL); a hole in the range is ENOMEM. Expected output from Linux semantics:
// qemu-riscv64 7.2 accepts the advice and does nothing.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

static long ps;
static sigjmp_buf back;
static volatile siginfo_t got;

static void onsegv(int sig, siginfo_t *si, void *uc) {
	(void)sig, (void)uc;
	got = *si;
	siglongjmp(back, 1);
}

static void result(const char *what, int r) {
	printf("%s: %d%s%s\n", what, r, r ? " " : "", r ? strerror(errno) : "");
}

// touch loads from or stores to a and says what happened.
static void touch(const char *what, volatile char *a, int store) {
	if (sigsetjmp(back, 1) == 0) {
		if (store)
			*a = 's';
		else
			(void)*a;
		printf("%s: no signal\n", what);
		return;
	}
	printf("%s: %s, si_code %s, si_addr %s\n", what, strsignal(got.si_signo),
	       got.si_code == SEGV_MAPERR   ? "SEGV_MAPERR"
	       : got.si_code == SEGV_ACCERR ? "SEGV_ACCERR"
	                                    : "other",
	       got.si_addr == (void *)a ? "the address" : "another address");
}

static uint64_t pagemap(void *a) {
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	pread(fd, &e, sizeof e, (uintptr_t)a / ps * 8);
	close(fd);
	return e;
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	ps = sysconf(_SC_PAGESIZE);
	struct sigaction sa = {.sa_sigaction = onsegv, .sa_flags = SA_SIGINFO};
	sigaction(SIGSEGV, &sa, NULL);

	// Four pages, and a fifth, inaccessible, that keeps mremap from growing them in place.
	char *p = mmap(NULL, 5 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(p + 4 * ps, ps, PROT_NONE);
	memset(p, 'G', 4 * ps);
	result("install on pages 1 and 2", madvise(p + ps, 2 * ps, MADV_GUARD_INSTALL));
	touch("load from page 1", p + ps + 100, 0);
	touch("store to page 2", p + 2 * ps + 5, 1);
	printf("the pages beside them: %c %c\n", p[0], p[3 * ps]);
	uint64_t e = pagemap(p + ps);
	printf("pagemap of a guard page: present %d, swap %d\n", (int)(e >> 63), (int)(e >> 62 & 1));

	int fds[2];
	pipe(fds);
	write(fds[1], "x", 1);
	result("read(2) into a guard page", (int)read(fds[0], p + ps, 1));
	result("write(2) from a guard page", (int)write(fds[1], p + 2 * ps, 1));

	result("MADV_DONTNEED over all four", madvise(p, 4 * ps, MADV_DONTNEED));
	touch("after MADV_DONTNEED, load from page 1", p + ps, 0);
	printf("page 0 now reads %d\n", p[0]);
	mprotect(p, 4 * ps, PROT_READ);
	mprotect(p, 4 * ps, PROT_READ | PROT_WRITE);
	touch("after mprotect, store to page 2", p + 2 * ps, 1);
	result("install again over a guard and page 3", madvise(p + 2 * ps, 2 * ps, MADV_GUARD_INSTALL));

	pid_t pid = fork();
	if (pid == 0) {
		sa.sa_handler = SIG_DFL;
		sa.sa_flags = 0;
		sigaction(SIGSEGV, &sa, NULL);
		printf("child reads page 0: %d\n", p[0]);
		fflush(stdout);
		volatile char c = p[ps];
		(void)c;
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("a child forked after, loading from page 1: %s\n",
	       WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited");

	char *q = mremap(p, 4 * ps, 8 * ps, MREMAP_MAYMOVE);
	if (q == MAP_FAILED || q == p) {
		printf("mremap did not move\n");
		return 1;
	}
	printf("mremap moved the region\n");
	touch("load from the moved page 1", q + ps, 0);
	touch("load from the moved page 3", q + 3 * ps, 0);
	touch("load from the grown page 4", q + 4 * ps, 0);

	result("remove on pages 0 to 2", madvise(q, 3 * ps, MADV_GUARD_REMOVE));
	printf("removed page 1 reads %d\n", q[ps]);
	touch("store to removed page 2", q + 2 * ps, 1);
	printf("it holds %c\n", q[2 * ps]);
	touch("load from page 3, still a guard", q + 3 * ps, 0);
	munmap(q + 3 * ps, ps);
	char *r = mmap(q + 3 * ps, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("a new mapping where a guard page was reads %d\n", r[0]);

	char *s = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	result("install on shared anonymous memory", madvise(s, ps, MADV_GUARD_INSTALL));
	int fd = open("/tmp/guard-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ftruncate(fd, ps);
	char *f = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	result("install on a private file mapping", madvise(f, ps, MADV_GUARD_INSTALL));
	char *l = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mlock(l, ps);
	result("install on locked memory", madvise(l, ps, MADV_GUARD_INSTALL));
	result("remove on locked memory", madvise(l, ps, MADV_GUARD_REMOVE));
	result("install at an unaligned address", madvise(q + 1, ps, MADV_GUARD_INSTALL));
	munmap(q + 5 * ps, ps);
	result("install over a hole", madvise(q + 4 * ps, 3 * ps, MADV_GUARD_INSTALL));
	touch("the page before the hole was guarded all the same", q + 4 * ps, 0);
	return 0;
}
