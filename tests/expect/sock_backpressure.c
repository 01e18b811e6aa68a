// Backpressure (unix(7), socket(7) SO_SNDBUF): a writer to a Unix stream socket whose
// reader does not read blocks once its send buffer is full, and a non-blocking one
// gets EAGAIN; the writer goes on as the reader drains. Two threads of one process
// share the socketpair (a thread writes, the main thread reads). The byte counts that
// fill the buffer depend on the kernel's accounting, so only their sum is printed.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sv[2];
static const long total = 1 << 20;

static void *writer(void *arg) {
	(void)arg;
	static char buf[8192];
	memset(buf, 'w', sizeof buf);
	long sent = 0;
	while (sent < total) {
		long n = write(sv[0], buf, sizeof buf);
		if (n <= 0)
			break;
		sent += n;
	}
	printf("writer: sent %ld\n", sent);
	return NULL;
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int small = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	int got;
	socklen_t l = sizeof got;
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &got, &l);
	printf("SO_SNDBUF after asking for 4096: %d\n", got);
	char b[100000];
	long filled = 0, n;
	while ((n = send(sv[0], b, sizeof b, MSG_DONTWAIT)) > 0)
		filled += n;
	printf("a full buffer: %s, holds less than asked: %d\n", strerrorname_np(errno), filled > 0 && filled < (long)sizeof b);
	long drained = 0;
	while ((n = recv(sv[1], b, sizeof b, MSG_DONTWAIT)) > 0)
		drained += n;
	printf("drained what was sent: %d\n", drained == filled);
	pthread_t th;
	pthread_create(&th, NULL, writer, NULL);
	long received = 0;
	while (received < total) {
		n = read(sv[1], b, sizeof b);
		if (n <= 0)
			break;
		received += n;
	}
	pthread_join(th, NULL);
	printf("reader: received %ld\n", received);
	return 0;
}
