// args: one "two words" "" --flag=value 'single' "quote\"inside" "back\\slash" ünïcödé "  spaced  "
// Prints argc and argv byte by byte.  argv[0] is the absolute path of the
// program, which the harness passes identically to both runners.
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
	printf("argc=%d\n", argc);
	const char *slash = strrchr(argv[0], '/');
	printf("argv[0] basename=%s (absolute=%d)\n", slash ? slash + 1 : argv[0], argv[0][0] == '/');
	printf("argv[0]=%s\n", argv[0]);
	for (int i = 1; i < argc; i++) {
		printf("argv[%d] len=%zu [%s] bytes:", i, strlen(argv[i]), argv[i]);
		for (const unsigned char *p = (const unsigned char *)argv[i]; *p; p++)
			printf(" %02x", *p);
		printf("\n");
	}
	printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "not NULL");
	// argv strings are contiguous on the initial stack, each followed by NUL.
	int contiguous = 1;
	for (int i = 0; i + 1 < argc; i++)
		if (argv[i] + strlen(argv[i]) + 1 != argv[i + 1])
			contiguous = 0;
	printf("contiguous=%d\n", contiguous);
	// The environment pointer array follows argv's NULL terminator.
	extern char **environ;
	printf("environ follows argv: %d\n", environ == argv + argc + 1);
	return 0;
}
