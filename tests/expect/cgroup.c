// The cgroup v2 hierarchy (cgroups(7); Documentation/admin-guide/cgroup-v2.rst), as
// root: it is mounted at /sys/fs/cgroup as cgroup2; groups are made and removed with
// mkdir and rmdir (EBUSY while populated); a process moves by writing its PID to
// cgroup.procs, which lists it, and /proc/PID/cgroup names its group; a fork's child
// starts in its parent's group; cgroup.subtree_control hands controllers to the
// children (cgroup.controllers), under the no-internal-process rule (EBUSY); unknown
// controllers are EINVAL, ones the group lacks ENOENT; cgroup.kill kills the group;
// clone3's CLONE_INTO_CGROUP starts a child in the group a directory descriptor
// names, with its errors (EBADF, EBUSY, ENOENT, EINVAL); pids.max bounds forks
// (EAGAIN) and pids.events counts the refusals; a non-root writer gets EACCES.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup"

static const char *err(int e) { return e ? strerrorname_np(e) : "ok"; }

// put writes s to path in one write(2); it returns 0 or the errno.
static int put(const char *path, const char *s) {
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int r = write(fd, s, strlen(s)) < 0 ? errno : 0;
	close(fd);
	return r;
}

// get reads path into buf, without a trailing newline; "" and the errno on failure.
static const char *get(const char *path) {
	static char buf[4096];
	buf[0] = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return strerrorname_np(errno);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return strerrorname_np(errno);
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return buf;
}

// listed reports whether pid is a line of path (cgroup.procs).
static int listed(const char *path, int pid) {
	char want[32];
	snprintf(want, sizeof want, "%d", pid);
	char *s = strdup(get(path)), *save = NULL;
	int found = 0;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		found |= strcmp(l, want) == 0;
	free(s);
	return found;
}

static void pidput(const char *path, int pid, const char *what) {
	char s[32];
	snprintf(s, sizeof s, "%d", pid);
	printf("%s: %s\n", what, err(put(path, s)));
}

static int clone3_into(int cgfd, size_t size) {
	struct clone_args a;
	memset(&a, 0, sizeof a);
	a.flags = CLONE_INTO_CGROUP;
	a.exit_signal = SIGCHLD;
	a.cgroup = cgfd;
	return syscall(SYS_clone3, &a, size);
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	// The mount, as /proc/self/mounts lists it.
	FILE *m = fopen("/proc/self/mounts", "r");
	char line[512];
	int mounted = 0;
	while (fgets(line, sizeof line, m))
		mounted |= strncmp(line, "cgroup2 " CG " cgroup2 ", 16 + strlen(CG)) == 0;
	fclose(m);
	printf("cgroup2 at " CG ": %s\n", mounted ? "yes" : "no");
	printf("/proc/self/cgroup: %s\n", get("/proc/self/cgroup"));
	printf("root controllers: %s\n", get(CG "/cgroup.controllers"));
	printf("root self listed: %s\n", listed(CG "/cgroup.procs", getpid()) ? "yes" : "no");

	// A new group: no controllers yet, a domain, empty.
	printf("mkdir a: %s\n", err(mkdir(CG "/a", 0755) ? errno : 0));
	printf("mkdir a again: %s\n", err(mkdir(CG "/a", 0755) ? errno : 0));
	printf("a controllers: [%s]\n", get(CG "/a/cgroup.controllers"));
	printf("a type: %s\n", get(CG "/a/cgroup.type"));
	printf("a events: %s\n", get(CG "/a/cgroup.events"));
	printf("a memory.max before +memory: %s\n", get(CG "/a/memory.max"));
	printf("creat in a: %s\n", err(open(CG "/a/file", O_CREAT | O_WRONLY, 0644) < 0 ? errno : 0));

	// Controllers for the root's children.
	printf("+memory +pids: %s\n", err(put(CG "/cgroup.subtree_control", "+memory +pids")));
	printf("root subtree_control: %s\n", get(CG "/cgroup.subtree_control"));
	printf("a controllers: %s\n", get(CG "/a/cgroup.controllers"));
	printf("a memory.max: %s\n", get(CG "/a/memory.max"));
	printf("a pids.max: %s\n", get(CG "/a/pids.max"));
	printf("+bogus: %s\n", err(put(CG "/a/cgroup.subtree_control", "+bogus")));
	printf("memory without sign: %s\n", err(put(CG "/a/cgroup.subtree_control", "memory")));

	// A child moves itself into a; its parent sees it there.
	int p[2], q[2];
	pipe(p);
	pipe(q);
	pid_t c = fork();
	if (c == 0) {
		printf("child moves itself: %s\n", err(put(CG "/a/cgroup.procs", "0")));
		printf("child /proc/self/cgroup: %s\n", get("/proc/self/cgroup"));
		pid_t g = fork();
		if (g == 0) {
			printf("grandchild /proc/self/cgroup: %s\n", get("/proc/self/cgroup"));
			_exit(0);
		}
		waitpid(g, NULL, 0);
		write(p[1], "x", 1);
		char b;
		read(q[0], &b, 1);
		_exit(0);
	}
	char b;
	read(p[0], &b, 1);
	printf("a lists child: %s\n", listed(CG "/a/cgroup.procs", c) ? "yes" : "no");
	printf("root lists child: %s\n", listed(CG "/cgroup.procs", c) ? "yes" : "no");
	printf("a events: %s\n", get(CG "/a/cgroup.events"));
	printf("a pids.current: %s\n", get(CG "/a/pids.current"));
	printf("rmdir a while populated: %s\n", err(rmdir(CG "/a") ? errno : 0));
	write(q[1], "x", 1);
	waitpid(c, NULL, 0);
	printf("a events after exit: %s\n", get(CG "/a/cgroup.events"));
	printf("a procs after exit: [%s]\n", get(CG "/a/cgroup.procs"));
	printf("rmdir a: %s\n", err(rmdir(CG "/a") ? errno : 0));
	printf("rmdir a again: %s\n", err(rmdir(CG "/a") ? errno : 0));

	// The no-internal-process rule.
	mkdir(CG "/b", 0755);
	mkdir(CG "/b/c", 0755);
	pidput(CG "/b/cgroup.procs", getpid(), "self into b");
	printf("+memory in b with a process: %s\n", err(put(CG "/b/cgroup.subtree_control", "+memory")));
	pidput(CG "/cgroup.procs", getpid(), "self back to root");
	printf("+memory in b: %s\n", err(put(CG "/b/cgroup.subtree_control", "+memory")));
	printf("b/c controllers: %s\n", get(CG "/b/c/cgroup.controllers"));
	printf("+pids in b/c: %s\n", err(put(CG "/b/c/cgroup.subtree_control", "+pids")));
	pidput(CG "/b/cgroup.procs", getpid(), "self into b now");
	printf("+memory in b/c: %s\n", err(put(CG "/b/c/cgroup.subtree_control", "+memory")));
	printf("-memory in b: %s\n", err(put(CG "/b/cgroup.subtree_control", "-memory")));
	printf("-memory in b/c: %s\n", err(put(CG "/b/c/cgroup.subtree_control", "-memory")));
	printf("-memory in b: %s\n", err(put(CG "/b/cgroup.subtree_control", "-memory")));
	printf("pid 99999 into b/c: %s\n", err(put(CG "/b/c/cgroup.procs", "99999")));
	printf("rmdir b with a child: %s\n", err(rmdir(CG "/b") ? errno : 0));

	// cgroup.kill.
	mkdir(CG "/d", 0755);
	c = fork();
	if (c == 0) {
		put(CG "/d/cgroup.procs", "0");
		write(p[1], "x", 1);
		for (;;)
			pause();
	}
	read(p[0], &b, 1);
	printf("kill 0: %s\n", err(put(CG "/d/cgroup.kill", "0")));
	printf("kill 1: %s\n", err(put(CG "/d/cgroup.kill", "1")));
	int st;
	waitpid(c, &st, 0);
	printf("killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);

	// clone3 with CLONE_INTO_CGROUP.
	mkdir(CG "/e", 0755);
	int efd = open(CG "/e", O_PATH | O_DIRECTORY);
	c = clone3_into(efd, sizeof(struct clone_args));
	if (c == 0) {
		printf("clone3 child /proc/self/cgroup: %s\n", get("/proc/self/cgroup"));
		_exit(0);
	}
	int e = c > 0 ? 0 : errno;
	waitpid(c, NULL, 0);
	printf("clone3 into e: %s\n", err(e));
	printf("clone3 bad fd: %s\n", err(clone3_into(1000, sizeof(struct clone_args)) < 0 ? errno : 0));
	int ffd = open(CG "/e/cgroup.procs", O_RDONLY);
	printf("clone3 file fd: %s\n", err(clone3_into(ffd, sizeof(struct clone_args)) < 0 ? errno : 0));
	close(ffd);
	printf("clone3 short args: %s\n", err(clone3_into(efd, 64) < 0 ? errno : 0));
	int bfd = open(CG "/b", O_PATH | O_DIRECTORY);
	printf("+memory in b again: %s\n", err(put(CG "/b/cgroup.subtree_control", "+memory")));
	c = clone3_into(bfd, sizeof(struct clone_args));
	if (c == 0)
		_exit(0);
	printf("clone3 into b (has controllers): %s\n", err(c < 0 ? errno : 0));
	rmdir(CG "/e");
	printf("clone3 into removed e: %s\n", err(clone3_into(efd, sizeof(struct clone_args)) < 0 ? errno : 0));
	printf("mkdir in removed e: %s\n", err(mkdirat(efd, "x", 0755) ? errno : 0));
	close(efd);
	close(bfd);

	// pids.max.
	mkdir(CG "/f", 0755);
	put(CG "/f/pids.max", "2");
	printf("f pids.max: %s\n", get(CG "/f/pids.max"));
	c = fork();
	if (c == 0) {
		put(CG "/f/cgroup.procs", "0");
		pid_t g = fork();
		if (g == 0) {
			read(q[0], &b, 1);
			_exit(0);
		}
		printf("first fork in f: %s\n", g > 0 ? "ok" : err(errno));
		printf("f pids.current: %s\n", get(CG "/f/pids.current"));
		pid_t h = fork();
		if (h == 0)
			_exit(0);
		printf("second fork in f: %s\n", h > 0 ? "ok" : err(errno));
		write(q[1], "x", 1);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	printf("f pids.events: %s\n", get(CG "/f/pids.events"));
	printf("pids.max -1: %s\n", err(put(CG "/f/pids.max", "-1")));

	// A user other than root may not write root's groups' files.
	c = fork();
	if (c == 0) {
		setuid(1000);
		printf("uid 1000 moves itself: %s\n", err(put(CG "/f/cgroup.procs", "0")));
		printf("uid 1000 mkdir: %s\n", err(mkdir(CG "/g", 0755) ? errno : 0));
		_exit(0);
	}
	waitpid(c, NULL, 0);

	pidput(CG "/cgroup.procs", getpid(), "self back to root");
	const char *dirs[] = {CG "/b/c", CG "/b", CG "/d", CG "/f"};
	for (int i = 0; i < 4; i++)
		printf("rmdir %s: %s\n", dirs[i] + strlen(CG) + 1, err(rmdir(dirs[i]) ? errno : 0));
	printf("root children left: %s\n", get(CG "/cgroup.stat"));
	return 0;
}
