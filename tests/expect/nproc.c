// RLIMIT_NPROC, run as weft's default user (nproc.out) and as root
// (--uid 0 --gid 0: nproc.root.out).
//
// Man page rules checked:
//   getrlimit(2), RLIMIT_NPROC: a limit on the number of extant processes
//     (threads, on Linux) of the caller's real user ID; fork(2)/clone fail
//     with EAGAIN when it is reached.  It is not enforced for processes
//     with CAP_SYS_ADMIN or CAP_SYS_RESOURCE (an effective UID of 0 keeps
//     them, capabilities(7)) or with real user ID 0.  The count includes
//     the caller itself; here weft's guest has no other processes, so with
//     a limit of 3 a process can have two children.  Zombies are extant
//     until reaped (Linux releases the count in release_task, at reaping).
//   setrlimit(2): an unprivileged process may lower either limit, and raise
//     the soft one up to the hard one, but not raise the hard limit (EPERM);
//     soft > hard is EINVAL.
//   A changed UID starts counting against the new real UID's processes.
//   Threads count: with two threads besides the main one, neither fork nor
//   pthread_create (EAGAIN, pthread_create(3)) can make a fourth task.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static int gate[2];

// spawn forks children that block on the gate until max forks or a
// failure; it reports how many succeeded and the failure's errno.
static int spawn(const char *who, int max, pid_t *kids) {
	int n = 0, err = 0;
	for (int i = 0; i < max; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			close(gate[1]);
			char c;
			read(gate[0], &c, 1);
			_exit(0);
		}
		kids[n++] = pid;
	}
	printf("%s: %d of %d forks succeeded, then %s\n", who, n, max, err ? ename(err) : "no failure");
	return n;
}

static void release(int n, pid_t *kids, const char *who) {
	close(gate[1]);
	int ok = 0;
	for (int i = 0; i < n; i++) {
		int st;
		if (waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st))
			ok++;
	}
	errno = 0;
	pid_t w = wait(NULL);
	printf("%s: reaped %d, then wait=%d %s\n", who, ok, (int)w, ename(errno));
	close(gate[0]);
	pipe(gate);
}

// newgate gives a child its own gate: its parent holds the old one's write end.
static void newgate(void) {
	close(gate[0]);
	close(gate[1]);
	pipe(gate);
}

static void setlim(const char *label, rlim_t cur, rlim_t max) {
	struct rlimit rl = {cur, max};
	errno = 0;
	int r = setrlimit(RLIMIT_NPROC, &rl);
	printf("setrlimit(NPROC, %ld, %ld)%s%s: %d %s\n", (long)cur, (long)max, *label ? " " : "", label, r,
	       ename(errno));
}

static void *blocker(void *arg) {
	char c;
	read(*(int *)arg, &c, 1);
	return NULL;
}

// Threads are tasks of the same real UID too: they count.
static void threads(void) {
	int tg[2];
	pipe(tg);
	pthread_t th[3];
	int made = 0;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[made], NULL, blocker, &tg[0]) == 0)
			made++;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int ferr = pid < 0 ? errno : 0;
	int terr = pthread_create(&th[made], NULL, blocker, &tg[0]);
	if (terr == 0)
		made++;
	printf("threads: %d created, then fork: %s, a third thread: %s\n", made, ferr ? ename(ferr) : "ok",
	       terr ? ename(terr) : "ok");
	close(tg[1]);
	for (int i = 0; i < made; i++)
		pthread_join(th[i], NULL);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void user(void) {
	pid_t kids[16];
	setlim("", 3, 3);
	int n = spawn("limit 3", 10, kids);
	setlim("(raise hard)", 3, 4);
	setlim("(soft above hard)", 4, 3);
	setlim("(lower soft)", 2, 3);
	spawn("limit 2 with 3 processes", 1, kids + n);
	setlim("(soft back up)", 3, 3);
	// Let the children exit, but do not reap them: zombies still count.
	close(gate[1]);
	for (int i = 0; i < n; i++) {
		siginfo_t si;
		waitid(P_PID, kids[i], &si, WEXITED | WNOWAIT);
	}
	int g2[2];
	pipe(g2);
	fflush(stdout);
	pid_t z = fork();
	printf("fork with %d unreaped zombies: %s\n", n, z < 0 ? ename(errno) : "ok");
	if (z == 0)
		_exit(0);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	if (z > 0)
		waitpid(z, NULL, 0);
	fflush(stdout);
	z = fork();
	if (z == 0)
		_exit(3);
	int st = 0;
	if (z > 0)
		waitpid(z, &st, 0);
	printf("fork after reaping them: %s, child code %d\n", z < 0 ? ename(errno) : "ok", WEXITSTATUS(st));
	close(gate[0]);
	pipe(gate);
	n = spawn("limit 3 again", 10, kids);
	release(n, kids, "limit 3 again");
	threads();
}

static void root(void) {
	pid_t kids[16];
	setlim("", 3, 3);
	int n = spawn("root, limit 3", 8, kids);
	release(n, kids, "root");

	// A child that becomes uid 1000 counts only uid 1000's processes: itself.
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		newgate();
		setresgid(1000, 1000, 1000);
		setresuid(1000, 1000, 1000);
		pid_t k[16];
		int m = spawn("uid 1000 child, limit 3", 10, k);
		release(m, k, "uid 1000 child");
		exit(0);
	}
	waitpid(c, NULL, 0);

	// Real UID 1000 with effective UID 0 keeps the capabilities that
	// exempt it from the limit.
	fflush(stdout);
	c = fork();
	if (c == 0) {
		newgate();
		setresuid(1000, 0, 0);
		pid_t k[16];
		int m = spawn("real uid 1000, euid 0, limit 3", 5, k);
		release(m, k, "real uid 1000, euid 0");
		exit(0);
	}
	waitpid(c, NULL, 0);
	setlim("(root raises the hard limit)", 100, 200);
}

int main(void) {
	pipe(gate);
	struct rlimit rl;
	getrlimit(RLIMIT_NPROC, &rl);
	printf("initial NPROC soft <= hard: %d\n", rl.rlim_cur <= rl.rlim_max);
	if (getuid() == 0)
		root();
	else
		user();
	return 0;
}
