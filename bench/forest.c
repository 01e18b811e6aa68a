//go:build ignore
// (That line keeps the go tool from taking this file for cgo source of package bench.)

// forest: many processes alive at once, for weft view's scale (issue 16: a step must
// stay under 100 ms for a run of 10^8 instructions and 100 processes).
//
//	forest [N [WORK]]   the parent forks N children (default 100); each writes to 16
//	                    pages of its copy of a heap buffer (copy-on-write), computes
//	                    WORK rounds (default 250000, about 10^6 instructions), reports
//	                    on a pipe and waits for the parent's go; the parent then
//	                    releases them all and reaps them.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 100;
	long work = argc > 2 ? atol(argv[2]) : 250000;
	size_t size = 64 * 4096;
	unsigned char *buf = malloc(size);
	memset(buf, 1, size);
	int done[2], go[2];
	if (pipe(done) || pipe(go)) {
		perror("pipe");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(done[0]);
			close(go[1]);
			for (int p = 0; p < 16; p++)
				buf[((i + p) % 64) * 4096] = (unsigned char)i;
			unsigned long x = (unsigned long)i + 1;
			for (long r = 0; r < work; r++)
				x = x * 6364136223846793005UL + 1442695040888963407UL;
			if (write(done[1], &x, sizeof x) != sizeof x)
				_exit(2);
			char c;
			_exit(read(go[0], &c, 1) == 0 ? 0 : 3);
		}
	}
	close(done[1]);
	close(go[0]);
	unsigned long sum = 0, x;
	for (int i = 0; i < n; i++) {
		if (read(done[0], &x, sizeof x) != sizeof x) {
			perror("read");
			return 1;
		}
		sum ^= x;
	}
	close(go[1]);
	int bad = 0, status;
	while (wait(&status) > 0)
		bad += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	printf("forest: %d processes, checksum %016lx, %d failed\n", n, sum, bad);
	return bad != 0;
}
