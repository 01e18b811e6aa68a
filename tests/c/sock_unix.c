// Unix domain sockets (unix(7)): socketpair of each type, bind/listen/accept/connect on
// a path (a socket node: stat, EADDRINUSE, unlink, ECONNREFUSED once closed) and in the
// abstract namespace, getsockname/getpeername, SO_PEERCRED, SO_TYPE, MSG_PEEK,
// MSG_DONTWAIT, MSG_TRUNC on datagrams, seqpacket boundaries, shutdown and EOF, EPIPE
// with and without SIGPIPE, and SCM_RIGHTS passing an open file to a forked child.
// Everything happens in a fresh mkdtemp directory.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static int sigpipes;
static void onpipe(int s) { (void)s; sigpipes++; }

static socklen_t unaddr(struct sockaddr_un *a, const char *path, int abstract) {
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(a->sun_path + 1, path, strlen(path));
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path);
	}
	strcpy(a->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void pairs(void) {
	int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
	const char *names[] = {"stream", "dgram", "seqpacket"};
	for (int i = 0; i < 3; i++) {
		int sv[2];
		printf("socketpair %s: %s\n", names[i], en(socketpair(AF_UNIX, types[i], 0, sv)));
		int ty = 0;
		socklen_t l = sizeof ty;
		getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &ty, &l);
		printf("  SO_TYPE %d (len %d)\n", ty, (int)l);
		printf("  send: %ld\n", (long)send(sv[0], "hello", 5, 0));
		printf("  send: %ld\n", (long)send(sv[0], "world!", 6, 0));
		char buf[64] = {0};
		long n = recv(sv[1], buf, 3, MSG_PEEK);
		printf("  peek 3: %ld '%.*s'\n", n, (int)n, buf);
		n = recv(sv[1], buf, 3, 0);
		printf("  recv 3: %ld '%.*s'\n", n, (int)n, buf);
		n = recv(sv[1], buf, sizeof buf, 0);
		printf("  recv: %ld '%.*s'\n", n, (int)n, buf);
		n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
		printf("  recv empty, MSG_DONTWAIT: %s\n", en(n));
		if (types[i] != SOCK_STREAM) {
			send(sv[0], "0123456789", 10, 0);
			n = recv(sv[1], buf, 4, MSG_TRUNC);
			printf("  MSG_TRUNC recv 4 of 10: %ld '%.4s'\n", n, buf);
		}
		struct ucred cr;
		l = sizeof cr;
		getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &l);
		printf("  SO_PEERCRED pid is mine: %d, len %d\n", cr.pid == getpid(), (int)l);
		printf("  shutdown WR: %s\n", en(shutdown(sv[0], SHUT_WR)));
		if (types[i] != SOCK_DGRAM) {
			n = recv(sv[1], buf, sizeof buf, 0);
			printf("  recv after peer shutdown: %ld\n", n);
		}
		printf("  send after shutdown: %s, SIGPIPEs %d\n", en(send(sv[0], "x", 1, 0)), sigpipes);
		printf("  send MSG_NOSIGNAL: %s, SIGPIPEs %d\n", en(send(sv[0], "x", 1, MSG_NOSIGNAL)), sigpipes);
		close(sv[0]);
		if (types[i] != SOCK_DGRAM)
			printf("  write to closed peer: %s, SIGPIPEs %d\n", en(write(sv[1], "x", 1)), sigpipes);
		close(sv[1]);
	}
}

static void named(int abstract) {
	printf("%s names:\n", abstract ? "abstract" : "path");
	struct sockaddr_un a, got;
	socklen_t alen = unaddr(&a, "srv.sock", abstract);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("  bind: %s\n", en(bind(l, (struct sockaddr *)&a, alen)));
	if (!abstract) {
		struct stat st;
		stat("srv.sock", &st);
		printf("  stat: socket %d, mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
		printf("  open: %s\n", en(open("srv.sock", O_RDWR)));
	}
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("  bind again: %s\n", en(bind(l2, (struct sockaddr *)&a, alen)));
	close(l2);
	int c0 = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("  connect before listen: %s\n", en(connect(c0, (struct sockaddr *)&a, alen)));
	close(c0);
	printf("  listen: %s\n", en(listen(l, 4)));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("  connect: %s\n", en(connect(c, (struct sockaddr *)&a, alen)));
	printf("  connect again: %s\n", en(connect(c, (struct sockaddr *)&a, alen)));
	socklen_t gl = sizeof got;
	int s = accept(l, (struct sockaddr *)&got, &gl);
	printf("  accept: %s, peer address length %d\n", en(s), (int)gl);
	gl = sizeof got;
	getsockname(l, (struct sockaddr *)&got, &gl);
	printf("  getsockname: length %d, same as bound %d\n", (int)gl, gl == alen && memcmp(&got, &a, alen) == 0);
	gl = sizeof got;
	getpeername(c, (struct sockaddr *)&got, &gl);
	printf("  client's getpeername: length %d, same %d\n", (int)gl, gl == alen && memcmp(&got, &a, alen) == 0);
	gl = sizeof got;
	printf("  getpeername of listener: %s\n", en(getpeername(l, (struct sockaddr *)&got, &gl)));
	write(c, "ping", 4);
	char buf[16] = {0};
	long n = read(s, buf, sizeof buf);
	printf("  server read: %ld '%.*s'\n", n, (int)n, buf);
	write(s, "pong", 4);
	n = read(c, buf, sizeof buf);
	printf("  client read: %ld '%.*s'\n", n, (int)n, buf);
	close(s);
	n = read(c, buf, sizeof buf);
	printf("  read after server closed: %ld\n", n);
	close(c);
	close(l);
	if (!abstract) {
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		printf("  connect after close: %s\n", en(connect(c, (struct sockaddr *)&a, alen)));
		close(c);
		printf("  unlink: %s\n", en(unlink("srv.sock")));
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		printf("  connect after unlink: %s\n", en(connect(c, (struct sockaddr *)&a, alen)));
		close(c);
	} else {
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		printf("  connect after close: %s\n", en(connect(c, (struct sockaddr *)&a, alen)));
		close(c);
	}
}

static void dgram_named(void) {
	printf("datagrams by name:\n");
	struct sockaddr_un a, b, from;
	socklen_t al = unaddr(&a, "a.sock", 0), bl = unaddr(&b, "b.sock", 0);
	int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(sa, (struct sockaddr *)&a, al);
	bind(sb, (struct sockaddr *)&b, bl);
	printf("  sendto b: %ld\n", (long)sendto(sa, "one", 3, 0, (struct sockaddr *)&b, bl));
	printf("  sendto b: %ld\n", (long)sendto(sa, "two!", 4, 0, (struct sockaddr *)&b, bl));
	char buf[16];
	socklen_t fl = sizeof from;
	long n = recvfrom(sb, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
	printf("  recvfrom: %ld '%.*s' from %s\n", n, (int)n, buf, from.sun_path);
	n = recv(sb, buf, sizeof buf, 0);
	printf("  recv: %ld '%.*s'\n", n, (int)n, buf);
	printf("  sendto nowhere: %s\n", en(sendto(sa, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_un){AF_UNIX, "nowhere"}, sizeof(struct sockaddr_un))));
	printf("  send unconnected: %s\n", en(send(sa, "x", 1, 0)));
	printf("  connect a to b: %s\n", en(connect(sa, (struct sockaddr *)&b, bl)));
	printf("  send connected: %ld\n", (long)send(sa, "three", 5, 0));
	n = recv(sb, buf, sizeof buf, 0);
	printf("  recv: %ld '%.*s'\n", n, (int)n, buf);
	int sc = socket(AF_UNIX, SOCK_DGRAM, 0);
	printf("  connect b to a: %s\n", en(connect(sb, (struct sockaddr *)&a, al)));
	printf("  a third socket sends to b (connected elsewhere): %s\n", en(sendto(sc, "x", 1, 0, (struct sockaddr *)&b, bl)));
	close(sa);
	close(sb);
	close(sc);
	unlink("a.sock");
	unlink("b.sock");
}

static void rights(void) {
	printf("SCM_RIGHTS:\n");
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int fd = open("data.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "shared file", 11);
	lseek(fd, 0, SEEK_SET);
	pid_t child = fork();
	if (child == 0) {
		close(sv[0]);
		char b;
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec io = {&b, 1};
		struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
		long n = recvmsg(sv[1], &m, 0);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		printf("  child recvmsg: %ld byte '%c', cmsg level %d type %d len %d, flags %d\n", n, b,
		       cm ? cm->cmsg_level : -1, cm ? cm->cmsg_type : -1, cm ? (int)cm->cmsg_len : -1, m.msg_flags);
		int got;
		memcpy(&got, CMSG_DATA(cm), sizeof got);
		char buf[6] = {0};
		// The description is shared: reading moves the offset the parent sees too.
		printf("  child reads: %ld '%.6s'\n", (long)read(got, buf, 6), buf);
		write(sv[1], "k", 1);
		_exit(0);
	}
	close(sv[1]);
	char cbuf[CMSG_SPACE(sizeof(int))];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec io = {"F", 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	printf("  sendmsg: %ld\n", (long)sendmsg(sv[0], &m, 0));
	close(fd); // in flight, the file stays open
	char k;
	read(sv[0], &k, 1);
	int st;
	waitpid(child, &st, 0);
	printf("  child exit %d\n", WEXITSTATUS(st));
	// The offset moved by the child's read: the parent reopens by name to compare.
	int bad = 12345;
	memcpy(CMSG_DATA(cm), &bad, sizeof bad);
	printf("  sendmsg with a bad fd: %s\n", en(sendmsg(sv[0], &m, 0)));
	close(sv[0]);
	unlink("data.txt");
}

static void offsets(void) {
	printf("shared offset after passing:\n");
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	int fd = open("o.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "abcdefgh", 8);
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec io = {"x", 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
	int two[2] = {fd, fd};
	memcpy(CMSG_DATA(cm), two, sizeof two);
	sendmsg(sv[0], &m, 0);
	char rb[2];
	char rc[CMSG_SPACE(sizeof(int))]; // room for one of the two
	struct iovec rio = {rb, 2};
	struct msghdr r = {.msg_iov = &rio, .msg_iovlen = 1, .msg_control = rc, .msg_controllen = sizeof rc};
	long n = recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC);
	cm = CMSG_FIRSTHDR(&r);
	printf("  recvmsg %ld, ctrunc %d, cmsg len %d\n", n, !!(r.msg_flags & MSG_CTRUNC), cm ? (int)cm->cmsg_len : -1);
	int got;
	memcpy(&got, CMSG_DATA(cm), sizeof got);
	printf("  received fd has FD_CLOEXEC: %d\n", fcntl(got, F_GETFD) & FD_CLOEXEC);
	printf("  offset through the received fd: %ld\n", (long)lseek(got, 0, SEEK_CUR));
	lseek(got, 2, SEEK_SET);
	printf("  offset through the original: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	close(got);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	unlink("o.txt");
}

// A listener with backlog 0 admits one connection at a time: the child's second
// connect waits until the parent accepts the first (unix(7): connect blocks while the
// backlog is full), and a non-blocking connect gets EAGAIN meanwhile.
static void backlog(void) {
	printf("backlog:\n");
	struct sockaddr_un a;
	socklen_t alen = unaddr(&a, "backlog", 1);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&a, alen);
	listen(l, 0);
	int first = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("  first connect: %s\n", en(connect(first, (struct sockaddr *)&a, alen)));
	int nb = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(nb, (struct sockaddr *)&a, alen);
	printf("  non-blocking connect while full: %s\n", en(r));
	close(nb);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++) {
			int c = socket(AF_UNIX, SOCK_STREAM, 0);
			if (connect(c, (struct sockaddr *)&a, alen) != 0)
				_exit(1);
			char m = 'a' + i;
			write(c, &m, 1);
			close(c);
		}
		_exit(0);
	}
	char got[8] = {0};
	for (int i = 0; i < 4; i++) {
		int s = accept(l, NULL, NULL);
		if (i > 0)
			read(s, &got[i - 1], 1);
		close(s);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("  accepted the child's connections in order: %s, child exit %d\n", got, WEXITSTATUS(st));
	close(first);
	close(l);
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, onpipe);
	char dir[] = "/tmp/weft-difftest-sock_unix-XXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	pairs();
	named(0);
	named(1);
	dgram_named();
	rights();
	offsets();
	backlog();
	chdir("/");
	printf("rmdir: %s\n", en(rmdir(dir)));
	return 0;
}
