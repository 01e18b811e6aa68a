// A fault kills its own process and nothing else. The parent forks two
// children. Child A starts three threads; two of them block (a condition
// variable, a sleep) and the third stores through a NULL pointer with no
// handler installed, so the whole of A (every thread) is killed by
// SIGSEGV. Child B runs a computing thread meanwhile; once the parent has
// reaped A it tells B through a pipe, and B prints its result and exits 0.
// Expected stdout (fault_isolation.expect, by hand from signal(7),
// pthreads(7) and wait(2)):
//   A: faulting now
//   parent: A killed by signal 11 (SEGV)
//   B: alive after A died, sum=599997
//   parent: B exited code=0
// and weft's note about A on stderr.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started;

static void *waiter(void *arg) {
	(void)arg;
	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&cv);
	for (;;)
		pthread_cond_wait(&cv, &mu);
	return NULL;
}

static void *sleeper(void *arg) {
	(void)arg;
	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (;;)
		sleep(10);
	return NULL;
}

static void *faulter(void *arg) {
	(void)arg;
	pthread_mutex_lock(&mu);
	while (started < 2)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	printf("A: faulting now\n");
	fflush(stdout);
	volatile int *volatile p = NULL;
	*p = 1;
	printf("A: not reached\n");
	return NULL;
}

static void child_a(void) {
	pthread_t t[3];
	pthread_create(&t[0], NULL, waiter, NULL);
	pthread_create(&t[1], NULL, sleeper, NULL);
	pthread_create(&t[2], NULL, faulter, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("A: main thread not reached\n");
	_exit(0);
}

static volatile long sum;
static void *compute(void *arg) {
	(void)arg;
	long s = 0;
	for (long i = 1; i <= 200000; i++)
		s += i % 7;
	sum = s;
	return NULL;
}

static void child_b(int rfd) {
	pthread_t t;
	pthread_create(&t, NULL, compute, NULL);
	char c;
	read(rfd, &c, 1); // A is dead when this returns
	pthread_join(t, NULL);
	printf("B: alive after A died, sum=%ld\n", sum);
	fflush(stdout);
	_exit(0);
}

static void report(const char *who, int st) {
	if (WIFEXITED(st))
		printf("parent: %s exited code=%d\n", who, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("parent: %s killed by signal %d (%s)\n", who, WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
	fflush(stdout);
}

int main(void) {
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t b = fork();
	if (b == 0) {
		close(p[1]);
		child_b(p[0]);
	}
	close(p[0]);
	pid_t a = fork();
	if (a == 0)
		child_a();
	int st;
	waitpid(a, &st, 0);
	report("A", st);
	write(p[1], "x", 1);
	waitpid(b, &st, 0);
	report("B", st);
	return 0;
}
