// Orphaned process groups (POSIX.1 definitions; signal(7), setsid(2), credentials(7);
// Linux kernel/exit.c). A process group whose members have no parent in another group
// of the same session is orphaned: SIGTSTP, SIGTTIN and SIGTTOU do not stop its
// processes (SIGSTOP still does), and when a group becomes orphaned while one of its
// processes is stopped, every process in it gets SIGHUP and then SIGCONT.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, int st) {
	if (WIFSTOPPED(st))
		printf("%s: stopped by %s\n", what, sigabbrev_np(WSTOPSIG(st)));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(st)));
	else if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
}

static int out = -1; // where the grandchild of case 3 reports

static void say(const char *s) { write(out, s, strlen(s)); }

static void on_hup(int sig) {
	(void)sig;
	say("D: got SIGHUP\n");
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	int st;

	// 1. A child in a group of its own, whose parent is in another group of the same
	//    session: the group is not orphaned, and SIGTSTP stops it.
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		raise(SIGTSTP);
		_exit(1);
	}
	waitpid(c, &st, WUNTRACED);
	show("own group, same session: raise(SIGTSTP)", st);
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	show("  after SIGCONT", st);

	// 2. A child that starts a new session is alone in an orphaned group: the
	//    terminal's stop signals are discarded, SIGSTOP is not.
	c = fork();
	if (c == 0) {
		setsid();
		raise(SIGTSTP);
		raise(SIGTTIN);
		raise(SIGTTOU);
		raise(SIGSTOP);
		_exit(7);
	}
	waitpid(c, &st, WUNTRACED);
	show("new session: SIGTSTP, SIGTTIN, SIGTTOU, then SIGSTOP", st);
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	show("  after SIGCONT", st);

	// 3. C starts a session; its child D makes a group of its own there and stops.
	//    While C lives, C links D's group to its session; when C exits, the group is
	//    orphaned with a stopped member, so D gets SIGHUP and SIGCONT.
	int p[2];
	pipe(p);
	out = p[1];
	c = fork();
	if (c == 0) {
		close(p[0]);
		setsid();
		pid_t d = fork();
		if (d == 0) {
			setpgid(0, 0);
			signal(SIGHUP, on_hup);
			raise(SIGSTOP);
			say("D: continued\n");
			_exit(0);
		}
		waitpid(d, &st, WUNTRACED);
		say(WIFSTOPPED(st) ? "C: D is stopped; C exits\n" : "C: D did not stop\n");
		_exit(0);
	}
	close(p[1]);
	waitpid(c, &st, 0);
	show("C", st);
	char buf[256];
	ssize_t n, len = 0;
	while ((n = read(p[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	fputs(buf, stdout);
	return 0;
}
