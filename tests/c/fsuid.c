// setfsuid/setfsgid: the previous value is always returned; root may set any ID and
// file checks then use it; a later setresuid resets the file-system ID to the new
// effective one (setfsuid(2)).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
	char dir[] = "/tmp/fsuidXXXXXX", path[64];
	mkdtemp(dir);
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	int euid = geteuid();
	printf("query %d\n", setfsuid(-1) == euid);
	if (euid != 0) { printf("not root\n"); unlink(path); rmdir(dir); return 0; }
	printf("set 4242, old %d\n", setfsuid(4242));
	printf("now %d\n", setfsuid(-1));
	printf("open as 4242: %d\n", open(path, O_RDONLY) >= 0);
	setfsuid(0);
	printf("open as 0: %d\n", open(path, O_RDONLY) >= 0);
	setfsgid(77);
	printf("fsgid %d\n", setfsgid(-1));
	setfsuid(4242);
	setresuid(0, 0, 0);
	printf("after setresuid %d\n", setfsuid(-1));
	unlink(path);
	rmdir(dir);
	return 0;
}
