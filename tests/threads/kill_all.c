// An unhandled signal kills every thread of the process. Each case runs in
// a child with three extra threads (one spinning, one blocked on a mutex,
// one sleeping); one of them triggers the signal, and the parent reports
// how the child ended:
//   raise      a thread calls raise(SIGTERM) (default action: terminate);
//   kill       a thread calls kill(getpid(), SIGTERM);
//   other      a thread sends SIGTERM to the spinning thread (pthread_kill);
//   leader     the main thread has already left with pthread_exit (the
//              process lives on as its threads) when a thread raises;
//   exit       a thread calls exit(7): every thread ends, status 7;
//   ignored    SIGTERM is ignored (SIG_IGN): raise does nothing, the child
//              goes on and exits 0.
// Expected (signal(7): "Terminate" default action; pthreads(7): signal
// dispositions are process-wide; exit(3) ends the process):
//   raise: killed by signal 15 (TERM)
//   kill: killed by signal 15 (TERM)
//   other: killed by signal 15 (TERM)
//   leader: killed by signal 15 (TERM)
//   exit: exited code=7
//   ignored: survived raise
//   ignored: exited code=0
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_t spinner_thread;
static int which;

static void *spin(void *arg) {
	(void)arg;
	volatile unsigned long x = 0;
	for (;;)
		x++;
	return NULL;
}

static void *blocked(void *arg) {
	(void)arg;
	pthread_mutex_lock(&held); // held by main forever
	return NULL;
}

static void *sleeper(void *arg) {
	(void)arg;
	for (;;)
		sleep(10);
	return NULL;
}

static void *trigger(void *arg) {
	(void)arg;
	usleep(10000); // let the others get going
	switch (which) {
	case 0:
	case 3:
	case 5:
		raise(SIGTERM);
		break;
	case 1:
		kill(getpid(), SIGTERM);
		break;
	case 2:
		pthread_kill(spinner_thread, SIGTERM);
		break;
	case 4:
		exit(7);
	}
	if (which == 5) {
		printf("ignored: survived raise\n");
		fflush(stdout);
		_exit(0);
	}
	for (;;)
		sleep(10); // the signal is on its way to the process
	return NULL;
}

static void child(void) {
	if (which == 5)
		signal(SIGTERM, SIG_IGN);
	pthread_mutex_lock(&held);
	pthread_t t;
	pthread_create(&spinner_thread, NULL, spin, NULL);
	pthread_create(&t, NULL, blocked, NULL);
	pthread_create(&t, NULL, sleeper, NULL);
	pthread_create(&t, NULL, trigger, NULL);
	if (which == 3)
		pthread_exit(NULL);
	for (;;)
		sleep(10);
}

int main(void) {
	const char *names[] = {"raise", "kill", "other", "leader", "exit", "ignored"};
	for (which = 0; which < 6; which++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0)
			child();
		int st;
		waitpid(c, &st, 0);
		if (WIFEXITED(st))
			printf("%s: exited code=%d\n", names[which], WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			printf("%s: killed by signal %d (%s)\n", names[which], WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
	}
	return 0;
}
