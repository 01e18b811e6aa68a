// Mount namespaces (mount_namespaces(7)), as root: after unshare(CLONE_NEWNS) a child's
// tmpfs mount is its own (the parent sees the directory beneath, and its
// /proc/self/mounts does not list it); a mount the parent had before is in the child's
// copy too, and the child unmounting it leaves the parent's; an ordinary user in a new
// user namespace may make a mount namespace of its own and mount a tmpfs there
// (CAP_SYS_ADMIN over the namespace's owner), but not in the parent's namespace, and
// not an ext2 file system (which only the root user namespace may mount).
// QEMU cannot be the oracle: the host's namespaces are not ours to make.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static int exists(const char *p) { return access(p, F_OK) == 0; }

// listed reports whether /proc/self/mounts has a line for mount point dir.
static int listed(const char *dir)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char line[512], pat[300];
	snprintf(pat, sizeof pat, " %s tmpfs ", dir);
	int found = 0;
	while (f && fgets(line, sizeof line, f))
		found |= strstr(line, pat) != NULL;
	if (f)
		fclose(f);
	return found;
}

static void child_part(int go)
{
	char c;
	printf("child: unshare(CLONE_NEWNS) = %d\n", unshare(CLONE_NEWNS));
	printf("child: mount tmpfs on /tmp/mnt/b = %d\n", mount("x", "/tmp/mnt/b", "tmpfs", 0, NULL));
	close(open("/tmp/mnt/b/child-file", O_CREAT | O_WRONLY, 0644));
	printf("child: sees its file %d, listed %d\n", exists("/tmp/mnt/b/child-file"), listed("/tmp/mnt/b"));
	printf("child: umount /tmp/mnt/a (the parent's, copied) = %d\n", umount("/tmp/mnt/a"));
	printf("child: sees the parent's file %d\n", exists("/tmp/mnt/a/parent-file"));
	fflush(stdout);
	write(go, "x", 1);
	read(go, &c, 1); // keep the namespace until the parent has looked
}

static int user_part(void)
{
	if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
		return 1;
	errno = 0;
	printf("user: mount in the first namespace = %d %s\n", mount("x", "/tmp/mnt/c", "tmpfs", 0, NULL), ename(errno));
	errno = 0;
	printf("user: unshare(CLONE_NEWUSER | CLONE_NEWNS) = %d %s\n", unshare(CLONE_NEWUSER | CLONE_NEWNS), ename(errno));
	errno = 0;
	printf("user: mount in its own = %d %s\n", mount("x", "/tmp/mnt/c", "tmpfs", 0, NULL), ename(errno));
	printf("user: listed %d\n", listed("/tmp/mnt/c"));
	// ext2 is no FS_USERNS_MOUNT file system: mount_capable wants CAP_SYS_ADMIN in
	// the root user namespace, asked before the device is looked up.
	errno = 0;
	printf("user: mount ext2 in its own = %d %s\n", mount("/dev/loop0", "/tmp/mnt/c", "ext2", 0, NULL), ename(errno));
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir("/tmp/mnt", 0755);
	mkdir("/tmp/mnt/a", 0755);
	mkdir("/tmp/mnt/b", 0755);
	mkdir("/tmp/mnt/c", 0755);
	printf("parent: mount tmpfs on /tmp/mnt/a = %d\n", mount("x", "/tmp/mnt/a", "tmpfs", 0, NULL));
	close(open("/tmp/mnt/a/parent-file", O_CREAT | O_WRONLY, 0644));

	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t c = fork();
	if (c == 0) {
		close(sv[0]);
		child_part(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	char x;
	read(sv[0], &x, 1);
	printf("parent: sees the child's file %d, listed %d\n", exists("/tmp/mnt/b/child-file"), listed("/tmp/mnt/b"));
	printf("parent: still sees its own file %d, listed %d\n", exists("/tmp/mnt/a/parent-file"), listed("/tmp/mnt/a"));
	write(sv[0], "x", 1);
	waitpid(c, NULL, 0);

	c = fork();
	if (c == 0)
		_exit(user_part());
	int st;
	waitpid(c, &st, 0);
	printf("user part exited %d; parent lists /tmp/mnt/c %d\n", WEXITSTATUS(st), listed("/tmp/mnt/c"));
	printf("parent: umount /tmp/mnt/a = %d\n", umount("/tmp/mnt/a"));
	return 0;
}
