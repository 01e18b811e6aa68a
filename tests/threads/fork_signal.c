// A signal handler in a forked child returns normally (through the
// rt_sigreturn trampoline that the child inherits with its copy of the
// parent's address space, fork(2)); the child then goes on and exits with
// its own status. Also after a second fork (grandchild), and for a handler
// installed only in the child.
// Expected:
//   child: handler ran 1 time(s), back in main
//   grandchild: handler ran 2 time(s), back in main
//   grandchild exited code=4
//   child exited code=3
//   parent: handler ran 0 time(s)
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int count;
static void handler(int s) {
	(void)s;
	count++;
}
static void other(int s) {
	(void)s;
	count += 10;
}

int main(void) {
	signal(SIGUSR1, handler);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		raise(SIGUSR1);
		printf("child: handler ran %d time(s), back in main\n", count);
		fflush(stdout);
		pid_t g = fork();
		if (g == 0) {
			raise(SIGUSR1);
			printf("grandchild: handler ran %d time(s), back in main\n", count);
			fflush(stdout);
			signal(SIGUSR2, other);
			raise(SIGUSR2);
			_exit(count == 12 ? 4 : 5);
		}
		int st;
		waitpid(g, &st, 0);
		if (WIFEXITED(st))
			printf("grandchild exited code=%d\n", WEXITSTATUS(st));
		else
			printf("grandchild killed by signal %d\n", WTERMSIG(st));
		fflush(stdout);
		_exit(3);
	}
	int st;
	waitpid(c, &st, 0);
	if (WIFEXITED(st))
		printf("child exited code=%d\n", WEXITSTATUS(st));
	else
		printf("child killed by signal %d\n", WTERMSIG(st));
	printf("parent: handler ran %d time(s)\n", count);
	return 0;
}
