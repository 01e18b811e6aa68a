// On a writable host mount, RENAME_EXCHANGE and chmod act on the host files, not only
// on weft's view of them (adversarial_test.go checks the host afterwards): f1 and f2
// trade contents, f1 becomes mode 0600, and d (a directory) trades places with f2.
#include "adv.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif

int main(int argc, char **argv) {
	const char *mnt = argc > 1 ? argv[1] : "/mnt";
	char a[256], b[256], d[256], buf[16] = {0};
	snprintf(a, sizeof a, "%s/f1", mnt);
	snprintf(b, sizeof b, "%s/f2", mnt);
	snprintf(d, sizeof d, "%s/d", mnt);
	expect_ok("exchange f1 and f2", syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE));
	int fd = open(a, O_RDONLY);
	check(read(fd, buf, sizeof buf - 1) == 3 && strcmp(buf, "two") == 0, "f1 now reads \"two\" (%s)", buf);
	expect_ok("chmod f1 0600", chmod(a, 0600));
	struct stat st;
	check(stat(a, &st) == 0 && (st.st_mode & 07777) == 0600, "f1 is mode 0600");
	expect_ok("exchange the directory d and the file f2", syscall(SYS_renameat2, AT_FDCWD, d, AT_FDCWD, b, RENAME_EXCHANGE));
	check(stat(b, &st) == 0 && S_ISDIR(st.st_mode), "f2 is the directory now");
	snprintf(d, sizeof d, "%s/f2/inside", mnt);
	check(stat(d, &st) == 0, "and holds d's file");
	return done();
}
