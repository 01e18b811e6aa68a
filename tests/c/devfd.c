// /dev/stdin, /dev/stdout, /dev/stderr and /dev/fd/N, and reopening an open file
// through /proc/self/fd/N (proc(5): the fd links are "magic": opening one opens the
// file itself, even a pipe). Non-terminals are not ttys (isatty(3): TCGETS fails with
// ENOTTY) whatever they are — here stdin is /dev/null — and TIOCGPGRP on one is ENOTTY.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void say(int fd, const char *what) { write(fd, what, strlen(what)); }

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	FILE *f = fopen("/dev/stdout", "w");
	fprintf(f, "through fopen(/dev/stdout)\n");
	fclose(f);
	int fd = open("/dev/stderr", O_WRONLY);
	say(fd, "through open(/dev/stderr)\n");
	close(fd);
	fd = open("/dev/fd/1", O_WRONLY | O_APPEND);
	say(fd, "through open(/dev/fd/1)\n");
	close(fd);

	char buf[64];
	ssize_t n = readlink("/dev/stdin", buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("/dev/stdin -> %s\n", buf);
	struct stat st;
	printf("/dev/fd is a symlink: %d\n", lstat("/dev/fd", &st) == 0 && S_ISLNK(st.st_mode));

	int p[2];
	pipe(p);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	fd = open(path, O_WRONLY);
	printf("reopen the pipe's write end: %s\n", fd >= 0 ? "ok" : strerror(errno));
	say(fd, "via /proc/self/fd");
	close(fd);
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("read from the pipe: %s\n", buf);
	snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
	fd = open(path, O_RDONLY);
	printf("reopen the read end: %s, then read: %zd\n", fd >= 0 ? "ok" : strerror(errno), read(fd, buf, 1));

	fd = open("/dev/stdin", O_RDONLY);
	printf("reopen stdin: %s, read: %zd\n", fd >= 0 ? "ok" : strerror(errno), read(fd, buf, 1));
	fd = open("/proc/self/fd/99", O_RDONLY);
	printf("a closed fd: %s\n", fd >= 0 ? "opened" : strerrorname_np(errno));

	for (int i = 0; i < 3; i++)
		printf("isatty(%d) = %d\n", i, isatty(i));
	pid_t pg;
	int r = ioctl(0, TIOCGPGRP, &pg);
	printf("TIOCGPGRP on stdin: %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	return 0;
}
