// File calls real programs use: truncate by path, sendfile (with and without an
// offset, into a pipe), copy_file_range, memfd_create (with /proc/self/fd and a shared
// mapping), getcpu's node, sync/syncfs, and flock between descriptions, across dup and
// fork, with LOCK_NB and a blocking wait.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static char *path(const char *name) {
	static char buf[4][128];
	static int i;
	char *b = buf[i++ % 4];
	snprintf(b, 128, "%s/%s", dir, name);
	return b;
}

int main(void) {
	strcpy(dir, "/tmp/fopsXXXXXX");
	if (!mkdtemp(dir)) return 1;
	int fd = open(path("a"), O_RDWR | O_CREAT, 0644);
	write(fd, "0123456789abcdef", 16);
	struct stat st;
	printf("truncate %d", truncate(path("a"), 10));
	stat(path("a"), &st);
	printf(" size %lld\n", (long long)st.st_size);
	printf("truncate dir %d %s\n", truncate(dir, 0), strerror(errno));
	printf("truncate neg %d %s\n", truncate(path("a"), -1), strerror(errno));

	int out = open(path("b"), O_RDWR | O_CREAT, 0644);
	lseek(fd, 2, SEEK_SET);
	printf("sendfile %zd", sendfile(out, fd, NULL, 5));
	printf(" in-offset %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	off_t off = 7;
	printf("sendfile off %zd", sendfile(out, fd, &off, 100));
	printf(" off %lld in-offset %lld\n", (long long)off, (long long)lseek(fd, 0, SEEK_CUR));
	char buf[64] = {0};
	pread(out, buf, 63, 0);
	printf("b = %s\n", buf);
	int p[2];
	pipe(p);
	off = 0;
	printf("sendfile pipe %zd", sendfile(p[1], fd, &off, 4));
	memset(buf, 0, sizeof buf);
	read(p[0], buf, 63);
	printf(" got %s\n", buf);
	printf("sendfile from pipe %zd %s\n", sendfile(out, p[0], NULL, 4), strerror(errno));

	int c = open(path("c"), O_RDWR | O_CREAT, 0644);
	loff_t ioff = 1, ooff = 3;
	printf("copy_file_range %zd", copy_file_range(fd, &ioff, c, &ooff, 4, 0));
	printf(" ioff %lld ooff %lld\n", (long long)ioff, (long long)ooff);
	memset(buf, 0, sizeof buf);
	int k = pread(c, buf, 63, 0);
	printf("c =");
	for (int i = 0; i < k; i++) printf(" %02x", (unsigned char)buf[i]);
	printf("\n");
	printf("copy_file_range flags %zd %s\n", copy_file_range(fd, NULL, c, NULL, 4, 1), strerror(errno));
	ioff = 0;
	ooff = 2;
	printf("copy_file_range overlap %zd %s\n", copy_file_range(fd, &ioff, fd, &ooff, 4, 0), strerror(errno));

	int m = memfd_create("weft-test", MFD_CLOEXEC);
	write(m, "memfd!", 6);
	char link[128], target[128] = {0};
	snprintf(link, sizeof link, "/proc/self/fd/%d", m);
	readlink(link, target, sizeof target - 1);
	printf("memfd %s cloexec %d\n", target, fcntl(m, F_GETFD));
	ftruncate(m, 4096);
	char *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
	map[0] = 'M';
	memset(buf, 0, sizeof buf);
	pread(m, buf, 6, 0);
	printf("memfd via mapping %s\n", buf);
	int r = open(link, O_RDONLY);
	memset(buf, 0, sizeof buf);
	read(r, buf, 6);
	printf("memfd reopened %s\n", buf);
	printf("memfd bad flags %d %s\n", memfd_create("x", 0x100), strerror(errno));

	unsigned cpu = 99, node = 99;
	printf("getcpu %d node %u cpu-set %d\n", getcpu(&cpu, &node), node, cpu != 99);
	sync();
	printf("syncfs %d %d\n", syncfs(fd), syncfs(1000) == -1 && errno == EBADF);

	int l1 = open(path("a"), O_RDONLY), l2 = open(path("a"), O_RDONLY);
	printf("flock ex %d\n", flock(l1, LOCK_EX));
	printf("flock other nb %d %s\n", flock(l2, LOCK_SH | LOCK_NB), strerror(errno));
	int l3 = dup(l1);
	printf("flock dup %d\n", flock(l3, LOCK_EX | LOCK_NB));
	printf("flock to shared %d, other shared %d\n", flock(l1, LOCK_SH), flock(l2, LOCK_SH | LOCK_NB));
	printf("flock ex while shared %d %s\n", flock(l2, LOCK_EX | LOCK_NB), strerror(errno));
	flock(l2, LOCK_UN);
	flock(l1, LOCK_EX);
	int ready[2];
	pipe(ready);
	pid_t pid = fork();
	if (pid == 0) {
		int l4 = open(path("a"), O_RDONLY);
		write(ready[1], "x", 1);
		int rc = flock(l4, LOCK_EX); /* waits until the parent unlocks */
		printf("child got lock %d\n", rc);
		fflush(stdout);
		_exit(0);
	}
	read(ready[0], buf, 1);
	usleep(10000);
	printf("parent unlocks\n");
	fflush(stdout);
	flock(l1, LOCK_UN);
	int status;
	waitpid(pid, &status, 0);
	printf("flock bad op %d %s\n", flock(l1, 3), strerror(errno));

	unlink(path("a"));
	unlink(path("b"));
	unlink(path("c"));
	rmdir(dir);
	return 0;
}
