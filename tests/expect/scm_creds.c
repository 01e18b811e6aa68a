// Who may send which credentials in an SCM_CREDENTIALS message (unix(7),
// scm_check_creds): a process names itself and its own real, effective or saved IDs,
// unless it has CAP_SYS_ADMIN (any process), CAP_SETUID (any user ID) or CAP_SETGID
// (any group ID). Being root is not enough once the capability is dropped. Run as
// root (scm_creds.root); QEMU cannot be the oracle: capset would change the host
// process's capabilities.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int sv[2];

static const char *try(pid_t pid, uid_t uid, gid_t gid)
{
	struct ucred c = {pid, uid, gid};
	char cbuf[CMSG_SPACE(sizeof c)];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec io = {"c", 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof c);
	memcpy(CMSG_DATA(cm), &c, sizeof c);
	if (sendmsg(sv[0], &m, 0) < 0)
		return strerrorname_np(errno);
	char b;
	recv(sv[1], &b, 1, 0);
	return "ok";
}

// drop removes capability cap from the effective set.
static void drop(int cap)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &hdr, d);
	d[cap / 32].effective &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &hdr, d) < 0)
		printf("capset: %s\n", strerrorname_np(errno));
}

int main(void)
{
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pid_t me = getpid(), parent = getppid();
	printf("root, own process and IDs: %s\n", try(me, 0, 0));
	printf("root, another process: %s\n", try(parent, 0, 0));
	printf("root, user 1234: %s\n", try(me, 1234, 0));
	printf("root, group 1234: %s\n", try(me, 0, 1234));
	drop(CAP_SETUID);
	printf("without CAP_SETUID, user 1234: %s\n", try(me, 1234, 0));
	printf("without CAP_SETUID, group 1234: %s\n", try(me, 0, 1234));
	drop(CAP_SETGID);
	printf("without CAP_SETGID, group 1234: %s\n", try(me, 0, 1234));
	printf("without CAP_SETGID, another process: %s\n", try(parent, 0, 0));
	drop(CAP_SYS_ADMIN);
	printf("without CAP_SYS_ADMIN, another process: %s\n", try(parent, 0, 0));
	printf("without them, own process and IDs: %s\n", try(me, 0, 0));
	return 0;
}
