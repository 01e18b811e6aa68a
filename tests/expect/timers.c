// Timers on weft's virtual clocks, where the expirations a program sees are exact
// (under Linux or qemu they depend on how fast the machine runs, so this is not a
// differential test). The expectations follow timerfd_create(2), timer_create(2),
// timer_settime(2) and timer_getoverrun(2):
// - a periodic timerfd read after 5.5 periods returns 5 expirations;
// - a POSIX timer whose signal stays blocked fires once; the expirations meanwhile are
//   its overrun (si_overrun, timer_getoverrun);
// - SIGEV_THREAD_ID delivers to the named thread, with si_code SI_TIMER and sigev_value;
// - SIGEV_NONE sends nothing, but timer_gettime counts down and ends at 0;
// - a handled periodic SIGALRM timer interrupts pause() each period;
// - glibc's SIGEV_THREAD runs the function in a new thread;
// - timer_delete makes the id invalid, and bad arguments fail with EINVAL;
// - epoll_pwait2 waits for its timespec timeout.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static void msleep(long ms) {
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
	nanosleep(&ts, NULL);
}

static long ms(struct timespec t) { return (t.tv_sec * 1000000000L + t.tv_nsec + 500000) / 1000000; }

static volatile int alarms;
static void on_alarm(int s) { alarms++; }

static sem_t done;
static void on_thread_timer(union sigval v) {
	printf("SIGEV_THREAD: value %d, in another thread %d\n", v.sival_int, gettid() != getpid());
	sem_post(&done);
}

static timer_t tid_timer;
static void *waiter(void *arg) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR2, .sigev_value.sival_int = 55};
	sev._sigev_un._tid = gettid();
	timer_create(CLOCK_MONOTONIC, &sev, &tid_timer);
	struct itimerspec its = {.it_value = {0, 3000000}};
	timer_settime(tid_timer, 0, &its, NULL);
	siginfo_t si;
	sigwaitinfo(&s, &si);
	printf("SIGEV_THREAD_ID: %s to the thread that asked, code SI_TIMER %d, value %d\n", sigabbrev_np(si.si_signo), si.si_code == SI_TIMER, si.si_value.sival_int);
	return NULL;
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);

	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = {.it_value = {0, 10000000}, .it_interval = {0, 10000000}};
	timerfd_settime(tfd, 0, &its, NULL);
	msleep(55);
	uint64_t n;
	read(tfd, &n, 8);
	printf("timerfd, 10 ms period, after 55 ms: %llu expirations\n", (unsigned long long)n);
	struct itimerspec cur;
	timerfd_gettime(tfd, &cur);
	printf("timerfd: next in %ld ms, period %ld ms\n", ms(cur.it_value), ms(cur.it_interval));
	read(tfd, &n, 8);
	printf("timerfd: a blocking read waits for the next: %llu\n", (unsigned long long)n);
	struct timespec abs;
	clock_gettime(CLOCK_REALTIME, &abs);
	int rt = timerfd_create(CLOCK_REALTIME, 0);
	its = (struct itimerspec){.it_value = {abs.tv_sec - 1, abs.tv_nsec}, .it_interval = {0, 100000000}};
	timerfd_settime(rt, TFD_TIMER_ABSTIME, &its, NULL);
	read(rt, &n, 8);
	printf("timerfd, CLOCK_REALTIME, absolute 1 s ago, 100 ms period: %llu expirations\n", (unsigned long long)n);

	// A POSIX timer whose signal stays blocked.
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	timer_t t;
	struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 42};
	printf("timer_create: %s\n", en(timer_create(CLOCK_MONOTONIC, &sev, &t)));
	its = (struct itimerspec){.it_value = {0, 10000000}, .it_interval = {0, 10000000}};
	timer_settime(t, 0, &its, NULL);
	msleep(55);
	siginfo_t si;
	sigwaitinfo(&usr1, &si);
	printf("SIGEV_SIGNAL: %s, code SI_TIMER %d, value %d, overrun %d\n", sigabbrev_np(si.si_signo), si.si_code == SI_TIMER, si.si_value.sival_int, si.si_overrun);
	printf("timer_getoverrun: %d\n", timer_getoverrun(t));
	sigset_t pend;
	sigpending(&pend);
	printf("one signal for five expirations, none left: %d\n", !sigismember(&pend, SIGUSR1));
	timer_gettime(t, &cur);
	printf("timer_gettime: next in %ld ms, period %ld ms\n", ms(cur.it_value), ms(cur.it_interval));
	printf("timer_delete: %s\n", en(timer_delete(t)));
	printf("timer_delete again: %s\n", en(timer_delete(t)));
	printf("timer_settime on it: %s\n", en(timer_settime(t, 0, &its, NULL)));
	printf("timer_getoverrun on it: %s\n", en(timer_getoverrun(t)));

	// SIGEV_THREAD_ID.
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	pthread_t th;
	pthread_create(&th, NULL, waiter, NULL);
	pthread_join(th, NULL);
	timer_delete(tid_timer);

	// SIGEV_NONE.
	sev = (struct sigevent){.sigev_notify = SIGEV_NONE};
	timer_create(CLOCK_MONOTONIC, &sev, &t);
	its = (struct itimerspec){.it_value = {0, 30000000}};
	timer_settime(t, 0, &its, NULL);
	msleep(10);
	timer_gettime(t, &cur);
	printf("SIGEV_NONE: %ld ms left after 10 ms\n", ms(cur.it_value));
	msleep(30);
	timer_gettime(t, &cur);
	printf("SIGEV_NONE: %ld ms left after it expired\n", ms(cur.it_value));
	timer_delete(t);

	// A handled periodic SIGALRM (a NULL sigevent).
	signal(SIGALRM, on_alarm);
	timer_create(CLOCK_REALTIME, NULL, &t);
	its = (struct itimerspec){.it_value = {0, 2000000}, .it_interval = {0, 2000000}};
	timer_settime(t, 0, &its, NULL);
	while (alarms < 3)
		pause();
	timer_delete(t);
	printf("SIGALRM handler ran %d times\n", alarms);

	// glibc's SIGEV_THREAD.
	sem_init(&done, 0, 0);
	sev = (struct sigevent){.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_thread_timer, .sigev_value.sival_int = 9};
	printf("SIGEV_THREAD timer_create: %s\n", en(timer_create(CLOCK_MONOTONIC, &sev, &t)));
	its = (struct itimerspec){.it_value = {0, 1000000}};
	timer_settime(t, 0, &its, NULL);
	sem_wait(&done);
	timer_delete(t);

	// Errors.
	sev = (struct sigevent){.sigev_notify = 99};
	printf("bad notify: %s\n", en(timer_create(CLOCK_MONOTONIC, &sev, &t)));
	sev = (struct sigevent){.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 99};
	printf("bad signal: %s\n", en(timer_create(CLOCK_MONOTONIC, &sev, &t)));
	printf("bad clock: %s\n", en(timer_create(99, NULL, &t)));
	sev = (struct sigevent){.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1};
	sev._sigev_un._tid = 99999;
	printf("bad thread: %s\n", en(timer_create(CLOCK_MONOTONIC, &sev, &t)));

	// epoll_pwait2 (not in qemu 7.2).
	int ep = epoll_create1(0);
	struct epoll_event ev;
	struct timespec zero = {0, 0}, five = {0, 5000000}, bad = {0, 1000000000}, t0, t1;
	printf("epoll_pwait2, zero timeout: %d\n", epoll_pwait2(ep, &ev, 1, &zero, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = epoll_pwait2(ep, &ev, 1, &five, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("epoll_pwait2, 5 ms: %d after %ld ms\n", r, ms((struct timespec){t1.tv_sec - t0.tv_sec, t1.tv_nsec - t0.tv_nsec}));
	printf("epoll_pwait2, bad timeout: %s\n", en(epoll_pwait2(ep, &ev, 1, &bad, NULL)));
	sigset_t m;
	sigemptyset(&m);
	printf("signalfd4, bad mask size: %s\n", en(syscall(SYS_signalfd4, -1, &m, 4, 0)));
	return 0;
}
