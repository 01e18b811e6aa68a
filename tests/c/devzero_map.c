// mmap(2) of /dev/zero: a private mapping is anonymous memory of zeros, a shared one
// is shared anonymous memory a forked child writes through; and mprotect(2) cannot add
// PROT_WRITE to a shared mapping of a file opened read-only (EACCES), while a private
// one may.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-44s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)

int main(void)
{
	int z = open("/dev/zero", O_RDWR);
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	printf("private /dev/zero: %s, zeros %d\n", p == MAP_FAILED ? ename(errno) : "ok", p[0] == 0 && p[8191] == 0);
	strcpy(p, "private");
	char *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
	printf("shared /dev/zero: %s\n", s == MAP_FAILED ? ename(errno) : "ok");
	if (fork() == 0) {
		strcpy(s, "from child");
		strcpy(p, "child's copy");
		_exit(0);
	}
	wait(NULL);
	printf("shared reads \"%s\", private reads \"%s\"\n", s, p);

	int ro = open("/dev/zero", O_RDONLY);
	char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	printf("shared /dev/zero read-only fd: %s\n", r == MAP_FAILED ? ename(errno) : "ok");
	TRY("mprotect PROT_WRITE (shared, fd read-only)", mprotect(r, 4096, PROT_READ | PROT_WRITE));
	TRY("mmap PROT_WRITE shared, fd read-only", (long)mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, ro, 0) == -1 ? -1 : 0);
	char *q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0);
	TRY("mprotect PROT_WRITE (private, fd read-only)", mprotect(q, 4096, PROT_READ | PROT_WRITE));

	char dir[] = "/tmp/weft-difftest-devzero-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[64];
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	ftruncate(fd, 4096);
	close(fd);
	fd = open(path, O_RDONLY);
	char *fm = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	printf("shared file read-only fd: %s\n", fm == MAP_FAILED ? ename(errno) : "ok");
	TRY("mprotect PROT_WRITE (shared file, read-only)", mprotect(fm, 4096, PROT_READ | PROT_WRITE));
	TRY("mprotect PROT_EXEC (shared file, read-only)", mprotect(fm, 4096, PROT_READ | PROT_EXEC));
	close(fd);
	unlink(path);
	rmdir(dir);
	return 0;
}
