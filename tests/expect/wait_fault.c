// Children killed by hardware faults, as their parent sees them through
// wait(2): a store through a NULL pointer and a store to a read-only page
// (SIGSEGV), an illegal instruction (SIGILL), ebreak (SIGTRAP) and a
// misaligned atomic (SIGBUS) — signal(7) gives each the default action
// "Core": the child dies, WIFSIGNALED is true, WTERMSIG names the signal,
// and WCOREDUMP is false because RLIMIT_CORE is 0 (getrlimit(2); weft's
// default, and set here anyway).  Finally the first process faults
// itself: weft then exits with 128+11 (cmd/weft/main.go).
//
// Not a differential test because weft reports every fault on its own
// standard error ("weft: pid N killed by SIG...: what at pc ADDR
// (function+OFFSET)"); the expectation has those lines too, with the
// addresses and offsets that expect_test.go blanks out (pc 0x? and +0x?).
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile uintptr_t zero = 0;

__attribute__((noinline)) static void null_store(void) { *(volatile int *)zero = 1; }

__attribute__((noinline)) static void readonly_store(void) {
	volatile int *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*p = 1;
}

__attribute__((noinline)) static void illegal(void) { __asm__ volatile(".4byte 0"); }

__attribute__((noinline)) static void breakpoint(void) { __asm__ volatile("ebreak"); }

__attribute__((noinline)) static void misaligned_amo(void) {
	static _Alignas(8) char buf[16];
	int *p = (int *)(buf + 1 + zero);
	__atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
}

static void run(const char *what, void (*fn)(void)) {
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("%s: WIFSIGNALED=%d WTERMSIG=%d (%s) WCOREDUMP=%d\n", what, WIFSIGNALED(st), WTERMSIG(st),
	       sigabbrev_np(WTERMSIG(st)), WCOREDUMP(st));
	fflush(stdout);
}

int main(void) {
	struct rlimit rl = {0, RLIM_INFINITY};
	setrlimit(RLIMIT_CORE, &rl);
	run("NULL store", null_store);
	run("store to a read-only page", readonly_store);
	run("illegal instruction", illegal);
	run("ebreak", breakpoint);
	run("misaligned atomic", misaligned_amo);
	printf("now the first process faults\n");
	fflush(stdout);
	null_store();
	printf("not reached\n");
	return 0;
}
