// Directories and file metadata in a scratch tree under /tmp:
// mkdir/creat then a getdents64 listing (raw syscall, sorted, with d_type),
// chdir/fchdir and getcwd with relative paths, umask applied at creation,
// fchmod/chmod and the modes stat reports, access()/faccessat(), rename
// (files, directories, over existing targets, RENAME_NOREPLACE, into its
// own subdirectory), unlink/rmdir and their errors (ENOTEMPTY, ENOTDIR,
// EISDIR, EEXIST, ENOENT), symlinks, O_DIRECTORY/O_NOFOLLOW.  The tree is
// removed at the end.  Results that depend on privilege (access(R_OK) on
// a mode 000 file) agree because the harness runs weft with the host's
// user and group IDs.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROOT "/tmp/weft-difftest-files_proc-5d2b81"

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void res(const char *label, long r) {
	int e = errno;
	printf("%s: %ld%s%s\n", label, r < 0 ? -1L : r, r < 0 ? " " : "", r < 0 ? ename(e) : "");
	errno = 0;
}

static const char *dtype(unsigned char t) {
	switch (t) {
	case DT_REG: return "reg";
	case DT_DIR: return "dir";
	case DT_LNK: return "lnk";
	case DT_FIFO: return "fifo";
	case DT_CHR: return "chr";
	case DT_UNKNOWN: return "unknown";
	}
	return "other";
}

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

// list prints a directory's entries, sorted, read with a small buffer so
// that several getdents64 calls are needed.
static void list(const char *path) {
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		printf("list %s: %s\n", path, ename(errno));
		return;
	}
	char *names[64];
	int n = 0, calls = 0;
	char buf[80] __attribute__((aligned(8)));
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (r < 0) {
			printf("getdents64: %s\n", ename(errno));
			break;
		}
		if (r == 0)
			break;
		calls++;
		for (long off = 0; off < r;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			if (n < 64) {
				names[n] = malloc(strlen(d->d_name) + 16);
				sprintf(names[n], "%s(%s)", d->d_name, dtype(d->d_type));
				n++;
			}
			off += d->d_reclen;
		}
	}
	qsort(names, (size_t)n, sizeof names[0], cmp);
	printf("%s: %d entries, more than one call: %d:", path + strlen(ROOT), n, calls > 1);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
	errno = 0;
	char tiny[8];
	lseek(fd, 0, SEEK_SET);
	long r = syscall(SYS_getdents64, fd, tiny, sizeof tiny);
	printf("  getdents64 with an 8-byte buffer: %ld %s\n", r, ename(errno));
	close(fd);
}

static void mode(const char *path) {
	struct stat st;
	if (lstat(path, &st) < 0) {
		printf("lstat %s: %s\n", path + strlen(ROOT), ename(errno));
		errno = 0;
		return;
	}
	const char *type = S_ISREG(st.st_mode) ? "reg" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "lnk" : "other";
	printf("%s: %s %04o", path + strlen(ROOT), type, (unsigned)(st.st_mode & 07777));
	if (S_ISREG(st.st_mode))
		printf(" size=%lld nlink=%lu", (long long)st.st_size, (unsigned long)st.st_nlink);
	if (S_ISLNK(st.st_mode))
		printf(" size=%lld", (long long)st.st_size);
	printf("\n");
}

static void mkfile(const char *path, const char *data, mode_t m) {
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, m);
	if (fd < 0) {
		printf("create %s: %s\n", path + strlen(ROOT), ename(errno));
		return;
	}
	write(fd, data, strlen(data));
	close(fd);
}

static void cleanup(void) {
	static const char *files[] = {"a.txt", "b.txt", "c.txt", "exec.sh", "secret", "link", "dangling",
	                              "sub/inner.txt", "sub/deeper/x", "moved/inner.txt", "moved/deeper/x",
	                              "d2/x", "renamed.txt", "umask-file", "over.txt", "full/f"};
	static const char *dirs[] = {"sub/deeper", "sub", "moved/deeper", "moved", "empty", "d2",
	                             "umask-dir", "full", "emptydir2"};
	char p[256];
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", ROOT, files[i]);
		unlink(p);
	}
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", ROOT, dirs[i]);
		rmdir(p);
	}
	rmdir(ROOT);
	errno = 0;
}

int main(void) {
	cleanup();
	umask(022);
	res("mkdir root", mkdir(ROOT, 0755));
	res("mkdir root again", mkdir(ROOT, 0755));
	res("chdir root", chdir(ROOT));
	char cwd[512];
	printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd + strlen(ROOT) - 0 : "(failed)");

	// Relative paths from here on.
	mkfile("a.txt", "alpha\n", 0644);
	mkfile("b.txt", "bravo bravo\n", 0600);
	mkfile("c.txt", "", 0666);
	mkfile("exec.sh", "#!/bin/sh\n", 0755);
	res("mkdir sub", mkdir("sub", 0755));
	res("mkdir sub/deeper", mkdir("sub/deeper", 0700));
	res("mkdir empty", mkdir("empty", 0755));
	mkfile("sub/inner.txt", "inner\n", 0644);
	mkfile("sub/deeper/x", "x", 0644);
	res("symlink link -> a.txt", symlink("a.txt", "link"));
	res("symlink dangling", symlink("no-such-target", "dangling"));
	res("symlink over existing", symlink("a.txt", "b.txt"));
	list(ROOT);
	list(ROOT "/sub");
	list(ROOT "/empty");

	// umask at creation.
	umask(027);
	mkfile("umask-file", "u", 0777);
	res("mkdir umask-dir 0777", mkdir("umask-dir", 0777));
	umask(0);
	mkfile("over.txt", "o", 0666);
	umask(022);
	mode(ROOT "/umask-file");
	mode(ROOT "/umask-dir");
	mode(ROOT "/over.txt");
	mkfile("over.txt", "again", 0600); // existing file: mode unchanged
	mode(ROOT "/over.txt");

	// Modes.
	mode(ROOT "/a.txt");
	mode(ROOT "/b.txt");
	mode(ROOT "/exec.sh");
	mode(ROOT "/sub");
	mode(ROOT "/sub/deeper");
	mode(ROOT "/link");
	mode(ROOT "/dangling");
	int fd = open("c.txt", O_RDWR);
	res("fchmod c.txt 0640", fchmod(fd, 0640));
	mode(ROOT "/c.txt");
	res("fchmod c.txt 04755", fchmod(fd, 04755));
	mode(ROOT "/c.txt");
	res("chmod c.txt 0", chmod("c.txt", 0));
	mode(ROOT "/c.txt");
	char b;
	res("write to the already-open fd after chmod 0", write(fd, "z", 1));
	res("read back through it", pread(fd, &b, 1, 0));
	close(fd);
	res("chmod via symlink (link -> a.txt) 0604", chmod("link", 0604));
	mode(ROOT "/a.txt");
	mode(ROOT "/link");
	res("chmod missing", chmod("missing", 0644));
	struct stat st;
	res("stat via symlink is a regular file", stat("link", &st) == 0 && S_ISREG(st.st_mode) ? 1 : -1);
	res("stat dangling", stat("dangling", &st));
	char target[64] = {0};
	res("readlink link", readlink("link", target, sizeof target - 1));
	printf("  target: %s\n", target);
	res("readlink a regular file", readlink("a.txt", target, sizeof target));

	// access() and faccessat().
	res("access a.txt F_OK", access("a.txt", F_OK));
	res("access a.txt R_OK", access("a.txt", R_OK));
	res("access a.txt X_OK", access("a.txt", X_OK));
	res("access exec.sh X_OK", access("exec.sh", X_OK));
	res("access exec.sh R_OK|W_OK|X_OK", access("exec.sh", R_OK | W_OK | X_OK));
	res("access sub X_OK", access("sub", X_OK));
	res("access missing F_OK", access("missing", F_OK));
	res("access dangling F_OK", access("dangling", F_OK));
	res("access bad mode", access("a.txt", 0100));
	res("access c.txt (mode 0) R_OK", access("c.txt", R_OK));
	res("access c.txt (mode 0) X_OK", access("c.txt", X_OK));
	res("access a.txt/x (not a dir)", access("a.txt/x", F_OK));
	int dfd = open("sub", O_RDONLY | O_DIRECTORY);
	res("faccessat(subfd, inner.txt, R_OK)", faccessat(dfd, "inner.txt", R_OK, 0));
	res("faccessat(subfd, deeper/x, W_OK, AT_EACCESS)", faccessat(dfd, "deeper/x", W_OK, AT_EACCESS));
	res("faccessat(filefd, x)", faccessat(open("a.txt", O_RDONLY), "x", F_OK, 0));

	// chdir/fchdir/getcwd, relative.
	res("chdir sub/deeper", chdir("sub/deeper"));
	printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd + strlen(ROOT) : "(failed)");
	res("chdir ../..", chdir("../.."));
	printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd + strlen(ROOT) : "(failed)");
	res("fchdir(subfd)", fchdir(dfd));
	printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd + strlen(ROOT) : "(failed)");
	res("open inner.txt relative to the new cwd", open("inner.txt", O_RDONLY) >= 0 ? 0 : -1);
	res("chdir ./deeper/../../sub/./deeper", chdir("./deeper/../../sub/./deeper"));
	printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd + strlen(ROOT) : "(failed)");
	res("chdir a file", chdir(ROOT "/a.txt"));
	res("chdir missing", chdir("missing"));
	res("chdir \"\"", chdir(""));
	res("getcwd with a tiny buffer", getcwd(cwd, 3) ? 0 : -1);
	res("chdir back to root", chdir(ROOT));
	close(dfd);

	// rename.
	res("rename a file", rename("b.txt", "renamed.txt"));
	res("rename missing", rename("b.txt", "x"));
	res("rename over an existing file", rename("renamed.txt", "over.txt"));
	mode(ROOT "/over.txt");
	mode(ROOT "/renamed.txt");
	res("rename a file over a directory", rename("over.txt", "empty"));
	res("rename a directory over a file", rename("empty", "over.txt"));
	res("rename a directory", rename("sub", "moved"));
	res("open through the old name", open("sub/inner.txt", O_RDONLY));
	res("open through the new name", open("moved/inner.txt", O_RDONLY) >= 0 ? 0 : -1);
	res("rename a directory into itself", rename("moved", "moved/deeper/again"));
	res("rename a directory over an empty one", rename("empty", "emptydir2"));
	res("mkdir full, full/f", mkdir("full", 0755));
	mkfile("full/f", "f", 0644);
	res("rename a directory over a non-empty one", rename("emptydir2", "full"));
	res("rename to the same name", rename("over.txt", "over.txt"));
	res("renameat2 RENAME_NOREPLACE onto existing",
	    syscall(SYS_renameat2, AT_FDCWD, "over.txt", AT_FDCWD, "a.txt", 1));
	res("rename \".\"", rename(".", "dot"));
	list(ROOT);

	// unlink and rmdir.
	res("rmdir non-empty", rmdir("moved"));
	res("rmdir a file", rmdir("a.txt"));
	res("unlink a directory", unlink("moved"));
	res("rmdir missing", rmdir("missing"));
	res("unlink missing", unlink("missing"));
	res("mkdir over a file", mkdir("a.txt", 0755));
	res("mkdir in a missing directory", mkdir("missing/x", 0755));
	res("open O_CREAT in a missing directory", open("missing/x", O_CREAT | O_WRONLY, 0644));
	res("open a file as a directory", open("a.txt/", O_RDONLY));
	res("open O_DIRECTORY on a file", open("a.txt", O_RDONLY | O_DIRECTORY));
	res("open a directory for writing", open("moved", O_WRONLY));
	res("open O_NOFOLLOW on a symlink", open("link", O_RDONLY | O_NOFOLLOW));
	res("open O_CREAT|O_EXCL on a dangling symlink", open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
	res("unlink the symlink", unlink("link"));
	mode(ROOT "/a.txt");
	res("rmdir \".\"", rmdir("."));
	res("rmdir moved/deeper/..", rmdir("moved/deeper/.."));
	cleanup();
	res("root is gone", access(ROOT, F_OK));
	return 0;
}
