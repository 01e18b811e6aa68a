// open(2) with O_TMPFILE: an unnamed file in a directory, linked in later with
// linkat(2) through /proc/self/fd (not when opened with O_EXCL); its mode follows the
// umask; O_TMPFILE needs write access and no O_CREAT (EINVAL), and a directory
// (ENOTDIR).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-40s = %s %s\n", what, r_ < 0 ? "-1" : "ok", r_ < 0 ? ename(errno) : ""); } while (0)

static void list(void)
{
	DIR *d = opendir(".");
	struct dirent *e;
	int n = 0;
	printf("entries:");
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			printf(" %s", e->d_name);
			n++;
		}
	printf(n ? "\n" : " none\n");
	closedir(d);
}

static int linkfd(int fd, const char *name)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, p, AT_FDCWD, name, AT_SYMLINK_FOLLOW);
}

int main(void)
{
	char dir[] = "/tmp/weft-difftest-tmpfile-XXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	umask(022);
	int fd = open(".", O_TMPFILE | O_RDWR, 0666);
	printf("O_TMPFILE|O_RDWR: %s\n", fd < 0 ? ename(errno) : "ok");
	struct stat st;
	fstat(fd, &st);
	printf("regular %d nlink %ld mode %o size %ld\n", S_ISREG(st.st_mode), (long)st.st_nlink,
	       st.st_mode & 07777, (long)st.st_size);
	write(fd, "hello", 5);
	list();
	TRY("linkat /proc/self/fd -> named", linkfd(fd, "named"));
	fstat(fd, &st);
	printf("nlink after link %ld\n", (long)st.st_nlink);
	list();
	char buf[8] = "";
	int r = open("named", O_RDONLY);
	read(r, buf, 5);
	printf("named holds \"%s\"\n", buf);
	close(r);
	close(fd);

	fd = open(".", O_TMPFILE | O_WRONLY | O_EXCL, 0600);
	printf("O_TMPFILE|O_EXCL: %s\n", fd < 0 ? ename(errno) : "ok");
	TRY("linkat of an O_EXCL one", linkfd(fd, "excl"));
	close(fd);

	TRY("O_TMPFILE|O_RDONLY", open(".", O_TMPFILE | O_RDONLY, 0600));
	TRY("O_TMPFILE|O_CREAT|O_RDWR", open(".", O_TMPFILE | O_CREAT | O_RDWR, 0600));
	TRY("O_TMPFILE on a file", open("named", O_TMPFILE | O_RDWR, 0600));
	TRY("O_TMPFILE in a missing directory", open("nodir", O_TMPFILE | O_RDWR, 0600));
	list();
	unlink("named");
	chdir("/");
	rmdir(dir);
	return 0;
}
