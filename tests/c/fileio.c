// File system calls on a scratch file in /tmp: open/write/read/lseek/
// pread/pwrite/fstat/stat/ftruncate/dup/rename/unlink, plus /dev/null and
// error cases.  Under qemu this touches the host's /tmp, so the name is
// fixed and distinctive and the file is removed at the end.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define PATH "/tmp/weft-difftest-fileio-3f9c2a"
#define PATH2 "/tmp/weft-difftest-fileio-3f9c2a.renamed"

static const char *en(int e) {
	switch (e) {
	case 0: return "0";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case EISDIR: return "EISDIR";
	case ENOTDIR: return "ENOTDIR";
	case ESPIPE: return "ESPIPE";
	case EACCES: return "EACCES";
	default: return "other";
	}
}

static void st(const char *label, int fd) {
	struct stat s;
	int r = fstat(fd, &s);
	printf("%s: fstat=%d size=%lld reg=%d mode=%03o nlink=%lu blksize>0=%d\n", label, r,
	       (long long)s.st_size, S_ISREG(s.st_mode), s.st_mode & 0777, (unsigned long)s.st_nlink,
	       s.st_blksize > 0);
}

int main(void) {
	umask(022);
	unlink(PATH);
	unlink(PATH2);
	int fd = open(PATH, O_RDWR | O_CREAT | O_EXCL | O_TRUNC, 0666);
	printf("open new: ok=%d\n", fd >= 0);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	errno = 0;
	int fd2 = open(PATH, O_RDWR | O_CREAT | O_EXCL, 0666);
	printf("open O_EXCL existing: %d %s\n", fd2, en(errno));
	st("empty", fd);
	const char msg[] = "Hello, file!\nSecond line.\n";
	ssize_t w = write(fd, msg, strlen(msg));
	printf("write=%zd\n", w);
	st("after write", fd);
	printf("lseek cur=%lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	printf("lseek set 7=%lld\n", (long long)lseek(fd, 7, SEEK_SET));
	char buf[256];
	memset(buf, 0, sizeof buf);
	ssize_t r = read(fd, buf, 5);
	printf("read=%zd [%s]\n", r, buf);
	printf("lseek end -6=%lld\n", (long long)lseek(fd, -6, SEEK_END));
	memset(buf, 0, sizeof buf);
	r = read(fd, buf, sizeof buf);
	printf("read tail=%zd [%s]\n", r, buf);
	r = read(fd, buf, sizeof buf);
	printf("read at eof=%zd\n", r);
	// Seek past the end and write: the gap reads back as zeros.
	printf("lseek end+100=%lld\n", (long long)lseek(fd, 100, SEEK_END));
	w = write(fd, "X", 1);
	st("after hole", fd);
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0x77, sizeof buf);
	r = read(fd, buf, sizeof buf);
	int zeros = 0;
	for (int i = (int)strlen(msg); i < r - 1; i++)
		zeros += buf[i] == 0;
	printf("read all=%zd zeros-in-hole=%d last=%c\n", r, zeros, buf[r - 1]);
	// pread/pwrite do not move the offset.
	off_t before = lseek(fd, 3, SEEK_SET);
	ssize_t pw = pwrite(fd, "abc", 3, 20);
	memset(buf, 0, sizeof buf);
	ssize_t pr = pread(fd, buf, 10, 14);
	printf("pwrite=%zd pread=%zd [%.10s] offset %lld->%lld\n", pw, pr, buf, (long long)before,
	       (long long)lseek(fd, 0, SEEK_CUR));
	// writev/readv.
	struct iovec iov[3] = {{"one ", 4}, {"two ", 4}, {"three\n", 6}};
	lseek(fd, 0, SEEK_END);
	printf("writev=%zd\n", writev(fd, iov, 3));
	char a[5] = {0}, b[8] = {0};
	struct iovec riov[2] = {{a, 4}, {b, 7}};
	lseek(fd, 0, SEEK_SET);
	printf("readv=%zd [%s][%s]\n", readv(fd, riov, 2), a, b);
	// ftruncate shrink and grow.
	printf("ftruncate 10=%d\n", ftruncate(fd, 10));
	st("truncated", fd);
	printf("ftruncate 50=%d\n", ftruncate(fd, 50));
	st("extended", fd);
	// dup shares the file offset.
	lseek(fd, 2, SEEK_SET);
	int d = dup(fd);
	printf("dup ok=%d dup offset=%lld\n", d > fd, (long long)lseek(d, 0, SEEK_CUR));
	lseek(d, 9, SEEK_SET);
	printf("original offset after seeking dup=%lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	int d2 = dup2(fd, 20);
	printf("dup2 -> %d\n", d2);
	printf("fcntl F_GETFD=%d\n", fcntl(20, F_GETFD));
	printf("fcntl F_GETFL accmode=%d\n", fcntl(fd, F_GETFL) & O_ACCMODE);
	close(20);
	close(d);
	// stat by path, rename, reopen read-only, O_APPEND.
	struct stat s;
	printf("stat=%d size=%lld\n", stat(PATH, &s), (long long)s.st_size);
	close(fd);
	printf("rename=%d\n", rename(PATH, PATH2));
	errno = 0;
	printf("stat old name=%d %s\n", stat(PATH, &s), en(errno));
	fd = open(PATH2, O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	w = write(fd, "APPENDED", 8);
	st("appended", fd);
	close(fd);
	fd = open(PATH2, O_RDONLY);
	memset(buf, 0, sizeof buf);
	r = read(fd, buf, sizeof buf);
	printf("reread=%zd first=[%.10s] last=[%s]\n", r, buf, buf + r - 8);
	errno = 0;
	w = write(fd, "x", 1);
	printf("write to O_RDONLY=%zd %s\n", w, en(errno));
	close(fd);
	errno = 0;
	printf("read closed fd=%zd %s\n", read(fd, buf, 1), en(errno));
	// stdio on the same file.
	FILE *f = fopen(PATH2, "w+");
	for (int i = 0; i < 1000; i++)
		fprintf(f, "line %d %x\n", i, i * i);
	printf("ftell=%ld\n", ftell(f));
	rewind(f);
	char line[64];
	int count = 0;
	unsigned long sum = 0;
	while (fgets(line, sizeof line, f)) {
		count++;
		for (char *p = line; *p; p++)
			sum = sum * 7 + (unsigned char)*p;
	}
	printf("fgets lines=%d sum=%lu feof=%d\n", count, sum, feof(f));
	fseek(f, -12, SEEK_END);
	printf("fgets after fseek: %s", fgets(line, sizeof line, f));
	fclose(f);
	printf("unlink=%d\n", unlink(PATH2));
	errno = 0;
	printf("unlink again=%d %s\n", unlink(PATH2), en(errno));
	errno = 0;
	printf("open missing=%d %s\n", open("/tmp/weft-difftest-missing-3f9c2a", O_RDONLY), en(errno));
	errno = 0;
	printf("open in missing dir=%d %s\n", open("/tmp/weft-difftest-nodir-3f9c2a/x", O_RDONLY | O_CREAT, 0600), en(errno));

	// /dev/null: writes succeed, reads return end of file.
	int nul = open("/dev/null", O_RDWR);
	printf("/dev/null open ok=%d write=%zd read=%zd\n", nul >= 0, write(nul, "discard", 7),
	       read(nul, buf, sizeof buf));
	struct stat ns;
	fstat(nul, &ns);
	printf("/dev/null is chr=%d\n", S_ISCHR(ns.st_mode));
	close(nul);
	// Directories.
	errno = 0;
	int dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	printf("open /tmp dir ok=%d\n", dfd >= 0);
	errno = 0;
	printf("read dir=%zd %s\n", read(dfd, buf, 10), en(errno));
	struct stat ds;
	fstat(dfd, &ds);
	printf("/tmp is dir=%d\n", S_ISDIR(ds.st_mode));
	close(dfd);
	errno = 0;
	printf("open /tmp O_WRONLY=%d %s\n", open("/tmp", O_WRONLY), en(errno));
	// lseek on a bad descriptor.
	errno = 0;
	printf("lseek bad fd=%lld %s\n", (long long)lseek(77, 0, SEEK_SET), en(errno));
	return 0;
}
