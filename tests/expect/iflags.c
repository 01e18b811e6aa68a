// Inode flags (ioctl_iflags(2)) on tmpfs, as root (iflags.root) and as a user
// (iflags: only the permission checks run).
//
// Man page rules checked: FS_IOC_GETFLAGS/SETFLAGS read and set the flags;
// FS_IMMUTABLE_FL and FS_APPEND_FL need CAP_LINUX_IMMUTABLE (EPERM); a flag tmpfs does
// not keep is EOPNOTSUPP; an immutable file cannot be opened for writing, truncated,
// unlinked, renamed, linked, chmod'ed or chown'ed (EPERM), and nothing can be created
// in an immutable directory; an append-only file opens for writing only with O_APPEND
// (no O_TRUNC), fcntl cannot clear its O_APPEND, it cannot be unlinked or truncated,
// but appending works; clearing the flags makes it all work again.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-44s = %ld %s\n", what, r_ < 0 ? -1L : 0L, r_ < 0 ? ename(errno) : ""); } while (0)

static int setflags(const char *path, int flags)
{
	int fd = open(path, O_RDONLY);
	int r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static int getflags(const char *path)
{
	int fd = open(path, O_RDONLY), flags = -1;
	ioctl(fd, FS_IOC_GETFLAGS, &flags);
	close(fd);
	return flags;
}

int main(void)
{
	char dir[] = "/tmp/weft-iflags-XXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	close(open("f", O_CREAT | O_WRONLY, 0644));
	mkdir("d", 0755);
	printf("flags of a new file: %#x\n", getflags("f"));
	TRY("SETFLAGS FS_NODUMP_FL", setflags("f", FS_NODUMP_FL));
	printf("flags now: %#x\n", getflags("f"));
	TRY("SETFLAGS FS_COMPR_FL (not on tmpfs)", setflags("f", FS_COMPR_FL));
	TRY("SETFLAGS FS_IMMUTABLE_FL", setflags("f", FS_IMMUTABLE_FL));
	if (getflags("f") != FS_IMMUTABLE_FL) {
		setflags("f", 0);
		unlink("f");
		rmdir("d");
		chdir("/");
		rmdir(dir);
		return 0;
	}
	TRY("immutable: open O_WRONLY", open("f", O_WRONLY));
	TRY("immutable: open O_RDONLY", open("f", O_RDONLY));
	TRY("immutable: truncate", truncate("f", 0));
	TRY("immutable: unlink", unlink("f"));
	TRY("immutable: rename", rename("f", "g"));
	TRY("immutable: link", link("f", "g"));
	TRY("immutable: chmod", chmod("f", 0600));
	TRY("immutable: chown", chown("f", 0, 0));
	TRY("immutable: access W_OK", access("f", W_OK));
	TRY("SETFLAGS 0", setflags("f", 0));
	TRY("then unlink", unlink("f"));

	TRY("SETFLAGS FS_IMMUTABLE_FL on a directory", setflags("d", FS_IMMUTABLE_FL));
	TRY("immutable directory: create in it", open("d/x", O_CREAT | O_WRONLY, 0644));
	TRY("immutable directory: mkdir in it", mkdir("d/y", 0755));
	setflags("d", 0);

	int fd = open("a", O_CREAT | O_WRONLY, 0644);
	write(fd, "one\n", 4);
	close(fd);
	TRY("SETFLAGS FS_APPEND_FL", setflags("a", FS_APPEND_FL));
	TRY("append-only: open O_WRONLY", open("a", O_WRONLY));
	TRY("append-only: open O_WRONLY|O_APPEND|O_TRUNC", open("a", O_WRONLY | O_APPEND | O_TRUNC));
	fd = open("a", O_WRONLY | O_APPEND);
	printf("append-only: open O_WRONLY|O_APPEND: %s\n", fd < 0 ? ename(errno) : "ok");
	TRY("append-only: write", write(fd, "two\n", 4));
	TRY("append-only: fcntl F_SETFL without O_APPEND", fcntl(fd, F_SETFL, 0));
	TRY("append-only: ftruncate", ftruncate(fd, 0));
	close(fd);
	TRY("append-only: unlink", unlink("a"));
	struct stat st;
	stat("a", &st);
	printf("size %ld\n", (long)st.st_size);
	TRY("SETFLAGS 0", setflags("a", 0));
	unlink("a");
	rmdir("d");
	chdir("/");
	rmdir(dir);
	return 0;
}
