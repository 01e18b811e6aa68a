// The smallest test: one line through stdio.  The Makefile also links this
// file dynamically (bin/dynamic) for the loader's rejection test.
#include <stdio.h>

int main(void) {
	printf("hello, world\n");
	return 0;
}
