// sigqueue(3) (rt_sigqueueinfo): a value sent to oneself reaches an
// SA_SIGINFO handler (si_code SI_QUEUE, si_value, si_pid) and sigwaitinfo.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int got_code, got_value, got_count, got_pid_ok;
static void handler(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)uc;
	got_code = si->si_code;
	got_value = si->si_value.sival_int;
	got_pid_ok = si->si_pid == getpid();
	got_count++;
}

int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	union sigval sv = {.sival_int = 5};
	errno = 0;
	int r = sigqueue(getpid(), SIGUSR1, sv);
	printf("sigqueue: ret=%d errno=%s count=%d SI_QUEUE=%d value=%d pid ok=%d\n", r, errno ? strerrorname_np(errno) : "0",
	       got_count, got_code == SI_QUEUE, got_value, got_pid_ok);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	sv.sival_int = 1234;
	r = sigqueue(getpid(), SIGUSR2, sv);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	struct timespec ts = {0, 10 * 1000 * 1000};
	int w = sigtimedwait(&s, &si, &ts);
	printf("sigqueue+sigtimedwait: ret=%d got=%s SI_QUEUE=%d value=%d\n", r, w > 0 ? sigabbrev_np(w) : "none",
	       si.si_code == SI_QUEUE, si.si_value.sival_int);
	return 0;
}
