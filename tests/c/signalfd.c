// signalfd(2): a blocked signal sent to the process or a thread is read from the
// signalfd as struct signalfd_siginfo instead of being delivered (kill, tgkill,
// sigqueue with its value, SIGCHLD with the child's status), in signal-number order;
// a read takes as many as fit; poll reports one pending; O_NONBLOCK and a reader that
// waits for a child's signal; a new mask for an existing signalfd; the errors.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static const char *code(int c) {
	switch (c) {
	case SI_USER: return "SI_USER";
	case SI_TKILL: return "SI_TKILL";
	case SI_QUEUE: return "SI_QUEUE";
	case CLD_EXITED: return "CLD_EXITED";
	}
	return "?";
}

static void rd(int fd, int max) {
	struct signalfd_siginfo si[4];
	long n = read(fd, si, max * sizeof si[0]);
	if (n < 0) {
		printf("read: %s\n", strerrorname_np(errno));
		return;
	}
	printf("read %ld bytes:", n);
	for (long i = 0; i < n / (long)sizeof si[0]; i++) {
		printf(" {%s %s", sigabbrev_np(si[i].ssi_signo), code(si[i].ssi_code));
		if (si[i].ssi_code == SI_QUEUE)
			printf(" int=%d", si[i].ssi_int);
		if (si[i].ssi_signo == SIGCHLD)
			printf(" status=%d", si[i].ssi_status);
		printf(" from-self=%d}", si[i].ssi_pid == (unsigned)getpid());
	}
	printf("\n");
}

static int pollr(int fd) {
	struct pollfd p = {.fd = fd, .events = POLLIN};
	poll(&p, 1, 0);
	return p.revents;
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGRTMIN);
	sigaddset(&m, SIGCHLD);
	sigprocmask(SIG_BLOCK, &m, NULL);
	printf("bad flags: %s\n", en(signalfd(-1, &m, 0x10)));
	printf("not a signalfd: %s\n", en(signalfd(1, &m, 0)));
	int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	printf("signalfd: %s, cloexec %d\n", en(fd), fcntl(fd, F_GETFD));
	struct stat st;
	fstat(fd, &st);
	printf("fstat: type %o mode %o\n", st.st_mode & S_IFMT, st.st_mode & 0777);
	printf("poll, nothing pending: %#x\n", pollr(fd));
	rd(fd, 1);
	char small[8];
	printf("short buffer: %s\n", en(read(fd, small, sizeof small)));

	kill(getpid(), SIGUSR2);
	raise(SIGUSR1);
	sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 7});
	sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 8});
	printf("poll, pending: %#x\n", pollr(fd));
	rd(fd, 1);
	rd(fd, 4);
	rd(fd, 4);
	sigset_t pend;
	sigpending(&pend);
	printf("still pending: USR1 %d USR2 %d RTMIN %d\n", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2), sigismember(&pend, SIGRTMIN));

	// A new mask: SIGUSR1 only.
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, SIGUSR1);
	printf("new mask: %d\n", signalfd(fd, &one, 0) == fd);
	raise(SIGUSR2);
	raise(SIGUSR1);
	rd(fd, 4);
	sigpending(&pend);
	printf("USR2 left pending: %d\n", sigismember(&pend, SIGUSR2));
	signalfd(fd, &m, 0);
	rd(fd, 4);

	// A blocking signalfd and a child that exits: SIGCHLD arrives through it.
	int b = signalfd(-1, &m, 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(2000);
		_exit(9);
	}
	rd(b, 1);
	waitpid(pid, NULL, 0);
	// A child that signals its parent.
	pid = fork();
	if (pid == 0) {
		usleep(2000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	struct signalfd_siginfo si;
	read(b, &si, sizeof si);
	printf("from the child: %s, sender is the child %d\n", sigabbrev_np(si.ssi_signo), si.ssi_pid == (unsigned)pid);
	waitpid(pid, NULL, 0);
	rd(fd, 4); // the second child's SIGCHLD
	return 0;
}
