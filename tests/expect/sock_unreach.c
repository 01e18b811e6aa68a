// weft's guest has no network but lo (ip(7), "ENETUNREACH: network is unreachable"):
// a TCP connect or a UDP send to any address outside 127.0.0.0/8 and ::1 fails with
// ENETUNREACH, and bind to such an address with EADDRNOTAVAIL; 0.0.0.0 as a destination
// means the local host, as on Linux. qemu-riscv64 would reach the host's network, so
// this is written down from the man pages instead.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *en(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

int main(void) {
	const char *v4[] = {"10.0.0.1", "8.8.8.8", "192.168.1.1", "127.1.2.3"};
	for (int i = 0; i < 4; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
		inet_pton(AF_INET, v4[i], &a.sin_addr);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		printf("TCP connect %s: %s\n", v4[i], en(connect(s, (struct sockaddr *)&a, sizeof a)));
		close(s);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		printf("UDP sendto %s: %s\n", v4[i], en(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof a)));
		close(s);
		s = socket(AF_INET, SOCK_STREAM, 0);
		a.sin_port = 0;
		printf("bind %s: %s\n", v4[i], en(bind(s, (struct sockaddr *)&a, sizeof a)));
		close(s);
	}
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
	inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);
	int s = socket(AF_INET6, SOCK_STREAM, 0);
	printf("TCP connect 2001:db8::1: %s\n", en(connect(s, (struct sockaddr *)&a6, sizeof a6)));
	close(s);
	// A listener on 0.0.0.0 is reached through 0.0.0.0.
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in any = {.sin_family = AF_INET};
	bind(l, (struct sockaddr *)&any, sizeof any);
	listen(l, 1);
	socklen_t al = sizeof any;
	getsockname(l, (struct sockaddr *)&any, &al);
	s = socket(AF_INET, SOCK_STREAM, 0);
	printf("TCP connect 0.0.0.0: %s\n", en(connect(s, (struct sockaddr *)&any, sizeof any)));
	printf("port below 1024 as a user: %s\n", en(bind(socket(AF_INET, SOCK_STREAM, 0),
		(struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(80)}, sizeof any)));
	return 0;
}
