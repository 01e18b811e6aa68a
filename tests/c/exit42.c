// Returning from main with a value: the C runtime passes it to exit(),
// and the parent sees it as the exit status.
#include <stdio.h>

int main(void) {
	printf("returning 42 from main\n");
	return 42;
}
