/* Stores through a NULL-ish pointer: the process is killed by SIGSEGV. */
#include <stdio.h>
int main(void) {
	printf("about to fault\n");
	fflush(stdout);
	int *volatile p = (int *)0x10;
	*p = 1;
	printf("not reached\n");
	return 0;
}
