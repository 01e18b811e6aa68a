// A signal handler's ucontext is the interrupted state, and rt_sigreturn
// restores it (the riscv64 rt_sigframe): for an ebreak, the saved pc is the
// ebreak's address and si_addr agrees; the handler moves the saved pc past
// the instruction and stores a value in the saved a1, and execution resumes
// there with that a1. Integer (t0, s1) and floating-point (ft0, fs1, the
// fcsr rounding mode) registers that the handler clobbers come back as they
// were. The handler also adds SIGUSR2 to uc_sigmask, which becomes the mask
// after it returns. For a SIGUSR1 handler, uc_sigmask is the interrupted
// code's mask (without SIGUSR1) while SIGUSR1 itself is blocked as it runs.
// The same in a second thread.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ucontext.h>

static volatile uintptr_t saved_pc, fault_addr;
static volatile int trap_code;

static void trap_handler(int sig, siginfo_t *si, void *ucv) {
	(void)sig;
	ucontext_t *uc = ucv;
	saved_pc = uc->uc_mcontext.__gregs[REG_PC];
	fault_addr = (uintptr_t)si->si_addr;
	trap_code = si->si_code;
	uc->uc_mcontext.__gregs[REG_PC] += 4; // skip the (uncompressed) ebreak
	uc->uc_mcontext.__gregs[11] = 1234;    // a1
	sigaddset(&uc->uc_sigmask, SIGUSR2);
	// Clobber registers the interrupted code relies on.
	__asm__ volatile("li t0, -1\n\tli s1, -1\n\tfmv.d.x ft0, zero\n\tfmv.d.x fs1, zero\n\tfsrmi 3" ::: "t0", "s1",
	                 "ft0", "fs1", "memory");
}

struct result {
	long a1, t0, s1;
	double ft0, fs1;
	unsigned frm;
	uintptr_t ebreak_pc;
};

static struct result trap_once(void) {
	struct result r;
	double in0 = 2.5, in1 = -7.25;
	long a1, t0, s1;
	double f0, f1;
	unsigned frm;
	uintptr_t pc;
	__asm__ volatile(".option push\n\t.option norvc\n\t"
	                 "fsrmi 1\n\t"
	                 "li t0, 111\n\t"
	                 "li s1, 222\n\t"
	                 "fmv.d ft0, %[in0]\n\t"
	                 "fmv.d fs1, %[in1]\n\t"
	                 "li a1, 0\n\t"
	                 "lla %[pc], 1f\n"
	                 "1:\tebreak\n\t"
	                 "mv %[a1], a1\n\t"
	                 "mv %[t0], t0\n\t"
	                 "mv %[s1], s1\n\t"
	                 "fmv.d %[f0], ft0\n\t"
	                 "fmv.d %[f1], fs1\n\t"
	                 "frrm %[frm]\n\t"
	                 "fsrmi 0\n\t"
	                 ".option pop"
	                 : [a1] "=&r"(a1), [t0] "=&r"(t0), [s1] "=&r"(s1), [f0] "=&f"(f0), [f1] "=&f"(f1),
	                   [frm] "=&r"(frm), [pc] "=&r"(pc)
	                 : [in0] "f"(in0), [in1] "f"(in1)
	                 : "a1", "t0", "s1", "ft0", "fs1", "memory");
	r.a1 = a1;
	r.t0 = t0;
	r.s1 = s1;
	r.ft0 = f0;
	r.fs1 = f1;
	r.frm = frm;
	r.ebreak_pc = pc;
	return r;
}

static void report(const char *who) {
	sigset_t before, after;
	pthread_sigmask(SIG_SETMASK, NULL, &before);
	struct result r = trap_once();
	pthread_sigmask(SIG_SETMASK, NULL, &after);
	printf("%s: saved pc is the ebreak=%d si_addr is the ebreak=%d code=%s\n", who, saved_pc == r.ebreak_pc,
	       fault_addr == r.ebreak_pc, trap_code == TRAP_BRKPT ? "TRAP_BRKPT" : "other");
	printf("%s: resumed after it with a1=%ld t0=%ld s1=%ld ft0=%g fs1=%g rounding mode=%u\n", who, r.a1, r.t0, r.s1,
	       r.ft0, r.fs1, r.frm);
	printf("%s: SIGUSR2 blocked before=%d after=%d\n", who, sigismember(&before, SIGUSR2), sigismember(&after, SIGUSR2));
	sigset_t u;
	sigemptyset(&u);
	sigaddset(&u, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &u, NULL);
}

static volatile int usr1_in_ucmask, usr1_blocked_now;
static void usr1_handler(int sig, siginfo_t *si, void *ucv) {
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	usr1_in_ucmask = sigismember(&uc->uc_sigmask, SIGUSR1);
	sigset_t now;
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	usr1_blocked_now = sigismember(&now, SIGUSR1);
}

static void *thread_main(void *arg) {
	(void)arg;
	report("thread");
	return NULL;
}

int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = trap_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);
	sa.sa_sigaction = usr1_handler;
	sigaction(SIGUSR1, &sa, NULL);
	report("main");
	pthread_t t;
	pthread_create(&t, NULL, thread_main, NULL);
	pthread_join(t, NULL);
	raise(SIGUSR1);
	printf("SIGUSR1 handler: in uc_sigmask=%d, blocked while running=%d\n", usr1_in_ucmask, usr1_blocked_now);
	return 0;
}
