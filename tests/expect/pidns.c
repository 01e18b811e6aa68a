// PID namespaces (pid_namespaces(7)), run as root: unshare(CLONE_NEWPID) leaves the
// caller where it is (a second one is EINVAL until a child enters the first) and puts
// its next child in a new namespace as its init (pid 1, parent 0); the init's children
// are 2, 3...; the parent's /proc/PID/status of the init has two pids on its NSpid line,
// ours for it and its own, 1; an orphan in the namespace is adopted by its init, which
// reaps it; from inside the namespace the init ignores signals it has no handler for,
// even SIGKILL (kill still returns 0); when the init exits, every other process in the
// namespace is killed, and a later fork into the dead namespace fails with ENOMEM;
// setns(2) with our own /proc/self/ns/pid makes it the namespace for children again
// (EINVAL with another namespace type). clone3: CLONE_NEWPID with set_tid (pids per
// level from the child's namespace up; EEXIST for a pid in use, EINVAL for more pids
// than levels and for a pid other than 1 where there is no init yet); a signal sent from
// outside shows si_pid 0 in the namespace, and a blocked one reaches its init even
// without a handler (sigwaitinfo). QEMU cannot be the oracle: it cannot run clone3,
// and the host's namespaces are not ours to make.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

// nspid prints how many pids /proc/PID/status lists on its NSpid line, and the last
// (the one in the process's own namespace).
static void nspid(const char *who, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	char line[256];
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		int n = 0;
		long last = -1;
		for (char *tok = strtok(line + 6, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
			n++;
			last = atol(tok);
		}
		printf("%s: NSpid has %d pids, own %ld\n", who, n, last);
	}
	if (f)
		fclose(f);
}

static int init_main(int report, int start)
{
	char go;
	read(start, &go, 1); // the parent has looked at our /proc/PID/status
	printf("init: pid %d ppid %d\n", getpid(), getppid());
	fflush(stdout);

	// An orphan: a middle process forks a grandchild and exits; the grandchild is
	// adopted by the init and waits until it sees that.
	int ready[2];
	pipe(ready);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0) {
			char c;
			read(ready[0], &c, 1); // the middle process has been reaped
			printf("orphan: pid %d ppid %d\n", getpid(), getppid());
			fflush(stdout);
			_exit(7);
		}
		printf("middle: pid %d forked %d\n", getpid(), g);
		fflush(stdout);
		_exit(0);
	}
	int st;
	pid_t w = waitpid(mid, &st, 0);
	printf("init: reaped middle %d status %d\n", w, WEXITSTATUS(st));
	fflush(stdout);
	write(ready[1], "x", 1);
	w = wait(&st); // the orphan, now the init's child
	printf("init: reaped orphan %d status %d\n", w, WEXITSTATUS(st));

	// Signals from inside the namespace: the init has no handlers.
	pid_t k = fork();
	if (k == 0) {
		errno = 0;
		int r1 = kill(1, SIGTERM);
		int r2 = kill(1, SIGKILL);
		printf("killer: kill(1, SIGTERM) = %d, kill(1, SIGKILL) = %d\n", r1, r2);
		fflush(stdout);
		_exit(0);
	}
	waitpid(k, &st, 0);
	printf("init: still alive after the killer\n");
	fflush(stdout);

	// A process that would run forever: it dies with the init. It keeps the write
	// end of the report pipe open until then.
	pid_t s = fork();
	if (s == 0) {
		for (;;)
			pause();
	}
	printf("init: sleeper is %d; exiting\n", s);
	fflush(stdout);
	close(report);
	return 3;
}

static long clone3(uint64_t flags, pid_t *set_tid, size_t n)
{
	struct clone_args a = { .flags = flags, .exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)set_tid, .set_tid_size = n };
	return syscall(SYS_clone3, &a, sizeof a);
}

// clone3 with CLONE_NEWPID, and set_tid choosing the child's pids: 1 in its new
// namespace, 500 in ours; a pid in use is EEXIST, more pids than levels EINVAL, a
// number other than 1 in a namespace with no init yet EINVAL. A signal from outside
// the namespace shows si_pid 0 there; waitid shows the child as we number it.
static void clone3_part(void)
{
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	int go[2];
	pipe(go);
	pid_t tids[] = {1, 500};
	long c = clone3(CLONE_NEWPID, tids, 2);
	if (c == 0) {
		siginfo_t si;
		sigwaitinfo(&usr1, &si);
		printf("clone3 child: pid %d ppid %d, SIGUSR1 from si_pid %d\n", getpid(), getppid(), si.si_pid);
		fflush(stdout);
		_exit(4);
	}
	printf("clone3(CLONE_NEWPID, set_tid {1, 500}) = %ld\n", c);
	pid_t in_use[] = {500};
	errno = 0;
	printf("clone3(set_tid {500}) = %ld %s\n", clone3(0, in_use, 1), ename(errno));
	pid_t three[] = {1, 2, 3};
	errno = 0;
	printf("clone3(CLONE_NEWPID, set_tid of 3) = %ld %s\n", clone3(CLONE_NEWPID, three, 3), ename(errno));
	pid_t no_init[] = {4, 600};
	errno = 0;
	printf("clone3(CLONE_NEWPID, set_tid {4, 600}) = %ld %s\n", clone3(CLONE_NEWPID, no_init, 2), ename(errno));
	fflush(stdout);
	kill(c, SIGUSR1);
	siginfo_t si;
	waitid(P_PID, c, &si, WEXITED);
	printf("waitid: si_pid %d status %d\n", si.si_pid, si.si_status);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pid_t me = getpid();
	if (unshare(CLONE_NEWPID) != 0) {
		printf("unshare(CLONE_NEWPID): %s\n", ename(errno));
		return 1;
	}
	printf("after unshare: getpid unchanged %d\n", getpid() == me);
	errno = 0;
	printf("unshare(CLONE_NEWPID) again: %d %s\n", unshare(CLONE_NEWPID), ename(errno));
	fflush(stdout);

	int report[2], start[2];
	pipe(report);
	pipe(start);
	pid_t init = fork();
	if (init == 0) {
		close(report[0]);
		_exit(init_main(report[1], start[0]));
	}
	close(report[1]);
	nspid("parent: init's", init); // our pid for it, then its own: 1
	write(start[1], "x", 1);
	int st;
	pid_t w = waitpid(init, &st, 0);
	printf("parent: init exited %d, status %d\n", w == init, WEXITSTATUS(st));
	printf("parent: init has a pid of its own here: %d\n", init > 1);
	// The sleeper held the pipe's write end: EOF means it is gone too.
	char c;
	ssize_t n = read(report[0], &c, 1);
	printf("parent: pipe read %zd (sleeper killed)\n", n);
	errno = 0;
	pid_t again = fork();
	if (again == 0)
		_exit(0);
	printf("parent: fork into the dead namespace: %d %s\n", again, ename(errno));
	if (again > 0)
		waitpid(again, NULL, 0);

	// setns(2) to the caller's own namespace makes it the one for children again.
	int nsfd = open("/proc/self/ns/pid", O_RDONLY);
	errno = 0;
	printf("setns(own pid namespace) = %d %s\n", setns(nsfd, CLONE_NEWPID), ename(errno));
	errno = 0;
	printf("setns(it, CLONE_NEWNET) = %d %s\n", setns(nsfd, CLONE_NEWNET), ename(errno));
	close(nsfd);
	fflush(stdout);
	clone3_part();
	return 0;
}
