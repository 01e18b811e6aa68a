// Wait statuses (wait(2), waitid(2)): children that exit with 0, 1, 255,
// 256 (only the low 8 bits survive: 0) and -1 (255), return from main, and
// children killed by SIGKILL, SIGTERM, SIGSEGV, SIGABRT (raised with
// kill(getpid(), sig) or abort()) and by a signal from the parent while
// blocked in read.  For each: WIFEXITED/WEXITSTATUS/WIFSIGNALED/WTERMSIG.
// waitid: WEXITED|WNOWAIT leaves the child waitable, a second waitid reaps
// it, a third fails with ECHILD; WNOHANG with nothing to report returns 0.
// wait4 with a struct rusage succeeds (values not printed).  kill(pid, 0)
// on a live child, a zombie and a reaped child.  SIGCHLD set to SIG_IGN:
// children are reaped automatically and wait() fails with ECHILD.
// (A fault from a NULL store is tests/expect/wait_fault.c: weft reports
// faults on its own stderr, so that cannot be diffed against qemu.)
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void describe(const char *what, int st) {
	printf("%-24s WIFEXITED=%d", what, WIFEXITED(st));
	if (WIFEXITED(st))
		printf(" WEXITSTATUS=%d", WEXITSTATUS(st));
	printf(" WIFSIGNALED=%d", WIFSIGNALED(st));
	if (WIFSIGNALED(st))
		printf(" WTERMSIG=%d (%s)", WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
	printf(" WIFSTOPPED=%d\n", WIFSTOPPED(st));
}

// nocore makes a core-dumping signal leave no core file (and qemu print no
// "core dumped" message), whatever the host's ulimit -c says.
static void nocore(void) {
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl);
}

enum { EXIT0, EXIT1, EXIT255, EXIT256, EXITM1, RETURN, SIGKILL_SELF, SIGTERM_SELF, SIGSEGV_SELF,
       ABORT, SIGUSR1_SELF, NCASES };
static const char *names[NCASES] = {"exit(0)", "exit(1)", "exit(255)", "exit(256)", "exit(-1)",
                                    "return 7 from main", "kill(self, SIGKILL)", "kill(self, SIGTERM)",
                                    "kill(self, SIGSEGV)", "abort()", "kill(self, SIGUSR1)"};

static int as_main(void) { return 7; }

static void run_case(int c) {
	nocore();
	switch (c) {
	case EXIT0: exit(0);
	case EXIT1: exit(1);
	case EXIT255: exit(255);
	case EXIT256: exit(256);
	case EXITM1: exit(-1);
	case RETURN: exit(as_main());
	case SIGKILL_SELF: kill(getpid(), SIGKILL); break;
	case SIGTERM_SELF: kill(getpid(), SIGTERM); break;
	case SIGSEGV_SELF: kill(getpid(), SIGSEGV); break;
	case ABORT: abort();
	case SIGUSR1_SELF: kill(getpid(), SIGUSR1); break;
	}
	_exit(99); // not reached: the signals above kill
}

// reap_resending waits for pid, sending sig again every few milliseconds
// while it lives: qemu-user has been seen (rarely, under load) to lose a
// signal sent to a child blocked in read, which would hang the test.
static void reap_resending(pid_t pid, int sig, int *st) {
	for (int tries = 0; waitpid(pid, st, WNOHANG) != pid; tries++) {
		usleep(tries < 50 ? 1000 : 20000);
		kill(pid, sig);
	}
}

static const char *code_name(int code) {
	switch (code) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	}
	return "other";
}

int main(void) {
	int st;
	for (int c = 0; c < NCASES; c++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			run_case(c);
		pid_t w = waitpid(pid, &st, 0);
		if (w != pid)
			printf("waitpid: %s\n", ename(errno));
		describe(names[c], st);
	}

	// Killed by the parent while blocked reading a pipe.
	int sigs[] = {SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGUSR2};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		int p[2], ready[2];
		pipe(p);
		pipe(ready);
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			close(ready[0]);
			write(ready[1], "r", 1);
			char c;
			read(p[0], &c, 1); // never gets anything
			_exit(0);
		}
		close(ready[1]);
		char c;
		read(ready[0], &c, 1);
		close(ready[0]);
		printf("kill(child, %s) = %d\n", sigabbrev_np(sigs[i]), kill(pid, sigs[i]));
		reap_resending(pid, sigs[i], &st);
		char what[64];
		snprintf(what, sizeof what, "blocked child, %s", sigabbrev_np(sigs[i]));
		describe(what, st);
		close(p[0]);
		close(p[1]);
	}

	// waitid with WNOWAIT, then for real, then ECHILD.
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(33);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	int r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	printf("waitid WNOWAIT: r=%d signo=%s code=%s status=%d pid-match=%d uid-match=%d\n", r,
	       sigabbrev_np(si.si_signo), code_name(si.si_code), si.si_status, si.si_pid == pid,
	       si.si_uid == getuid());
	// The child is a zombie now: WNOHANG finds it.
	pid_t w = waitpid(pid, &st, WNOHANG | WNOWAIT);
	errno = 0;
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT);
	printf("waitid WNOHANG|WNOWAIT on the zombie: r=%d pid-match=%d status=%d\n", r, si.si_pid == pid,
	       si.si_status);
	(void)w;
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, pid, &si, WEXITED);
	printf("waitid again: r=%d signo=%s code=%s status=%d pid-match=%d\n", r, sigabbrev_np(si.si_signo),
	       code_name(si.si_code), si.si_status, si.si_pid == pid);
	errno = 0;
	r = waitid(P_PID, pid, &si, WEXITED);
	printf("waitid third time: r=%d %s\n", r, ename(errno));
	errno = 0;
	r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
	printf("waitid P_ALL with no children: r=%d %s\n", r, ename(errno));
	errno = 0;
	r = waitid(P_PID, 0, &si, WEXITED);
	printf("waitid P_PID 0: r=%d %s\n", r, ename(errno));
	errno = 0;
	r = waitid(P_ALL, 0, &si, 0);
	printf("waitid without WEXITED etc: r=%d %s\n", r, ename(errno));
	errno = 0;
	r = waitid(7, 0, &si, WEXITED);
	printf("waitid bad idtype: r=%d %s\n", r, ename(errno));
	errno = 0;
	w = waitpid(-1, &st, 0x1000);
	printf("waitpid bad options: %d %s\n", (int)w, ename(errno));

	// waitid reporting a signal death, and WNOHANG before the exit.
	int gate[2];
	pipe(gate);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		char c;
		read(gate[0], &c, 1);
		kill(getpid(), SIGTERM);
		_exit(0);
	}
	close(gate[0]);
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, pid, &si, WEXITED | WNOHANG);
	printf("waitid WNOHANG before exit: r=%d si_pid=%d si_signo=%d\n", r, si.si_pid, si.si_signo);
	close(gate[1]);
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, pid, &si, WEXITED);
	printf("waitid after SIGTERM: r=%d signo=%s code=%s status=%s\n", r, sigabbrev_np(si.si_signo),
	       code_name(si.si_code), sigabbrev_np(si.si_status));

	// wait4 with rusage; getrusage(RUSAGE_CHILDREN).
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		volatile unsigned long x = 0;
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		_exit(4);
	}
	struct rusage ru;
	memset(&ru, 0xff, sizeof ru);
	w = wait4(pid, &st, 0, &ru);
	printf("wait4: match=%d code=%d rusage: utime sane=%d maxrss>=0=%d\n", w == pid, WEXITSTATUS(st),
	       ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000,
	       ru.ru_maxrss >= 0);
	printf("getrusage(RUSAGE_CHILDREN)=%d\n", getrusage(RUSAGE_CHILDREN, &ru));
	errno = 0;
	r = getrusage(42, &ru);
	printf("getrusage(bad)=%d %s\n", r, ename(errno));

	// kill(pid, 0): alive, zombie, gone.
	pipe(gate);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		char c;
		read(gate[0], &c, 1);
		_exit(0);
	}
	close(gate[0]);
	printf("kill(live child, 0)=%d\n", kill(pid, 0));
	errno = 0;
	r = kill(pid, 65);
	printf("kill(live child, 65)=%d %s\n", r, ename(errno));
	errno = 0;
	r = kill(pid, -1);
	printf("kill(live child, -1)=%d %s\n", r, ename(errno));
	close(gate[1]);
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	printf("kill(zombie child, 0)=%d\n", kill(pid, 0));
	printf("kill(zombie child, SIGKILL)=%d\n", kill(pid, SIGKILL));
	waitpid(pid, &st, 0);
	describe("zombie sent SIGKILL", st);
	errno = 0;
	r = kill(pid, 0);
	printf("kill(reaped child, 0)=%d %s\n", r, ename(errno));
	// Linux looks the process up before it checks the signal number.
	errno = 0;
	r = kill(pid, 65);
	printf("kill(reaped child, 65)=%d %s\n", r, ename(errno));

	// SIGCHLD ignored: no zombies, wait blocks until all children are gone
	// and then fails with ECHILD.
	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < 3; i++) {
		fflush(stdout);
		if (fork() == 0)
			_exit(i);
	}
	errno = 0;
	w = wait(&st);
	printf("SIGCHLD ignored: wait=%d %s\n", (int)w, ename(errno));
	signal(SIGCHLD, SIG_DFL);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(12);
	w = wait(&st);
	printf("SIGCHLD default again: match=%d code=%d\n", w == pid, WEXITSTATUS(st));
	return 0;
}
