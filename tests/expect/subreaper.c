// prctl(2) PR_SET_CHILD_SUBREAPER: an orphaned grandchild is adopted by its
// subreaper grandparent, which gets its SIGCHLD and reaps it with wait(2); a child
// does not inherit the attribute; PR_GET_CHILD_SUBREAPER reads it back. (qemu-riscv64
// 7.2 refuses these prctl options, so the expected output is written from prctl(2).)
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int chld;

static void on_chld(int sig) { (void)sig; chld++; }

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART; // the waits below go on after the handler
	sigaction(SIGCHLD, &sa, NULL);
	int v = -1;
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	printf("subreaper before: %d\n", v);
	printf("PR_SET_CHILD_SUBREAPER: %d\n", prctl(PR_SET_CHILD_SUBREAPER, 1));
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	printf("subreaper after: %d\n", v);
	pid_t me = getpid();
	int p[2];
	pipe(p);
	pid_t child = fork();
	if (child == 0) {
		int cv = -1;
		prctl(PR_GET_CHILD_SUBREAPER, &cv);
		pid_t g = fork();
		if (g == 0) {
			char c;
			read(p[0], &c, 1); // until the child has exited
			_exit(getppid() == me ? 7 : 8);
		}
		_exit(cv == 0 ? 0 : 1);
	}
	int st;
	waitpid(child, &st, 0);
	printf("child exited %d (0: it is no subreaper)\n", WEXITSTATUS(st));
	write(p[1], "x", 1);
	pid_t got = wait(&st);
	printf("wait got the grandchild: %d, its status %d (7: reparented to us)\n", got > 0 && got != child, WEXITSTATUS(st));
	printf("SIGCHLDs: %d\n", chld);
	return 0;
}
