// Files in weft's in-memory file system count against --max-memory: three files in
// /tmp, /dev/shm and the home directory grow a MiB at a time until the cap stops them
// with ENOSPC, as a full tmpfs does. Every byte written before is still there, a
// sparse file costs nothing, and deleting a file gives its memory back.
#include "adv.h"
#include <fcntl.h>
#include <unistd.h>

#define CHUNK (1 << 20)
static char buf[CHUNK], back[CHUNK];

static int pattern(int file, long chunk) { return (file * 31 + chunk * 7 + 1) & 0xff; }

int main(void) {
	// The guest's own buffers are touched first: once the files fill the cap, no new
	// page of guest memory could be had either.
	memset(back, 1, CHUNK);
	printf("filling /tmp, /dev/shm and /home/user under a 64 MiB cap\n");
	const char *paths[3] = {"/tmp/a", "/dev/shm/b", "/home/user/c"};
	int fds[3];
	long written[3] = {0};
	for (int i = 0; i < 3; i++) {
		fds[i] = open(paths[i], O_CREAT | O_RDWR | O_TRUNC, 0600);
		expect_ok(paths[i], fds[i]);
	}
	int err = 0;
	long total = 0;
	for (long round = 0; !err && round < 100000; round++) {
		for (int i = 0; i < 3 && !err; i++) {
			memset(buf, pattern(i, round), CHUNK);
			ssize_t n = write(fds[i], buf, CHUNK);
			if (n < 0) {
				err = errno;
				break;
			}
			written[i] += n;
			total += n;
		}
	}
	check(err == ENOSPC, "writing past the cap fails with ENOSPC (got %s after %ld MiB)", errname(err), total >> 20);
	check(total < (64L << 20), "the files hold less than the 64 MiB cap (%ld KiB)", total >> 10);
	int intact = 1;
	for (int i = 0; i < 3; i++) {
		for (long off = 0; off < written[i]; off += CHUNK) {
			long want = written[i] - off < CHUNK ? written[i] - off : CHUNK;
			ssize_t n = pread(fds[i], back, CHUNK, off);
			if (n != want) {
				intact = 0;
				break;
			}
			for (long k = 0; k < n; k++)
				if ((unsigned char)back[k] != pattern(i, off / CHUNK)) {
					intact = 0;
					break;
				}
		}
	}
	check(intact, "every byte written before the cap is still there");

	int sp = open("/tmp/sparse", O_CREAT | O_RDWR, 0600);
	expect_ok("a 1 GiB sparse file (ftruncate)", ftruncate(sp, 1L << 30));
	ssize_t n = pread(sp, back, 4096, 512L << 20);
	check(n == 4096 && back[0] == 0 && back[4095] == 0, "its holes read as zeros");

	close(fds[0]);
	expect_ok("unlink /tmp/a", unlink("/tmp/a"));
	memset(buf, 'z', CHUNK);
	expect_ok("writing again after the unlink gave the memory back", write(fds[1], buf, CHUNK));
	return done();
}
