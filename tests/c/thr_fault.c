// Synchronous faults in threads. Child A has three threads: two are
// blocked (a condition variable, a sleep) and the third stores through
// NULL. Its SIGSEGV handler runs in the faulting thread (si_code
// SEGV_MAPERR, si_addr 0), restores the default action and re-raises, so
// the whole process dies of SIGSEGV as it would without a handler; the
// parent sees WTERMSIG == SIGSEGV and carries on. (An unhandled fault is
// tested in tests/threads/fault_isolation.c, since weft and qemu each
// print their own note about it on stderr.) Child B recovers in a thread,
// with siglongjmp, from ebreak (SIGTRAP), an illegal instruction (SIGILL),
// a misaligned AMO (SIGBUS, BUS_ADRALN) and a NULL read (SIGSEGV), then
// exits 0. The parent then runs threads of
// its own to show it is unharmed.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void status_line(const char *what, int st) {
	if (WIFEXITED(st))
		printf("%s: exited code=%d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d (%s)\n", what, WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
	else
		printf("%s: other status\n", what);
}

// Some qemu-user versions report a process killed by a core-dumping signal
// on its stderr; a child about to die that way sends its stderr to
// /dev/null.
static void quiet_stderr(void) {
	int fd = open("/dev/null", O_WRONLY);
	dup2(fd, 2);
	close(fd);
}

static void say(const char *s) { write(1, s, strlen(s)); }

static pid_t faulter_tid;
static void crash_handler(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	char buf[160];
	snprintf(buf, sizeof buf, "child A: %s handler in faulting thread=%d code=%s addr=%#lx\n", sigabbrev_np(sig),
	         (pid_t)syscall(SYS_gettid) == faulter_tid, si->si_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
	         (unsigned long)(uintptr_t)si->si_addr);
	say(buf);
	signal(sig, SIG_DFL);
	raise(sig); // blocked until the handler returns, then fatal
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static volatile int started;

static void *waiter(void *arg) {
	(void)arg;
	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&cv);
	for (;;)
		pthread_cond_wait(&cv, &mu);
	return NULL;
}

static void *sleeper(void *arg) {
	(void)arg;
	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (;;)
		sleep(10);
	return NULL;
}

static void *faulter(void *arg) {
	(void)arg;
	faulter_tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&mu);
	while (started < 2)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	say("child A: faulting now\n");
	*(volatile int *)(uintptr_t)0 = 1;
	say("child A: not reached\n");
	return NULL;
}

static void child_a(void) {
	quiet_stderr();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	pthread_t t[3];
	pthread_create(&t[0], NULL, waiter, NULL);
	pthread_create(&t[1], NULL, sleeper, NULL);
	pthread_create(&t[2], NULL, faulter, NULL);
	pthread_join(t[2], NULL);
	say("child A: main thread not reached\n");
	_exit(0);
}

static __thread sigjmp_buf jb;
static __thread volatile int last_sig, last_code;
static __thread volatile uintptr_t last_addr;
static void recover(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	last_sig = sig;
	last_code = si->si_code;
	last_addr = (uintptr_t)si->si_addr;
	siglongjmp(jb, 1);
}

extern char ebreak_insn[], illegal_insn[];

static void *recovering(void *arg) {
	(void)arg;
	if (sigsetjmp(jb, 1) == 0) {
		__asm__ volatile(".globl ebreak_insn\nebreak_insn: ebreak" ::: "memory");
		printf("child B: ebreak returned\n");
	} else {
		printf("child B: %s code=%s addr is the ebreak=%d\n", sigabbrev_np(last_sig),
		       last_code == TRAP_BRKPT ? "TRAP_BRKPT" : "other", last_addr == (uintptr_t)ebreak_insn);
	}
	if (sigsetjmp(jb, 1) == 0) {
		__asm__ volatile(".globl illegal_insn\nillegal_insn: .word 0xffffffff" ::: "memory");
		printf("child B: illegal instruction executed\n");
	} else {
		printf("child B: %s code=%s addr is the instruction=%d\n", sigabbrev_np(last_sig),
		       last_code == ILL_ILLOPC ? "ILL_ILLOPC" : "other", last_addr == (uintptr_t)illegal_insn);
	}
	if (sigsetjmp(jb, 1) == 0) {
		static int words[4] __attribute__((aligned(16)));
		int old;
		__asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"((char *)words + 2), "r"(1) : "memory");
		printf("child B: misaligned amoadd.w returned %d\n", old);
	} else {
		printf("child B: %s code=%s\n", sigabbrev_np(last_sig), last_code == BUS_ADRALN ? "BUS_ADRALN" : "other");
	}
	if (sigsetjmp(jb, 1) == 0) {
		int *volatile p = (int *)8;
		volatile int x = *p;
		printf("child B: read %d\n", x);
	} else {
		printf("child B: %s code=%s addr=%#lx\n", sigabbrev_np(last_sig),
		       last_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other", (unsigned long)last_addr);
	}
	return (void *)3L;
}

static void child_b(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = recover;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, recovering, NULL);
	pthread_join(t, &r);
	printf("child B: thread returned %ld\n", (long)r);
	fflush(stdout);
	_exit(0);
}

static void *square(void *arg) { return (void *)((long)arg * (long)arg); }

int main(void) {
	fflush(stdout);
	pid_t a = fork();
	if (a == 0)
		child_a();
	int st;
	waitpid(a, &st, 0);
	status_line("child A", st);

	fflush(stdout);
	pid_t b = fork();
	if (b == 0)
		child_b();
	waitpid(b, &st, 0);
	status_line("child B", st);

	long sum = 0;
	for (long i = 1; i <= 4; i++) {
		pthread_t t;
		void *r;
		pthread_create(&t, NULL, square, (void *)i);
		pthread_join(t, &r);
		sum += (long)r;
	}
	printf("parent carries on: sum of squares=%ld\n", sum);
	return 0;
}
