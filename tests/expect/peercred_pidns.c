// Socket credentials across a PID namespace (unix(7), pid_namespaces(7)), as root:
// SO_PEERCRED (of a socketpair: its creator's) and a received SCM_CREDENTIALS message
// give the PID as the reader's namespace numbers it (pid_vnr: 0 for a process outside it), and the PID a
// sender puts in SCM_CREDENTIALS is a number of its own namespace (scm_check_creds).
// QEMU cannot be the oracle: the host's namespaces are not ours to make.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void peercred(const char *who, int fd)
{
	struct ucred c;
	socklen_t len = sizeof c;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len))
		printf("%s: SO_PEERCRED: %s\n", who, strerrorname_np(errno));
	else
		printf("%s: SO_PEERCRED pid %d uid %d gid %d\n", who, c.pid, c.uid, c.gid);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("unshare(CLONE_NEWPID): %d\n", unshare(CLONE_NEWPID));
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int on = 1;
	setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	pid_t c = fork();
	if (c == 0) {
		close(sv[0]);
		printf("child: getpid() = %d\n", getpid());
		peercred("child", sv[1]);
		// Send our credentials, by our own PID.
		struct ucred uc = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
		char cbuf[CMSG_SPACE(sizeof uc)];
		memset(cbuf, 0, sizeof cbuf);
		char byte = 'x';
		struct iovec iov = {&byte, 1};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_CREDENTIALS;
		h->cmsg_len = CMSG_LEN(sizeof uc);
		memcpy(CMSG_DATA(h), &uc, sizeof uc);
		printf("child: sendmsg with SCM_CREDENTIALS pid %d: %s\n", uc.pid,
		       sendmsg(sv[1], &m, 0) == 1 ? "ok" : strerrorname_np(errno));
		_exit(0);
	}
	close(sv[1]);
	waitpid(c, NULL, 0);
	struct ucred pc;
	socklen_t len = sizeof pc;
	getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &pc, &len);
	// socketpair(2) gave both ends the creator's credentials (init_peercred).
	printf("parent: SO_PEERCRED pid is its own %d\n", pc.pid == getpid());
	char byte, cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = {&byte, 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	if (recvmsg(sv[0], &m, 0) != 1) {
		printf("parent: recvmsg: %s\n", strerrorname_np(errno));
		return 1;
	}
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_CREDENTIALS) {
		printf("parent: no credentials\n");
		return 1;
	}
	struct ucred got;
	memcpy(&got, CMSG_DATA(h), sizeof got);
	printf("parent: SCM_CREDENTIALS pid is fork's %d, uid %d gid %d\n", got.pid == c, got.uid, got.gid);
	return 0;
}
