// The timeouts of ppoll and select (select(2), ppoll(2); Linux fs/select.c,
// poll_select_finish). QEMU cannot be the oracle here: it restarts an interrupted ppoll
// with its whole timeout and does not write the time left back when select fails.
//
//   select(2): "On Linux, select() modifies timeout to reflect the amount of time not
//     slept" — also when a signal handler interrupts it (EINTR), and a timeout that
//     ran out reads 0. Linux writes the time left back to the timespec of the ppoll
//     and pselect6 system calls on every return, so a call that a stop and SIGCONT
//     interrupt is restarted with what was left of its timeout and ends at its
//     original deadline.
//   signal(7): ppoll and select are never restarted after a handler, SA_RESTART or
//     not: they fail with EINTR.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_alarm(int sig) { (void)sig; }

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);

	// A handler interrupts select after 50 ms of its 2 s.
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	struct timeval tv = {2, 0};
	int r = select(0, NULL, NULL, NULL, &tv);
	printf("select, SA_RESTART handler after 50 ms: %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	// What is left is 1.95 s plus the few hundred nanoseconds between setitimer and
	// select: print it to the millisecond.
	printf("  timeout now %ld.%03ld\n", (long)tv.tv_sec, (long)tv.tv_usec / 1000);

	// A timeout that runs out reads 0.
	tv = (struct timeval){0, 300000};
	r = select(0, NULL, NULL, NULL, &tv);
	printf("select, timed out: %d; timeout now %ld.%06ld\n", r, (long)tv.tv_sec, (long)tv.tv_usec);

	// ppoll(1 s) in a child stopped from 0.1 s to 0.5 s ends at 1 s.
	pid_t c = fork();
	if (c == 0) {
		double t0 = now();
		struct timespec d = {1, 0};
		r = ppoll(NULL, 0, &d, NULL);
		printf("ppoll(1 s), stopped for 0.4 s: %d after %.3f s\n", r, now() - t0);
		_exit(0);
	}
	int st;
	usleep(100000);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	usleep(400000);
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	return 0;
}
