// Small rules where weft used to differ from Linux: SA_RESETHAND resets only the
// handler; a blocked, ignored signal stays pending; waitpid(INT_MIN) is ESRCH;
// dup3(fd, fd) is EINVAL even for a closed fd.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int hits;
static void on_usr1(int sig, siginfo_t *si, void *uc) { hits += sig == SIGUSR1 && si->si_signo == SIGUSR1; }

int main(void) {
	struct sigaction sa = {0}, now;
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_RESTART;
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &now);
	printf("handler ran %d; after: handler %s, SA_SIGINFO %d, SA_RESTART %d, SA_RESETHAND %d, USR2 in mask %d\n", hits,
	       now.sa_handler == SIG_DFL ? "SIG_DFL" : "set", !!(now.sa_flags & SA_SIGINFO), !!(now.sa_flags & SA_RESTART),
	       !!(now.sa_flags & SA_RESETHAND), sigismember(&now.sa_mask, SIGUSR2));

	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	sigpending(&pending);
	printf("blocked ignored SIGUSR2 pending: %d\n", sigismember(&pending, SIGUSR2));
	signal(SIGUSR2, SIG_DFL);
	signal(SIGUSR2, SIG_IGN); // setting SIG_IGN discards it (POSIX)
	sigpending(&pending);
	printf("after SIG_IGN again: %d\n", sigismember(&pending, SIGUSR2));

	errno = 0;
	printf("waitpid(INT_MIN) = %d %s\n", waitpid(INT_MIN, NULL, WNOHANG), strerrorname_np(errno));
	errno = 0;
	printf("dup3(42, 42) = %d %s\n", dup3(42, 42, 0), strerrorname_np(errno));
	errno = 0;
	printf("dup3(1, 1) = %d %s\n", dup3(1, 1, 0), strerrorname_np(errno));
	return 0;
}
