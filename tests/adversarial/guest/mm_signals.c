// Queued signals count against RLIMIT_SIGPENDING: sigqueue past it fails with EAGAIN,
// and a blocked signal that is ignored stays pending.
#include "adv.h"
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void) {
	struct rlimit rl = {100, 100};
	expect_ok("setrlimit(RLIMIT_SIGPENDING, 100)", setrlimit(RLIMIT_SIGPENDING, &rl));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sent = 0, err = 0;
	for (int i = 0; i < 1000; i++) {
		if (sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i}) != 0) {
			err = errno;
			break;
		}
		sent++;
	}
	check(sent == 100 && err == EAGAIN, "sigqueue stops at the limit with EAGAIN (%d sent, %s)", sent, errname(err));
	siginfo_t si;
	struct timespec zero = {0, 0};
	int got = 0;
	while (sigtimedwait(&set, &si, &zero) == SIGRTMIN && si.si_value.sival_int == got)
		got++;
	check(got == 100, "the 100 queued signals arrive in order (%d)", got);
	expect_ok("sigqueue after draining", sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 0}));
	sigtimedwait(&set, &si, &zero);

	signal(SIGUSR1, SIG_IGN);
	kill(getpid(), SIGUSR1);
	sigset_t pending;
	sigpending(&pending);
	check(sigismember(&pending, SIGUSR1), "a blocked, ignored SIGUSR1 stays pending");
	return done();
}
