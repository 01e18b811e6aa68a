// chroot(2): ENOTDIR, EPERM for non-root, a root that "/" and ".." cannot leave,
// getcwd outside the new root, and a child that inherits it.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
	char dir[] = "/tmp/chrootXXXXXX", buf[256], p[300];
	if (!mkdtemp(dir)) return 1;
	snprintf(p, sizeof p, "%s/inside", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/inside/file", dir);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	write(fd, "in the jail\n", 12);
	close(fd);
	printf("chroot non-dir %d %s\n", chroot(p), strerror(errno));
	snprintf(p, sizeof p, "%s/inside", dir);
	if (chroot(p) != 0) { printf("chroot %s\n", strerror(errno)); return 1; }
	printf("getcwd outside: %s\n", getcwd(buf, sizeof buf) ? (strncmp(buf, "(unreachable)", 13) == 0 ? "(unreachable)..." : buf) : strerror(errno));
	chdir("/");
	printf("getcwd %s\n", getcwd(buf, sizeof buf));
	fd = open("/file", O_RDONLY);
	int n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("/file: %s", buf);
	printf("../../file %d\n", access("../../file", F_OK));
	printf("/tmp %d %s\n", access("/tmp", F_OK), strerror(errno));
	pid_t pid = fork();
	if (pid == 0) { printf("child sees /file %d\n", access("/file", F_OK)); fflush(stdout); _exit(0); }
	waitpid(pid, NULL, 0);
	return 0;
}
