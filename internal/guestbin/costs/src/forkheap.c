//go:build ignore
// (That line keeps the go tool from taking this file for cgo source: bench/costs holds C
// programs only.)

/*
 * forkheap: fork+exit+wait of a process whose heap has MIB mebibytes touched.
 *
 *   forkheap MIB N
 *
 * The heap is filled before the loop; each iteration forks a child that _exit(0)s at
 * once, and waits for it. Linux copies the page tables of the whole heap at every fork,
 * so its cost grows with MIB; weft shares them copy-on-write, so its cost does not.
 * scripts/bench-os.sh times N and 2N iterations to take out the start-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s MIB N\n", argv[0]);
		return 2;
	}
	size_t size = strtoul(argv[1], NULL, 10) << 20;
	long n = strtol(argv[2], NULL, 10);
	char *heap = NULL;
	if (size) {
		heap = malloc(size);
		if (!heap)
			return 1;
		memset(heap, 1, size);
	}
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(0);
		int st;
		waitpid(pid, &st, 0);
	}
	printf("forkheap %zu MiB: %ld forks, heap byte %d\n", size >> 20, n, heap ? heap[size / 2] : 0);
	return 0;
}
