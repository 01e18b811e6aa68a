// A file on a writable host mount that the guest's user may not write (the test makes
// it 0644, owned by another user): O_PATH opens ignore O_TRUNC and O_CREAT (open(2):
// only O_CLOEXEC, O_DIRECTORY and O_NOFOLLOW matter), an O_PATH descriptor cannot
// change the file, and real opens for writing are refused. adversarial_test.go checks
// afterwards that the host file is untouched.
#include "adv.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
	const char *path = argc > 1 ? argv[1] : "/mnt/victim";
	int fd = open(path, O_PATH | O_TRUNC);
	expect_ok("open(O_PATH|O_TRUNC)", fd);
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size > 0, "the file was not truncated (size %ld)", (long)st.st_size);
	expect_err("ftruncate on the O_PATH descriptor", ftruncate(fd, 0), EBADF);
	expect_err("fchmod on the O_PATH descriptor", fchmod(fd, 0666), EBADF);
	expect_err("write on the O_PATH descriptor", write(fd, "x", 1), EBADF);
	int fd2 = open(path, O_PATH | O_CREAT | O_WRONLY | O_TRUNC, 0666);
	expect_ok("open(O_PATH|O_CREAT|O_WRONLY|O_TRUNC)", fd2);
	expect_err("open(O_WRONLY|O_TRUNC)", open(path, O_WRONLY | O_TRUNC), EACCES);
	expect_err("open(O_RDONLY|O_TRUNC)", open(path, O_RDONLY | O_TRUNC), EACCES);
	expect_err("open(O_RDWR)", open(path, O_RDWR), EACCES);
	check(stat(path, &st) == 0 && st.st_size > 0, "still not truncated (size %ld)", (long)st.st_size);
	return done();
}
