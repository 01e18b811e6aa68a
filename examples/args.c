// args.c: what a new process receives from the kernel.
//
// When a program starts, the kernel places on its stack the argument count,
// the argument strings (argv), the environment strings (envp) and the
// auxiliary vector (information such as the page size).  C's main gets the
// first two as parameters; the environment is reachable through the global
// variable `environ`.
//
// Try:  weft run examples/bin/args one "two words" three
#include <stdio.h>

extern char **environ; // NULL-terminated array of "NAME=value" strings

int main(int argc, char **argv) {
	printf("argc = %d\n", argc);
	// argv[0] is conventionally the program's name; argv[argc] is NULL.
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);

	// weft gives every program the same small, fixed environment rather
	// than passing on the host's, so that runs are reproducible.
	int n = 0;
	for (char **e = environ; *e != NULL; e++, n++)
		printf("environ[%d] = %s\n", n, *e);
	return 0;
}
