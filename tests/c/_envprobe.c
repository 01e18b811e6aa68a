// Helper, not a test (names starting with '_' are not diffed): prints the
// environment one variable per line.  The harness runs it under qemu to
// learn in which order qemu-riscv64 hands the environment to the guest
// (qemu 7.2 reverses it) so that the guest sees weft's order exactly.
#include <stdio.h>

extern char **environ;

int main(void) {
	for (char **e = environ; *e; e++)
		printf("%s\n", *e);
	return 0;
}
