// Job control: a stop signal stops every thread of a process, the parent sees it with
// WUNTRACED, SIGCONT continues it (WCONTINUED), and SIGKILL ends a stopped process
// (signal(7), wait(2), waitid(2)). A child that stops itself with raise(SIGTSTP) is
// reported the same way; SIGCHLD carries CLD_STOPPED and CLD_CONTINUED.
// (An expected-output test rather than a differential one: qemu-riscv64 hung in it now
// and then on a loaded machine.)
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t chld_codes[8], nchld;

static void on_chld(int sig, siginfo_t *si, void *uc) {
	(void)sig, (void)uc;
	if (nchld < 8)
		chld_codes[nchld++] = si->si_code;
}

static void show(const char *what, int st) {
	if (WIFSTOPPED(st))
		printf("%s: stopped by %s\n", what, sigabbrev_np(WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		printf("%s: continued\n", what);
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(st)));
	else if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);

	int go[2];
	pipe(go);
	pid_t c = fork();
	if (c == 0) {
		close(go[1]);
		char b;
		while (read(go[0], &b, 1) == 1) // each byte: one round of work
			;
		_exit(7);
	}
	close(go[0]);
	int st;
	kill(c, SIGSTOP);
	pid_t w = waitpid(c, &st, WUNTRACED);
	show(w == c ? "after SIGSTOP" : "wrong child", st);
	// A stopped child is not reported twice.
	w = waitpid(c, &st, WUNTRACED | WNOHANG);
	printf("second WUNTRACED wait: %d\n", w);
	kill(c, SIGCONT);
	w = waitpid(c, &st, WCONTINUED);
	show(w == c ? "after SIGCONT" : "wrong child", st);
	write(go[1], "x", 1); // it still works
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	show("stopped again", st);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	show("SIGKILL while stopped", st);

	// A child that stops itself; once continued, it waits for the parent's word, so
	// that the parent sees the continue before the exit.
	int go2[2];
	pipe(go2);
	c = fork();
	if (c == 0) {
		close(go2[1]);
		raise(SIGTSTP);
		char b;
		read(go2[0], &b, 1);
		_exit(3); // reached only once continued

	}
	waitpid(c, &st, WUNTRACED);
	show("raise(SIGTSTP)", st);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	kill(c, SIGCONT);
	waitid(P_PID, c, &si, WCONTINUED | WNOWAIT);
	printf("waitid WCONTINUED: code %s\n", si.si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other");
	close(go2[0]);
	close(go2[1]);
	waitpid(c, &st, 0);
	show("then", st);

	// SIGCHLD codes seen by the handler. A SIGCHLD sent while another is pending is
	// merged with it (standard signals do not queue), so only say which kinds came.
	int stopped = 0, continued = 0, ended = 0;
	for (int i = 0; i < nchld; i++) {
		stopped += chld_codes[i] == CLD_STOPPED;
		continued += chld_codes[i] == CLD_CONTINUED;
		ended += chld_codes[i] == CLD_EXITED || chld_codes[i] == CLD_KILLED;
	}
	printf("SIGCHLD: stops %s, continues %s, ends %s\n", stopped ? "seen" : "none",
	       continued ? "seen" : "none", ended ? "seen" : "none");
	return 0;
}
