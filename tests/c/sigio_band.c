// Signal-driven I/O on a pipe with F_SETSIG: the signal's si_code and si_band say what
// happened (fcntl(2) "F_SETSIG"; the bands are Linux's band_table in fs/fcntl.c):
// data to read is POLL_IN with POLLIN|POLLRDNORM, room to write is POLL_OUT with
// POLLOUT|POLLWRNORM|POLLWRBAND.
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t n, code, fd;
static volatile long band;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	n++;
	code = si->si_code;
	band = si->si_band;
	fd = si->si_fd;
}

static const char *codename(int c)
{
	return c == POLL_IN ? "POLL_IN" : c == POLL_OUT ? "POLL_OUT" : c == POLL_MSG ? "POLL_MSG" : "other";
}

int main(void)
{
	struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO};
	sigaction(SIGUSR1, &sa, NULL);
	int p[2];
	pipe(p);
	for (int i = 0; i < 2; i++) {
		fcntl(p[i], F_SETOWN, getpid());
		fcntl(p[i], F_SETSIG, SIGUSR1);
		fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_ASYNC);
	}
	write(p[1], "x", 1);
	printf("after a write: %d signal(s), %s, band %#lx, si_fd is the read end: %d\n", (int)n,
	       codename(code), band, fd == p[0]);
	n = 0;
	char c;
	read(p[0], &c, 1);
	printf("after a read: %d signal(s)%s%s, band %#lx, si_fd is the write end: %d\n", (int)n,
	       n ? ", " : "", n ? codename(code) : "", n ? band : 0L, n ? fd == p[1] : 0);
	printf("POLLIN|POLLRDNORM = %#x, POLLOUT|POLLWRNORM|POLLWRBAND = %#x\n", POLLIN | POLLRDNORM,
	       POLLOUT | POLLWRNORM | POLLWRBAND);
	return 0;
}
