// Which blocking calls a handled signal interrupts, with and without
// SA_RESTART (signal(7), "Interruption of system calls and library
// functions by signal handlers"). A helper thread sends SIGUSR1 to the
// blocked thread every few milliseconds until the call returns or, for
// restartable calls, until it has been hit several times and the call is
// then completed normally, so the output does not depend on timing.
//   read (pipe), wait4, FUTEX_WAIT: EINTR without SA_RESTART, restarted
//     with it (and then complete);
//   nanosleep, clock_nanosleep, poll, sigtimedwait: EINTR even with
//     SA_RESTART (never restarted); nanosleep and clock_nanosleep write
//     the time left to rem (nanosleep(2)); sleep(3) returns the seconds
//     left, rounded (prints 1 when that is between 1 and 100).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static volatile int hits;
static void handler(int sig) {
	(void)sig;
	hits++;
}

enum { READ, WAIT4, FUTEX, NANOSLEEP, CLOCK_NANOSLEEP, SLEEP, POLL, SIGTIMEDWAIT, NCALLS };
static const char *names[] = {"read",         "wait4",          "futex_wait", "nanosleep",
                              "clock_nanosleep", "sleep(3)", "poll",       "sigtimedwait"};
static const int restartable[] = {1, 1, 1, 0, 0, 0, 0, 0};

static int call;
static int pipefd[2];
static pid_t child;
static uint32_t fword;
static volatile int started, finished;
static long ret;
static int err;
static int rem_positive;

static void *blocked(void *arg) {
	(void)arg;
	__atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
	errno = 0;
	switch (call) {
	case READ: {
		char c;
		ret = read(pipefd[0], &c, 1);
		break;
	}
	case WAIT4: {
		int st;
		ret = waitpid(child, &st, 0);
		ret = ret == child ? 1 : ret;
		break;
	}
	case FUTEX:
		ret = syscall(SYS_futex, &fword, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		break;
	case NANOSLEEP: {
		struct timespec ts = {100, 0}, rem = {0, 0};
		ret = nanosleep(&ts, &rem);
		rem_positive = rem.tv_sec > 0 || rem.tv_nsec > 0;
		break;
	}
	case CLOCK_NANOSLEEP: {
		struct timespec ts = {100, 0}, rem = {0, 0};
		ret = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &rem); // returns the error number
		if (ret > 0) {
			errno = (int)ret;
			ret = -1;
		}
		rem_positive = rem.tv_sec > 0 || rem.tv_nsec > 0;
		break;
	}
	case SLEEP: {
		unsigned left = sleep(100); // the seconds left when interrupted
		ret = left > 0 && left <= 100;
		break;
	}
	case POLL: {
		struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
		ret = poll(&p, 1, 100000);
		break;
	}
	case SIGTIMEDWAIT: {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR2);
		struct timespec ts = {100, 0};
		ret = sigtimedwait(&s, NULL, &ts);
		break;
	}
	}
	err = errno;
	__atomic_store_n(&finished, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

// complete makes a restarted call return normally.
static void complete(void) {
	switch (call) {
	case READ:
		write(pipefd[1], "x", 1);
		break;
	case WAIT4:
		write(pipefd[1], "x", 1); // the child exits when it reads this
		break;
	case FUTEX:
		__atomic_store_n(&fword, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, &fword, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		break;
	}
}

int main(void) {
	for (int restart = 0; restart < 2; restart++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = handler;
		sa.sa_flags = restart ? SA_RESTART : 0;
		sigaction(SIGUSR1, &sa, NULL);
		for (call = 0; call < NCALLS; call++) {
			pipe(pipefd);
			fword = 0;
			started = finished = 0;
			hits = 0;
			rem_positive = 0;
			if (call == WAIT4) {
				fflush(stdout);
				child = fork();
				if (child == 0) {
					char c;
					read(pipefd[0], &c, 1);
					_exit(0);
				}
			}
			pthread_t t;
			pthread_create(&t, NULL, blocked, NULL);
			while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
				usleep(1000);
			int completed = 0;
			for (int i = 0; !__atomic_load_n(&finished, __ATOMIC_SEQ_CST); i++) {
				pthread_kill(t, SIGUSR1);
				usleep(5000);
				if (restart && restartable[call] && hits >= 3 && !completed) {
					complete();
					completed = 1;
				}
			}
			pthread_join(t, NULL);
			if (call == WAIT4 && !completed) {
				write(pipefd[1], "x", 1);
				waitpid(child, NULL, 0);
			}
			printf("%-16s %-13s -> %ld %s%s\n", names[call], restart ? "SA_RESTART" : "no SA_RESTART", ret,
			       ret < 0 ? ename(err) : "", call == NANOSLEEP || call == CLOCK_NANOSLEEP ? (rem_positive ? " (time left > 0)" : " (no time left)") : "");
			close(pipefd[0]);
			close(pipefd[1]);
		}
	}
	return 0;
}
