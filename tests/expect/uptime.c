// --uptime (README, "The virtual clock"): the machine has been up an hour when the
// program starts. CLOCK_MONOTONIC, CLOCK_BOOTTIME, /proc/uptime, sysinfo, the boot
// time in /proc/stat and a process's start time in /proc/PID/stat count from the boot,
// CLOCK_REALTIME does not move, and every absolute time on the monotonic clock (a
// sleep, a futex wait, a timerfd, a POSIX timer) is read on that clock: each below
// waits one or two seconds, not an hour more, nor nothing. Expected output from Linux
// semantics (qemu would show the host's uptime).
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t c) {
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timespec at(double secs) {
	struct timespec ts = {(time_t)secs, (long)((secs - (time_t)secs) * 1e9)};
	return ts;
}

// waited prints how many whole seconds of CLOCK_MONOTONIC and CLOCK_REALTIME a wait took.
static void waited(const char *what, double mono0, double real0) {
	printf("%s: waited %.0f s monotonic, %.0f s realtime\n", what, now(CLOCK_MONOTONIC) - mono0,
	       now(CLOCK_REALTIME) - real0);
}

int main(void) {
	printf("monotonic at start: %ld s\n", (long)now(CLOCK_MONOTONIC));
	printf("boottime at start: %ld s\n", (long)now(CLOCK_BOOTTIME));
	time_t rt = (time_t)now(CLOCK_REALTIME);
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", gmtime(&rt));
	printf("realtime at start: %s UTC\n", buf);

	FILE *f = fopen("/proc/uptime", "r");
	double up = 0, idle = 0;
	if (!f || fscanf(f, "%lf %lf", &up, &idle) != 2)
		return 1;
	fclose(f);
	printf("/proc/uptime: %ld s up\n", (long)up);
	struct sysinfo si;
	sysinfo(&si);
	printf("sysinfo uptime: %ld s\n", si.uptime);

	f = fopen("/proc/stat", "r");
	char line[256];
	long btime = 0;
	while (f && fgets(line, sizeof line, f))
		sscanf(line, "btime %ld", &btime);
	fclose(f);
	printf("btime: %ld s before the start\n", (long)rt - btime);

	f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(line, sizeof line, f))
		return 1;
	fclose(f);
	char *p = strrchr(line, ')') + 2; // field 3 onwards
	unsigned long long start = 0;
	for (int field = 3; field <= 22; field++) {
		if (field == 22)
			start = strtoull(p, NULL, 10);
		p = strchr(p, ' ') + 1;
	}
	printf("process start time: %llu s after boot\n", start / sysconf(_SC_CLK_TCK));

	double m0 = now(CLOCK_MONOTONIC), r0 = now(CLOCK_REALTIME);
	struct timespec until = at(m0 + 1);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	waited("clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, now + 1 s)", m0, r0);

	// pthread_cond_timedwait on a CLOCK_MONOTONIC condition: FUTEX_WAIT_BITSET with an
	// absolute monotonic time.
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_t cond;
	pthread_cond_init(&cond, &ca);
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&mu);
	m0 = now(CLOCK_MONOTONIC), r0 = now(CLOCK_REALTIME);
	until = at(m0 + 2);
	int rc = pthread_cond_timedwait(&cond, &mu, &until);
	waited(rc == ETIMEDOUT ? "pthread_cond_timedwait(now + 2 s): ETIMEDOUT" : "pthread_cond_timedwait: not ETIMEDOUT", m0, r0);
	pthread_mutex_unlock(&mu);

	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	m0 = now(CLOCK_MONOTONIC), r0 = now(CLOCK_REALTIME);
	struct itimerspec its = {.it_value = at(m0 + 1)};
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
	unsigned long long ticks = 0;
	if (read(tfd, &ticks, sizeof ticks) != sizeof ticks)
		return 1;
	waited("timerfd (CLOCK_MONOTONIC, TFD_TIMER_ABSTIME, now + 1 s)", m0, r0);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
	timer_t timer;
	timer_create(CLOCK_BOOTTIME, &sev, &timer);
	m0 = now(CLOCK_MONOTONIC), r0 = now(CLOCK_REALTIME);
	its.it_value = at(now(CLOCK_BOOTTIME) + 2);
	timer_settime(timer, TIMER_ABSTIME, &its, NULL);
	int sig = 0;
	sigwait(&set, &sig);
	waited(sig == SIGRTMIN ? "timer_create(CLOCK_BOOTTIME), TIMER_ABSTIME now + 2 s: SIGRTMIN" : "timer: wrong signal", m0, r0);
	return 0;
}
