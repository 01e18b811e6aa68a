// Run with --init=false (orphan_init.args): weft's first process is then the init of
// the guest's PID namespace
// (pid_namespaces(7): the first process in a new namespace has PID 1, and
// its getppid() is 0), with init's duties and privileges:
//   - wait(2)/prctl(2): an orphan is adopted by init, so the grandchild's
//     getppid() becomes 1 and pid 1 can wait for it, getting its status;
//   - kill(2): kill(-1, sig) signals every process the caller may signal
//     except init and the caller itself;
//   - pid_namespaces(7): when init terminates, every other process in the
//     namespace is killed with SIGKILL, so the run ends with init's exit
//     status even though children are still blocked (no deadlock report).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

int main(void) {
	printf("getpid()=%d getppid()=%d\n", getpid(), getppid());

	// 1. An orphan is adopted by pid 1.
	int gate[2], idp[2], seen[2], ready[2];
	pipe(ready);
	pipe(gate);
	pipe(idp);
	pipe(seen);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			close(gate[1]);
			close(seen[0]);
			pid_t before = getppid();
			write(ready[1], "r", 1); // now the child may exit
			char ch;
			read(gate[0], &ch, 1); // released after the child has been reaped
			printf("grandchild: parent was the child: %d, now getppid()=%d\n", before != 1, getppid());
			fflush(stdout);
			write(seen[1], "s", 1);
			read(gate[0], &ch, 1); // EOF: time to go
			_exit(42);
		}
		write(idp[1], &g, sizeof g);
		char ch;
		read(ready[0], &ch, 1);
		_exit(7);
	}
	close(seen[1]);
	pid_t g;
	read(idp[0], &g, sizeof g);
	int st;
	pid_t w = waitpid(c, &st, 0);
	printf("init: reaped the child: %d, code %d\n", w == c, WEXITSTATUS(st));
	w = waitpid(-1, &st, WNOHANG);
	printf("init: waitpid(-1, WNOHANG) while the orphan lives: %d\n", (int)w);
	fflush(stdout);
	write(gate[1], "g", 1);
	char ch;
	read(seen[0], &ch, 1);
	close(gate[1]);
	w = waitpid(-1, &st, 0);
	printf("init: waitpid(-1) reaped the orphan: %d, code %d\n", w == g, WEXITSTATUS(st));
	errno = 0;
	w = wait(NULL);
	printf("init: then %d %s\n", (int)w, ename(errno));
	close(gate[0]);
	close(idp[0]);
	close(idp[1]);
	close(seen[0]);
	close(ready[0]);
	close(ready[1]);

	// 2. kill(-1, SIGTERM) reaches every other process, not init.
	int block[2];
	pipe(block);
	for (int i = 0; i < 3; i++) {
		fflush(stdout);
		if (fork() == 0) {
			char x;
			read(block[0], &x, 1);
			_exit(0);
		}
	}
	errno = 0;
	int r = kill(-1, SIGTERM);
	printf("init: kill(-1, SIGTERM) = %d %s\n", r, ename(errno));
	int killed = 0;
	for (int i = 0; i < 3; i++) {
		waitpid(-1, &st, 0);
		killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
	}
	printf("init: %d children killed by SIGTERM, init still here\n", killed);

	// 3. init exits while children and an orphan are blocked forever.
	fflush(stdout);
	if (fork() == 0) {
		if (fork() == 0) {
			char x;
			read(block[0], &x, 1);
			printf("never printed\n");
			_exit(0);
		}
		char x;
		read(block[0], &x, 1);
		printf("never printed\n");
		_exit(0);
	}
	printf("init: exiting with 3 while two processes are blocked\n");
	return 3;
}
