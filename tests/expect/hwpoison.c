// Memory failure injection (madvise(2) MADV_HWPOISON and MADV_SOFT_OFFLINE, Linux's
// CONFIG_MEMORY_FAILURE): a poisoned page raises SIGBUS with BUS_MCEERR_AR, si_addr the
// address touched and si_addr_lsb the page shift, in the process and in a child forked
// after; MADV_DONTNEED and munmap drop the poison; a soft-offlined page keeps its
// contents; only CAP_SYS_ADMIN may inject (EPERM), and an unmapped range is EFAULT.
// Expected output from Linux semantics: qemu would poison the host's memory.
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#endif

static sigjmp_buf back;
static volatile siginfo_t got;

static void onbus(int sig, siginfo_t *si, void *uc) {
	(void)sig, (void)uc;
	got = *si;
	siglongjmp(back, 1);
}

static void status(const char *what, int st) {
	if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
	else
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	long ps = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'L', 4 * ps);

	pid_t pid = fork();
	if (pid == 0) {
		setuid(1000);
		int r = madvise(p, ps, MADV_HWPOISON);
		printf("unprivileged MADV_HWPOISON: %d %s\n", r, r ? strerror(errno) : "");
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);

	int r = madvise((char *)0x1000, ps, MADV_HWPOISON);
	printf("MADV_HWPOISON of an unmapped page: %d %s\n", r, r ? strerror(errno) : "");

	r = madvise(p + ps, ps, MADV_HWPOISON);
	printf("MADV_HWPOISON: %d\n", r);
	struct sigaction sa = {.sa_sigaction = onbus, .sa_flags = SA_SIGINFO};
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(back, 1) == 0) {
		p[ps + 8] = 'd';
		printf("store to the poisoned page: no signal\n");
	} else {
		printf("store to the poisoned page: SIGBUS, si_code %s, si_addr %s, si_addr_lsb %d\n",
		       got.si_code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" : "other",
		       got.si_addr == p + ps + 8 ? "the address" : "another address", got.si_addr_lsb);
	}
	printf("the pages beside it: %c %c\n", p[0], p[2 * ps]);

	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigaction(SIGBUS, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		printf("child reads its own copy of the page beside it: %c\n", p[0]);
		fflush(stdout);
		volatile char c = p[ps];
		(void)c;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	status("a child forked after, loading from the poisoned page", st);

	madvise(p + ps, ps, MADV_DONTNEED);
	printf("after MADV_DONTNEED the page reads %d and takes a store: ", p[ps]);
	p[ps] = 'n';
	printf("%c\n", p[ps]);

	madvise(p + 3 * ps, ps, MADV_HWPOISON);
	munmap(p + 3 * ps, ps);
	char *q = mmap(p + 3 * ps, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("a new mapping where a poisoned page was reads %d\n", q[0]);

	p[2 * ps] = 'S';
	r = madvise(p + 2 * ps, ps, MADV_SOFT_OFFLINE);
	printf("MADV_SOFT_OFFLINE: %d, the page still reads %c\n", r, p[2 * ps]);
	return 0;
}
