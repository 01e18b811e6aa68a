// /proc/sys/kernel/pid_max (proc(5)): root may set it from 301 to 4194304 (EINVAL
// otherwise; Linux's pid_max_min and PID_MAX_LIMIT on 64-bit machines). PIDs are handed
// out in increasing order; past pid_max - 1 the search starts again at 300
// (RESERVED_PIDS) and skips every ID still in use: a living process's, a zombie's, and
// a process group ID whose leader is gone but whose group still has a member.
// /proc/loadavg's last field is the last PID handed out.
// QEMU cannot be the oracle: the host's pid_max is not ours to change.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *path = "/proc/sys/kernel/pid_max";

static void set(const char *v)
{
	int fd = open(path, O_WRONLY);
	errno = 0;
	ssize_t r = write(fd, v, strlen(v));
	printf("write %-10s -> %s\n", v, r < 0 ? strerror(errno) : "ok");
	close(fd);
}

static long get(void)
{
	char buf[32] = {0};
	int fd = open(path, O_RDONLY);
	read(fd, buf, sizeof buf - 1);
	close(fd);
	return atol(buf);
}

// spawn forks a child that exits at once, reaps it and returns its PID.
static pid_t spawn(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

int main(void)
{
	printf("pid_max %ld\n", get());
	set("300");
	set("4194305");
	set("12x");
	set("400");
	printf("pid_max %ld\n", get());
	pid_t p = 0;
	while (p < 350)
		p = spawn();

	// A living child, blocked on a pipe, holds its PID.
	int hold[2];
	pipe(hold);
	pid_t live = fork();
	if (live == 0) {
		char c;
		close(hold[1]);
		read(hold[0], &c, 1);
		_exit(0);
	}
	close(hold[0]);
	// A zombie holds its PID until it is reaped.
	pid_t zombie = fork();
	if (zombie == 0)
		_exit(0);
	// A process group outlives its leader while a member is left.
	pid_t leader = fork();
	if (leader == 0) {
		setpgid(0, 0);
		if (fork() == 0)
			pause();
		_exit(0);
	}
	waitpid(leader, NULL, 0);
	printf("live, zombie and group leader are from 350 to 399: %d\n",
	       live >= 350 && zombie > live && leader > zombie && leader < 400);

	pid_t prev = spawn();
	int wraps = 0;
	int skipped_live = 1, skipped_zombie = 1, skipped_group = 1;
	while (wraps < 2) {
		p = spawn();
		if (p < prev) {
			printf("wrapped from %d to %d\n", prev, p);
			wraps++;
		}
		if (p >= 400 || p < 300)
			printf("pid %d is out of range\n", p);
		if (p == live)
			skipped_live = 0;
		if (p == zombie)
			skipped_zombie = 0;
		if (p == leader)
			skipped_group = 0;
		prev = p;
	}
	printf("skipped the living child's pid: %d\n", skipped_live);
	printf("skipped the zombie's pid: %d\n", skipped_zombie);
	printf("skipped the group whose leader is gone: %d\n", skipped_group);

	char buf[128] = {0};
	int fd = open("/proc/loadavg", O_RDONLY);
	read(fd, buf, sizeof buf - 1);
	close(fd);
	char *last = strrchr(buf, ' ');
	printf("/proc/loadavg's last pid is the last fork's: %d\n", last && atol(last + 1) == prev);

	// Reaped, the zombie's PID is free again.
	waitpid(zombie, NULL, 0);
	int reused = 0;
	for (int i = 0; i < 200 && !reused; i++)
		reused = spawn() == zombie;
	printf("the reaped zombie's pid is handed out again: %d\n", reused);
	set("4194304");
	kill(live, SIGKILL);
	kill(-leader, SIGKILL);
	waitpid(live, NULL, 0);
	return 0;
}
