// forker: the parent forks; the child starts a thread named "kid-worker" and both of
// the child's threads wait on a pipe; the parent, once the child says it is ready,
// reaches checkpoint() (where gdb stops it) and then releases and reaps the child.
// gdb's `info threads` at checkpoint() lists the threads of both processes.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int ready[2], release[2];

static void *worker(void *arg) {
	(void)arg;
	char c;
	return read(release[0], &c, 1) == 1 ? NULL : NULL;
}

void checkpoint(void) {}

int main(void) {
	if (pipe(ready) || pipe(release))
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, worker, NULL);
		pthread_setname_np(t, "kid-worker");
		if (write(ready[1], "r", 1) != 1)
			return 2;
		char c;
		if (read(release[0], &c, 1) != 1)
			return 3;
		pthread_join(t, NULL);
		return 0;
	}
	char c;
	if (read(ready[0], &c, 1) != 1)
		return 4;
	checkpoint();
	if (write(release[1], "gg", 2) != 2)
		return 5;
	int status;
	waitpid(pid, &status, 0);
	printf("child %d exited with %d\n", (int)pid, WEXITSTATUS(status));
	return 0;
}
