// execve(2) of a file that an open file description may write to fails with
// ETXTBSY: the program copies itself to a fresh file and executes the copy while the
// descriptor it wrote with is still open.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
	char path[] = "/tmp/txtbsyXXXXXX";
	int in = open("/proc/self/exe", O_RDONLY);
	int out = mkstemp(path);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, n);
	fchmod(out, 0755);
	char *av[] = {path, NULL};
	execv(path, av);
	printf("execve while open for writing: %s\n", strerror(errno));
	close(out);
	unlink(path);
	return 0;
}
