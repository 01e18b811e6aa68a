// rename(2)'s rules: a directory cannot move into its own subtree, nor trade places
// with one of its descendants (RENAME_EXCHANGE once built a cycle that later walks
// spun on); a file cannot replace a directory or the reverse; a directory replaces
// only an empty one; no rename crosses file systems; mount points cannot move or be
// removed (EBUSY). argv[1] is a host directory mounted read-write.
#include "adv.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif

static long rename2(const char *a, const char *b, unsigned flags) {
	return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

int main(int argc, char **argv) {
	const char *mnt = argc > 1 ? argv[1] : "/home/user/m";
	// The program tries to move and remove mnt: run natively as root on a real
	// directory it would succeed, so it only ever touches a path below /home/user/.
	if (strncmp(mnt, "/home/user/", 11) != 0 || strstr(mnt, "..")) {
		printf("FAIL: the mount point must lie below /home/user/ (got %s)\n", mnt);
		return 1;
	}
	char path[256];
	struct stat st;
	mkdir("/tmp/a", 0755);
	mkdir("/tmp/a/b", 0755);
	mkdir("/tmp/a/b/c", 0755);
	expect_err("exchange a directory with its descendant", rename2("/tmp/a", "/tmp/a/b/c", RENAME_EXCHANGE), EINVAL);
	expect_err("exchange a descendant with its ancestor", rename2("/tmp/a/b/c", "/tmp/a", RENAME_EXCHANGE), EINVAL);
	expect_err("move a directory into its own subtree", rename("/tmp/a", "/tmp/a/b/c/d"), EINVAL);
	expect_err("move a directory onto itself below", rename2("/tmp/a", "/tmp/a/b", RENAME_EXCHANGE), EINVAL);
	expect_ok("the tree is intact: stat /tmp/a/b/c", stat("/tmp/a/b/c", &st));
	close(open("/tmp/f", O_CREAT | O_WRONLY, 0600));
	expect_err("a file over a directory", rename("/tmp/f", "/tmp/a"), EISDIR);
	expect_err("a directory over a file", rename("/tmp/a", "/tmp/f"), ENOTDIR);
	mkdir("/tmp/e", 0755);
	expect_err("a directory over a non-empty one", rename("/tmp/e", "/tmp/a"), ENOTEMPTY);
	expect_ok("a directory over an empty one", rename("/tmp/a/b/c", "/tmp/e"));
	expect_ok("exchange two unrelated directories", rename2("/tmp/a", "/tmp/e", RENAME_EXCHANGE));
	expect_ok("stat /tmp/e/b after the exchange", stat("/tmp/e/b", &st));
	expect_err("rename into /proc", rename("/tmp/f", "/proc/self/f"), EXDEV);
	snprintf(path, sizeof path, "%s/f", mnt);
	expect_err("rename onto a host mount", rename("/tmp/f", path), EXDEV);
	snprintf(path, sizeof path, "%s-moved", mnt);
	expect_err("rename a mount point", rename(mnt, path), EBUSY);
	expect_err("rmdir a mount point", rmdir(mnt), EBUSY);
	expect_ok("the mount is still there", stat(mnt, &st));
	return done();
}
