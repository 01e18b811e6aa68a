// Calling exit(3) deep inside nested calls.  atexit handlers run in
// reverse order of registration and stdio buffers are flushed.
#include <stdio.h>
#include <stdlib.h>

static void h1(void) { printf("atexit handler 1\n"); }
static void h2(void) { printf("atexit handler 2\n"); }

static void deep(int n) {
	if (n < 0)
		return;
	if (n == 0) {
		printf("exiting with 3 (this line is buffered until exit)\n");
		exit(3);
	}
	deep(n - 1);
	printf("never printed\n");
}

int main(void) {
	atexit(h1);
	atexit(h2);
	deep(10);
	return 0;
}
