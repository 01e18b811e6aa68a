//go:build ignore
// (That line keeps the go tool from taking this file for cgo source.)

/*
 * pingpong: round trips of a 64-byte message between two processes.
 *
 *   pingpong unix N   over a Unix stream socketpair
 *   pingpong tcp N    over a TCP connection on 127.0.0.1 (port 0: the kernel picks)
 *
 * The parent sends, the child sends the message back with its first byte changed, the
 * parent checks it; N times. Both are pinned to CPU 0 so that each round trip is two
 * context switches on one CPU, as bench/costs/comm does. scripts/bench-net.sh times
 * this under Linux, qemu-riscv64 and weft.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 64

static void die(const char *what) { perror(what); exit(1); }

static void full(int fd, char *b, int write_it) {
	long done = 0;
	while (done < SIZE) {
		long n = write_it ? write(fd, b + done, SIZE - done) : read(fd, b + done, SIZE - done);
		if (n <= 0)
			die(write_it ? "write" : "read");
		done += n;
	}
}

int main(int argc, char **argv) {
	if (argc != 3)
		return 2;
	long n = atol(argv[2]);
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof one, &one);
	int a, b;
	if (strcmp(argv[1], "unix") == 0) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			die("socketpair");
		a = sv[0], b = sv[1];
	} else {
		int l = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t sl = sizeof sa;
		if (bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &sl))
			die("listen");
		a = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(a, (struct sockaddr *)&sa, sizeof sa))
			die("connect");
		b = accept(l, NULL, NULL);
		int one = 1;
		setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		close(l);
	}
	pid_t pid = fork();
	char msg[SIZE], back[SIZE];
	if (pid == 0) {
		close(a);
		for (long i = 0; i < n; i++) {
			full(b, msg, 0);
			msg[0]++;
			full(b, msg, 1);
		}
		_exit(0);
	}
	close(b);
	memset(msg, 'm', SIZE);
	for (long i = 0; i < n; i++) {
		msg[0] = (char)i;
		full(a, msg, 1);
		full(a, back, 0);
		if (back[0] != (char)(i + 1) || memcmp(msg + 1, back + 1, SIZE - 1) != 0)
			die("corrupt reply");
	}
	int st;
	waitpid(pid, &st, 0);
	printf("%s: %ld round trips\n", argv[1], n);
	return 0;
}
