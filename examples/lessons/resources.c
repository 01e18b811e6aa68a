// Lesson 2 (resources): open files, the environment and credentials belong to a
// process.
//
// weft demo runs this program as root (weft run --uid 0). The parent opens a log
// file, creates a file only root may read, and sets GREETING. Its child gets copies
// of all three at fork() and then changes its copies: it closes the log and opens
// another file (which gets the same descriptor number), sets GREETING to something
// else, and gives up root with setuid(1000). After that the kernel refuses it the
// root-only file. When the child has exited, the parent looks again: its descriptor,
// its variable and its identity are as they were.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

// show prints what this process has: its open descriptors (read back from
// /proc/self/fd), GREETING, and its user IDs.
static void show(const char *who) {
	printf("%s: fds", who);
	for (int fd = 0; fd < 10; fd++) {
		char link[64], target[256];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n < 0)
			continue;
		target[n] = 0;
		if (fd > 2) // 0-2 are the terminal in every process
			printf(" %d=%s", fd, target);
	}
	printf(", GREETING=%s, uid=%d euid=%d\n", getenv("GREETING"), getuid(), geteuid());
}

// try_secret opens the root-only file and says whether the kernel allowed it.
static void try_secret(const char *who) {
	int fd = open("/tmp/secret", O_RDONLY);
	if (fd < 0) {
		printf("%s: open /tmp/secret: %s\n", who, strerrorname_np(errno));
		return;
	}
	printf("%s: open /tmp/secret: allowed\n", who);
	close(fd);
}

int main(void) {
	int log = open("/tmp/parent.log", O_CREAT | O_WRONLY | O_TRUNC, 0644); // fd 3
	int secret = open("/tmp/secret", O_CREAT | O_WRONLY | O_TRUNC, 0600);  // root only
	if (log < 0 || secret < 0) {
		perror("open");
		return 1;
	}
	write(secret, "root only\n", 10);
	close(secret);
	setenv("GREETING", "hello", 1);
	show("parent");
	fflush(stdout);

	pid_t pid = fork();
	if (pid == 0) {
		close(log);                                   // the child's fd 3 only
		int other = open("/tmp/child.log", O_CREAT | O_WRONLY, 0644);
		(void)other;                                  // the lowest free number: 3 again
		setenv("GREETING", "bonjour", 1);             // the child's copy of the environment
		if (setuid(1000) != 0)                        // drop root for good
			perror("setuid");
		show("child ");
		try_secret("child ");
		return 0;
	}
	int status;
	waitpid(pid, &status, 0);
	show("parent");
	try_secret("parent");
	return 0;
}
