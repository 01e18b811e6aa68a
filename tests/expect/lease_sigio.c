// File leases and signal-driven I/O, as root (lease_sigio.root) in a directory of
// its own (argv[1]). The expected output is Linux's (host kernel 6.18, through
// qemu-riscv64, in a fresh directory under /tmp),
// identical to weft's.
//
// Man page rules checked (fcntl(2) "Leases", "Managing signals"): a read lease needs a
// descriptor not open for writing and no writers (EAGAIN), a write lease no other open
// descriptor (EAGAIN); F_GETLEASE reports the lease; giving up a lease that is not
// held is EAGAIN. An open that conflicts with the lease breaks it: the holder gets
// SIGIO (or the F_SETSIG signal, with si_fd), F_GETLEASE then reports the type the
// lease is being broken to, an O_NONBLOCK opener fails with EWOULDBLOCK and a blocking
// one waits until the holder gives the lease up, or downgrades a write lease for a
// reader, or until /proc/sys/fs/lease-break-time (45 s) passes. With O_ASYNC and
// F_SETOWN, data written to a pipe signals the owner: SIGIO, or the F_SETSIG signal
// with si_code POLL_IN, si_fd and si_band; F_GETOWN/F_GETOWN_EX report the owner,
// F_SETOWN_EX with an unknown process is ESRCH. truncate(2) breaks leases as an open
// for writing does; a write lease broken for a writer cannot be downgraded to a read
// lease (EAGAIN); /proc/sys/fs/lease-break-time can be set (here to 1 s, then back).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-44s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)

static volatile sig_atomic_t got, gotfd;
static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got = sig;
	gotfd = si->si_fd;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int lease_name(int t)
{
	return t == F_RDLCK ? 'R' : t == F_WRLCK ? 'W' : t == F_UNLCK ? 'U' : '?';
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && chdir(argv[1]) < 0)
		return 1;
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	sigaction(SIGIO, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	close(open("f", O_CREAT | O_WRONLY, 0644));

	int rw = open("f", O_RDWR);
	TRY("F_SETLEASE(F_RDLCK) on an O_RDWR fd", fcntl(rw, F_SETLEASE, F_RDLCK));
	int ro = open("f", O_RDONLY);
	TRY("F_SETLEASE(F_RDLCK) with a writer open", fcntl(ro, F_SETLEASE, F_RDLCK));
	TRY("F_SETLEASE(F_WRLCK) with another open", fcntl(rw, F_SETLEASE, F_WRLCK));
	close(rw);
	TRY("F_SETLEASE(F_RDLCK)", fcntl(ro, F_SETLEASE, F_RDLCK));
	printf("F_GETLEASE = %c\n", lease_name(fcntl(ro, F_GETLEASE)));
	int ro2 = open("f", O_RDONLY);
	printf("a second reader opens: %s\n", ro2 >= 0 ? "ok" : ename(errno));
	close(ro2);
	TRY("F_SETLEASE(F_UNLCK)", fcntl(ro, F_SETLEASE, F_UNLCK));
	TRY("F_SETLEASE(F_UNLCK) again", fcntl(ro, F_SETLEASE, F_UNLCK));
	TRY("F_SETLEASE(7)", fcntl(ro, F_SETLEASE, 7));

	// A read lease broken by a writer that does not wait, then by one that does.
	TRY("F_SETLEASE(F_RDLCK)", fcntl(ro, F_SETLEASE, F_RDLCK));
	pid_t c = fork();
	if (c == 0) {
		errno = 0;
		int fd = open("f", O_WRONLY | O_NONBLOCK);
		const char *nb = fd >= 0 ? "ok" : ename(errno);
		double t0 = now();
		fd = open("f", O_WRONLY);
		printf("child: open(O_WRONLY|O_NONBLOCK) = %s\n", nb);
		printf("child: blocking open(O_WRONLY) = %s after %s\n", fd >= 0 ? "ok" : ename(errno),
		       now() - t0 > 0.05 ? "waiting" : "no wait");
		exit(0);
	}
	while (!got)
		usleep(1000);
	printf("holder got %s, F_GETLEASE = %c\n", sigabbrev_np(got), lease_name(fcntl(ro, F_GETLEASE)));
	usleep(200000);
	got = 0;
	TRY("holder gives the lease up", fcntl(ro, F_SETLEASE, F_UNLCK));
	waitpid(c, NULL, 0);
	close(ro);

	// A write lease with F_SETSIG, downgraded for a reader.
	int wr = open("f", O_WRONLY);
	TRY("F_SETSIG(SIGUSR1)", fcntl(wr, F_SETSIG, SIGUSR1));
	TRY("F_SETLEASE(F_WRLCK)", fcntl(wr, F_SETLEASE, F_WRLCK));
	printf("F_GETOWN is me: %d\n", fcntl(wr, F_GETOWN) == getpid());
	c = fork();
	if (c == 0) {
		int fd = open("f", O_RDONLY);
		printf("child: open(O_RDONLY) = %s\n", fd >= 0 ? "ok" : ename(errno));
		exit(0);
	}
	while (!got)
		usleep(1000);
	printf("holder got %s with si_fd = wr: %d, F_GETLEASE = %c\n", sigabbrev_np(got), gotfd == wr,
	       lease_name(fcntl(wr, F_GETLEASE)));
	got = 0;
	TRY("F_SETLEASE(F_RDLCK) on O_WRONLY", fcntl(wr, F_SETLEASE, F_RDLCK));
	close(wr);
	waitpid(c, NULL, 0);

	// A holder that does nothing: the opener waits out lease-break-time.
	int ro3 = open("f", O_RDONLY);
	fcntl(ro3, F_SETLEASE, F_RDLCK);
	c = fork();
	if (c == 0) {
		double t0 = now();
		int fd = open("f", O_RDWR);
		double w = now() - t0;
		printf("child: open(O_RDWR) = %s after %s\n", fd >= 0 ? "ok" : ename(errno),
		       w > 40 && w < 50 ? "about 45 s" : "the wrong time");
		exit(0);
	}
	while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
		printf("waitpid interrupted by %s\n", sigabbrev_np(got));
	printf("the lease was taken away: F_GETLEASE = %c\n", lease_name(fcntl(ro3, F_GETLEASE)));
	close(ro3);
	unlink("f");

	// truncate(2) breaks a lease as an open for writing does, and waits for it.
	close(open("g", O_CREAT | O_WRONLY, 0644));
	int h = open("g", O_RDONLY);
	TRY("F_SETLEASE(F_RDLCK) on g", fcntl(h, F_SETLEASE, F_RDLCK));
	got = 0;
	c = fork();
	if (c == 0) {
		double t0 = now();
		int r = truncate("g", 0);
		printf("child: truncate = %s after %s\n", r == 0 ? "ok" : ename(errno), now() - t0 > 0.05 ? "waiting" : "no wait");
		exit(0);
	}
	while (!got)
		usleep(1000);
	printf("holder got %s, F_GETLEASE = %c\n", sigabbrev_np(got), lease_name(fcntl(h, F_GETLEASE)));
	usleep(200000);
	int r = fcntl(h, F_SETLEASE, F_UNLCK);
	waitpid(c, NULL, 0);
	printf("holder gave the lease up: %d\n", r);
	close(h);

	// A write lease broken for a writer cannot be kept as a read lease.
	int w2 = open("g", O_RDONLY);
	TRY("F_SETLEASE(F_WRLCK) on an O_RDONLY fd", fcntl(w2, F_SETLEASE, F_WRLCK));
	got = 0;
	c = fork();
	if (c == 0) {
		int fd = open("g", O_WRONLY);
		printf("child: open(O_WRONLY) = %s\n", fd >= 0 ? "ok" : ename(errno));
		exit(0);
	}
	while (!got)
		usleep(1000);
	printf("holder got %s, F_GETLEASE = %c\n", sigabbrev_np(got), lease_name(fcntl(w2, F_GETLEASE)));
	TRY("F_SETLEASE(F_RDLCK) while a writer waits", fcntl(w2, F_SETLEASE, F_RDLCK));
	r = fcntl(w2, F_SETLEASE, F_UNLCK);
	waitpid(c, NULL, 0);
	printf("holder gave the lease up: %d\n", r);
	close(w2);

	// /proc/sys/fs/lease-break-time is writable, and the wait follows it.
	char old[32] = "";
	FILE *lb = fopen("/proc/sys/fs/lease-break-time", "r");
	if (lb) {
		fgets(old, sizeof old, lb);
		fclose(lb);
	}
	printf("lease-break-time was %s", old);
	lb = fopen("/proc/sys/fs/lease-break-time", "w");
	printf("set to 1: %d\n", lb && fputs("1", lb) >= 0 && fclose(lb) == 0);
	int h3 = open("g", O_RDONLY);
	TRY("F_SETLEASE(F_RDLCK) on g", fcntl(h3, F_SETLEASE, F_RDLCK));
	c = fork();
	if (c == 0) {
		double t0 = now();
		int fd = open("g", O_RDWR);
		double w = now() - t0;
		printf("child: open(O_RDWR) = %s after %s\n", fd >= 0 ? "ok" : ename(errno),
		       w > 0.5 && w < 3 ? "about 1 s" : "the wrong time");
		exit(0);
	}
	while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
		;
	printf("the lease was taken away: F_GETLEASE = %c\n", lease_name(fcntl(h3, F_GETLEASE)));
	close(h3);
	lb = fopen("/proc/sys/fs/lease-break-time", "w");
	if (lb) {
		fputs(old, lb);
		fclose(lb);
	}
	unlink("g");

	// Signal-driven I/O on a pipe.
	int p[2];
	pipe(p);
	struct f_owner_ex ox;
	fcntl(p[0], F_GETOWN_EX, &ox);
	printf("initial F_GETOWN_EX: type %d pid %d, F_GETSIG %d\n", ox.type, ox.pid, fcntl(p[0], F_GETSIG));
	TRY("F_SETFL(O_ASYNC)", fcntl(p[0], F_SETFL, O_ASYNC));
	TRY("F_SETOWN(me)", fcntl(p[0], F_SETOWN, getpid()));
	got = 0;
	write(p[1], "x", 1);
	printf("after a write: %s\n", got ? sigabbrev_np(got) : "no signal");
	char ch;
	read(p[0], &ch, 1);
	fcntl(p[0], F_SETSIG, SIGUSR1);
	got = gotfd = 0;
	write(p[1], "y", 1);
	printf("with F_SETSIG: %s, si_fd is the read end: %d\n", got ? sigabbrev_np(got) : "no signal", gotfd == p[0]);
	read(p[0], &ch, 1);
	ox = (struct f_owner_ex){ F_OWNER_PGRP, getpgrp() };
	TRY("F_SETOWN_EX(process group)", fcntl(p[0], F_SETOWN_EX, &ox));
	printf("F_GETOWN is -pgrp: %d\n", fcntl(p[0], F_GETOWN) == -getpgrp());
	ox = (struct f_owner_ex){ F_OWNER_PID, 999999 };
	TRY("F_SETOWN_EX(no such process)", fcntl(p[0], F_SETOWN_EX, &ox));
	ox = (struct f_owner_ex){ 7, getpid() };
	TRY("F_SETOWN_EX(bad type)", fcntl(p[0], F_SETOWN_EX, &ox));
	TRY("F_SETSIG(65)", fcntl(p[0], F_SETSIG, 65));
	TRY("F_SETOWN(0)", fcntl(p[0], F_SETOWN, 0));
	got = 0;
	write(p[1], "z", 1);
	printf("no owner: %s\n", got ? sigabbrev_np(got) : "no signal");
	return 0;
}
