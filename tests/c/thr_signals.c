// Signal handlers: self-sent signals through raise (si_code SI_TKILL) and
// kill (SI_USER, si_pid); a SIGCHLD handler counting children (one at a
// time, waited for with sigsuspend, with si_code/si_status); a signal
// blocked with sigprocmask stays pending (sigpending) and is delivered when
// unblocked, before sigprocmask returns; SA_NODEFER versus the default
// (nested delivery or not); sigaltstack + SA_ONSTACK (the handler's locals
// are on the alternate stack, sigaltstack reports SS_ONSTACK, a handler
// without SA_ONSTACK stays on the normal stack); SIGSEGV recovered with
// siglongjmp for a read of an unmapped address (SEGV_MAPERR) and a write to
// a read-only page (SEGV_ACCERR), with si_addr; the handler's own signal
// blocked while it runs and the mask restored after it; sigtimedwait;
// pthread_kill to one thread and a process-directed kill taken by the only
// thread that does not block it; SA_RESTART versus EINTR for a read()
// interrupted in another thread; argument errors of tgkill/tkill/kill/
// sigaction and the unblockable SIGKILL/SIGSTOP; and, in a child,
// SA_RESETHAND: the second raise takes the default action and kills the
// child.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static volatile sig_atomic_t got_signo, got_count;
static volatile int got_code;
static volatile pid_t got_pid;

static void info_handler(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	got_signo = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_count++;
}

static void set_action(int sig, void (*h)(int, siginfo_t *, void *), int flags) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0)
		printf("sigaction(%d) failed: %s\n", sig, ename(errno));
}

static const char *code_name(int code) {
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_TKILL: return "SI_TKILL";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	}
	static char buf[32];
	snprintf(buf, sizeof buf, "%d", code);
	return buf;
}

static void self_sent(void) {
	set_action(SIGUSR1, info_handler, 0);
	got_count = 0;
	int r = raise(SIGUSR1);
	printf("raise: ret=%d count=%d signo=%s code=%s pid is self=%d\n", r, got_count,
	       sigabbrev_np(got_signo), code_name(got_code), got_pid == getpid());
	r = kill(getpid(), SIGUSR1);
	printf("kill self: ret=%d count=%d code=%s pid is self=%d\n", r, got_count, code_name(got_code), got_pid == getpid());
	// Signal 0 only checks.
	printf("kill(self, 0)=%d count=%d\n", kill(getpid(), 0), got_count);
}

static volatile sig_atomic_t chld_count;
static volatile int chld_code, chld_status;
static void chld_handler(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)uc;
	chld_count++;
	chld_code = si->si_code;
	chld_status = si->si_status;
}

static void sigchld_counting(void) {
	set_action(SIGCHLD, chld_handler, SA_RESTART);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < 3; i++) {
		int before = chld_count;
		fflush(stdout);
		pid_t c = fork();
		if (c == 0)
			_exit(10 + i);
		while (chld_count == before)
			sigsuspend(&old);
		int st;
		pid_t w = waitpid(c, &st, 0);
		printf("child %d: SIGCHLD count=%d code=%s status=%d waitpid ok=%d exit=%d\n", i, chld_count,
		       chld_code == CLD_EXITED ? "CLD_EXITED" : "other", chld_status, w == c, WEXITSTATUS(st));
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGCHLD, SIG_DFL);
}

static void blocked_then_unblocked(void) {
	set_action(SIGUSR2, info_handler, 0);
	got_count = 0;
	sigset_t s, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR2);
	raise(SIGUSR2); // standard signals do not queue
	sigpending(&pend);
	printf("blocked: count=%d pending=%d\n", got_count, sigismember(&pend, SIGUSR2));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	int at_unblock = got_count;
	sigpending(&pend);
	printf("after unblock: count=%d pending=%d\n", at_unblock, sigismember(&pend, SIGUSR2));
}

static volatile int depth, max_depth, seq_len;
static volatile char seq[16];
static void nest_handler(int sig) {
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	seq[seq_len++] = (char)('0' + depth);
	if (seq_len < 3)
		raise(sig);
	seq[seq_len++] = 'r';
	depth--;
}

static void nodefer(void) {
	for (int nd = 0; nd < 2; nd++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = nest_handler;
		sa.sa_flags = nd ? SA_NODEFER : 0;
		sigaction(SIGUSR1, &sa, NULL);
		depth = max_depth = seq_len = 0;
		raise(SIGUSR1);
		seq[seq_len] = 0;
		printf("%s: max nesting=%d sequence=%s\n", nd ? "SA_NODEFER" : "default", max_depth, (char *)seq);
	}
}

static char *alt_base;
static size_t alt_size = 64 * 1024;
static volatile int on_alt, ss_flags_onstack;
static void alt_handler(int sig) {
	(void)sig;
	char local;
	uintptr_t a = (uintptr_t)&local;
	on_alt = a >= (uintptr_t)alt_base && a < (uintptr_t)alt_base + alt_size;
	stack_t cur;
	sigaltstack(NULL, &cur);
	ss_flags_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
}

static void altstack(void) {
	alt_base = malloc(alt_size);
	stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
	printf("sigaltstack: %d\n", sigaltstack(&ss, NULL));
	stack_t cur;
	sigaltstack(NULL, &cur);
	printf("query: same base=%d size=%zu flags=%d\n", cur.ss_sp == alt_base, cur.ss_size, cur.ss_flags);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = alt_handler;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("SA_ONSTACK handler: on alt stack=%d SS_ONSTACK reported=%d\n", on_alt, ss_flags_onstack);
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("handler without SA_ONSTACK: on alt stack=%d SS_ONSTACK reported=%d\n", on_alt, ss_flags_onstack);
	ss.ss_flags = SS_DISABLE;
	printf("disable: %d\n", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &cur);
	printf("query after disable: flags=%d\n", cur.ss_flags);
	ss.ss_flags = 0;
	ss.ss_size = 100;
	errno = 0;
	printf("too small: %d %s\n", sigaltstack(&ss, NULL), ename(errno));
	free(alt_base);
}

static sigjmp_buf jb;
static volatile uintptr_t segv_addr;
static volatile int segv_code, segv_signo;
static void segv_handler(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	segv_signo = sig;
	segv_code = si->si_code;
	segv_addr = (uintptr_t)si->si_addr;
	siglongjmp(jb, 1);
}

static void segv_recovery(void) {
	set_action(SIGSEGV, segv_handler, 0);
	sigset_t mask;
	volatile int reached = 0;
	if (sigsetjmp(jb, 1) == 0) {
		int *volatile p = (int *)0x10;
		reached = *p;
		printf("not reached %d\n", reached);
	} else {
		printf("read of 0x10: signo=%s code=%s addr=0x%lx\n", sigabbrev_np(segv_signo),
		       segv_code == SEGV_MAPERR ? "SEGV_MAPERR" : segv_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
		       (unsigned long)segv_addr);
	}
	sigprocmask(SIG_SETMASK, NULL, &mask);
	printf("SIGSEGV blocked after siglongjmp: %d\n", sigismember(&mask, SIGSEGV));

	char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sigsetjmp(jb, 1) == 0) {
		((volatile char *)page)[8] = 1;
		printf("not reached\n");
	} else {
		printf("write to read-only page: signo=%s code=%s addr is page+8=%d\n", sigabbrev_np(segv_signo),
		       segv_code == SEGV_MAPERR ? "SEGV_MAPERR" : segv_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
		       segv_addr == (uintptr_t)page + 8);
	}
	munmap(page, 4096);
	// And once more after unmapping: the same address is now unmapped.
	if (sigsetjmp(jb, 1) == 0) {
		reached = ((volatile char *)page)[100];
		printf("not reached\n");
	} else {
		printf("read of unmapped page: code=%s addr is page+100=%d\n",
		       segv_code == SEGV_MAPERR ? "SEGV_MAPERR" : segv_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
		       segv_addr == (uintptr_t)page + 100);
	}
	signal(SIGSEGV, SIG_DFL);
}

static volatile int mask_had_usr1;
static void mask_handler(int sig) {
	(void)sig;
	sigset_t m;
	sigprocmask(SIG_SETMASK, NULL, &m);
	mask_had_usr1 = sigismember(&m, SIGUSR1);
}

// Whether sa_mask is applied during the handler is checked in
// tests/threads/sigmask.c: qemu-riscv64 7.2 does not apply it.
static void handler_mask(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = mask_handler;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigset_t m;
	sigprocmask(SIG_SETMASK, NULL, &m);
	printf("in handler: SIGUSR1 blocked=%d; after: SIGUSR1 blocked=%d SIGUSR2 blocked=%d\n", mask_had_usr1,
	       sigismember(&m, SIGUSR1), sigismember(&m, SIGUSR2));
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	printf("sigaction query: handler same=%d SIGUSR2 in sa_mask=%d\n", old.sa_handler == mask_handler,
	       sigismember(&old.sa_mask, SIGUSR2));
}

static void timedwait(void) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	siginfo_t si;
	struct timespec ts = {0, 10 * 1000 * 1000};
	int r = sigtimedwait(&s, &si, &ts);
	printf("sigtimedwait pending: ret=%s code=%s\n", r > 0 ? sigabbrev_np(r) : "-1", code_name(si.si_code));
	errno = 0;
	r = sigtimedwait(&s, &si, &ts);
	printf("sigtimedwait nothing: ret=%d errno=%s\n", r, ename(errno));
	kill(getpid(), SIGUSR1);
	r = sigwaitinfo(&s, &si);
	printf("sigwaitinfo after kill: ret=%s code=%s pid is self=%d\n", r > 0 ? sigabbrev_np(r) : "-1",
	       code_name(si.si_code), si.si_pid == getpid());
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static volatile pid_t handler_tid;
static volatile int worker_ready, worker_stop;
static pid_t worker_tid;
static void tid_handler(int sig) {
	(void)sig;
	handler_tid = (pid_t)syscall(SYS_gettid);
}
static void *spinner(void *arg) {
	(void)arg;
	worker_tid = (pid_t)syscall(SYS_gettid);
	__atomic_store_n(&worker_ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&worker_stop, __ATOMIC_SEQ_CST))
		usleep(1000);
	return NULL;
}

static void thread_directed(void) {
	signal(SIGUSR2, tid_handler);
	pthread_t t;
	worker_ready = worker_stop = 0;
	pthread_create(&t, NULL, spinner, NULL);
	while (!__atomic_load_n(&worker_ready, __ATOMIC_SEQ_CST))
		usleep(1000);
	handler_tid = 0;
	pthread_kill(t, SIGUSR2);
	while (handler_tid == 0)
		usleep(1000);
	printf("pthread_kill: handled by target=%d by main=%d\n", handler_tid == worker_tid,
	       handler_tid == (pid_t)syscall(SYS_gettid));
	// main blocks SIGUSR2: a process-directed kill must go to the worker.
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	handler_tid = 0;
	kill(getpid(), SIGUSR2);
	while (handler_tid == 0)
		usleep(1000);
	printf("kill(getpid) with main blocking it: handled by worker=%d\n", handler_tid == worker_tid);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	worker_stop = 1;
	pthread_join(t, NULL);
	signal(SIGUSR2, SIG_DFL);
}

static void tgkill_errors(void) {
	pid_t tid = (pid_t)syscall(SYS_gettid);
	errno = 0;
	long r = syscall(SYS_tgkill, getpid(), tid, 0);
	printf("tgkill(self, 0): %ld\n", r);
	r = syscall(SYS_tkill, tid, 0);
	printf("tkill(self, 0): %ld\n", r);
	errno = 0;
	r = syscall(SYS_tgkill, getpid(), tid, 99);
	printf("tgkill with signal 99: %ld %s\n", r, ename(errno));
	errno = 0;
	r = syscall(SYS_tgkill, 0, tid, 0);
	printf("tgkill with tgid 0: %ld %s\n", r, ename(errno));
	errno = 0;
	r = syscall(SYS_tgkill, getpid(), -5, 0);
	printf("tgkill with tid -5: %ld %s\n", r, ename(errno));
	errno = 0;
	r = kill(getpid(), 99);
	printf("kill with signal 99: %ld %s\n", r, ename(errno));
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	errno = 0;
	printf("sigaction(SIGKILL): %d %s\n", sigaction(SIGKILL, &sa, NULL), ename(errno));
	errno = 0;
	printf("sigaction(SIGSTOP): %d %s\n", sigaction(SIGSTOP, &sa, NULL), ename(errno));
	errno = 0;
	printf("sigaction(0): %d %s\n", sigaction(0, &sa, NULL), ename(errno));
	// SIGKILL and SIGSTOP cannot be blocked: the mask read back lacks them.
	sigset_t all, now, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	sigprocmask(SIG_SETMASK, NULL, &now);
	printf("after blocking everything: SIGKILL blocked=%d SIGSTOP blocked=%d SIGTERM blocked=%d\n",
	       sigismember(&now, SIGKILL), sigismember(&now, SIGSTOP), sigismember(&now, SIGTERM));
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static int rfd[2];
static volatile int reader_started, reader_done;
static volatile ssize_t read_ret;
static volatile int read_errno;
static volatile int interrupt_handled;
static void interrupt_handler(int sig) {
	(void)sig;
	interrupt_handled++;
}
static void *reader(void *arg) {
	(void)arg;
	char buf[16];
	__atomic_store_n(&reader_started, 1, __ATOMIC_SEQ_CST);
	errno = 0;
	read_ret = read(rfd[0], buf, sizeof buf);
	read_errno = errno;
	__atomic_store_n(&reader_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

// A signal may reach the reader before it blocks in read(); it is sent
// again until one interrupts the read (without SA_RESTART), or a few times
// before the data is written (with SA_RESTART, the read must go on and
// return the data whenever the signals came).
static void restart(void) {
	for (int withRestart = 0; withRestart < 2; withRestart++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = interrupt_handler;
		sa.sa_flags = withRestart ? SA_RESTART : 0;
		sigaction(SIGUSR1, &sa, NULL);
		pipe(rfd);
		reader_started = reader_done = 0;
		interrupt_handled = 0;
		pthread_t t;
		pthread_create(&t, NULL, reader, NULL);
		while (!__atomic_load_n(&reader_started, __ATOMIC_SEQ_CST))
			usleep(1000);
		if (!withRestart) {
			while (!__atomic_load_n(&reader_done, __ATOMIC_SEQ_CST)) {
				pthread_kill(t, SIGUSR1);
				usleep(10000);
			}
		} else {
			for (int i = 0; i < 3; i++) {
				pthread_kill(t, SIGUSR1);
				usleep(10000);
			}
			write(rfd[1], "data", 4);
		}
		pthread_join(t, NULL);
		printf("%s: handler ran=%d read returned %zd errno=%s\n", withRestart ? "SA_RESTART" : "no SA_RESTART",
		       interrupt_handled > 0, read_ret, ename(read_errno));
		close(rfd[0]);
		close(rfd[1]);
	}
	signal(SIGUSR1, SIG_DFL);
}

static volatile int reset_count;
static void reset_handler(int sig) {
	(void)sig;
	reset_count++;
}

static void resethand(void) {
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = reset_handler;
		sa.sa_flags = SA_RESETHAND;
		sigaction(SIGUSR2, &sa, NULL);
		raise(SIGUSR2);
		struct sigaction now;
		sigaction(SIGUSR2, NULL, &now);
		printf("child: first raise handled=%d, handler now SIG_DFL=%d\n", reset_count, now.sa_handler == SIG_DFL);
		fflush(stdout);
		raise(SIGUSR2);
		printf("child: survived the second raise\n");
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	if (WIFSIGNALED(st))
		printf("SA_RESETHAND child killed by %s\n", sigabbrev_np(WTERMSIG(st)));
	else
		printf("SA_RESETHAND child exited %d\n", WEXITSTATUS(st));
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	self_sent();
	sigchld_counting();
	blocked_then_unblocked();
	nodefer();
	altstack();
	segv_recovery();
	handler_mask();
	timedwait();
	thread_directed();
	restart();
	tgkill_errors();
	resethand();
	printf("done\n");
	return 0;
}
