// User namespaces (user_namespaces(7)), started as root, then as an ordinary user
// (uid and gid 1000) in a child: unshare(CLONE_NEWUSER) needs no privilege and gives
// every capability in the new namespace; until uid_map is written the IDs read as the
// overflow ID 65534; the owner may map its own uid, and its own gid only once
// setgroups is denied; each map is written once; setgroups(2) is then EPERM; an ID
// the namespace does not map is EINVAL for setuid; with CAP_SYS_ADMIN in the new
// namespace, unshare(CLONE_NEWPID) works there, while the capabilities count for
// nothing outside it (sethostname... here: a root-owned file stays closed).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void ids(const char *when)
{
	printf("%-22s uid %d euid %d gid %d egid %d\n", when, getuid(), geteuid(), getgid(), getegid());
}

// capeff prints the CapEff line of /proc/self/status.
static void capeff(const char *when)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "CapEff:", 7) == 0)
			printf("%-22s %s", when, line);
	if (f)
		fclose(f);
}

// put writes s to /proc/self/NAME and prints the result.
static void put(const char *name, const char *s)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/%s", name);
	int fd = open(path, O_WRONLY);
	errno = 0;
	ssize_t n = fd < 0 ? -1 : write(fd, s, strlen(s));
	printf("write %-10s %-12s = %zd %s\n", name, s[strlen(s) - 1] == '\n' ? "(line)" : s, n, n < 0 ? ename(errno) : "");
	if (fd >= 0)
		close(fd);
}

static void show(const char *name)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/self/%s", name);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("read %-10s: %s", name, buf);
	if (n <= 0)
		printf("\n");
	if (fd >= 0)
		close(fd);
}

static int user(void)
{
	if (setgroups(0, NULL) != 0 || setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0) {
		printf("cannot become uid 1000: %s\n", ename(errno));
		return 1;
	}
	ids("as 1000:");
	capeff("as 1000:");
	if (unshare(CLONE_NEWUSER) != 0) {
		printf("unshare(CLONE_NEWUSER): %s\n", ename(errno));
		return 1;
	}
	ids("new namespace:");
	capeff("new namespace:");
	show("setgroups");
	put("uid_map", "0 0 1\n"); // not the owner's own uid: needs CAP_SETUID outside
	put("uid_map", "0 1000 1\n");
	put("uid_map", "0 1000 1\n"); // only once
	put("gid_map", "0 1000 1\n"); // setgroups still allowed
	put("setgroups", "deny");
	put("gid_map", "0 1000 1\n");
	put("setgroups", "allow"); // no way back
	show("uid_map");
	show("gid_map");
	show("setgroups");
	ids("mapped:");
	errno = 0;
	printf("setgroups(0, NULL) = %d %s\n", setgroups(0, NULL), ename(errno));
	errno = 0;
	printf("setuid(5) = %d %s\n", setuid(5), ename(errno));
	errno = 0;
	printf("setuid(0) = %d %s\n", setuid(0), ename(errno));
	errno = 0;
	int fd = open("/tmp/userns-root-only", O_RDONLY);
	printf("open root's 0600 file: %d %s\n", fd < 0 ? -1 : 0, ename(errno));

	if (unshare(CLONE_NEWPID) != 0) {
		printf("unshare(CLONE_NEWPID): %s\n", ename(errno));
		return 1;
	}
	pid_t c = fork();
	if (c == 0) {
		printf("child: pid %d ppid %d\n", getpid(), getppid());
		ids("child:");
		return 0;
	}
	int st;
	waitpid(c, &st, 0);
	printf("child exited %d\n", WEXITSTATUS(st));
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ids("root:");
	int fd = open("/tmp/userns-root-only", O_CREAT | O_WRONLY | O_TRUNC, 0600);
	close(fd);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(user());
	int st;
	waitpid(c, &st, 0);
	unlink("/tmp/userns-root-only");
	printf("user part exited %d\n", WEXITSTATUS(st));
	// Root's own namespace: the root namespace's identity map.
	show("uid_map");
	return 0;
}
