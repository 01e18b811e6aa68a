// setitimer/getitimer on CPU time: ITIMER_PROF and ITIMER_VIRTUAL fire SIGPROF and
// SIGVTALRM while the process computes, again with their interval; sleeping does not
// use up ITIMER_VIRTUAL; getitimer reports what is left; a child does not inherit them.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static volatile int prof, vt;
static void on(int s) { if (s == SIGPROF) prof++; else vt++; }
int main(void) {
	signal(SIGPROF, on);
	signal(SIGVTALRM, on);
	struct itimerval it = {{0, 5000}, {0, 5000}}, old, cur;
	printf("set prof %d\n", setitimer(ITIMER_PROF, &it, NULL));
	while (prof < 3) ;
	getitimer(ITIMER_PROF, &cur);
	printf("prof fired 3, interval %ld us, left <= interval %d\n", cur.it_interval.tv_usec,
	       cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 5000 && cur.it_value.tv_usec > 0);
	struct itimerval zero = {{0, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &zero, &old);
	printf("disarmed, old interval %ld\n", old.it_interval.tv_usec);
	struct itimerval one = {{0, 0}, {0, 20000}};
	setitimer(ITIMER_VIRTUAL, &one, NULL);
	struct timespec ts = {0, 50000000};
	nanosleep(&ts, NULL);
	getitimer(ITIMER_VIRTUAL, &cur);
	printf("after sleeping, virtual still armed %d, fired %d\n", cur.it_value.tv_usec > 0, vt);
	pid_t pid = fork();
	if (pid == 0) {
		getitimer(ITIMER_VIRTUAL, &cur);
		printf("child's virtual timer armed %d\n", cur.it_value.tv_usec != 0 || cur.it_value.tv_sec != 0);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	while (vt < 1) ;
	getitimer(ITIMER_VIRTUAL, &cur);
	printf("virtual fired once, then disarmed %d\n", cur.it_value.tv_usec == 0 && cur.it_value.tv_sec == 0);
	printf("bad which %d %s\n", setitimer(7, &it, NULL), strerror(errno));
	return 0;
}
