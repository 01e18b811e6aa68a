// sched_setaffinity/sched_getaffinity under --cpus 2: a task's CPU set as set, inherited
// by a thread and a child (sched_setaffinity(2), fork(2)); EINVAL for an empty set or one
// of no existing CPU, ESRCH for no task.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static void show(const char *who) {
	cpu_set_t s;
	CPU_ZERO(&s);
	sched_getaffinity(0, sizeof s, &s);
	printf("%s: %d CPUs, CPU0 %d\n", who, CPU_COUNT(&s), CPU_ISSET(0, &s));
}
static void *thread(void *arg) { show("thread"); return arg; }
int main(void) {
	show("start");
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	printf("set %d\n", sched_setaffinity(0, sizeof s, &s));
	show("after");
	pthread_t th;
	pthread_create(&th, NULL, thread, NULL);
	pthread_join(th, NULL);
	if (fork() == 0) { show("child"); fflush(stdout); _exit(0); }
	wait(NULL);
	CPU_ZERO(&s);
	printf("empty %d %s\n", sched_setaffinity(0, sizeof s, &s), strerror(errno));
	CPU_SET(1000, &s);
	printf("no such CPU %d %s\n", sched_setaffinity(0, sizeof s, &s), strerror(errno));
	printf("no task %d %s\n", sched_getaffinity(999999, sizeof s, &s), strerror(errno));
	return 0;
}
