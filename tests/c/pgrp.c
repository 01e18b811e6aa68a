// Process groups and sessions (setpgid(2), setsid(2), credentials(7)),
// printed only as comparisons between IDs, never as values.  The top
// process is pid 1 and a session leader under weft but an ordinary member
// of go test's group under qemu, so every setpgid/setsid experiment runs
// in children:
//   - getpgrp()==getpgid(0), getsid(0)==getsid(getpid());
//   - a child inherits its parent's group and session;
//   - setpgid(0,0) makes a child a group leader, seen by the parent too;
//     a group leader's setsid() fails with EPERM;
//   - a non-leader's setsid() returns its PID and makes it the leader of a
//     new session and group; afterwards it cannot setpgid (EPERM), and its
//     parent cannot move it (EPERM: different session);
//   - a child joins a sibling's group; joining a group that does not exist
//     fails with EPERM; negative pgid fails with EINVAL;
//   - setpgid/getpgid/getsid on a reaped PID fail with ESRCH;
//   - waitpid(0) only waits for the caller's group (ECHILD when every child
//     moved away), waitpid(-pgid) for a given group;
//   - kill(-pgid, sig) signals the whole group.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void res(const char *label, int r) {
	printf("%s: %d %s\n", label, r < 0 ? -1 : 0, r < 0 ? ename(errno) : "");
	errno = 0;
}

// A child that waits for one byte (or EOF) on the pipe p, then exits with code.
static pid_t sleeper(int p[2], int code) {
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(code);
	}
	return pid;
}

int main(void) {
	pid_t me = getpid();
	printf("getpgrp()==getpgid(0): %d\n", getpgrp() == getpgid(0));
	printf("getsid(0)==getsid(getpid()): %d\n", getsid(0) == getsid(me));
	printf("getpgid(getpid())==getpgid(0): %d\n", getpgid(me) == getpgid(0));
	pid_t mypg = getpgrp(), mysid = getsid(0);

	// 1. Inheritance, and setpgid(0,0) in the child.
	int sync1[2], sync2[2];
	pipe(sync1);
	pipe(sync2);
	fflush(stdout);
	pid_t a = fork();
	if (a == 0) {
		close(sync1[0]);
		close(sync2[1]);
		printf("child A: inherited group: %d, session: %d\n", getpgrp() == mypg, getsid(0) == mysid);
		res("child A: setpgid(0,0)", setpgid(0, 0));
		printf("child A: now leads its group: %d, same session: %d\n", getpgrp() == getpid(),
		       getsid(0) == mysid);
		errno = 0;
		res("child A: setsid() as a group leader", setsid());
		printf("child A: session unchanged: %d\n", getsid(0) == mysid);
		fflush(stdout);
		write(sync1[1], "a", 1);
		char c;
		read(sync2[0], &c, 1);
		_exit(0);
	}
	close(sync1[1]);
	char c;
	read(sync1[0], &c, 1);
	printf("parent: getpgid(A)==A: %d, getsid(A)==our session: %d\n", getpgid(a) == a, getsid(a) == mysid);
	res("parent: setpgid(A, A) again", setpgid(a, a));
	res("parent: setpgid(A, 0)", setpgid(a, 0));
	res("parent: setpgid(A, -1)", setpgid(a, -1));

	// 2. A second child B joins A's group, then tries a group that does not exist.
	int sync3[2];
	pipe(sync3);
	fflush(stdout);
	pid_t b = fork();
	if (b == 0) {
		close(sync3[0]);
		close(sync2[1]);
		res("child B: setpgid(0, A)", setpgid(0, a));
		printf("child B: in A's group: %d\n", getpgrp() == a);
		res("child B: setpgid(0, B) (own PID: new group)", setpgid(0, getpid()));
		printf("child B: leads its own group: %d\n", getpgrp() == getpid());
		res("child B: setpgid(0, A) back", setpgid(0, a));
		fflush(stdout);
		write(sync3[1], "b", 1);
		char c;
		read(sync2[0], &c, 1); // EOF once the parent closes sync2[1]
		_exit(0);
	}
	close(sync3[1]);
	close(sync2[0]);
	read(sync3[0], &c, 1);
	printf("parent: B is in A's group: %d\n", getpgid(b) == a);

	// waitpid(0): no child is in our group any more.
	int st;
	errno = 0;
	pid_t w = waitpid(0, &st, WNOHANG);
	printf("parent: waitpid(0, WNOHANG) with every child in another group: %d %s\n", (int)w, ename(errno));
	w = waitpid(-a, &st, WNOHANG);
	printf("parent: waitpid(-A, WNOHANG) while they live: %d\n", (int)w);

	// kill(-A, SIGTERM) kills both.
	res("parent: kill(-A, SIGTERM)", kill(-a, SIGTERM));
	int got = 0, sigs = 0;
	// Resend while waiting: qemu-user has been seen (rarely, under load) to
	// lose a signal sent to a child blocked in read.
	for (int tries = 0; got < 2; tries++) {
		w = waitpid(-a, &st, WNOHANG);
		if (w > 0) {
			got += (w == a || w == b);
			sigs += WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
			continue;
		}
		if (w < 0)
			break;
		usleep(tries < 50 ? 1000 : 20000);
		kill(-a, SIGTERM);
	}
	printf("parent: reaped %d of A's group, %d killed by SIGTERM\n", got, sigs);
	errno = 0;
	w = waitpid(-a, &st, 0);
	printf("parent: waitpid(-A) afterwards: %d %s\n", (int)w, ename(errno));
	res("parent: getpgid(reaped A)", getpgid(a));
	res("parent: getsid(reaped A)", getsid(a));
	res("parent: setpgid(reaped A, 0)", setpgid(a, 0));
	res("parent: kill(-reaped group, 0)", kill(-a, 0));
	close(sync2[1]);
	close(sync1[0]);
	close(sync3[0]);

	// 3. setsid in a child that is not a group leader.
	int s1[2], s2[2];
	pipe(s1);
	pipe(s2);
	fflush(stdout);
	pid_t s = fork();
	if (s == 0) {
		close(s1[0]);
		close(s2[1]);
		pid_t r = setsid();
		printf("child S: setsid() returned its PID: %d\n", r == getpid());
		printf("child S: getsid(0)==getpid(): %d, getpgrp()==getpid(): %d\n", getsid(0) == getpid(),
		       getpgrp() == getpid());
		printf("child S: parent's session differs: %d\n", getsid(getppid()) != getsid(0));
		errno = 0;
		res("child S: setsid() again", setsid());
		res("child S: setpgid(0,0) as session leader", setpgid(0, 0));
		res("child S: setpgid(0, parent's group)", setpgid(0, mypg));
		// A grandchild in S's new session can make its own group but not
		// join the parent's group across sessions.
		fflush(stdout);
		pid_t g = fork();
		if (g == 0) {
			printf("grandchild: in S's session: %d and group: %d\n", getsid(0) == getsid(getppid()),
			       getpgrp() == getppid());
			res("grandchild: setpgid(0, top's group)", setpgid(0, mypg));
			res("grandchild: setpgid(0,0)", setpgid(0, 0));
			printf("grandchild: own group: %d, still in S's session: %d\n", getpgrp() == getpid(),
			       getsid(0) == getsid(getppid()));
			res("grandchild: setpgid(0, S's group) back", setpgid(0, getppid()));
			exit(0);
		}
		waitpid(g, NULL, 0);
		fflush(stdout);
		write(s1[1], "s", 1);
		read(s2[0], &c, 1);
		_exit(5);
	}
	close(s1[1]);
	close(s2[0]);
	read(s1[0], &c, 1);
	printf("parent: S leads a new session: %d, new group: %d\n", getsid(s) == s, getpgid(s) == s);
	res("parent: setpgid(S, S) (other session)", setpgid(s, s));
	res("parent: setpgid(S, our group)", setpgid(s, mypg));
	printf("parent: our session and group unchanged: %d %d\n", getsid(0) == mysid, getpgrp() == mypg);
	close(s2[1]);
	waitpid(s, &st, 0);
	printf("parent: S exited with %d\n", WEXITSTATUS(st));

	// 4. A child that stays in our group is found by waitpid(0).
	int z[2];
	pipe(z);
	pid_t k = sleeper(z, 8);
	close(z[1]);
	w = waitpid(0, &st, 0);
	printf("parent: waitpid(0) found the child in our group: %d code=%d\n", w == k, WEXITSTATUS(st));
	close(z[0]);

	// setpgid on a process that is not our child.
	fflush(stdout);
	pid_t outer = fork();
	if (outer == 0) {
		// Our sibling-to-be is not our child: ESRCH.
		pid_t inner = fork();
		if (inner == 0)
			_exit(0);
		waitpid(inner, NULL, 0);
		errno = 0;
		res("child: setpgid(reaped grandchild, 0)", setpgid(inner, 0));
		exit(0);
	}
	waitpid(outer, NULL, 0);
	errno = 0;
	w = wait(NULL);
	printf("parent: no children left: %d %s\n", (int)w, ename(errno));
	return 0;
}
