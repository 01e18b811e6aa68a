// utimensat(2) and futimens(3): explicit times, UTIME_NOW, UTIME_OMIT, a NULL path,
// bad nanoseconds, and what stat(2) reports after each.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, int r) {
	struct stat st;
	stat("/tmp/utimes.txt", &st);
	printf("%-28s = %d %s; atime %ld.%09ld mtime %ld.%09ld\n", what, r, r ? strerrorname_np(errno) : "", (long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void) {
	int fd = open("/tmp/utimes.txt", O_CREAT | O_RDWR, 0644);
	struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 5}};
	show("explicit", utimensat(AT_FDCWD, "/tmp/utimes.txt", ts, 0));
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){1200000000, 7};
	show("omit atime", utimensat(AT_FDCWD, "/tmp/utimes.txt", ts, 0));
	ts[0] = (struct timespec){900000000, 1};
	ts[1].tv_nsec = UTIME_OMIT;
	show("futimens, omit mtime", futimens(fd, ts));
	ts[0].tv_nsec = 1000000000;
	show("bad nsec", utimensat(AT_FDCWD, "/tmp/utimes.txt", ts, 0));
	show("bad flags", utimensat(AT_FDCWD, "/tmp/utimes.txt", NULL, 0x4));
	errno = 0;
	printf("missing file: %d %s\n", utimensat(AT_FDCWD, "/tmp/nope", NULL, 0), strerrorname_np(errno));
	struct stat before, after;
	stat("/tmp/utimes.txt", &before);
	utimensat(AT_FDCWD, "/tmp/utimes.txt", NULL, 0);
	stat("/tmp/utimes.txt", &after);
	printf("NULL times moves both to now: %d\n", after.st_mtim.tv_sec > before.st_mtim.tv_sec && after.st_atim.tv_sec > 900000000);
	return 0;
}
