// fork in a multithreaded process (fork(2), pthread_atfork(3)): the child
// has only the thread that called fork; the other threads' memory is
// there (a counter they were bumping is frozen in the child); the child can
// create threads of its own and exit normally while the parent's threads
// go on; pthread_atfork's prepare handlers run in the parent before the
// fork in reverse order of registration, parent and child handlers after it
// in order; a mutex the forking thread held is still held by it in the
// child (and can be unlocked there); malloc works in the child even though
// other threads were allocating during the fork; a thread-directed signal
// pending in the forking thread is not inherited, nor is one pending for
// the process.
// Not differential: qemu-riscv64 7.2 aborts (an assertion in its TCG
// plugin code) when the child of a multithreaded process creates a thread.
// Expected: forkmt.expect.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char atfork_log[32];
static int atfork_len;
static void prep1(void) { atfork_log[atfork_len++] = 'P'; }
static void prep2(void) { atfork_log[atfork_len++] = 'p'; }
static void par1(void) { atfork_log[atfork_len++] = 'A'; }
static void par2(void) { atfork_log[atfork_len++] = 'a'; }
static void chi1(void) { atfork_log[atfork_len++] = 'C'; }
static void chi2(void) { atfork_log[atfork_len++] = 'c'; }

static volatile int stop;
static volatile unsigned long bumps;
static void *bumper(void *arg) {
	(void)arg;
	while (!stop) {
		bumps++;
		void *p = malloc(64 + (bumps % 512));
		free(p);
	}
	return NULL;
}

static void *child_thread(void *arg) { return (void *)((long)arg * 2); }

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

int main(void) {
	pthread_atfork(prep1, par1, chi1);
	pthread_atfork(prep2, par2, chi2);
	sigset_t u;
	sigemptyset(&u);
	sigaddset(&u, SIGUSR1);
	sigaddset(&u, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &u, NULL); // in every thread, inherited
	pthread_t b[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&b[i], NULL, bumper, NULL);
	usleep(20000);
	pthread_mutex_lock(&held);
	raise(SIGUSR1);             // pending for this thread
	kill(getpid(), SIGUSR2);    // pending for the process
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		atfork_log[atfork_len] = 0;
		unsigned long frozen = bumps;
		usleep(20000);
		int still_frozen = bumps == frozen;
		long sum = 0;
		for (long i = 1; i <= 4; i++) {
			pthread_t t;
			void *r;
			pthread_create(&t, NULL, child_thread, (void *)i);
			pthread_join(t, &r);
			sum += (long)r;
		}
		char *big = malloc(1 << 20);
		memset(big, 1, 1 << 20);
		free(big);
		sigset_t p;
		sigpending(&p);
		printf("child: atfork log=%s counter frozen=%d threads sum=%ld mutex still held=%d unlock=%d\n", atfork_log,
		       still_frozen, sum, pthread_mutex_trylock(&held) != 0, pthread_mutex_unlock(&held));
		printf("child: SIGUSR1 pending=%d SIGUSR2 pending=%d\n", sigismember(&p, SIGUSR1), sigismember(&p, SIGUSR2));
		fflush(stdout);
		exit(3); // exit, not _exit: stdio and atexit run in the child
	}
	int st;
	waitpid(c, &st, 0);
	unsigned long before = bumps;
	usleep(20000);
	int moving = bumps != before;
	stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(b[i], NULL);
	atfork_log[atfork_len] = 0;
	sigset_t p;
	sigpending(&p);
	printf("parent: atfork log=%s child exit=%d parent's threads kept running=%d\n", atfork_log, WEXITSTATUS(st), moving);
	printf("parent: SIGUSR1 pending=%d SIGUSR2 pending=%d\n", sigismember(&p, SIGUSR1), sigismember(&p, SIGUSR2));
	pthread_mutex_unlock(&held);
	return 0;
}
