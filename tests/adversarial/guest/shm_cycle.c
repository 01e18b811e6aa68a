// Shared mappings of deleted files give their memory back. With a 1 MiB mapping kept
// live, 300 cycles of create, ftruncate to 1 MiB, mmap MAP_SHARED, fill, munmap, close
// and unlink (and as many that unlink while still mapped) must all succeed under a
// 64 MiB cap: each cycle's pages are freed with its file.
#include "adv.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1 << 20)

static int cycle(int i, int unlink_first) {
	int fd = open("/dev/shm/cycle", O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, MIB) < 0)
		return -1;
	char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	memset(p, i, MIB);
	char c;
	if (pread(fd, &c, 1, MIB - 1) != 1 || c != (char)i)
		return -1;
	close(fd);
	if (unlink_first) {
		unlink("/dev/shm/cycle");
		p[0] = 1; // the mapping outlives the name
	}
	munmap(p, MIB);
	if (!unlink_first)
		unlink("/dev/shm/cycle");
	return 0;
}

int main(void) {
	int live = open("/dev/shm/live", O_CREAT | O_RDWR, 0600);
	ftruncate(live, MIB);
	char *keep = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, live, 0);
	check(keep != MAP_FAILED, "a live 1 MiB shared mapping");
	memset(keep, 7, MIB);
	for (int pass = 0; pass < 2; pass++) {
		int i;
		for (i = 0; i < 300; i++)
			if (cycle(i, pass) < 0)
				break;
		check(i == 300, "%s: %d of 300 cycles (%s)", pass ? "unlink while mapped" : "unmap then unlink", i,
		      i == 300 ? "0" : errname(errno));
	}
	check(keep[MIB - 1] == 7, "the live mapping kept its contents");
	return done();
}
