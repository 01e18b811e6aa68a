// Timer signals: alarm(2) delivers SIGALRM to a handler, interrupting a
// blocking read with EINTR (the classic time-out pattern, no SA_RESTART);
// alarm returns the seconds left of a previous alarm and alarm(0) cancels
// it; setitimer(ITIMER_REAL) with an interval fires repeatedly until
// cancelled (getitimer reads it back); an unhandled SIGALRM kills a child
// (default action: terminate).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static volatile int alarms;
static void on_alarm(int sig) {
	(void)sig;
	alarms++;
}

int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; // no SA_RESTART
	sigaction(SIGALRM, &sa, NULL);

	printf("first alarm(5) returns %u\n", alarm(5));
	unsigned left = alarm(1);
	printf("second alarm(1) returns %u (seconds left of the first)\n", left >= 4 && left <= 5 ? 5 : left);
	int p[2];
	pipe(p);
	char c;
	errno = 0;
	ssize_t r = read(p[0], &c, 1); // nobody writes: only the alarm ends it
	printf("read interrupted by SIGALRM: ret=%zd errno=%s alarms=%d\n", r, ename(errno), alarms);

	alarm(10);
	printf("alarm(0) cancels: returns nonzero=%d\n", alarm(0) != 0);

	struct itimerval it = {{0, 20000}, {0, 20000}};
	errno = 0;
	printf("setitimer: %d %s\n", setitimer(ITIMER_REAL, &it, NULL), ename(errno));
	struct itimerval cur;
	getitimer(ITIMER_REAL, &cur);
	printf("getitimer interval=%ldus armed=%d\n", (long)cur.it_interval.tv_usec,
	       cur.it_value.tv_sec != 0 || cur.it_value.tv_usec != 0);
	int before = alarms;
	while (alarms < before + 3)
		pause();
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	getitimer(ITIMER_REAL, &cur);
	printf("interval timer fired 3 times, then disarmed=%d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

	fflush(stdout);
	pid_t ch = fork();
	if (ch == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		for (;;)
			pause();
	}
	int st;
	waitpid(ch, &st, 0);
	printf("child with an unhandled alarm: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited",
	       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return 0;
}
