// link(2) and linkat(2): a second name for a file shares its contents and counts in
// st_nlink; unlinking one name keeps the other; directories, existing names and
// missing files are refused as Linux refuses them.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
	// A fresh directory of its own: under qemu, /tmp is the host's.
	char dir[] = "/tmp/hardlinkXXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	int fd = open("a", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, "hello", 5);
	printf("link a b: %s, nlink %ld\n", en(link("a", "b")), nlink("a"));
	char buf[8] = {0};
	int b = open("b", O_RDONLY);
	read(b, buf, 5);
	printf("b reads %s; same inode %d\n", buf, ({ struct stat x, y; stat("a", &x); stat("b", &y); x.st_ino == y.st_ino; }));
	printf("unlink a: %s, b's nlink %ld\n", en(unlink("a")), nlink("b"));
	printf("link to an existing name: %s\n", en(link("b", "b")));
	mkdir("d", 0755);
	printf("link a directory: %s\n", en(link("d", "d2")));
	printf("link a missing file: %s\n", en(link("nope", "c")));
	symlink("b", "s");
	printf("linkat of a symlink (no follow): %s; is a symlink %d\n", en(linkat(AT_FDCWD, "s", AT_FDCWD, "s2", 0)),
	       ({ struct stat x; lstat("s2", &x); S_ISLNK(x.st_mode); }));
	printf("linkat AT_SYMLINK_FOLLOW: %s; nlink of b %ld\n", en(linkat(AT_FDCWD, "s", AT_FDCWD, "c", AT_SYMLINK_FOLLOW)),
	       nlink("b"));
	printf("bad flags: %s\n", en(linkat(AT_FDCWD, "b", AT_FDCWD, "e", 0x1)));
	unlink("b");
	unlink("c");
	unlink("s");
	unlink("s2");
	rmdir("d");
	chdir("/");
	rmdir(dir);
	return 0;
}
