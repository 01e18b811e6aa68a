// A sparse file far past 4 GiB: a write at 4.1 GiB makes the file that large but holds
// one page (st_blocks counts what is held, not the size), the holes read as zeros,
// SEEK_DATA and SEEK_HOLE find the data, ftruncate can make it 1 TiB and back, and
// punching a hole gives the page back.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIG (4100LL * 1024 * 1024)

static void show(int fd, const char *what)
{
	struct stat st;
	fstat(fd, &st);
	printf("%-22s size %lld, holds at most 2 pages: %d\n", what, (long long)st.st_size,
	       st.st_blocks > 0 && st.st_blocks * 512 <= 8192);
}

int main(void)
{
	char dir[] = "/tmp/weft-difftest-sparse-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[80];
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	off_t o = lseek(fd, BIG, SEEK_SET);
	printf("lseek to 4.1 GiB: %lld\n", (long long)o);
	ssize_t w = write(fd, "0123456", 7);
	printf("write there: %zd\n", w);
	show(fd, "after the write:");

	char buf[16] = {0};
	ssize_t r = pread(fd, buf, 7, BIG);
	printf("read back: %zd \"%s\"\n", r, buf);
	memset(buf, 'x', sizeof buf);
	r = pread(fd, buf, 8, 1LL << 32);
	int zeros = 1;
	for (int i = 0; i < 8; i++)
		zeros &= buf[i] == 0;
	printf("read in the hole at 4 GiB: %zd, zeros %d\n", r, zeros);
	printf("SEEK_DATA from 0: %lld\n", (long long)lseek(fd, 0, SEEK_DATA));
	printf("SEEK_HOLE from 4.1 GiB: %lld\n", (long long)lseek(fd, BIG, SEEK_HOLE));
	errno = 0;
	printf("SEEK_DATA past the end: %lld %s\n", (long long)lseek(fd, BIG + 100, SEEK_DATA), strerrorname_np(errno));

	printf("ftruncate to 1 TiB: %d\n", ftruncate(fd, 1LL << 40));
	show(fd, "1 TiB:");
	r = pread(fd, buf, 8, (1LL << 40) - 8);
	printf("read the last 8 bytes: %zd\n", r);
	printf("ftruncate to 4.1 GiB + 3: %d\n", ftruncate(fd, BIG + 3));
	r = pread(fd, buf, 16, BIG);
	printf("read at 4.1 GiB: %zd \"%.*s\"\n", r, (int)r, buf);
	printf("punch the page: %d\n", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, BIG & ~4095LL, 4096));
	struct stat st;
	fstat(fd, &st);
	printf("blocks after punching: %lld, size %lld\n", (long long)st.st_blocks, (long long)st.st_size);
	close(fd);
	unlink(path);
	rmdir(dir);
	return 0;
}
