// RLIMIT_NICE and unprivileged nice values; run as root (--uid 0 --gid 0)
// so that the limit can be set up, then as uid 1000 after dropping
// privileges.
//
// Man page rules checked:
//   getrlimit(2) RLIMIT_NICE: "a ceiling to which the process's nice value
//     can be raised using setpriority(2) or nice(2).  The actual ceiling
//     for the nice value is calculated as 20 - rlim_cur."  So with
//     RLIMIT_NICE 25 an unprivileged process may go down to nice -5 but
//     not -6; with 20, to 0.
//   setpriority(2): lowering the nice value below what the limit allows
//     needs CAP_SYS_NICE: EACCES; raising it is always allowed.  nice(2)
//     (glibc) reports that failure as EPERM.
//   setrlimit(2): an unprivileged process cannot raise a hard limit (EPERM).
//   A new process starts with its parent's nice value and limits.
//   The default RLIMIT_NICE of the first process is 0 (Linux's
//   INIT_RLIMITS; what an unprivileged process without a PAM limit gets),
//   under which an unprivileged process can never lower its nice value.
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void setp(int v) {
	errno = 0;
	int r = setpriority(PRIO_PROCESS, 0, v);
	int e = errno;
	printf("setpriority(%d): %d %s -> nice %d\n", v, r, ename(e), getpriority(PRIO_PROCESS, 0));
}

static void lim(rlim_t cur, rlim_t max) {
	struct rlimit rl = {cur, max};
	errno = 0;
	int r = setrlimit(RLIMIT_NICE, &rl);
	int e = errno;
	printf("setrlimit(RLIMIT_NICE, %lu, %lu): %d %s\n", (unsigned long)cur, (unsigned long)max, r, ename(e));
}

int main(void) {
	struct rlimit rl;
	getrlimit(RLIMIT_NICE, &rl);
	printf("default RLIMIT_NICE: soft %s, hard %s\n",
	       rl.rlim_cur == RLIM_INFINITY ? "unlimited" : rl.rlim_cur == 0 ? "0" : "other",
	       rl.rlim_max == RLIM_INFINITY ? "unlimited" : rl.rlim_max == 0 ? "0" : "other");

	// With the default limit, an unprivileged child cannot lower its nice value.
	fflush(stdout);
	if (fork() == 0) {
		setresuid(1000, 1000, 1000);
		printf("child as uid 1000 with the default limit:\n");
		setp(5);
		setp(4);
		exit(0);
	}
	wait(NULL);

	lim(25, 25);
	setgroups(0, NULL);
	setresgid(1000, 1000, 1000);
	setresuid(1000, 1000, 1000);
	printf("now uid %d\n", getuid());
	setp(10);
	setp(-5);
	setp(-6);
	setp(-20);
	errno = 0;
	int n = nice(-1);
	printf("nice(-1) at -5: %d %s\n", n, ename(errno));
	setp(0);
	lim(25, 30);
	lim(20, 25);
	setp(-1);
	setp(0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child: starts at nice %d\n", getpriority(PRIO_PROCESS, 0));
		setp(19);
		setp(-1);
		setp(0);
		exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("parent: still at nice %d\n", getpriority(PRIO_PROCESS, 0));
	return 0;
}
