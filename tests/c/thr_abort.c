// Processes ended by signals, seen from the parent: abort() called in a
// thread while other threads run (SIGABRT); abort() with a SIGABRT handler
// that returns (the handler runs once, then the process still dies of
// SIGABRT) and with SIGABRT blocked (abort unblocks it); a multithreaded
// child killed with SIGKILL by the parent; one killed with SIGTERM (default
// action) and one whose SIGTERM handler exits with a code of its own.
// Children that die of core-dumping signals send stderr to /dev/null, since
// some qemu-user versions print a note there.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void status_line(const char *what, int st) {
	if (WIFEXITED(st))
		printf("%s: exited code=%d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d (%s)\n", what, WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
	else
		printf("%s: other status\n", what);
}

static void quiet_stderr(void) {
	int fd = open("/dev/null", O_WRONLY);
	dup2(fd, 2);
	close(fd);
}

static void say(const char *s) { write(1, s, strlen(s)); }

static void *spin(void *arg) {
	(void)arg;
	volatile unsigned long x = 0;
	for (;;)
		x++;
	return NULL;
}

static void *block(void *arg) {
	(void)arg;
	for (;;)
		sleep(100);
	return NULL;
}

static void *aborter(void *arg) {
	(void)arg;
	usleep(5000);
	say("aborting in a thread\n");
	abort();
}

static void abort_handler(int sig) {
	(void)sig;
	say("SIGABRT handler ran\n");
}

static int ready[2];

static void tell_ready(void) {
	char c = 'r';
	write(ready[1], &c, 1);
}

static void wait_ready(void) {
	char c;
	read(ready[0], &c, 1);
}

static void term_handler(int sig) {
	(void)sig;
	_exit(33);
}

static pid_t spawn(int which) {
	fflush(stdout);
	pid_t c = fork();
	if (c != 0)
		return c;
	pthread_t t[2];
	switch (which) {
	case 0: // abort in a thread
		quiet_stderr();
		pthread_create(&t[0], NULL, spin, NULL);
		pthread_create(&t[1], NULL, block, NULL);
		pthread_create(&t[1], NULL, aborter, NULL);
		for (;;)
			sleep(100);
	case 1: // handler that returns
		quiet_stderr();
		signal(SIGABRT, abort_handler);
		abort();
	case 2: { // SIGABRT blocked
		quiet_stderr();
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGABRT);
		sigprocmask(SIG_BLOCK, &s, NULL);
		abort();
	}
	case 3: // SIGKILL
	case 4: // SIGTERM, default action
		pthread_create(&t[0], NULL, spin, NULL);
		pthread_create(&t[1], NULL, block, NULL);
		tell_ready();
		for (;;)
			sleep(100);
	case 5: // SIGTERM handled
		signal(SIGTERM, term_handler);
		pthread_create(&t[0], NULL, block, NULL);
		tell_ready();
		for (;;)
			sleep(100);
	}
	_exit(99);
}

int main(void) {
	pipe(ready);
	const char *names[] = {"abort in a thread", "abort with a returning handler", "abort with SIGABRT blocked",
	                       "SIGKILL from parent", "SIGTERM from parent", "SIGTERM with handler"};
	int sigs[] = {0, 0, 0, SIGKILL, SIGTERM, SIGTERM};
	for (int i = 0; i < 6; i++) {
		pid_t c = spawn(i);
		if (sigs[i]) {
			wait_ready();
			usleep(10000);
			kill(c, sigs[i]);
		}
		int st;
		pid_t w = waitpid(c, &st, 0);
		printf("waitpid ok=%d ", w == c);
		status_line(names[i], st);
		fflush(stdout);
	}
	int st;
	printf("no more children: %d\n", waitpid(-1, &st, WNOHANG));
	return 0;
}
