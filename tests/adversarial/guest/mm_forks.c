// A process that forks and reaps children without end must hold only the children
// alive (argv[1] forks, default 20000).
#include "adv.h"
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 20000;
	long reaped = 0;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(i & 0x7f);
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != (i & 0x7f))
			break;
		reaped++;
	}
	check(reaped == n, "forked and reaped %ld of %ld children", reaped, n);
	return done();
}
