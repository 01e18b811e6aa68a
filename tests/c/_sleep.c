// _sleep SECONDS: prints, sleeps, prints. A helper for tests of tools that follow a
// run's virtual time (weft view's checkpoints across a long sleep), not a differential
// test.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
	unsigned s = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	printf("sleeping %u s\n", s);
	fflush(stdout);
	sleep(s);
	printf("awake\n");
	return 0;
}
