// A deadlock between two processes blocked in recv(2) on the two ends of a Unix
// socketpair: each waits for the other to send first, and both ends stay open, so no
// recv can ever return (unix(7): a recv on an empty stream socket blocks while the peer
// is open). On Linux both would sleep forever; weft reports every task blocked, names
// the socket each waits on, and exits with status 1, as for a pipe deadlock
// (deadlock.c). The sockets print as socket:[#1] and socket:[#2] (expect_test.go).
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct stat a, b;
	fstat(sv[0], &a);
	fstat(sv[1], &b);
	printf("parent: end 0 is socket:[%lu], end 1 is socket:[%lu], a socket: %d\n", (unsigned long)a.st_ino,
	       (unsigned long)b.st_ino, S_ISSOCK(a.st_mode));
	fflush(stdout);
	char c;
	if (fork() == 0) {
		printf("child: recv on end 1, waiting for the parent to send\n");
		fflush(stdout);
		recv(sv[1], &c, 1, 0);
		return 0;
	}
	recv(sv[0], &c, 1, 0);
	return 0;
}
