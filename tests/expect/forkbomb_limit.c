// A bounded fork bomb under RLIMIT_NPROC, as weft's default user: every
// process tries to fork three children, down to depth 4 (up to 121
// processes), with RLIMIT_NPROC at 8.  Nobody exits before every process
// has finished its fork attempts, so exactly 7 forks succeed however the
// scheduler interleaves them and every failure is EAGAIN (getrlimit(2),
// fork(2)); afterwards every process reaps its own children, and the top
// process ends with ECHILD and exit status 0.
//
// Bookkeeping (so that "everyone is done" is known without races): a
// parent writes 'c' on the report pipe for each child it created, before
// it writes its own 'd' (done forking), and a failure writes 'f' (or 'x'
// for an errno other than EAGAIN).  An announced process that is not done
// is always a parent of any unannounced one, so once the top process has
// read as many 'd' as processes were announced (plus itself), all are
// done.  It then closes the gate pipe; everyone blocked on it sees EOF,
// reaps its children and exits.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

enum { FANOUT = 3, DEPTH = 4, LIMIT = 8 };

static int report[2], gate[2];

static void note(char c) { write(report[1], &c, 1); }

// run is one process of the tree at the given depth; the top has depth 0.
static int run(int depth) {
	pid_t kids[FANOUT];
	int n = 0;
	if (depth < DEPTH) {
		for (int i = 0; i < FANOUT; i++) {
			pid_t pid = fork();
			if (pid < 0) {
				note(errno == EAGAIN ? 'f' : 'x');
				continue;
			}
			if (pid == 0) {
				close(gate[1]);
				_exit(run(depth + 1));
			}
			kids[n++] = pid;
			note('c');
		}
	}
	note('d');
	if (depth == 0)
		return n;
	char c;
	read(gate[0], &c, 1); // EOF when the top process says so
	int bad = 0;
	for (int i = 0; i < n; i++) {
		int st;
		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	if (wait(NULL) != -1 || errno != ECHILD)
		bad++;
	return bad ? 1 : 0;
}

int main(void) {
	struct rlimit rl = {LIMIT, LIMIT};
	printf("setrlimit(RLIMIT_NPROC, %d): %d\n", LIMIT, setrlimit(RLIMIT_NPROC, &rl));
	pipe(report);
	pipe(gate);
	fflush(stdout);
	int direct = run(0);
	long announced = 1, done = 0, failed = 0, other = 0;
	while (done < announced) {
		char c;
		if (read(report[0], &c, 1) != 1) {
			printf("report pipe ended early\n");
			return 1;
		}
		switch (c) {
		case 'c': announced++; break;
		case 'd': done++; break;
		case 'f': failed++; break;
		case 'x': other++; break;
		}
	}
	printf("processes created: %ld (the top one included: %ld)\n", announced - 1, announced);
	printf("the top process's own children: at least 1: %d\n", direct >= 1);
	printf("some fork failed with EAGAIN: %d, with something else: %ld\n", failed > 0, other);
	close(gate[1]);
	// Every child of the top process exits 0 once its subtree is reaped.
	int bad = 0, reaped = 0, st;
	pid_t w;
	while ((w = wait(&st)) > 0) {
		reaped++;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	printf("top reaped all its children: %d (all exited 0: %d), then %s\n", reaped == direct, bad == 0,
	       strerrorname_np(errno));
	// Everything is gone: the limit allows forks again.
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	printf("fork afterwards: %s\n", pid > 0 ? "ok" : strerrorname_np(errno));
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return 0;
}
