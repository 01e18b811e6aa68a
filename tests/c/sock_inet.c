// TCP and UDP on the loopback network (tcp(7), udp(7), ipv6(7)): listen on port 0 and
// learn the port, connect, accept, getsockname/getpeername, echo, half-close with
// shutdown, ECONNREFUSED on a closed port, EADDRINUSE and SO_REUSEADDR, a non-blocking
// connect (EINPROGRESS, then writable, SO_ERROR 0), an IPv6 socket reached through
// IPv4 (dual stack) and not with IPV6_V6ONLY, UDP datagrams with sender addresses, and
// a TCP server in a forked child. Ports are the ones the kernel gives; none is printed.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static int port4(int s) {
	struct sockaddr_in a;
	socklen_t l = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &l);
	return ntohs(a.sin_port);
}

static struct sockaddr_in lo4(int port) {
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void tcp4(void) {
	printf("TCP over IPv4:\n");
	int l = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	printf("  SO_REUSEADDR: %s\n", en(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one)));
	struct sockaddr_in a = lo4(0);
	printf("  bind port 0: %s\n", en(bind(l, (struct sockaddr *)&a, sizeof a)));
	int port = port4(l);
	printf("  got a port: %d\n", port > 0);
	printf("  listen: %s\n", en(listen(l, 8)));
	int acc = 0;
	socklen_t sl = sizeof acc;
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &acc, &sl);
	printf("  SO_ACCEPTCONN: %d\n", acc);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	printf("  TCP_NODELAY: %s\n", en(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)));
	int nd = 0;
	sl = sizeof nd;
	getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, &sl);
	printf("  TCP_NODELAY reads back: %d\n", nd);
	a = lo4(port);
	printf("  connect: %s\n", en(connect(c, (struct sockaddr *)&a, sizeof a)));
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	int s = accept(l, (struct sockaddr *)&peer, &pl);
	printf("  accept: %s, peer %s, len %d, peer port is client's: %d\n", en(s), inet_ntoa(peer.sin_addr), (int)pl,
	       ntohs(peer.sin_port) == port4(c));
	struct sockaddr_in me;
	socklen_t ml = sizeof me;
	getsockname(c, (struct sockaddr *)&me, &ml);
	printf("  client address %s\n", inet_ntoa(me.sin_addr));
	ml = sizeof me;
	getsockname(s, (struct sockaddr *)&me, &ml);
	printf("  server side address %s, port is listener's %d\n", inet_ntoa(me.sin_addr), ntohs(me.sin_port) == port);
	ml = sizeof me;
	getpeername(c, (struct sockaddr *)&me, &ml);
	printf("  client's peer %s, port right %d\n", inet_ntoa(me.sin_addr), ntohs(me.sin_port) == port);
	struct ucred cr;
	socklen_t crl = sizeof cr;
	getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &crl);
	printf("  SO_PEERCRED on TCP: pid %d uid %d gid %d\n", cr.pid, (int)cr.uid, (int)cr.gid);
	printf("  send: %ld\n", (long)send(c, "hello tcp", 9, 0));
	char buf[64];
	long n = recv(s, buf, sizeof buf, 0);
	printf("  recv: %ld '%.*s'\n", n, (int)n, buf);
	printf("  shutdown WR: %s\n", en(shutdown(c, SHUT_WR)));
	n = recv(s, buf, sizeof buf, 0);
	printf("  server sees EOF: %ld\n", n);
	printf("  server still sends: %ld\n", (long)send(s, "reply", 5, 0));
	n = recv(c, buf, sizeof buf, 0);
	printf("  client recv: %ld '%.*s'\n", n, (int)n, buf);
	close(s);
	n = recv(c, buf, sizeof buf, 0);
	printf("  client sees EOF: %ld\n", n);
	close(c);
	int l2 = socket(AF_INET, SOCK_STREAM, 0);
	a = lo4(port);
	printf("  bind the listening port again: %s\n", en(bind(l2, (struct sockaddr *)&a, sizeof a)));
	setsockopt(l2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	printf("  again with SO_REUSEADDR (still listening): %s\n", en(bind(l2, (struct sockaddr *)&a, sizeof a)));
	close(l2);
	close(l);
	c = socket(AF_INET, SOCK_STREAM, 0);
	printf("  connect to the closed port: %s\n", en(connect(c, (struct sockaddr *)&a, sizeof a)));
	close(c);
}

static void nonblocking(void) {
	printf("non-blocking connect:\n");
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo4(0);
	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 1);
	a = lo4(port4(l));
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	printf("  connect: %s\n", en(connect(c, (struct sockaddr *)&a, sizeof a)));
	struct pollfd p = {c, POLLOUT, 0};
	printf("  poll: %d, POLLOUT %d\n", poll(&p, 1, 1000), !!(p.revents & POLLOUT));
	int err = -1;
	socklen_t el = sizeof err;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el);
	printf("  SO_ERROR: %d\n", err);
	char b;
	printf("  recv with nothing: %s\n", en(recv(c, &b, 1, 0)));
	int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	printf("  accept4: %s, O_NONBLOCK %d\n", en(s), !!(fcntl(s, F_GETFL) & O_NONBLOCK));
	printf("  accept4 with an empty queue: %s\n", en(accept4(l, NULL, NULL, 0) + 0 * fcntl(l, F_SETFL, O_NONBLOCK)));
	printf("  accept, non-blocking, empty: %s\n", en(accept(l, NULL, NULL)));
	struct pollfd q = {s, POLLIN, 0};
	printf("  server poll before data: %d\n", poll(&q, 1, 0));
	send(c, "z", 1, 0);
	printf("  server poll after data: %d, POLLIN %d\n", poll(&q, 1, 0), !!(q.revents & POLLIN));
	close(c);
	q.events = POLLIN | POLLRDHUP;
	poll(&q, 1, 0);
	printf("  after the client closed: POLLIN %d POLLRDHUP %d\n", !!(q.revents & POLLIN), !!(q.revents & POLLRDHUP));
	close(s);
	close(l);
}

static void tcp6(void) {
	printf("TCP over IPv6:\n");
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	printf("  bind [::]:0: %s\n", en(bind(l, (struct sockaddr *)&a, sizeof a)));
	socklen_t al = sizeof a;
	getsockname(l, (struct sockaddr *)&a, &al);
	int port = ntohs(a.sin6_port);
	listen(l, 4);
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 d = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	printf("  connect [::1]: %s\n", en(connect(c, (struct sockaddr *)&d, sizeof d)));
	struct sockaddr_in6 peer;
	socklen_t pl = sizeof peer;
	int s = accept(l, (struct sockaddr *)&peer, &pl);
	char txt[64];
	printf("  accept: %s, peer %s len %d\n", en(s), inet_ntop(AF_INET6, &peer.sin6_addr, txt, sizeof txt), (int)pl);
	close(s);
	close(c);
	int c4 = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in d4 = lo4(port);
	printf("  IPv4 connect to the dual-stack listener: %s\n", en(connect(c4, (struct sockaddr *)&d4, sizeof d4)));
	pl = sizeof peer;
	s = accept(l, (struct sockaddr *)&peer, &pl);
	printf("  accept: %s, peer %s\n", en(s), inet_ntop(AF_INET6, &peer.sin6_addr, txt, sizeof txt));
	al = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &al);
	printf("  its own address %s\n", inet_ntop(AF_INET6, &a.sin6_addr, txt, sizeof txt));
	close(s);
	close(c4);
	close(l);
	l = socket(AF_INET6, SOCK_STREAM, 0);
	int one = 1;
	printf("  IPV6_V6ONLY: %s\n", en(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one)));
	a = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	bind(l, (struct sockaddr *)&a, sizeof a);
	al = sizeof a;
	getsockname(l, (struct sockaddr *)&a, &al);
	listen(l, 4);
	c4 = socket(AF_INET, SOCK_STREAM, 0);
	d4 = lo4(ntohs(a.sin6_port));
	printf("  IPv4 connect to a v6-only listener: %s\n", en(connect(c4, (struct sockaddr *)&d4, sizeof d4)));
	close(c4);
	close(l);
}

static void udp(void) {
	printf("UDP:\n");
	int r = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = lo4(0);
	printf("  bind: %s\n", en(bind(r, (struct sockaddr *)&a, sizeof a)));
	int port = port4(r);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	a = lo4(port);
	printf("  sendto: %ld\n", (long)sendto(s, "first", 5, 0, (struct sockaddr *)&a, sizeof a));
	printf("  sendto: %ld\n", (long)sendto(s, "second!", 7, 0, (struct sockaddr *)&a, sizeof a));
	printf("  sendto empty: %ld\n", (long)sendto(s, "", 0, 0, (struct sockaddr *)&a, sizeof a));
	char buf[64];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	long n = recvfrom(r, buf, 3, 0, (struct sockaddr *)&from, &fl);
	printf("  recvfrom 3: %ld '%.*s' from %s, port is sender's %d\n", n, (int)n, buf, inet_ntoa(from.sin_addr),
	       ntohs(from.sin_port) == port4(s));
	n = recv(r, buf, sizeof buf, 0);
	printf("  recv: %ld '%.*s'\n", n, (int)n, buf);
	n = recv(r, buf, sizeof buf, 0);
	printf("  recv empty datagram: %ld\n", n);
	printf("  send unconnected: %s\n", en(send(s, "x", 1, 0)));
	printf("  connect: %s\n", en(connect(s, (struct sockaddr *)&a, sizeof a)));
	printf("  send connected: %ld\n", (long)send(s, "third", 5, 0));
	n = recv(r, buf, sizeof buf, MSG_DONTWAIT);
	printf("  recv: %ld '%.*s'\n", n, (int)n, buf);
	n = recv(r, buf, sizeof buf, MSG_DONTWAIT);
	printf("  recv again: %s\n", en(n));
	int r2 = socket(AF_INET, SOCK_DGRAM, 0);
	printf("  bind the same port: %s\n", en(bind(r2, (struct sockaddr *)&a, sizeof a)));
	close(r2);
	int w = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in any = {.sin_family = AF_INET};
	bind(w, (struct sockaddr *)&any, sizeof any);
	struct sockaddr_in wa;
	socklen_t wl = sizeof wa;
	getsockname(w, (struct sockaddr *)&wa, &wl);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	const char *dsts[] = {"127.0.0.2", "0.0.0.0"};
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = wa.sin_port};
		inet_pton(AF_INET, dsts[i], &d.sin_addr);
		sendto(u, "w", 1, 0, (struct sockaddr *)&d, sizeof d);
		fl = sizeof from;
		n = recvfrom(w, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		printf("  to %s on a wildcard socket: %ld from %s\n", dsts[i], n, inet_ntoa(from.sin_addr));
	}
	close(u);
	close(w);
	close(s);
	close(r);
}

static void forked(void) {
	printf("a server in a child:\n");
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo4(0);
	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 4);
	a = lo4(port4(l));
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++) {
			int s = accept(l, NULL, NULL);
			char buf[64];
			long n, total = 0;
			while ((n = read(s, buf, sizeof buf)) > 0) {
				for (long j = 0; j < n; j++)
					buf[j] = buf[j] >= 'a' && buf[j] <= 'z' ? buf[j] - 32 : buf[j];
				write(s, buf, n);
				total += n;
			}
			close(s);
		}
		_exit(0);
	}
	close(l);
	const char *words[] = {"alpha", "beta", "gamma delta"};
	for (int i = 0; i < 3; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		connect(c, (struct sockaddr *)&a, sizeof a);
		write(c, words[i], strlen(words[i]));
		shutdown(c, SHUT_WR);
		char buf[64];
		long n = recv(c, buf, strlen(words[i]), MSG_WAITALL);
		printf("  %s -> %.*s\n", words[i], (int)n, buf);
		close(c);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("  child exit %d\n", WEXITSTATUS(st));
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	tcp4();
	nonblocking();
	tcp6();
	udp();
	forked();
	return 0;
}
