// forkexec PROGRAM [vfork]: the parent forks (or vforks); the child reaches in_child()
// and execs PROGRAM (tests/gdb/execd, which prints its argument and exits 7); the
// parent reaches in_parent(), waits for the child and prints how it ended. gdb follows the child, keeps both
// processes, or catches the fork and the exec.
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int forks;

void in_child(void) {}

void in_parent(void) {}

int main(int argc, char **argv) {
	if (argc < 2)
		return 2;
	int use_vfork = argc > 2 && strcmp(argv[2], "vfork") == 0;
	forks++;
	pid_t pid = use_vfork ? vfork() : fork();
	if (pid == 0) {
		if (!use_vfork)
			in_child();
		execl(argv[1], "execd", "hello", (char *)NULL);
		_exit(127);
	}
	in_parent();
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return 3;
	printf("child %d exited with %d\n", (int)pid, WEXITSTATUS(status));
	return 0;
}
