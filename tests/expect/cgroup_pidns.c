// cgroup.procs in a PID namespace (cgroup-v2.rst, pid_namespaces(7)), as root: a PID
// written there is a number of the writer's namespace (find_task_by_vpid), and the
// file lists each process by the reader's numbers (task_pid_vnr: 0 for one outside
// it). A process that is 1 in its namespace moves itself by writing "1"; its parent,
// outside, sees the global PID fork returned. QEMU cannot be the oracle: the host's
// cgroups and namespaces are not ours to change.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup"

static const char *err(int e) { return e ? strerrorname_np(e) : "ok"; }

// put writes s to path in one write(2); it returns 0 or the errno.
static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int r = write(fd, s, strlen(s)) < 0 ? errno : 0;
	close(fd);
	return r;
}

// lines prints the lines of path on one line, separated by spaces.
static void lines(const char *what, const char *path)
{
	char buf[1024];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		printf("%s: %s\n", what, strerrorname_np(errno));
		return;
	}
	buf[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = i == n - 1 ? 0 : ' ';
	printf("%s: [%s]\n", what, buf);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("mkdir ns: %s\n", err(mkdir(CG "/ns", 0755) ? errno : 0));
	printf("unshare(CLONE_NEWPID): %s\n", err(unshare(CLONE_NEWPID) ? errno : 0));
	int go[2], ready[2];
	char x;
	pipe(go);
	pipe(ready);
	pid_t c = fork();
	if (c == 0) {
		printf("child: getpid() = %d\n", getpid());
		printf("child: write \"1\" to cgroup.procs: %s\n", err(put(CG "/ns/cgroup.procs", "1")));
		lines("child: cgroup.procs", CG "/ns/cgroup.procs");
		lines("child: cgroup.threads", CG "/ns/cgroup.threads");
		write(ready[1], "x", 1);
		read(go[0], &x, 1); // the parent has joined: outside the namespace, it is 0
		lines("child: cgroup.procs with the parent", CG "/ns/cgroup.procs");
		_exit(0);
	}
	read(ready[0], &x, 1);
	// The parent moves itself too, by its own number, which the child cannot see.
	char me[32];
	snprintf(me, sizeof me, "%d", getpid());
	printf("parent: write its own PID: %s\n", err(put(CG "/ns/cgroup.procs", me)));
	char cpath[64];
	snprintf(cpath, sizeof cpath, "/proc/%d/cgroup", c);
	FILE *f = fopen(cpath, "r");
	char line[128] = "";
	if (f) {
		fgets(line, sizeof line, f);
		fclose(f);
	}
	printf("parent: child's /proc/PID/cgroup: %s", line);
	char want[64];
	snprintf(want, sizeof want, "%d", c);
	int fd = open(CG "/ns/cgroup.procs", O_RDONLY);
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	printf("parent: cgroup.procs lists itself %d and the child by fork's PID %d\n",
	       strstr(buf, me) != NULL, strstr(buf, want) != NULL);
	write(go[1], "x", 1);
	waitpid(c, NULL, 0);
	printf("parent: move back to the root: %s\n", err(put(CG "/cgroup.procs", me)));
	printf("rmdir ns: %s\n", err(rmdir(CG "/ns") ? errno : 0));
	return 0;
}
