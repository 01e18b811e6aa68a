// mmap(2) MAP_GROWSDOWN: a touch in the free space below such a mapping extends it
// down to the touched page, as long as it stays stack_guard_gap (256 pages) above the
// mapping below, unless that one is PROT_NONE; past the gap the touch is SIGSEGV.
// Shared anonymous memory cannot grow down (EINVAL). (RLIMIT_STACK also bounds the
// growth, but qemu-riscv64 does not pass that limit on: TestStackGrowth in
// internal/mm checks it.)
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096L
#define GAP (256 * PG)

static sigjmp_buf env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

static const char *touch(volatile char *p)
{
	if (sigsetjmp(env, 1) == 0) {
		*p = 1;
		return "ok";
	}
	return "SIGSEGV";
}

// region reserves free address space of n pages and returns its start.
static char *region(long n)
{
	char *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p, n * PG);
	return p;
}

// stack maps a 4-page MAP_GROWSDOWN mapping at the top of [base, base + n pages).
static char *stack(char *base, long n)
{
	char *top = base + n * PG;
	mmap(top - 4 * PG, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
	return top;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_segv};
	sigaction(SIGSEGV, &sa, NULL);

	// Free space below: the mapping grows, page by page or in one step.
	char *base = region(1024);
	char *top = stack(base, 1024);
	printf("touch 1 page below:        %s\n", touch(top - 5 * PG));
	printf("touch 300 pages below:     %s\n", touch(top - 300 * PG));
	printf("the pages between are in:  %s\n", touch(top - 200 * PG));

	// A mapping below: the stack stops GAP above it.
	base = region(1024);
	top = stack(base, 1024);
	mmap(base, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	char *limit = base + PG + GAP; // the lowest page the stack may reach
	printf("touch at the gap's edge:   %s\n", touch(limit));
	printf("touch a page into the gap: %s\n", touch(limit - PG));
	printf("touch just above the page: %s\n", touch(base + PG));

	// A PROT_NONE mapping below does not keep a gap.
	base = region(1024);
	top = stack(base, 1024);
	mmap(base, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("above PROT_NONE:           %s\n", touch(base + PG));

	// A forked child's copy grows on its own.
	base = region(1024);
	top = stack(base, 1024);
	fflush(stdout);
	if (fork() == 0) {
		printf("child touches 100 below:   %s\n", touch(top - 100 * PG));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	errno = 0;
	int m = mprotect(top - 100 * PG, PG, PROT_READ);
	printf("parent's copy still small: %s\n", m < 0 ? strerrorname_np(errno) : "no");

	errno = 0;
	void *r = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	printf("shared MAP_GROWSDOWN:      %s\n", r == MAP_FAILED ? strerrorname_np(errno) : "mapped");
	return 0;
}
