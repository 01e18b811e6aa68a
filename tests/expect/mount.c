// A host directory mounted at /mnt with weft's --mount: read-only
// (mount.ro: argv[1] "ro") and writable (mount.rw: argv[1] "rw").
// expect_test.go fills the host directory first (every file mode 0666,
// every directory 0777, so that permission bits never get in the way):
//   hello.txt "hello from the host\n", delete-me, sub/nested.txt,
//   link -> /etc/shadow, rel -> hello.txt, up -> ../../../../../etc
// and checks the host directory afterwards.
//
// Man page rules checked: a mount is a subtree of the guest's single
// directory tree (path_resolution(7)): ".." at the mount's root is the
// directory the mount sits in, here the guest root, and symbolic links are
// resolved by the guest, against the guest's root, so /etc/shadow names
// the guest's file (which does not exist: ENOENT), never the host's.  A
// read-only mount (mount(2) MS_RDONLY, as a read-only bind mount) keeps
// files' modes as they are (stat(2)) but every change fails with EROFS:
// open(2) for writing or with O_CREAT, mkdir(2), unlink(2), rename(2),
// chmod(2), symlink(2), access(2) W_OK.  A writable mount changes the host
// directory: new files and directories, O_APPEND writes at the end of the
// file (open(2)), ftruncate(2), rename, unlink, symlink.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void res(const char *label, long r) {
	int e = errno;
	printf("%s: %ld%s%s\n", label, r < 0 ? -1L : r, r < 0 ? " " : "", r < 0 ? ename(e) : "");
	errno = 0;
}

static void cat(const char *path) {
	char buf[256] = {0};
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("read %s: %s\n", path, ename(errno));
		errno = 0;
		return;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = '|';
	printf("read %s: %zd \"%s\"\n", path, n, buf);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path) {
	DIR *d = opendir(path);
	if (!d) {
		printf("list %s: %s\n", path, ename(errno));
		errno = 0;
		return;
	}
	char *names[64];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp);
	printf("list %s:", path);
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
}

static ino_t ino(const char *path) {
	struct stat st;
	return stat(path, &st) < 0 ? 0 : st.st_ino;
}

int main(int argc, char **argv) {
	int rw = argc > 1 && strcmp(argv[1], "rw") == 0;
	printf("mode: %s\n", rw ? "rw" : "ro");
	list("/mnt");
	list("/mnt/sub");
	cat("/mnt/hello.txt");
	cat("/mnt/sub/nested.txt");
	struct stat st;
	stat("/mnt/hello.txt", &st);
	printf("hello.txt: regular %d, mode %04o, size %lld\n", S_ISREG(st.st_mode), (unsigned)(st.st_mode & 07777),
	       (long long)st.st_size);
	stat("/mnt/sub", &st);
	printf("sub: directory %d, mode %04o\n", S_ISDIR(st.st_mode), (unsigned)(st.st_mode & 07777));

	// Symbolic links resolve in the guest.
	lstat("/mnt/link", &st);
	printf("link: is a symlink %d\n", S_ISLNK(st.st_mode));
	char target[256] = {0};
	res("readlink /mnt/link", readlink("/mnt/link", target, sizeof target - 1));
	printf("  target: %s\n", target);
	res("open /mnt/link (-> /etc/shadow, not in the guest)", open("/mnt/link", O_RDONLY));
	res("stat /mnt/link", stat("/mnt/link", &st));
	cat("/mnt/rel");
	res("stat /mnt/up is a directory", stat("/mnt/up", &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1);
	printf("/mnt/up is the guest's /etc: %d\n", ino("/mnt/up") == ino("/etc") && ino("/etc") != 0);
	res("open /mnt/up/shadow", open("/mnt/up/shadow", O_RDONLY));

	// ".." leaves the mount into the guest tree.
	printf("/mnt/.. is /: %d\n", ino("/mnt/..") == ino("/") && ino("/") != 0);
	printf("/mnt/sub/../.. is /: %d\n", ino("/mnt/sub/../..") == ino("/"));
	printf("/mnt/../../../.. is /: %d\n", ino("/mnt/../../../..") == ino("/"));
	printf("/mnt/sub/.. is /mnt: %d\n", ino("/mnt/sub/..") == ino("/mnt"));
	DIR *d = opendir("/mnt/..");
	int has_mnt = 0, has_proc = 0, has_tmp = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		has_mnt |= strcmp(e->d_name, "mnt") == 0;
		has_proc |= strcmp(e->d_name, "proc") == 0;
		has_tmp |= strcmp(e->d_name, "tmp") == 0;
	}
	if (d)
		closedir(d);
	printf("/mnt/.. lists mnt %d, proc %d, tmp %d\n", has_mnt, has_proc, has_tmp);
	res("chdir /mnt/sub", chdir("/mnt/sub"));
	char cwd[256];
	printf("getcwd: %s\n", getcwd(cwd, sizeof cwd));
	res("chdir ../..", chdir("../.."));
	printf("getcwd: %s\n", getcwd(cwd, sizeof cwd));
	res("access /mnt/hello.txt R_OK", access("/mnt/hello.txt", R_OK));

	if (!rw) {
		res("access /mnt/hello.txt W_OK", access("/mnt/hello.txt", W_OK));
		res("open hello.txt O_WRONLY", open("/mnt/hello.txt", O_WRONLY));
		res("open hello.txt O_RDWR", open("/mnt/hello.txt", O_RDWR));
		res("open hello.txt O_RDONLY|O_TRUNC", open("/mnt/hello.txt", O_RDONLY | O_TRUNC));
		res("open new.txt O_CREAT", open("/mnt/new.txt", O_WRONLY | O_CREAT, 0644));
		res("mkdir /mnt/newdir", mkdir("/mnt/newdir", 0755));
		res("unlink /mnt/delete-me", unlink("/mnt/delete-me"));
		res("rename hello.txt", rename("/mnt/hello.txt", "/mnt/renamed.txt"));
		res("chmod hello.txt", chmod("/mnt/hello.txt", 0600));
		res("symlink /mnt/newlink", symlink("hello.txt", "/mnt/newlink"));
		res("rmdir /mnt/sub", rmdir("/mnt/sub"));
		int fd = open("/mnt/hello.txt", O_RDONLY);
		res("write to an O_RDONLY fd", write(fd, "x", 1));
		close(fd);
		list("/mnt");
		cat("/mnt/hello.txt");
		return 0;
	}

	res("access /mnt/hello.txt W_OK", access("/mnt/hello.txt", W_OK));
	int fd = open("/mnt/out.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
	res("create out.txt", fd < 0 ? -1 : 0);
	res("write out.txt", write(fd, "written by the guest\n", 21));
	close(fd);
	fd = open("/mnt/hello.txt", O_WRONLY | O_APPEND);
	res("open hello.txt O_APPEND", fd < 0 ? -1 : 0);
	res("append to hello.txt", write(fd, "appended\n", 9));
	res("offset after the append", lseek(fd, 0, SEEK_CUR));
	close(fd);
	cat("/mnt/hello.txt");
	fd = open("/mnt/trunc.txt", O_RDWR | O_CREAT, 0644);
	write(fd, "0123456789", 10);
	res("ftruncate trunc.txt to 4", ftruncate(fd, 4));
	res("pwrite at 6", pwrite(fd, "Z", 1, 6));
	fstat(fd, &st);
	printf("trunc.txt size %lld\n", (long long)st.st_size);
	close(fd);
	res("mkdir /mnt/newdir", mkdir("/mnt/newdir", 0755));
	fd = open("/mnt/newdir/inner", O_WRONLY | O_CREAT, 0644);
	res("create newdir/inner (a directory we made)", fd < 0 ? -1 : 0);
	close(fd);
	res("unlink /mnt/delete-me", unlink("/mnt/delete-me"));
	res("rename sub/nested.txt to renamed.txt", rename("/mnt/sub/nested.txt", "/mnt/renamed.txt"));
	res("rmdir /mnt/sub (now empty)", rmdir("/mnt/sub"));
	res("symlink /mnt/newlink -> hello.txt", symlink("hello.txt", "/mnt/newlink"));
	res("rename out of the mount (/mnt/renamed.txt to /tmp)", rename("/mnt/renamed.txt", "/tmp/renamed.txt"));
	list("/mnt");
	cat("/mnt/renamed.txt");
	return 0;
}
