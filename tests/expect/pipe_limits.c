// The pipe limits of pipe(7), as root setting them and then as nobody:
// /proc/sys/fs/pipe-max-size caps an unprivileged F_SETPIPE_SZ (EPERM past it) and the
// capacity of new pipes; pipe-user-pages-soft makes a user's pipes past it get two
// pages; pipe-user-pages-hard makes pipe(2) fail (ENFILE) past it; closing pipes gives
// the pages back. Root (CAP_SYS_RESOURCE) is not limited.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void put(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(v, f) < 0 || fclose(f) != 0)
		printf("write %s: %s\n", path, ename(errno));
}

static void show(const char *path)
{
	char b[64] = "";
	FILE *f = fopen(path, "r");
	if (f && fgets(b, sizeof b, f))
		printf("%s: %s", path, b);
	if (f)
		fclose(f);
}

static int p[8][2];

static void mk(int i)
{
	if (pipe(p[i]) != 0) {
		printf("pipe %d: %s\n", i, ename(errno));
		p[i][0] = -1;
		return;
	}
	printf("pipe %d: capacity %d\n", i, fcntl(p[i][1], F_GETPIPE_SZ));
}

int main(void)
{
	show("/proc/sys/fs/pipe-max-size");
	show("/proc/sys/fs/pipe-user-pages-soft");
	show("/proc/sys/fs/pipe-user-pages-hard");
	put("/proc/sys/fs/pipe-max-size", "32768");
	put("/proc/sys/fs/pipe-user-pages-soft", "32");
	put("/proc/sys/fs/pipe-user-pages-hard", "40");
	show("/proc/sys/fs/pipe-max-size");
	int rp[2];
	pipe(rp);
	printf("root's pipe: capacity %d\n", fcntl(rp[1], F_GETPIPE_SZ));
	printf("root F_SETPIPE_SZ 1 MiB: %d\n", fcntl(rp[1], F_SETPIPE_SZ, 1 << 20));
	put("/proc/sys/fs/pipe-max-size", "100000");
	show("/proc/sys/fs/pipe-max-size");
	put("/proc/sys/fs/pipe-max-size", "65536");
	put("/proc/sys/fs/pipe-max-size", "junk");

	if (setgid(65534) != 0 || setuid(65534) != 0)
		return 1;
	mk(0); // 16 pages: 16
	mk(1); // 16: 32, not past the soft limit
	mk(2); // past it: 2 pages, 34
	errno = 0;
	printf("F_SETPIPE_SZ 16384 on pipe 2: %d %s\n", fcntl(p[2][1], F_SETPIPE_SZ, 16384), ename(errno));
	errno = 0;
	printf("F_SETPIPE_SZ 131072 on pipe 0: %d %s\n", fcntl(p[0][1], F_SETPIPE_SZ, 131072), ename(errno));
	mk(3); // 2 more: 36
	mk(4); // 38
	mk(5); // 40
	mk(6); // 42 > 40: ENFILE
	close(p[0][0]);
	close(p[0][1]); // 16 pages back: 24
	mk(7);
	return 0;
}
