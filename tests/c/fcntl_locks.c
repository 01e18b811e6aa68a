// fcntl(2) record locks between processes: F_GETLK reports the conflicting lock and its
// holder, F_SETLK fails with EAGAIN, F_SETLKW waits until the holder unlocks (or
// closes any descriptor of the file), two processes waiting for each other get
// EDEADLK, and OFD locks belong to the open file description. Pipes order the steps.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len) {
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl);
}

static const char *en(int r) { return r == 0 ? "0" : strerrorname_np(errno); }

// waitasleep waits until process pid sleeps (its /proc/PID/stat state is S).
static void waitasleep(pid_t pid) {
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	for (int i = 0; i < 100000; i++) {
		int f = open(path, O_RDONLY);
		ssize_t n = read(f, buf, sizeof buf - 1);
		close(f);
		buf[n > 0 ? n : 0] = 0;
		char *p = strrchr(buf, ')');
		if (p && p[2] == 'S')
			return;
		sched_yield();
	}
}

static void sync_send(int fd) { write(fd, "x", 1); }
static void sync_wait(int fd) { char c; read(fd, &c, 1); }

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *path = "/tmp/locks.txt";
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	write(fd, "0123456789abcdefghij", 20);
	int p2c[2], c2p[2];
	pipe(p2c);
	pipe(c2p);
	printf("parent write-locks bytes 0-9: %s\n", en(lk(fd, F_SETLK, F_WRLCK, 0, 10)));
	pid_t child = fork();
	if (child == 0) {
		int cfd = open(path, O_RDWR);
		struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
		fcntl(cfd, F_GETLK, &fl);
		printf("child F_GETLK on byte 5: type %s, start %ld, len %ld, holder is parent %d\n",
		       fl.l_type == F_WRLCK ? "F_WRLCK" : "other", (long)fl.l_start, (long)fl.l_len, fl.l_pid == getppid());
		fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 5};
		fcntl(cfd, F_GETLK, &fl);
		printf("child F_GETLK on bytes 10-14: %s\n", fl.l_type == F_UNLCK ? "F_UNLCK" : "locked");
		printf("child F_SETLK read lock on byte 5: %s\n", en(lk(cfd, F_SETLK, F_RDLCK, 5, 1)));
		printf("child write-locks bytes 10-19: %s\n", en(lk(cfd, F_SETLK, F_WRLCK, 10, 10)));
		sync_send(c2p[1]);
		// Waits for the parent's unlock.
		printf("child F_SETLKW on bytes 0-4: %s\n", en(lk(cfd, F_SETLKW, F_WRLCK, 0, 5)));
		sync_send(c2p[1]);
		sync_wait(p2c[0]);
		waitasleep(getppid());
		// The parent now waits for bytes 10-19 while holding 5-9: the child asking
		// for 5-9 would wait for a waiter on itself.
		printf("child F_SETLKW on bytes 5-9 while the parent waits for ours: %s\n", en(lk(cfd, F_SETLKW, F_WRLCK, 5, 5)));
		close(cfd); // drops all of the child's locks: the parent gets 10-19
		_exit(0);
	}
	sync_wait(c2p[0]);
	printf("parent unlocks 0-4\n");
	lk(fd, F_SETLK, F_UNLCK, 0, 5);
	sync_wait(c2p[0]);
	sync_send(p2c[1]);
	printf("parent F_SETLKW on bytes 10-19 (the child's): %s\n", en(lk(fd, F_SETLKW, F_WRLCK, 10, 10)));
	int st;
	waitpid(child, &st, 0);
	printf("child exit %d\n", WEXITSTATUS(st));

	// OFD locks: two descriptions of one file conflict even in one process.
	int a = open(path, O_RDWR), b = open(path, O_RDWR);
	printf("OFD lock on a: %s\n", en(lk(a, F_OFD_SETLK, F_WRLCK, 0, 1)));
	printf("OFD lock on b, same byte: %s\n", en(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1)));
	close(a);
	printf("after closing a: %s\n", en(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1)));
	struct flock bad = {.l_type = 7, .l_whence = SEEK_SET};
	printf("bad l_type: %s\n", en(fcntl(fd, F_SETLK, &bad)));
	printf("bad pointer: %s\n", en(fcntl(fd, F_SETLK, (struct flock *)16)));
	int ro = open(path, O_RDONLY);
	printf("write lock on a read-only fd: %s\n", en(lk(ro, F_SETLK, F_WRLCK, 0, 1)));
	return 0;
}
