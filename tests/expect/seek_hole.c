// lseek(2) SEEK_DATA and SEEK_HOLE on a sparse file in /tmp (tmpfs: a page never
// written is a hole, and so is the end of the file; past the end is ENXIO).
// Checked against Linux through qemu-riscv64 (host /tmp on ext4): identical output.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void seek(int fd, off_t off, int whence)
{
	errno = 0;
	off_t r = lseek(fd, off, whence);
	printf("%s from %6ld = %6ld %s\n", whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE", (long)off,
	       (long)r, r < 0 ? ename(errno) : "");
}

int main(void)
{
	char dir[] = "/tmp/weft-seekhole-XXXXXX";
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return 1;
	int fd = open("sparse", O_CREAT | O_RDWR, 0600);
	// Data in pages 0 and 3 (bytes 100 and 12388), holes in 1-2 and 4-5; 24576 bytes.
	pwrite(fd, "a", 1, 100);
	pwrite(fd, "b", 1, 3 * 4096 + 100);
	ftruncate(fd, 6 * 4096);
	off_t offs[] = {0, 50, 4096, 5000, 12288, 12388, 16384, 20000, 24575, 24576, 30000};
	for (unsigned i = 0; i < sizeof offs / sizeof offs[0]; i++) {
		seek(fd, offs[i], SEEK_DATA);
		seek(fd, offs[i], SEEK_HOLE);
	}
	printf("offset after SEEK_HOLE from 5000: %ld\n", (long)(lseek(fd, 5000, SEEK_HOLE), lseek(fd, 0, SEEK_CUR)));
	close(fd);
	fd = open("empty", O_CREAT | O_RDWR, 0600);
	seek(fd, 0, SEEK_DATA);
	seek(fd, 0, SEEK_HOLE);
	close(fd);
	unlink("sparse");
	unlink("empty");
	chdir("/");
	rmdir(dir);
	return 0;
}
