// hello.c: the classic first program.
//
// Under weft this small program already exercises the whole path from an
// executable file to a running process:
//   - the loader reads the ELF file and maps its segments into memory;
//   - the kernel builds the initial stack (argc, argv, envp, auxiliary
//     vector) and starts the CPU at the program's entry point;
//   - glibc's start-up code initialises itself (it sets up thread-local
//     storage and asks the kernel for memory with brk) and calls main;
//   - printf collects the text in a buffer and, at exit, hands it to the
//     kernel with the write system call on file descriptor 1 (stdout);
//   - returning from main calls exit, which ends in the exit_group system
//     call; its argument becomes the exit status the parent sees.
#include <stdio.h>

int main(void) {
	printf("Hello, world!\n");
	return 0;
}
