// clone3(2) and clone(2) used directly, without glibc's pthread layer:
//   - a fork-like clone3 (exit_signal SIGCHLD): the child sees 0, exits 5,
//     and waitpid reports it; CLONE_PARENT_SETTID stores the child's pid;
//   - a raw thread (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|
//     CLONE_THREAD|CLONE_SYSVSEM|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID)
//     on a stack of our own: it sees the parent's memory, reports its own
//     tid, shares the process id, and when it exits the kernel clears the
//     child-tid word and wakes the futex on it (how pthread_join works);
//   - CLONE_SETTLS gives the thread its own tp;
//   - errors: a size smaller than the first version of struct clone_args
//     (EINVAL), CLONE_THREAD without CLONE_SIGHAND (EINVAL), CLONE_SIGHAND
//     without CLONE_VM (EINVAL), an exit_signal with CLONE_THREAD (EINVAL);
//   - clone(2) with an exit signal other than SIGCHLD makes a "clone"
//     child, which waitpid ignores unless given __WALL or __WCLONE.
// The raw threads share the parent's TLS unless CLONE_SETTLS is given, so
// they make only raw system calls and touch no errno.
// Not a differential test: qemu-riscv64 7.2 has no clone3 (ENOSYS).
// Expected: clone3.expect, from clone(2) and wait(2).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

// raw_clone3 makes the clone3 system call; in the child it calls fn(arg)
// on the new stack and exits the thread with fn's result.
static long raw_clone3(struct clone_args *ca, size_t size, long (*fn)(void *), void *arg) {
	register long a0 __asm__("a0") = (long)ca;
	register long a1 __asm__("a1") = (long)size;
	register long a2 __asm__("a2") = (long)fn;
	register long a3 __asm__("a3") = (long)arg;
	register long a7 __asm__("a7") = SYS_clone3;
	__asm__ volatile("ecall\n\t"
	                 "bnez a0, 1f\n\t"
	                 "mv a0, a3\n\t"
	                 "jalr a2\n\t"
	                 "li a7, 93\n\t" // exit: ends this thread only
	                 "ecall\n"
	                 "1:"
	                 : "+r"(a0)
	                 : "r"(a1), "r"(a2), "r"(a3), "r"(a7)
	                 : "memory", "ra");
	return a0;
}

static long raw_syscall0(long n) {
	register long a0 __asm__("a0");
	register long a7 __asm__("a7") = n;
	__asm__ volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
	return a0;
}

static long raw_futex_wake(uint32_t *addr) {
	register long a0 __asm__("a0") = (long)addr;
	register long a1 __asm__("a1") = FUTEX_WAKE;
	register long a2 __asm__("a2") = 1;
	register long a7 __asm__("a7") = SYS_futex;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

struct shared {
	long seen_value;
	long tid;
	long pid;
	uintptr_t tp;
	uint32_t flag;
};

static long thread_fn(void *arg) {
	struct shared *s = arg;
	s->seen_value = s->seen_value * 2; // parent's memory, shared
	s->tid = raw_syscall0(SYS_gettid);
	s->pid = raw_syscall0(SYS_getpid);
	uintptr_t tp;
	__asm__ volatile("mv %0, tp" : "=r"(tp));
	s->tp = tp;
	__atomic_store_n(&s->flag, 1, __ATOMIC_SEQ_CST);
	raw_futex_wake(&s->flag);
	return 0;
}

static void wait_cleared(volatile pid_t *ctid) {
	for (;;) {
		pid_t v = *ctid;
		if (v == 0)
			return;
		syscall(SYS_futex, ctid, FUTEX_WAIT, v, NULL, NULL, 0);
	}
}

int main(void) {
	// Fork-like clone3.
	pid_t ptid = 0;
	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_PARENT_SETTID;
	ca.parent_tid = (uintptr_t)&ptid;
	ca.exit_signal = SIGCHLD;
	fflush(stdout);
	long r = syscall(SYS_clone3, &ca, sizeof ca);
	if (r == 0)
		_exit(5);
	if (r < 0) {
		printf("clone3 fork: %s\n", ename(errno));
	} else {
		int st;
		pid_t w = waitpid((pid_t)r, &st, 0);
		printf("clone3 fork: waitpid ok=%d exited=%d code=%d parent_tid is pid=%d\n", w == r, WIFEXITED(st),
		       WEXITSTATUS(st), ptid == r);
	}

	// Raw threads.
	for (int settls = 0; settls < 2; settls++) {
		size_t stack_size = 64 * 1024;
		char *stack = malloc(stack_size);
		char *tls = calloc(1, 4096);
		static struct shared sh;
		memset(&sh, 0, sizeof sh);
		sh.seen_value = 21;
		volatile pid_t ctid = -1;
		pid_t parent_tid = 0;
		memset(&ca, 0, sizeof ca);
		ca.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
		           CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | (settls ? CLONE_SETTLS : 0);
		ca.parent_tid = (uintptr_t)&parent_tid;
		ca.child_tid = (uintptr_t)&ctid;
		ca.stack = (uintptr_t)stack;
		ca.stack_size = stack_size;
		ca.tls = (uintptr_t)(tls + 2048);
		long tid = raw_clone3(&ca, sizeof ca, thread_fn, &sh);
		if (tid < 0) {
			printf("clone3 thread: %s\n", ename((int)-tid));
			continue;
		}
		wait_cleared(&ctid);
		uintptr_t mytp;
		__asm__ volatile("mv %0, tp" : "=r"(mytp));
		printf("clone3 thread%s: flag=%u value=%ld tid matches=%d parent_tid matches=%d same pid=%d "
		       "tid differs from pid=%d child_tid cleared=%d tp %s\n",
		       settls ? " with CLONE_SETTLS" : "", sh.flag, sh.seen_value, sh.tid == tid, parent_tid == tid,
		       sh.pid == getpid(), tid != getpid(), ctid == 0,
		       sh.tp == (uintptr_t)(tls + 2048) ? "is the new TLS" : sh.tp == mytp ? "is the parent's" : "is other");
		free(stack);
		free(tls);
	}

	// Errors.
	memset(&ca, 0, sizeof ca);
	ca.exit_signal = SIGCHLD;
	errno = 0;
	r = syscall(SYS_clone3, &ca, (size_t)32);
	printf("clone3 with size 32: %ld %s\n", r, ename(errno));
	struct {
		const char *name;
		unsigned long flags, sig;
	} bad[] = {
	    {"CLONE_THREAD without CLONE_SIGHAND", CLONE_VM | CLONE_THREAD, 0},
	    {"CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND, 0},
	    {"exit_signal with CLONE_THREAD", CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, SIGCHLD},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&ca, 0, sizeof ca);
		ca.flags = bad[i].flags;
		ca.exit_signal = bad[i].sig;
		char *stack = malloc(16384);
		ca.stack = (uintptr_t)stack;
		ca.stack_size = 16384;
		static struct shared sh;
		long t = raw_clone3(&ca, sizeof ca, thread_fn, &sh);
		printf("clone3 %s: %s\n", bad[i].name, t < 0 ? ename((int)-t) : "succeeded");
		if (t > 0)
			usleep(10000); // let the stray thread finish before its stack goes
		free(stack);
	}

	// clone(2) for a fork, with an exit signal other than SIGCHLD.
	signal(SIGUSR1, SIG_IGN); // the child's exit signal must not kill us
	fflush(stdout);
	r = syscall(SYS_clone, (unsigned long)SIGUSR1, NULL, NULL, NULL, NULL);
	if (r == 0)
		_exit(6);
	int st;
	usleep(20000); // let the child exit: a plain waitpid must still ignore it
	errno = 0;
	pid_t w = waitpid((pid_t)r, &st, WNOHANG);
	printf("clone with exit signal SIGUSR1: plain waitpid %s\n",
	       w < 0 ? ename(errno) : w == r ? "reaped the clone child" : "returned 0");
	st = 0;
	w = waitpid((pid_t)r, &st, __WALL);
	printf("clone with exit signal SIGUSR1: waitpid with __WALL ok=%d code=%d\n", w == r, WEXITSTATUS(st));
	return 0;
}
