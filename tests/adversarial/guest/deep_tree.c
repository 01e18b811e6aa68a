// Directories nested as deep as the memory cap allows, each with a 200-byte name: mkdir
// and chdir go on until the cap stops them with ENOSPC; getcwd then reports
// ENAMETOOLONG (the path is longer than PATH_MAX), and relative paths still work. weft
// must stay within its memory bound and spend bounded work per call.
#include "adv.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char cwd[8192];

int main(void) {
	char name[201];
	memset(name, 'd', 200);
	name[200] = 0;
	memset(cwd, 1, sizeof cwd);
	printf("nesting directories under /tmp\n");
	expect_ok("chdir /tmp", chdir("/tmp"));
	long depth = 0;
	int err = 0;
	for (; depth < 1000000; depth++) {
		if (mkdir(name, 0700) < 0) {
			err = errno;
			break;
		}
		if (chdir(name) < 0) {
			err = errno;
			break;
		}
	}
	check(err == ENOSPC, "nesting stops with ENOSPC (got %s at depth %ld)", errname(err), depth);
	check(depth > 1000, "and only after more than 1000 levels (%ld)", depth);
	// The system call itself: glibc's getcwd would fall back to walking ".." with
	// opendir, which needs memory the full cap no longer has.
	long r = syscall(SYS_getcwd, cwd, sizeof cwd);
	int e = errno;
	check(r == -1 && e == ENAMETOOLONG, "getcwd: %s", r != -1 ? "a path" : errname(e));
	struct stat st;
	expect_ok("stat(\"..\")", stat("..", &st));
	expect_ok("chdir(\"../..\")", chdir("../.."));
	char top[256];
	snprintf(top, sizeof top, "/tmp/%s", name);
	expect_ok("rename the top of the tree", rename(top, "/tmp/moved"));
	return done();
}
