// link(2) and linkat(2): a second name for a file shares its contents and counts in
// st_nlink; unlinking one name keeps the other; directories, existing names and
// missing files are refused as Linux refuses them.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *en(int r) { return r == 0 ? "0" : strerrorname_np(errno); }

static long nlink(const char *p) {
	struct stat st;
	return stat(p, &st) == 0 ? (long)st.st_nlink : -1;
}

int main(void) {
	int fd = open("/tmp/a", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, "hello", 5);
	printf("link a b: %s, nlink %ld\n", en(link("/tmp/a", "/tmp/b")), nlink("/tmp/a"));
	char buf[8] = {0};
	int b = open("/tmp/b", O_RDONLY);
	read(b, buf, 5);
	printf("b reads %s; same inode %d\n", buf, ({ struct stat x, y; stat("/tmp/a", &x); stat("/tmp/b", &y); x.st_ino == y.st_ino; }));
	printf("unlink a: %s, b's nlink %ld\n", en(unlink("/tmp/a")), nlink("/tmp/b"));
	printf("link to an existing name: %s\n", en(link("/tmp/b", "/tmp/b")));
	mkdir("/tmp/d", 0755);
	printf("link a directory: %s\n", en(link("/tmp/d", "/tmp/d2")));
	printf("link a missing file: %s\n", en(link("/tmp/nope", "/tmp/c")));
	symlink("/tmp/b", "/tmp/s");
	printf("linkat of a symlink (no follow): %s; is a symlink %d\n", en(linkat(AT_FDCWD, "/tmp/s", AT_FDCWD, "/tmp/s2", 0)),
	       ({ struct stat x; lstat("/tmp/s2", &x); S_ISLNK(x.st_mode); }));
	printf("linkat AT_SYMLINK_FOLLOW: %s; nlink of b %ld\n", en(linkat(AT_FDCWD, "/tmp/s", AT_FDCWD, "/tmp/c", AT_SYMLINK_FOLLOW)),
	       nlink("/tmp/b"));
	printf("bad flags: %s\n", en(linkat(AT_FDCWD, "/tmp/b", AT_FDCWD, "/tmp/e", 0x1)));
	return 0;
}
