// Messages on Unix sockets (unix(7), recv(2), socket(7)): SCM_CREDENTIALS sent
// explicitly and received with SO_PASSCRED (a forged pid is EPERM only for a user, and
// the tests run as root: not checked here),
// MSG_WAITALL gathering a message written in pieces by another thread, MSG_PEEK of a
// message carrying a file, SO_RCVTIMEO ending a recv with EAGAIN, FIONREAD, readv and
// writev on a socket, select on a socketpair, shutdown(SHUT_RD), and sendmmsg/recvmmsg
// of several datagrams at once, and what poll reports for stream sockets in each state.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static int sv[2];

static void *pieces(void *arg) {
	(void)arg;
	const char *parts[] = {"wait", "all ", "gathers ", "pieces"};
	for (int i = 0; i < 4; i++) {
		write(sv[0], parts[i], strlen(parts[i]));
		usleep(1000);
	}
	return NULL;
}

static void show_poll(const char *what, int fd) {
	struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
	poll(&p, 1, 0);
	printf("poll %s:%s%s%s%s%s\n", what, p.revents & POLLIN ? " IN" : "", p.revents & POLLOUT ? " OUT" : "",
	       p.revents & POLLRDHUP ? " RDHUP" : "", p.revents & POLLHUP ? " HUP" : "", p.revents & POLLERR ? " ERR" : "");
}

static void poll_states(void) {
	int p[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, p);
	show_poll("connected pair", p[0]);
	shutdown(p[1], SHUT_WR);
	show_poll("peer shut writing", p[0]);
	shutdown(p[1], SHUT_RD);
	show_poll("peer shut reading too", p[0]);
	shutdown(p[0], SHUT_WR);
	show_poll("and we shut writing", p[0]);
	close(p[0]);
	close(p[1]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, p);
	close(p[1]);
	show_poll("peer closed", p[0]);
	close(p[0]);
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	show_poll("unconnected Unix stream", u);
	close(u);
	int t = socket(AF_INET, SOCK_STREAM, 0);
	show_poll("unconnected TCP", t);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(t, (struct sockaddr *)&a, sizeof a);
	listen(t, 1);
	show_poll("listening TCP", t);
	socklen_t al = sizeof a;
	getsockname(t, (struct sockaddr *)&a, &al);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, sizeof a);
	show_poll("listening TCP with a connection", t);
	int s = accept(t, NULL, NULL);
	show_poll("TCP connected", c);
	shutdown(s, SHUT_WR);
	show_poll("TCP peer shut writing", c);
	shutdown(c, SHUT_WR);
	show_poll("TCP both shut writing", c);
	close(s);
	close(c);
	close(t);
}

static long send_cred(int fd, struct ucred c) {
	char cbuf[CMSG_SPACE(sizeof c)];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec io = {"c", 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof c);
	memcpy(CMSG_DATA(cm), &c, sizeof c);
	return sendmsg(fd, &m, 0);
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	poll_states();
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	int one = 1;
	printf("SO_PASSCRED: %s\n", en(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one)));
	struct ucred c = {getpid(), getuid(), getgid()};
	printf("send own credentials: %ld\n", send_cred(sv[0], c));
	printf("plain send: %ld\n", (long)send(sv[0], "p", 1, 0));
	for (int i = 0; i < 2; i++) {
		char b;
		char cbuf[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec io = {&b, 1};
		struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
		long n = recvmsg(sv[1], &m, 0);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		struct ucred got = {0};
		if (cm)
			memcpy(&got, CMSG_DATA(cm), sizeof got);
		printf("recvmsg %ld '%c': cmsg type %d, pid mine %d, uid mine %d, gid mine %d\n", n, b, cm ? cm->cmsg_type : -1,
		       got.pid == getpid(), got.uid == getuid(), got.gid == getgid());
	}
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pthread_t t;
	pthread_create(&t, NULL, pieces, NULL);
	char buf[64] = {0};
	long n = recv(sv[1], buf, 22, MSG_WAITALL);
	printf("MSG_WAITALL: %ld '%.*s'\n", n, (int)n, buf);
	pthread_join(t, NULL);

	int fd = open("/dev/null", O_RDONLY);
	char cbuf[CMSG_SPACE(sizeof(int))];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec io = {"F", 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	sendmsg(sv[0], &m, 0);
	send(sv[0], "after", 5, 0);
	int avail = -1;
	ioctl(sv[1], FIONREAD, &avail);
	printf("FIONREAD: %d\n", avail);
	for (int i = 0; i < 2; i++) {
		char r[16] = {0}, rc[CMSG_SPACE(sizeof(int))];
		struct iovec rio = {r, sizeof r};
		struct msghdr rm = {.msg_iov = &rio, .msg_iovlen = 1, .msg_control = rc, .msg_controllen = sizeof rc};
		n = recvmsg(sv[1], &rm, i == 0 ? MSG_PEEK : 0);
		struct cmsghdr *x = CMSG_FIRSTHDR(&rm);
		printf("%s: %ld '%.*s', a file: %d\n", i == 0 ? "peek" : "recv", n, (int)n, r, x && x->cmsg_type == SCM_RIGHTS);
		if (x) {
			int got;
			memcpy(&got, CMSG_DATA(x), sizeof got);
			printf("  received descriptor is open: %d\n", fcntl(got, F_GETFD) >= 0);
			close(got);
		}
	}
	n = recv(sv[1], buf, sizeof buf, 0);
	printf("then: %ld '%.*s'\n", n, (int)n, buf);

	struct iovec out[3] = {{"read", 4}, {"v and ", 6}, {"writev", 6}};
	printf("writev: %ld\n", (long)writev(sv[0], out, 3));
	char a[5] = {0}, b2[20] = {0};
	struct iovec in[2] = {{a, 4}, {b2, sizeof b2}};
	n = readv(sv[1], in, 2);
	printf("readv: %ld '%s' '%s'\n", n, a, b2);

	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(sv[1], &rs);
	struct timeval tv = {0, 0};
	printf("select, nothing to read: %d\n", select(sv[1] + 1, &rs, NULL, NULL, &tv));
	send(sv[0], "s", 1, 0);
	FD_SET(sv[1], &rs);
	printf("select, one byte: %d, set %d\n", select(sv[1] + 1, &rs, NULL, NULL, &tv), FD_ISSET(sv[1], &rs));
	recv(sv[1], buf, 1, 0);

	struct timeval to = {0, 20000};
	printf("SO_RCVTIMEO: %s\n", en(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &to, sizeof to)));
	struct timeval back;
	socklen_t bl = sizeof back;
	getsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &back, &bl);
	printf("reads back: %ld.%06ld\n", (long)back.tv_sec, (long)back.tv_usec);
	printf("recv with nothing coming: %s\n", en(recv(sv[1], buf, 1, 0)));
	printf("shutdown RD: %s\n", en(shutdown(sv[1], SHUT_RD)));
	printf("recv after SHUT_RD: %ld\n", (long)recv(sv[1], buf, 1, 0));
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	const char *words[] = {"one", "two!", "three"};
	struct mmsghdr out3[3];
	struct iovec oio[3];
	memset(out3, 0, sizeof out3);
	for (int i = 0; i < 3; i++) {
		oio[i] = (struct iovec){(void *)words[i], strlen(words[i])};
		out3[i].msg_hdr.msg_iov = &oio[i];
		out3[i].msg_hdr.msg_iovlen = 1;
	}
	printf("sendmmsg: %d, lengths %u %u %u\n", sendmmsg(sv[0], out3, 3, 0), out3[0].msg_len, out3[1].msg_len, out3[2].msg_len);
	struct mmsghdr in4[4];
	struct iovec iio[4];
	char bufs[4][16];
	memset(in4, 0, sizeof in4);
	memset(bufs, 0, sizeof bufs);
	for (int i = 0; i < 4; i++) {
		iio[i] = (struct iovec){bufs[i], sizeof bufs[i]};
		in4[i].msg_hdr.msg_iov = &iio[i];
		in4[i].msg_hdr.msg_iovlen = 1;
	}
	int got = recvmmsg(sv[1], in4, 4, MSG_DONTWAIT, NULL);
	printf("recvmmsg of 4 with 3 waiting: %d:", got);
	for (int i = 0; i < got; i++)
		printf(" %s(%u)", bufs[i], in4[i].msg_len);
	printf("\n");
	printf("recvmmsg with none waiting: %s\n", en(recvmmsg(sv[1], in4, 4, MSG_DONTWAIT, NULL)));
	close(sv[0]);
	close(sv[1]);
	return 0;
}
