// _exit and the raw exit_group system call skip atexit handlers and stdio
// flushing: text still in the stdout buffer is lost.  Status values are
// truncated to 8 bits (300 -> 44).  (The line is lost because stdout is a
// pipe and therefore fully buffered; on a terminal it would be printed.)
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static void handler(void) { printf("atexit handler must not run\n"); }

int main(void) {
	atexit(handler);
	printf("flushed line\n");
	fflush(stdout);
	printf("unflushed line (lost)\n");
	fprintf(stderr, "stderr is unbuffered\n");
	syscall(SYS_exit_group, 300);
	return 1;
}
