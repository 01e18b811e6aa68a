// The environment: getenv, walking environ, setenv/unsetenv/putenv, and
// the auxiliary vector entries that do not depend on addresses or the host.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;

int main(void) {
	static const char *names[] = {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG",
	                              "PWD", "NOPE", "", "PATH=", "HOM"};
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = getenv(names[i]);
		printf("getenv(%s) = %s\n", names[i], v ? v : "(null)");
	}
	int n = 0;
	for (char **e = environ; *e; e++, n++)
		printf("environ[%d] = %s\n", n, *e);
	printf("count = %d\n", n);
	setenv("WEFT_TEST", "one", 0);
	setenv("WEFT_TEST", "two", 0); // no overwrite
	printf("setenv no-overwrite: %s\n", getenv("WEFT_TEST"));
	setenv("WEFT_TEST", "three", 1);
	printf("setenv overwrite: %s\n", getenv("WEFT_TEST"));
	static char put[] = "WEFT_PUT=putenv value";
	putenv(put);
	printf("putenv: %s\n", getenv("WEFT_PUT"));
	unsetenv("HOME");
	unsetenv("WEFT_TEST");
	printf("after unsetenv HOME=%s WEFT_TEST=%s\n", getenv("HOME") ? "set" : "unset",
	       getenv("WEFT_TEST") ? "set" : "unset");
	n = 0;
	for (char **e = environ; *e; e++, n++)
		printf("environ'[%d] = %s\n", n, *e);
	clearenv();
	printf("after clearenv: PATH=%s environ=%s\n", getenv("PATH") ? "set" : "unset",
	       environ == NULL || environ[0] == NULL ? "empty" : "nonempty");
	// Auxiliary vector values that are fixed for a static riscv64 binary.
	printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
	printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
	printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
	printf("AT_RANDOM present=%d\n", getauxval(AT_RANDOM) != 0);
	printf("AT_PHDR present=%d AT_ENTRY present=%d\n", getauxval(AT_PHDR) != 0, getauxval(AT_ENTRY) != 0);
	printf("sysconf pagesize=%ld\n", sysconf(_SC_PAGESIZE));
	return 0;
}
