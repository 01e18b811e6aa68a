// Lesson 1 (address-spaces): a process has its own address space.
//
// After fork(), parent and child both have a variable called `value` at the same
// virtual address. Each writes its own number there, and only after both have
// written does each read it back. If the two processes shared memory, one of them
// would read the other's number. They don't: each reads back what it wrote, because
// the same virtual address is backed by a different physical page in each process.
//
// Two pipes order the steps so that the output never depends on scheduling:
//   1. the child writes 2, then tells the parent;
//   2. the parent writes 1, then tells the child;
//   3. both read back.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

// A global: the loader puts it at a fixed address, the same in both processes.
// weft demo looks it up by this name in the program's symbol table.
int value;

int main(void) {
	int to_child[2], to_parent[2];
	char token = '.';
	if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
		perror("pipe");
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		value = 2;                        // step 1
		write(to_parent[1], &token, 1);   // "I have written"
		read(to_child[0], &token, 1);     // wait until the parent has written too
		printf("child  (pid %d): &value = %p, wrote 2, reads back %d\n", getpid(), (void *)&value,
		       value);
		return 0;
	}
	read(to_parent[0], &token, 1);            // wait for step 1
	value = 1;                                // step 2
	write(to_child[1], &token, 1);
	int status;
	waitpid(pid, &status, 0);                 // let the child print first
	printf("parent (pid %d): &value = %p, wrote 1, reads back %d\n", getpid(), (void *)&value,
	       value);
	return 0;
}
