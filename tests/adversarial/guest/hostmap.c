// mmap(MAP_PRIVATE) of a 1 GiB host file (sparse, with markers) under a 64 MiB cap:
// weft pages the file in as the guest touches it, so mapping it three times costs
// nothing up front. Private copies stay private. With the argument "touch", the guest
// then touches every page of one mapping, which the cap cannot hold: weft kills it
// with its out-of-memory message.
#include "adv.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GIB (1L << 30)

int main(int argc, char **argv) {
	const char *path = argc > 1 ? argv[1] : "/mnt/big";
	int fd = open(path, O_RDONLY);
	expect_ok("open the 1 GiB host file", fd);
	char *m[3];
	for (int i = 0; i < 3; i++) {
		m[i] = mmap(NULL, GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		check(m[i] != MAP_FAILED, "mapping %d of the 1 GiB file", i + 1);
		if (m[i] == MAP_FAILED)
			return done();
	}
	close(fd);
	for (int i = 0; i < 3; i++) {
		check(memcmp(m[i], "MARK0", 5) == 0 && memcmp(m[i] + GIB / 2, "MARK1", 5) == 0 &&
		          memcmp(m[i] + GIB - 4096, "MARK2", 5) == 0 && m[i][GIB / 4] == 0,
		      "mapping %d reads the file's markers and its holes as zeros", i + 1);
	}
	memcpy(m[0] + GIB / 2, "PRIV!", 5);
	check(memcmp(m[1] + GIB / 2, "MARK1", 5) == 0, "a store to one private mapping is not seen by another");
	char *s = mmap(NULL, 1 << 20, PROT_READ, MAP_SHARED, open(path, O_RDONLY), GIB / 2);
	check(s != MAP_FAILED && memcmp(s, "MARK1", 5) == 0, "a MAP_SHARED mapping at an offset reads the file");
	if (argc > 2 && strcmp(argv[2], "touch") == 0) {
		printf("touching every page of a 1 GiB private mapping\n");
		fflush(stdout);
		long sum = 0;
		for (long off = 0; off < GIB; off += 4096)
			m[2][off] = 1, sum += m[2][off];
		printf("FAIL: touched all of it (%ld pages) under a 64 MiB cap\n", sum);
	}
	return done();
}
