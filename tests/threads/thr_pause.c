// pause(2) (glibc implements it with ppoll on riscv64): a thread blocked in
// pause() returns -1/EINTR once a handler for a signal sent to it with
// pthread_kill has run; the main thread pauses until a child's SIGCHLD has
// been handled. Signals are re-sent until they have had their effect, so
// the output does not depend on whether one arrived before pause() began.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int handled, chld;
static void handler(int sig) {
	(void)sig;
	handled++;
}
static void on_chld(int sig) {
	(void)sig;
	chld++;
}

static volatile int started, done;
static void *pauser(void *arg) {
	(void)arg;
	started = 1;
	errno = 0;
	int r = pause();
	int ok = r == -1 && errno == EINTR;
	__atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
	return (void *)(long)ok;
}

static pthread_t main_thread;
static volatile int main_done;
static void *poker(void *arg) {
	(void)arg;
	// Keeps waking main's pause() with SIGUSR1 so that a SIGCHLD that
	// came between its check and its pause() cannot leave it asleep.
	while (!__atomic_load_n(&main_done, __ATOMIC_SEQ_CST)) {
		usleep(10000);
		pthread_kill(main_thread, SIGUSR1);
	}
	return NULL;
}

int main(void) {
	signal(SIGUSR1, handler);
	pthread_t t;
	pthread_create(&t, NULL, pauser, NULL);
	while (!started)
		usleep(1000);
	printf("before signal: handled=%d\n", handled);
	while (!__atomic_load_n(&done, __ATOMIC_SEQ_CST)) {
		pthread_kill(t, SIGUSR1);
		usleep(10000);
	}
	void *r;
	pthread_join(t, &r);
	printf("pause in a thread returned -1/EINTR=%ld after the handler ran=%d\n", (long)r, handled > 0);

	signal(SIGCHLD, on_chld);
	main_thread = pthread_self();
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		_exit(4);
	}
	pthread_t pk;
	pthread_create(&pk, NULL, poker, NULL);
	int pauses = 0;
	while (!chld) {
		errno = 0;
		int pr = pause();
		pauses += pr == -1 && errno == EINTR;
	}
	__atomic_store_n(&main_done, 1, __ATOMIC_SEQ_CST);
	pthread_join(pk, NULL);
	int st;
	waitpid(c, &st, 0);
	printf("SIGCHLD seen=%d, pause interrupted=%d, child exit=%d\n", chld, pauses > 0, WEXITSTATUS(st));
	return 0;
}
