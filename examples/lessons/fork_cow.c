// Lesson 3 (fork-cow): fork() gives the child a copy of the parent's memory, but
// copies nothing until someone writes ("copy-on-write"); exec() replaces a process's
// program; wait() collects a child's exit status.
//
//   fork_cow MIB      the parent fills MIB mebibytes, forks, and the child writes one
//                     byte of them; then the child runs this program again with exec,
//                     and the parent waits for it
//   fork_cow --exec   what the child runs after exec: it says hello and exits 7
//
// weft demo runs it with two sizes and compares what fork cost. Two getppid() calls
// around the child's single write are markers: weft demo counts the pages the
// kernel copied between them.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc == 2 && strcmp(argv[1], "--exec") == 0) {
		printf("exec'd child (pid %d): a new program image, argv[1]=%s; exiting with 7\n",
		       getpid(), argv[1]);
		return 7;
	}
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 4;
	size_t size = mib << 20;
	char *buf = malloc(size);
	if (buf == NULL) {
		perror("malloc");
		return 1;
	}
	memset(buf, 'p', size); // touch every page: the parent now has them all resident
	printf("parent: filled %zu MiB (%zu pages)\n", mib, size / 4096);
	fflush(stdout);

	pid_t pid = fork(); // no page is copied here
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		getppid();      // marker: the write starts
		buf[0] = 'c';   // the first write to a shared page: the kernel copies that page
		getppid();      // marker: the write is done
		printf("child: wrote buf[0]='%c'; the parent's buf[0] is still 'p'\n", buf[0]);
		fflush(stdout);
		char *args[] = {"/proc/self/exe", "--exec", NULL};
		execv("/proc/self/exe", args); // replace this program with a fresh copy of it
		perror("execv");
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	printf("parent: buf[0]='%c'; child %d exited with status %d\n", buf[0], pid,
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
