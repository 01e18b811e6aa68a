// Network namespaces (network_namespaces(7)): unshare(2) or clone(2) with CLONE_NEWNET
// (root only: EPERM otherwise) gives a process a network of its own: its own abstract
// Unix socket names (and TCP/UDP ports: not shown, as a new namespace's loopback on
// Linux is down until brought up, which weft's is not), and its own /proc/sys/net
// settings, which start
// from the first namespace's defaults (ipv4/conf/lo takes conf/default's values). Unix
// sockets bound to file system paths stay reachable from every namespace. weft has no
// other kind of namespace (EINVAL for root).
// QEMU cannot be the oracle: the host's namespaces are not ours to make.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static long get(const char *path)
{
	char buf[32] = {0};
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1000 - errno;
	read(fd, buf, sizeof buf - 1);
	close(fd);
	return atol(buf);
}

static int put(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	int r = write(fd, v, strlen(v));
	close(fd);
	return r < 0 ? -errno : 0;
}

static const char *lo = "/proc/sys/net/ipv4/conf/lo/tag";
static const char *dflt = "/proc/sys/net/ipv4/conf/default/tag";

static int unix_sock(const char *name, int abstract, int listening)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t len;
	if (abstract) {
		strcpy(a.sun_path + 1, name);
		len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	} else {
		strcpy(a.sun_path, name);
		len = sizeof a;
	}
	int r = listening ? bind(s, (struct sockaddr *)&a, len) || listen(s, 1) : connect(s, (struct sockaddr *)&a, len);
	return r < 0 ? -errno : s;
}

static int tcp_listen(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0)
		return -errno;
	return s;
}

static const char *res(int r) { return r >= 0 ? "ok" : strerrorname_np(-r); }

int main(void)
{
	printf("lo/tag %ld, default/tag %ld\n", get(lo), get(dflt));
	printf("write lo/tag 5: %s, default/tag 3: %s\n", res(put(lo, "5")), res(put(dflt, "3")));
	printf("lo/tag %ld, default/tag %ld\n", get(lo), get(dflt));
	printf("write lo/tag x: %s\n", res(put(lo, "x")));

	char path[] = "/tmp/netns-XXXXXX";
	mkdtemp(path);
	char sock[64];
	snprintf(sock, sizeof sock, "%s/s", path);
	printf("listen on abstract \"weft-ns\": %s\n", res(unix_sock("weft-ns", 1, 1)));
	printf("listen on a path: %s\n", res(unix_sock(sock, 0, 1)));
	printf("listen on 127.0.0.1:5555: %s\n", res(tcp_listen(5555)));
	printf("again in this namespace: %s\n", res(tcp_listen(5555)));

	fflush(stdout);
	if (fork() == 0) {
		printf("child: unshare(CLONE_NEWNET): %s\n", res(unshare(CLONE_NEWNET) ? -errno : 0));
		printf("child: lo/tag %ld, default/tag %ld\n", get(lo), get(dflt));
		printf("child: write lo/tag 9: %s\n", res(put(lo, "9")));
		printf("child: connect to abstract \"weft-ns\": %s\n", res(unix_sock("weft-ns", 1, 0)));
		printf("child: connect to the path: %s\n", res(unix_sock(sock, 0, 0)));
		printf("child: listen on abstract \"weft-ns\": %s\n", res(unix_sock("weft-ns", 1, 1)));
		fflush(stdout);
		if (fork() == 0) {
			printf("grandchild: lo/tag %ld (its parent's namespace)\n", get(lo));
			fflush(stdout);
			_exit(0);
		}
		wait(NULL);
		_exit(0);
	}
	wait(NULL);
	printf("lo/tag %ld after the child's write\n", get(lo));
	printf("connect to abstract \"weft-ns\": %s\n", res(unix_sock("weft-ns", 1, 0)));

	fflush(stdout);
	if (fork() == 0) {
		setuid(65534);
		errno = 0;
		printf("nobody: unshare(CLONE_NEWNET): %s\n", res(unshare(CLONE_NEWNET) ? -errno : 0));
		printf("nobody: write lo/tag: %s\n", res(put(lo, "1")));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	printf("unshare(CLONE_NEWUTS): %s\n", res(unshare(CLONE_NEWUTS) ? -errno : 0));
	unlink(sock);
	rmdir(path);
	return 0;
}
