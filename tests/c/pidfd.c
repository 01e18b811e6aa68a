// pidfd_open(2), pidfd_send_signal(2), waitid(P_PIDFD) and poll(2) on a pidfd: a
// pidfd is readable once its process has exited, hangs up once it is reaped, names
// its process to signal and wait for, and fails cleanly once the process is gone.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static int popen_(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int psig(int fd, int sig, siginfo_t *info) { return syscall(SYS_pidfd_send_signal, fd, sig, info, 0); }

static int pollr(int fd) {
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n = poll(&p, 1, 0);
	return n > 0 ? p.revents : 0;
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	int self = popen_(getpid(), 0);
	printf("pidfd_open(self): %s, cloexec %d\n", en(self), fcntl(self, F_GETFD));
	printf("pidfd_open(-1): %s\n", en(popen_(-1, 0)));
	printf("pidfd_open(no such pid): %s\n", en(popen_(99999, 0)));
	printf("pidfd_open(bad flags): %s\n", en(popen_(getpid(), 1)));
	printf("signal 0 to self: %s\n", en(psig(self, 0, NULL)));
	printf("signal 0 to the thread: %s\n", en(syscall(SYS_pidfd_send_signal, self, 0, NULL, 1)));
	printf("not a pidfd: %s\n", en(psig(1, 0, NULL)));
	printf("waitid on self: %s\n", en(waitid(P_PIDFD, self, &(siginfo_t){0}, WEXITED | WNOHANG)));
	printf("waitid on a non-pidfd: %s\n", en(waitid(P_PIDFD, 1, &(siginfo_t){0}, WEXITED)));
	printf("poll self: %#x\n", pollr(self));

	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(p[0], &c, 1); // waits until killed
		_exit(0);
	}
	int fd = popen_(pid, 0);
	printf("poll running child: %#x\n", pollr(fd));
	int nb = popen_(pid, PIDFD_NONBLOCK);
	printf("waitid, nonblocking pidfd: %s\n", en(waitid(P_PIDFD, nb, &(siginfo_t){0}, WEXITED)));
	siginfo_t si = {.si_signo = SIGUSR2, .si_code = SI_QUEUE};
	printf("info for another signal: %s\n", en(psig(fd, SIGUSR1, &si)));
	si.si_signo = SIGUSR1;
	si.si_code = SI_USER;
	printf("send with SI_USER info to another process: %s\n", en(psig(fd, SIGUSR1, &si)));
	printf("two scope flags: %s\n", en(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 3)));
	printf("unknown flag: %s\n", en(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 8)));
	printf("signal 0, thread group scope: %s\n", en(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 2)));
	printf("send SIGTERM: %s\n", en(psig(fd, SIGTERM, NULL)));
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	printf("poll until exit: %d %#x\n", poll(&pf, 1, -1), pf.revents);
	siginfo_t w = {0};
	printf("waitid(P_PIDFD, WNOWAIT): %s\n", en(waitid(P_PIDFD, fd, &w, WEXITED | WNOWAIT)));
	printf("  code %s, status %d, pid matches %d\n", w.si_code == CLD_KILLED ? "CLD_KILLED" : "?", w.si_status, w.si_pid == pid);
	printf("signal a zombie: %s\n", en(psig(fd, SIGTERM, NULL)));
	printf("waitid(P_PIDFD): %s\n", en(waitid(P_PIDFD, fd, &w, WEXITED)));
	printf("poll after reaping: %#x\n", pollr(fd));
	printf("signal after reaping: %s\n", en(psig(fd, 0, NULL)));
	printf("waitid after reaping: %s\n", en(waitid(P_PIDFD, fd, &w, WEXITED)));
	printf("pidfd_open after reaping: %s\n", en(popen_(pid, 0)));

	// A child that exits by itself, and a parent that waits in poll.
	pid = fork();
	if (pid == 0) {
		usleep(1000);
		_exit(5);
	}
	fd = popen_(pid, 0);
	pf.fd = fd;
	pf.revents = 0;
	printf("poll: %d %#x\n", poll(&pf, 1, -1), pf.revents);
	printf("waitid: %s\n", en(waitid(P_PIDFD, fd, &w, WEXITED)));
	printf("  code %s, status %d\n", w.si_code == CLD_EXITED ? "CLD_EXITED" : "?", w.si_status);

	// sigqueue-style info to self.
	signal(SIGUSR2, SIG_IGN);
	siginfo_t q = {.si_signo = SIGUSR2, .si_code = SI_QUEUE};
	printf("send with SI_QUEUE info to self: %s\n", en(psig(self, SIGUSR2, &q)));
	return 0;
}
