// The mask while a handler runs is the thread's mask plus sa_mask plus the
// signal itself (unless SA_NODEFER), and the old mask comes back when the
// handler returns (sigaction(2)). The SIGUSR1 handler has SIGUSR2 in its
// sa_mask and raises SIGUSR2: that stays pending until the SIGUSR1 handler
// returns, so the SIGUSR2 handler runs second. (qemu-riscv64 7.2 ignores
// sa_mask, which is why this is not a differential test.)
// Expected:
//   in SIGUSR1 handler: USR1 blocked=1 USR2 blocked=1 USR2 pending=1
//   order: usr1-start usr1-end usr2
//   after: USR1 blocked=0 USR2 blocked=0
//   with SA_NODEFER and empty sa_mask: usr1-start usr2 usr1-end
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char *order[8];
static volatile int n;
static volatile int b1, b2, p2;

static void h2(int s) {
	(void)s;
	order[n++] = "usr2";
}

static void h1(int s) {
	(void)s;
	order[n++] = "usr1-start";
	sigset_t m, p;
	sigprocmask(SIG_SETMASK, NULL, &m);
	b1 = sigismember(&m, SIGUSR1);
	b2 = sigismember(&m, SIGUSR2);
	raise(SIGUSR2);
	sigpending(&p);
	p2 = sigismember(&p, SIGUSR2);
	order[n++] = "usr1-end";
}

static void print_order(const char *what) {
	printf("%s:", what);
	for (int i = 0; i < n; i++)
		printf(" %s", order[i]);
	printf("\n");
}

int main(void) {
	signal(SIGUSR2, h2);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("in SIGUSR1 handler: USR1 blocked=%d USR2 blocked=%d USR2 pending=%d\n", b1, b2, p2);
	print_order("order");
	sigset_t m;
	sigprocmask(SIG_SETMASK, NULL, &m);
	printf("after: USR1 blocked=%d USR2 blocked=%d\n", sigismember(&m, SIGUSR1), sigismember(&m, SIGUSR2));

	n = 0;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	print_order("with SA_NODEFER and empty sa_mask");
	return 0;
}
