// open(O_CREAT) through a dangling symbolic link creates the link's target (open(2));
// with O_EXCL the link itself exists (EEXIST); a link into a missing directory gives
// ENOENT.
#include "adv.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
	struct stat st;
	expect_ok("symlink(\"/tmp/target\", \"/tmp/dl\")", symlink("/tmp/target", "/tmp/dl"));
	expect_err("open(O_CREAT|O_EXCL) on the link", open("/tmp/dl", O_CREAT | O_EXCL | O_WRONLY, 0640), EEXIST);
	int fd = open("/tmp/dl", O_CREAT | O_WRONLY, 0640);
	expect_ok("open(O_CREAT) through the dangling link", fd);
	check(write(fd, "hi", 2) == 2 && stat("/tmp/target", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 2,
	      "created /tmp/target and wrote to it");
	check(lstat("/tmp/dl", &st) == 0 && S_ISLNK(st.st_mode), "the link is still a link");
	symlink("relative-target", "/tmp/rl");
	expect_ok("a relative dangling link creates beside itself", open("/tmp/rl", O_CREAT | O_WRONLY, 0600));
	expect_ok("stat /tmp/relative-target", stat("/tmp/relative-target", &st));
	symlink("/tmp/nodir/x", "/tmp/dl2");
	expect_err("a link into a missing directory", open("/tmp/dl2", O_CREAT | O_WRONLY, 0600), ENOENT);
	expect_err("O_CREAT|O_NOFOLLOW on a link", open("/tmp/dl", O_CREAT | O_NOFOLLOW | O_WRONLY, 0600), ELOOP);
	return done();
}
