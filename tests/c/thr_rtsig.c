// Real-time signals queue (signal(7)): three sigqueue()s of SIGRTMIN+1 and
// three of SIGRTMIN, plus a kill() of SIGRTMIN, all sent while blocked, are
// all delivered once unblocked, each instance with its own si_value, in the
// order sent per signal. (When several are pending at the unblock, Linux
// sets up the lowest-numbered signal's frame first and stacks the next
// deliverable one on top of it, so SIGRTMIN+1's handler runs before the
// interrupted SIGRTMIN handler goes on; each handler blocks its own signal,
// so instances of one signal run one after another.) sigwaitinfo takes the
// queued instances one at a time, oldest first; pthread_sigqueue sends one
// to a particular thread; a standard signal sent three times while blocked
// is delivered once.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static volatile int order[32], n;
static void handler(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	int v = si->si_code == SI_QUEUE ? si->si_value.sival_int : si->si_code == SI_USER ? 50 : 60;
	order[n++] = (sig - SIGRTMIN) * 100 + v;
}

static void show(const char *what) {
	printf("%s: %d deliveries:", what, n);
	for (int i = 0; i < n; i++)
		printf(" %d", order[i]);
	printf("\n");
	n = 0;
}

static volatile pid_t handled_by;
static void tid_handler(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)uc;
	handled_by = (pid_t)syscall(SYS_gettid);
	order[n++] = si->si_value.sival_int;
}
static pid_t worker_tid;
static volatile int worker_stop;
static void *worker(void *arg) {
	(void)arg;
	worker_tid = (pid_t)syscall(SYS_gettid);
	while (!worker_stop)
		usleep(1000);
	return NULL;
}

int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN, &sa, NULL);
	sigaction(SIGRTMIN + 1, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval v = {.sival_int = i};
		if (sigqueue(getpid(), SIGRTMIN + 1, v) != 0)
			printf("sigqueue: %s\n", ename(errno));
	}
	for (int i = 1; i <= 3; i++) {
		union sigval v = {.sival_int = i};
		sigqueue(getpid(), SIGRTMIN, v);
	}
	kill(getpid(), SIGRTMIN);
	sigset_t p;
	sigpending(&p);
	printf("pending: RTMIN=%d RTMIN+1=%d\n", sigismember(&p, SIGRTMIN), sigismember(&p, SIGRTMIN + 1));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	show("after unblock");

	// One signal at a time.
	sigprocmask(SIG_BLOCK, &s, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval v = {.sival_int = 10 * i};
		sigqueue(getpid(), SIGRTMIN + 1, v);
	}
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, SIGRTMIN);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	for (int i = 1; i <= 2; i++) {
		union sigval v = {.sival_int = 20 + i};
		sigqueue(getpid(), SIGRTMIN, v); // delivered at once
	}
	show("SIGRTMIN sent while unblocked");
	siginfo_t si;
	struct timespec ts = {0, 0};
	for (int i = 0; i < 4; i++) {
		memset(&si, 0, sizeof si);
		errno = 0;
		int r = sigtimedwait(&s, &si, &ts);
		printf("sigtimedwait: %s value=%d %s\n", r > 0 ? (r == SIGRTMIN + 1 ? "RTMIN+1" : "other") : "-1",
		       r > 0 ? si.si_value.sival_int : 0, r < 0 ? ename(errno) : "");
	}
	sigprocmask(SIG_UNBLOCK, &s, NULL);

	// A standard signal does not queue.
	sigset_t u;
	sigemptyset(&u);
	sigaddset(&u, SIGUSR1);
	sigprocmask(SIG_BLOCK, &u, NULL);
	for (int i = 0; i < 3; i++)
		kill(getpid(), SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &u, NULL);
	printf("SIGUSR1 sent 3 times while blocked: delivered %d time(s)\n", n);
	n = 0;

	// pthread_sigqueue to one thread.
	sa.sa_sigaction = tid_handler;
	sigaction(SIGRTMIN + 2, &sa, NULL);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	while (!worker_tid)
		usleep(1000);
	union sigval v = {.sival_int = 77};
	int r = pthread_sigqueue(t, SIGRTMIN + 2, v);
	while (n == 0 && r == 0)
		usleep(1000);
	printf("pthread_sigqueue: ret=%s value=%d handled by the target=%d\n", ename(r), n ? order[0] : -1,
	       handled_by == worker_tid);
	worker_stop = 1;
	pthread_join(t, NULL);
	return 0;
}
