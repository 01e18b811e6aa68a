// Nice values (nice(2), getpriority(2), setpriority(2)), printed relative
// to the starting value, which the host may have set (nice go test; up
// to nice 12 nothing here reaches the limits before nice(100) does).
// RLIMIT_NICE is first set to 0 so that lowering the nice value needs
// privilege whatever the host's limit was: then only the real UID 0
// decides, and the harness runs weft with the host's IDs.  A child's
// nice value starts at its parent's; changes in the child are visible to
// the parent through getpriority(PRIO_PROCESS, pid) and do not affect it.
// PRIO_PGRP is used only in a child that leads its own group; PRIO_USER is
// not used (it would see the host user's other processes under qemu).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static int base;

static int prio(int which, id_t who) {
	errno = 0;
	int p = getpriority(which, who);
	return p;
}

static void show(const char *label, int which, id_t who) {
	int p = prio(which, who);
	if (p == -1 && errno)
		printf("%s: -1 %s\n", label, ename(errno));
	else
		printf("%s: base%+d\n", label, p - base);
}

static int clampnice(int v) { return v < -20 ? -20 : v > 19 ? 19 : v; }

int main(void) {
	struct rlimit rl = {0, 0};
	printf("setrlimit(RLIMIT_NICE, 0): %d\n", setrlimit(RLIMIT_NICE, &rl));
	int root = getuid() == 0;
	printf("real uid is 0: %d\n", root);
	errno = 0;
	base = nice(0);
	printf("nice(0) succeeded: %d, equals getpriority: %d\n", !(base == -1 && errno), base == prio(PRIO_PROCESS, 0));
	printf("base is in range: %d\n", base >= -20 && base <= 19);
	show("getpriority(PRIO_PROCESS, 0)", PRIO_PROCESS, 0);
	show("getpriority(PRIO_PROCESS, getpid())", PRIO_PROCESS, (id_t)getpid());
	errno = 0;
	int n = nice(5);
	printf("nice(5): base%+d (expected base%+d)\n", n - base, clampnice(base + 5) - base);
	show("getpriority after nice(5)", PRIO_PROCESS, 0);
	int cur = prio(PRIO_PROCESS, 0);
	errno = 0;
	int r = setpriority(PRIO_PROCESS, 0, cur - 1);
	printf("setpriority one lower: %d %s\n", r, r < 0 ? ename(errno) : "");
	show("after that", PRIO_PROCESS, 0);
	errno = 0;
	r = setpriority(PRIO_PROCESS, 0, cur + 2);
	printf("setpriority two higher: %d %s\n", r, r < 0 ? ename(errno) : "");
	show("after that", PRIO_PROCESS, 0);
	errno = 0;
	n = nice(100);
	printf("nice(100): %d (clamped to 19) errno=%s\n", n, ename(errno));
	printf("getpriority: %d\n", prio(PRIO_PROCESS, 0));
	errno = 0;
	r = setpriority(PRIO_PROCESS, 0, 50);
	printf("setpriority(50): %d %s", r, ename(errno));
	printf(", now %d\n", prio(PRIO_PROCESS, 0));
	errno = 0;
	n = nice(-1);
	printf("nice(-1) at 19: %s\n", n == -1 && errno ? ename(errno) : "ok");
	printf("now %d\n", prio(PRIO_PROCESS, 0));
	errno = 0;
	r = setpriority(PRIO_PROCESS, 0, -25);
	printf("setpriority(-25): %d %s\n", r, r < 0 ? ename(errno) : "");
	int now = prio(PRIO_PROCESS, 0);
	printf("now is -20 (root) or 19 (others): %d\n", now == (root ? -20 : 19));
	if (root) // go back to where a non-root process would be
		setpriority(PRIO_PROCESS, 0, 19);

	errno = 0;
	r = setpriority(42, 0, 0);
	printf("setpriority(bad which): %d %s\n", r, ename(errno));
	errno = 0;
	r = getpriority(42, 0);
	printf("getpriority(bad which): %d %s\n", r, ename(errno));

	// A child: inherits 19; lowers itself as far as it may; the parent sees it.
	int go[2], done[2];
	pipe(go);
	pipe(done);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(done[0]);
		printf("child: starts at %d\n", prio(PRIO_PROCESS, 0));
		setpgid(0, 0);
		printf("child: PRIO_PGRP of its own group: %d\n", prio(PRIO_PGRP, 0));
		errno = 0;
		r = setpriority(PRIO_PGRP, 0, 15);
		printf("child: setpriority(PRIO_PGRP, 0, 15): %d %s -> %d\n", r, r < 0 ? ename(errno) : "",
		       prio(PRIO_PROCESS, 0));
		if (root)
			setpriority(PRIO_PROCESS, 0, 19);
		errno = 0;
		r = setpriority(PRIO_PROCESS, 0, 17);
		printf("child: setpriority(17): %d %s\n", r, r < 0 ? ename(errno) : "");
		fflush(stdout);
		write(done[1], "d", 1);
		char c;
		read(go[0], &c, 1);
		exit(0);
	}
	close(go[0]);
	close(done[1]);
	char c;
	read(done[0], &c, 1);
	printf("parent: child's priority: %d, ours: %d\n", prio(PRIO_PROCESS, (id_t)pid), prio(PRIO_PROCESS, 0));
	errno = 0;
	r = setpriority(PRIO_PROCESS, (id_t)pid, 18);
	printf("parent: setpriority(child, 18): %d %s -> child %d\n", r, r < 0 ? ename(errno) : "",
	       prio(PRIO_PROCESS, (id_t)pid));
	close(go[1]);
	waitpid(pid, NULL, 0);
	show("parent: getpriority(reaped child)", PRIO_PROCESS, (id_t)pid);
	errno = 0;
	r = setpriority(PRIO_PROCESS, (id_t)pid, 19);
	printf("parent: setpriority(reaped child): %d %s\n", r, ename(errno));
	return 0;
}
