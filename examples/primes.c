// primes.c: a compute-bound program.
//
// The sieve of Eratosthenes finds every prime below a limit by crossing out
// the multiples of each prime in turn.  It makes almost no system calls: a
// single large allocation (which glibc satisfies with mmap, because it is
// bigger than 128 KiB) and a little output at the end.  Nearly all the time
// is spent executing instructions, so it is a good yardstick for the speed
// of weft's CPU interpreter.
//
// Usage:  weft run examples/bin/primes [LIMIT]      (default 5000000)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	long limit = argc > 1 ? atol(argv[1]) : 5000000;
	if (limit < 2) {
		fprintf(stderr, "primes: LIMIT must be at least 2\n");
		return 2;
	}

	// One byte per number: composite[i] != 0 means i is not prime.
	// calloc returns zeroed memory, i.e. "everything might be prime".
	unsigned char *composite = calloc((size_t)limit, 1);
	if (composite == NULL) {
		perror("calloc");
		return 1;
	}
	for (long p = 2; p * p < limit; p++) {
		if (composite[p])
			continue;
		// Smaller multiples of p were already crossed out by smaller primes.
		for (long m = p * p; m < limit; m += p)
			composite[m] = 1;
	}

	// Count the primes and fold them into a checksum, so that any mistake
	// in executing the program changes the output.
	long count = 0, largest = 0;
	uint64_t checksum = 0;
	for (long i = 2; i < limit; i++) {
		if (!composite[i]) {
			count++;
			largest = i;
			checksum = checksum * 31 + (uint64_t)i;
		}
	}
	free(composite);

	printf("primes below %ld: %ld\n", limit, count);
	printf("largest: %ld\n", largest);
	printf("checksum: %016llx\n", (unsigned long long)checksum);
	return 0;
}
