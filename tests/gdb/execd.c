// execd ARG: the program forkexec's child execs; it prints its argument and exits 7.
#include <stdio.h>

int value = 5;

void execd_main(const char *arg) {
	value += 2;
	printf("execd %s %d\n", arg, value);
}

int main(int argc, char **argv) {
	execd_main(argc > 1 ? argv[1] : "");
	return value;
}
