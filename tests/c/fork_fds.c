// File descriptors across fork(2): descriptors are copied but the open file
// descriptions behind them are shared, so a child's write/lseek moves the
// parent's offset too, while a separate open() has its own offset; the
// child's close() does not close the parent's descriptor; dup2 onto stdout
// in a child redirects only the child; dup/dup2/dup3/F_DUPFD share the
// description (offset, O_APPEND) but not FD_CLOEXEC; fcntl
// F_GETFD/F_SETFD/F_GETFL/F_SETFL and their error cases.  (What exec does
// with FD_CLOEXEC is checked in tests/expect/exec_self.c.)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATH "/tmp/weft-difftest-fork_fds-7c41e0"
#define PATH2 "/tmp/weft-difftest-fork_fds-7c41e0.out"

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

// Linux adds O_LARGEFILE to files opened on 64-bit kernels, and qemu-user
// hides it; compare status flags without it.
#define FL(fd) (fcntl(fd, F_GETFL) & ~0100000)

static void show(const char *label, long r) {
	int e = errno;
	printf("%s: %ld%s%s\n", label, r, r < 0 ? " " : "", r < 0 ? ename(e) : "");
}

static char *slurp(const char *path) {
	static char buf[4096];
	memset(buf, 0, sizeof buf);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return strcpy(buf, "(cannot open)");
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		strcpy(buf, "(read failed)");
	return buf;
}

int main(void) {
	unlink(PATH);
	unlink(PATH2);
	umask(022);

	// 1. A shared offset.
	int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		printf("open failed: %s\n", ename(errno));
		return 1;
	}
	write(fd, "abc", 3);
	printf("parent offset before fork: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child offset at start: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
		write(fd, "XYZ", 3);
		printf("child offset after write: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
		lseek(fd, 10, SEEK_SET);
		write(fd, "!", 1);
		close(fd); // the parent's descriptor stays open
		exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("parent offset after the child: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	write(fd, "P", 1);
	struct stat sb;
	fstat(fd, &sb);
	printf("size=%lld\n", (long long)sb.st_size);
	char buf[64] = {0};
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	printf("contents (%zd bytes):", n);
	for (ssize_t i = 0; i < n; i++)
		printf(" %02x", (unsigned char)buf[i]);
	printf("\n");

	// A separate open() has its own offset.
	int other = open(PATH, O_RDONLY);
	printf("separate open offset: %lld, shared offset: %lld\n", (long long)lseek(other, 0, SEEK_CUR),
	       (long long)lseek(fd, 0, SEEK_CUR));
	close(other);

	// 2. dup2 onto stdout in a child.
	printf("before redirect (parent)\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int out = open(PATH2, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		show("child dup2 returns the new fd", dup2(out, 1) == 1 ? 1 : -1);
		fflush(stdout); // the line above goes to the file
		close(out);
		printf("this line goes to the file\n");
		fprintf(stderr, "stderr still goes to stderr\n");
		exit(0);
	}
	waitpid(pid, &st, 0);
	printf("after the child redirected its stdout (parent)\n");
	printf("file written by the child's stdout:\n%s", slurp(PATH2));
	fflush(stdout);

	// 3. dup family: shared description, private FD_CLOEXEC.
	int cfd = open(PATH, O_RDONLY | O_CLOEXEC);
	printf("O_CLOEXEC open: F_GETFD=%d\n", fcntl(cfd, F_GETFD));
	int d1 = dup(cfd);
	printf("dup: F_GETFD=%d (original %d)\n", fcntl(d1, F_GETFD), fcntl(cfd, F_GETFD));
	int d2 = fcntl(cfd, F_DUPFD_CLOEXEC, 0);
	printf("F_DUPFD_CLOEXEC: F_GETFD=%d\n", fcntl(d2, F_GETFD));
	int d3 = fcntl(cfd, F_DUPFD, 20);
	printf("F_DUPFD min 20: fd=%d F_GETFD=%d\n", d3, fcntl(d3, F_GETFD));
	int d4 = fcntl(cfd, F_DUPFD, 20);
	printf("F_DUPFD min 20 again: fd=%d\n", d4);
	show("dup3(O_CLOEXEC) onto 30", dup3(d1, 30, O_CLOEXEC));
	printf("  fd 30 F_GETFD=%d\n", fcntl(30, F_GETFD));
	show("dup2 onto 30 again", dup2(d1, 30));
	printf("  fd 30 F_GETFD=%d (dup2 clears it)\n", fcntl(30, F_GETFD));
	show("F_SETFD FD_CLOEXEC on the dup", fcntl(d1, F_SETFD, FD_CLOEXEC));
	printf("  dup F_GETFD=%d, fd 30 F_GETFD=%d\n", fcntl(d1, F_GETFD), fcntl(30, F_GETFD));
	show("F_SETFD 0 on the original", fcntl(cfd, F_SETFD, 0));
	printf("  original F_GETFD=%d, dup F_GETFD=%d\n", fcntl(cfd, F_GETFD), fcntl(d1, F_GETFD));
	lseek(cfd, 5, SEEK_SET);
	printf("offset via dup: %lld, via F_DUPFD: %lld, via fd 30: %lld\n", (long long)lseek(d1, 0, SEEK_CUR),
	       (long long)lseek(d3, 0, SEEK_CUR), (long long)lseek(30, 0, SEEK_CUR));
	show("dup2(fd, fd)", dup2(d1, d1) == d1 ? 0 : -1);
	errno = 0;
	show("dup3(fd, fd, 0)", dup3(d1, d1, 0));
	errno = 0;
	show("dup3(fd, 31, bad flags)", dup3(d1, 31, O_APPEND));
	errno = 0;
	show("dup2(closed fd, 31)", dup2(99, 31));
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	errno = 0;
	show("dup2(fd, RLIMIT_NOFILE)", dup2(d1, (int)rl.rlim_cur));
	errno = 0;
	show("dup2(fd, -1)", dup2(d1, -1));
	errno = 0;
	show("F_DUPFD at RLIMIT_NOFILE", fcntl(d1, F_DUPFD, (int)rl.rlim_cur));
	close(d2);
	close(d3);
	close(d4);
	close(30);

	// 4. F_GETFL/F_SETFL: status flags live in the shared description.
	int afd = open(PATH, O_WRONLY | O_APPEND);
	int adup = dup(afd);
	printf("O_WRONLY|O_APPEND: accmode=%d append=%d nonblock=%d\n", FL(afd) & O_ACCMODE,
	       !!(FL(afd) & O_APPEND), !!(FL(afd) & O_NONBLOCK));
	show("F_SETFL O_NONBLOCK (drops O_APPEND)", fcntl(afd, F_SETFL, O_NONBLOCK));
	printf("  dup sees: append=%d nonblock=%d\n", !!(FL(adup) & O_APPEND), !!(FL(adup) & O_NONBLOCK));
	show("F_SETFL O_APPEND|O_RDWR (access mode ignored)", fcntl(adup, F_SETFL, O_APPEND | O_RDWR));
	printf("  original sees: accmode=%d append=%d nonblock=%d\n", FL(afd) & O_ACCMODE,
	       !!(FL(afd) & O_APPEND), !!(FL(afd) & O_NONBLOCK));
	lseek(afd, 0, SEEK_SET);
	write(afd, "<end>", 5);
	printf("append wrote at the end: offset=%lld\n", (long long)lseek(adup, 0, SEEK_CUR));
	printf("O_RDONLY file: accmode=%d, O_RDWR file: accmode=%d\n", FL(cfd) & O_ACCMODE,
	       FL(fd) & O_ACCMODE);
	close(afd);
	close(adup);

	// The child inherits FD_CLOEXEC flags (they only matter at exec).
	fcntl(cfd, F_SETFD, FD_CLOEXEC);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child: cloexec fd F_GETFD=%d, plain dup F_GETFD=%d, offset=%lld\n", fcntl(cfd, F_GETFD),
		       fcntl(d1, F_GETFD), (long long)lseek(cfd, 0, SEEK_CUR));
		char c;
		printf("child: read through the cloexec fd: %zd\n", read(cfd, &c, 1));
		exit(0);
	}
	waitpid(pid, &st, 0);
	printf("parent: offset after the child's read: %lld\n", (long long)lseek(cfd, 0, SEEK_CUR));

	// 5. Errors on closed descriptors.
	close(d1);
	errno = 0;
	show("fcntl(closed, F_GETFD)", fcntl(d1, F_GETFD));
	errno = 0;
	show("fcntl(closed, F_GETFL)", fcntl(d1, F_GETFL));
	errno = 0;
	show("close(closed)", close(d1));
	errno = 0;
	show("fcntl(fd, bad command)", fcntl(cfd, 12345));
	errno = 0;
	show("lseek(closed)", lseek(d1, 0, SEEK_SET));
	errno = 0;
	show("write to an O_RDONLY fd", write(cfd, "x", 1));

	// The lowest free descriptor is reused.
	int lo = open("/dev/null", O_RDONLY);
	printf("lowest free fd is reused: %d\n", lo == d1);
	close(lo);
	close(cfd);
	close(fd);
	unlink(PATH);
	unlink(PATH2);
	return 0;
}
