// Interrupted timed waits (signal(7) "Interruption of system calls and library
// functions by signal handlers"; restart_syscall(2)). A timed wait interrupted by a
// handler fails with EINTR even when the handler was installed with SA_RESTART, as
// sem_timedwait(3) and nanosleep(2) do. A signal that runs no handler (SIGSTOP, then
// SIGCONT) resumes the wait transparently, and the wait ends at its original deadline:
// the time spent stopped is not added. A handler that runs between the stop and the
// resumption ends the wait with EINTR after all. (ppoll and select, where QEMU differs
// from Linux, are in tests/expect/poll_timeout.c.)
// (An expected-output test: under qemu-riscv64 the 0.4 s and 1 s are the host's real
// time, so its output depended on the machine's load; weft's clock is virtual.)
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_alarm(int sig) { (void)sig; }

static double now(clockid_t c) {
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(const char *what, int r, int err) {
	printf("%s: %d %s\n", what, r, r < 0 ? strerrorname_np(err) : "");
}

static void after(const char *what, double elapsed) {
	if (elapsed > 0.95 && elapsed < 1.25)
		printf("%s: ended at its deadline, about 1 s after it began\n", what);
	else if (elapsed > 0.45 && elapsed < 0.75)
		printf("%s: ended when continued, about 0.5 s after it began\n", what);
	else
		printf("%s: ended %.2f s after it began, not at its 1 s deadline\n", what, elapsed);
}

// stop_and_continue runs wait() in a child, which the parent stops after 0.1 s and
// continues 0.4 s later.
static void stop_and_continue(const char *what, void (*wait)(const char *)) {
	pid_t c = fork();
	if (c == 0) {
		wait(what);
		_exit(0);
	}
	int st;
	usleep(100000);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	usleep(400000);
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
}

static void sleep_1s(const char *what) {
	double t0 = now(CLOCK_MONOTONIC);
	struct timespec d = {1, 0};
	int r = nanosleep(&d, NULL);
	result(what, r, errno);
	after(what, now(CLOCK_MONOTONIC) - t0);
}

static void on_usr1(int sig) { (void)sig; }

// stop_usr1_continue is stop_and_continue with a handled SIGUSR1 sent while the child is
// stopped.
static void stop_usr1_continue(const char *what, void (*wait)(const char *)) {
	signal(SIGUSR1, on_usr1);
	pid_t c = fork();
	if (c == 0) {
		wait(what);
		_exit(0);
	}
	int st;
	usleep(100000);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGUSR1);
	usleep(400000);
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
}

static void semwait_1s(const char *what) {
	sem_t s;
	sem_init(&s, 0, 0);
	double t0 = now(CLOCK_MONOTONIC);
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 1;
	int r = sem_timedwait(&s, &dl);
	result(what, r, errno);
	after(what, now(CLOCK_MONOTONIC) - t0);
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};

	// 1. A handler with SA_RESTART interrupts timed waits: EINTR all the same.
	sem_t s;
	sem_init(&s, 0, 0);
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 2;
	setitimer(ITIMER_REAL, &it, NULL);
	int r = sem_timedwait(&s, &dl);
	result("sem_timedwait, SA_RESTART handler", r, errno);

	struct timespec d = {2, 0}, rem = {0, 0};
	setitimer(ITIMER_REAL, &it, NULL);
	r = nanosleep(&d, &rem);
	result("nanosleep, SA_RESTART handler", r, errno);
	printf("  time left: %s\n", rem.tv_sec == 1 ? "about 1.95 s" : "wrong");

	// 2. Stopped and continued: the wait resumes and keeps its deadline.
	stop_and_continue("nanosleep(1 s), stopped for 0.4 s", sleep_1s);
	stop_and_continue("sem_timedwait(1 s), stopped for 0.4 s", semwait_1s);

	// 3. A handled signal sent while it is stopped: EINTR once continued.
	stop_usr1_continue("nanosleep(1 s), stopped, SIGUSR1", sleep_1s);
	return 0;
}
