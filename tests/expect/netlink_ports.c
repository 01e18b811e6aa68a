// Netlink port IDs (netlink(7)): bind(2) with nl_pid 0, or a first send, gives the
// socket the caller's process ID as its PID namespace numbers it, or, when another
// socket has that, a number below -4096 (netlink_autobind); an nl_pid another socket
// holds is EADDRINUSE until that socket is closed. Run as root (netlink_ports.root),
// for the PID namespace; QEMU cannot be the oracle: its host has other sockets.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int nl(void) { return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE); }

static const char *bind_to(int fd, unsigned port)
{
	struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_pid = port};
	return bind(fd, (struct sockaddr *)&a, sizeof a) ? strerrorname_np(errno) : "ok";
}

static int port(int fd)
{
	struct sockaddr_nl a = {0};
	socklen_t n = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &n);
	return (int)a.nl_pid;
}

int main(void)
{
	int a = nl(), b = nl(), c = nl();
	printf("bind(0): %s, port is the pid: %d\n", bind_to(a, 0), port(a) == getpid());
	printf("bind(0) again: %s, port below -4096: %d\n", bind_to(b, 0), port(b) < -4096);
	printf("bind(the first's port): %s\n", bind_to(c, port(a)));
	printf("bind(another port): %s, port %d\n", bind_to(c, 4242), port(c));
	int d = nl();
	printf("bind(4242) from a fourth: %s\n", bind_to(d, 4242));
	int pa = port(a);
	close(a);
	printf("bind(the closed one's port): %s, it: %d\n", bind_to(d, pa), port(d) == pa);

	// A first send binds too; in a new PID namespace the process is number 1.
	fflush(stdout);
	if (unshare(CLONE_NEWPID)) {
		printf("unshare(CLONE_NEWPID): %s\n", strerrorname_np(errno));
		return 1;
	}
	if (fork() == 0) {
		int e = nl();
		struct {
			struct nlmsghdr h;
			char pad[16];
		} req = {.h = {.nlmsg_len = sizeof req, .nlmsg_type = NLMSG_NOOP, .nlmsg_flags = NLM_F_REQUEST}};
		struct sockaddr_nl k = {.nl_family = AF_NETLINK};
		sendto(e, &req, sizeof req, 0, (struct sockaddr *)&k, sizeof k);
		printf("child: getpid %d, port after a send %d\n", getpid(), port(e));
		return 0;
	}
	wait(NULL);
	return 0;
}
