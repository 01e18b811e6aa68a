// The environment across fork(2): the child starts with a copy of the
// parent's environment; setenv/unsetenv/putenv/clearenv in the child do not
// affect the parent, and the parent's changes after the fork do not reach
// the child.  The two sides are sequenced with pipes.  Also the current
// directory and umask, which are copied the same way.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *val(const char *name) {
	const char *v = getenv(name);
	return v ? v : "(unset)";
}

static int count(void) {
	int n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	return n;
}

static void show(const char *who) {
	printf("%s: HOME=%s WEFT_A=%s WEFT_B=%s WEFT_C=%s PATH=%s count=%d\n", who, val("HOME"), val("WEFT_A"),
	       val("WEFT_B"), val("WEFT_C"), val("PATH"), count());
}

static void sync_write(int fd) {
	fflush(stdout);
	write(fd, "s", 1);
}

static void sync_read(int fd) {
	char c;
	read(fd, &c, 1);
}

int main(void) {
	setenv("WEFT_A", "parent-a", 1);
	setenv("WEFT_B", "parent-b", 1);
	show("parent before fork");
	int p2c[2], c2p[2];
	pipe(p2c);
	pipe(c2p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		show("child at start");
		setenv("WEFT_A", "child-a", 1);
		unsetenv("WEFT_B");
		setenv("WEFT_C", "child-c", 0);
		static char put[] = "HOME=/child/home";
		putenv(put);
		show("child after its changes");
		sync_write(c2p[1]);
		sync_read(p2c[0]);
		show("child after the parent's changes");
		clearenv();
		show("child after clearenv");
		setenv("ONLY", "one", 1);
		printf("child: environ now: %s (count %d)\n", environ[0], count());
		sync_write(c2p[1]);
		sync_read(p2c[0]);
		exit(0);
	}
	sync_read(c2p[0]);
	show("parent after the child's changes");
	setenv("WEFT_B", "parent-b2", 1);
	setenv("WEFT_C", "parent-c", 1);
	unsetenv("PATH");
	show("parent after its changes");
	sync_write(p2c[1]);
	sync_read(c2p[0]);
	show("parent after the child's clearenv");
	sync_write(p2c[1]);
	int st;
	waitpid(pid, &st, 0);
	printf("child exited with %d\n", WEXITSTATUS(st));

	// Working directory and umask are per process too.
	chdir("/tmp");
	umask(027);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char cwd[256];
		mode_t old = umask(077);
		printf("child: cwd=%s umask=%03o\n", getcwd(cwd, sizeof cwd), (unsigned)old);
		chdir("/");
		printf("child: after chdir: %s\n", getcwd(cwd, sizeof cwd));
		exit(0);
	}
	waitpid(pid, &st, 0);
	char cwd[256];
	mode_t old = umask(022);
	printf("parent: cwd=%s umask=%03o\n", getcwd(cwd, sizeof cwd), (unsigned)old);
	return 0;
}
