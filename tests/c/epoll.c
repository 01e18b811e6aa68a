// epoll(7) over pipes, FIFOs, eventfds and other epoll instances: level- and
// edge-triggered items, EPOLLONESHOT and its re-arming, the errors of epoll_ctl(2),
// an interest list shared across fork and owned by the open file description (an item
// outlives one of two descriptors of its file, and goes with the last), nesting and
// loops, maxevents smaller than the ready list, hang-ups, and poll(2) on
// an epoll descriptor.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static int chain_probe(void) {
	static int fd = -1;
	if (fd < 0)
		fd = epoll_create1(0);
	return fd;
}

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data) {
	struct epoll_event ev = {.events = events, .data.u64 = data};
	return epoll_ctl(ep, op, fd, &ev);
}

// show waits with timeout ms and prints what came back.
static int show(const char *what, int ep, int max, int ms) {
	struct epoll_event evs[16];
	int n = epoll_wait(ep, evs, max, ms);
	printf("%s: %d", what, n);
	if (n < 0)
		printf(" %s", strerrorname_np(errno));
	for (int i = 0; i < n; i++)
		printf(" [%llu %#x]", (unsigned long long)evs[i].data.u64, evs[i].events);
	printf("\n");
	return n;
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("epoll_create1(bad flag): %s\n", en(epoll_create1(1)));
	printf("epoll_create(0): %s\n", en(epoll_create(0)));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	printf("epoll_create1: %s, cloexec %d\n", en(ep), fcntl(ep, F_GETFD));
	struct stat st;
	fstat(ep, &st);
	printf("fstat: type %o mode %o\n", st.st_mode & S_IFMT, st.st_mode & 0777);

	int p[2];
	pipe(p);
	printf("add pipe read end: %s\n", en(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 100)));
	printf("add again: %s\n", en(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 100)));
	printf("mod unknown: %s\n", en(ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLIN, 1)));
	printf("del unknown: %s\n", en(ctl(ep, EPOLL_CTL_DEL, p[1], 0, 0)));
	printf("bad op: %s\n", en(ctl(ep, 7, p[0], EPOLLIN, 1)));
	printf("itself: %s\n", en(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 1)));
	printf("not an epoll fd: %s\n", en(ctl(p[0], EPOLL_CTL_ADD, p[1], EPOLLOUT, 1)));
	printf("bad fd: %s\n", en(ctl(ep, EPOLL_CTL_ADD, 999, EPOLLIN, 1)));
	printf("bad epfd: %s\n", en(ctl(999, EPOLL_CTL_ADD, p[0], EPOLLIN, 1)));
	printf("NULL event: %s\n", en(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], NULL)));
	char dir[] = "/tmp/epollXXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	int reg = open("f", O_RDWR | O_CREAT, 0600);
	printf("regular file: %s\n", en(ctl(ep, EPOLL_CTL_ADD, reg, EPOLLIN, 1)));
	printf("exclusive with RDNORM: %s\n", en(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLRDNORM | EPOLLEXCLUSIVE, 1)));
	printf("mod with exclusive: %s\n", en(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1)));
	printf("wait maxevents 0: %s\n", en(epoll_wait(ep, NULL, 0, 0)));
	printf("wait on a pipe: %s\n", en(epoll_wait(p[0], (struct epoll_event[1]){}, 1, 0)));

	show("empty pipe", ep, 8, 0);
	write(p[1], "ab", 2);
	show("level-triggered, data", ep, 8, 0);
	show("level-triggered, still", ep, 8, 0);
	char c;
	read(p[0], &c, 1);
	show("one byte left", ep, 8, 0);
	read(p[0], &c, 1);
	show("drained", ep, 8, 0);

	printf("mod to edge-triggered: %s\n", en(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 200)));
	write(p[1], "x", 1);
	show("edge, first write", ep, 8, 0);
	show("edge, nothing new", ep, 8, 0);
	write(p[1], "y", 1);
	show("edge, second write", ep, 8, 0);
	read(p[0], &c, 1);
	show("edge, after a read", ep, 8, 0);
	read(p[0], &c, 1);

	printf("mod to one-shot: %s\n", en(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 300)));
	write(p[1], "z", 1);
	show("oneshot", ep, 8, 0);
	write(p[1], "z", 1);
	show("oneshot, disabled", ep, 8, 0);
	printf("re-arm: %s\n", en(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 301)));
	show("re-armed", ep, 8, 0);
	char buf[64];
	read(p[0], buf, sizeof buf);

	// The write end: writable, then an error once the readers are gone.
	printf("add write end: %s\n", en(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 400)));
	show("writable", ep, 8, 0);
	printf("del read end: %s\n", en(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0)));
	close(p[0]);
	show("no reader", ep, 8, 0);
	close(p[1]);
	show("all closed", ep, 8, 0);

	// An item belongs to the description: a dup keeps it alive.
	pipe(p);
	int d = dup(p[0]);
	ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 500);
	close(p[0]);
	write(p[1], "q", 1);
	show("after closing one of two descriptors", ep, 8, 0);
	printf("del by the closed fd: %s\n", en(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0)));
	printf("del by the dup: %s\n", en(ctl(ep, EPOLL_CTL_DEL, d, 0, 0)));
	ctl(ep, EPOLL_CTL_ADD, d, EPOLLIN, 501);
	show("added under the dup", ep, 8, 0);
	close(d);
	show("description closed", ep, 8, 0);
	close(p[1]);

	// Hang-up: the last writer goes.
	pipe(p);
	ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLRDHUP, 600);
	close(p[1]);
	show("writer gone", ep, 8, 0);
	ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0);
	close(p[0]);

	// Several ready items, fewer slots: every one is served in turn.
	int ps[4][2];
	for (int i = 0; i < 4; i++) {
		pipe(ps[i]);
		write(ps[i][1], "r", 1);
		ctl(ep, EPOLL_CTL_ADD, ps[i][0], EPOLLIN, 700 + i);
	}
	show("max 3", ep, 3, 0);
	show("max 3 again", ep, 3, 0);
	show("max 3 third", ep, 3, 0);
	for (int i = 0; i < 4; i++) {
		close(ps[i][0]);
		close(ps[i][1]);
	}
	show("all gone", ep, 8, 0);

	// eventfd under epoll.
	int e = eventfd(0, EFD_NONBLOCK);
	ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLOUT | EPOLLET, 800);
	show("eventfd, zero", ep, 8, 0);
	uint64_t one = 1;
	write(e, &one, 8);
	show("eventfd, one", ep, 8, 0);
	show("eventfd, edge seen", ep, 8, 0);
	uint64_t v;
	read(e, &v, 8);
	show("eventfd, read", ep, 8, 0);
	close(e);

	// Edge-triggered on one direction: a wake-up for the other does not concern it.
	e = eventfd(0, EFD_NONBLOCK);
	ctl(ep, EPOLL_CTL_ADD, e, EPOLLOUT | EPOLLET, 810);
	show("eventfd, out only", ep, 8, 0);
	write(e, &one, 8);
	show("eventfd, out only, after a write", ep, 8, 0);
	read(e, &v, 8);
	show("eventfd, out only, after a read", ep, 8, 0);
	close(e);
	pipe(p);
	ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET, 820);
	show("pipe write end, edge", ep, 8, 0);
	write(p[1], "a", 1);
	show("pipe write end, after a write", ep, 8, 0);
	read(p[0], &c, 1);
	show("pipe write end, after a read", ep, 8, 0);
	printf("mod to input on a write end: %s\n", en(ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLIN | EPOLLET, 821)));
	close(p[0]);
	show("pipe write end, reader gone", ep, 8, 0);
	close(p[1]);

	// Nesting: an epoll instance watching another, and loops.
	int inner = epoll_create1(0);
	pipe(p);
	ctl(inner, EPOLL_CTL_ADD, p[0], EPOLLIN, 900);
	printf("outer watches inner: %s\n", en(ctl(ep, EPOLL_CTL_ADD, inner, EPOLLIN, 901)));
	printf("inner watches outer: %s\n", en(ctl(inner, EPOLL_CTL_ADD, ep, EPOLLIN, 902)));
	printf("exclusive on an epoll fd: %s\n", en(ctl(ep, EPOLL_CTL_MOD, inner, EPOLLIN | EPOLLEXCLUSIVE, 903)));
	printf("exclusive add of an epoll fd: %s\n", en(ctl(chain_probe(), EPOLL_CTL_ADD, inner, EPOLLIN | EPOLLEXCLUSIVE, 903)));
	printf("exclusive item: %s\n", en(ctl(inner, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLEXCLUSIVE, 904)));
	show("inner, exclusive item", inner, 8, 0);
	printf("del exclusive item: %s\n", en(ctl(inner, EPOLL_CTL_DEL, p[1], 0, 0)));
	show("outer, inner empty", ep, 8, 0);
	write(p[1], "n", 1);
	show("outer, inner ready", ep, 8, 0);
	show("inner", inner, 8, 0);
	struct pollfd pfd = {.fd = ep, .events = POLLIN};
	printf("poll on outer: %d %#x\n", poll(&pfd, 1, 0), pfd.revents);
	read(p[0], &c, 1);
	pfd.revents = 0;
	printf("poll on outer, drained: %d %#x\n", poll(&pfd, 1, 0), pfd.revents);
	int chain[6];
	chain[0] = ep;
	for (int i = 1; i < 6; i++) {
		chain[i] = epoll_create1(0);
		printf("chain %d: %s\n", i, en(ctl(chain[i], EPOLL_CTL_ADD, chain[i - 1], EPOLLIN, 0)));
	}

	// Across fork: the child changes the interest list the parent sees, and wakes the
	// parent blocked in epoll_wait.
	int q[2];
	pipe(q);
	pid_t pid = fork();
	if (pid == 0) {
		ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN, 1000);
		write(p[1], "w", 1);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	show("parent after child", ep, 8, 0);
	read(p[0], &c, 1);
	pid = fork();
	if (pid == 0) {
		usleep(1000);
		write(q[1], "k", 1);
		_exit(0);
	}
	show("blocked until the child writes", ep, 8, -1);
	waitpid(pid, NULL, 0);

	struct epoll_event ev1[1];
	read(q[0], &c, 1);
	printf("epoll_wait 10 ms: %d\n", epoll_wait(ep, ev1, 1, 10));

	unlink("f");
	chdir("/");
	rmdir(dir);
	return 0;
}
