/* For the reverse-continue timing (README, "Debugging a run with gdb"): the program
 * writes a watched variable early, then computes for about 10^8 instructions and stops
 * at done(); gdb, at done(), watches the variable and reverse-continues to the write. */
#include <stdio.h>
#include <stdlib.h>

long watched;

void done(unsigned long acc) {
	printf("acc=%lu watched=%ld\n", acc, watched);
}

int main(int argc, char **argv) {
	unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 7100000, acc = 1;
	watched = 42; /* the write reverse-continue goes back to */
	for (unsigned long i = 0; i < n; i++)
		acc = acc * 6364136223846793005UL + i;
	done(acc);
	return 0;
}
