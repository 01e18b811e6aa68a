// Directory change notification (fcntl F_NOTIFY, "dnotify"): which changes signal
// which directory's watchers, with what siginfo; one-shot and DN_MULTISHOT
// registrations; removal by mask 0 and by close; renames within and across
// directories; an attribute change of a subdirectory, seen by its parent and itself.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/time.h>
#include <unistd.h>

#define SIG (SIGRTMIN + 1)

static volatile int nev;
static volatile struct {
	int sig, fd, code;
	long band;
} ev[64];

static void handler(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	if (nev < 64) {
		ev[nev].sig = sig;
		ev[nev].fd = si->si_fd;
		ev[nev].code = si->si_code;
		ev[nev].band = si->si_band;
		nev++;
	}
}

// The watching descriptors, by name: fd numbers may differ between runners.
static struct {
	const char *name;
	int fd;
} watch[16];
static int nwatch;
static char dir[64], other[80];

static const char *fdname(int fd) {
	for (int i = 0; i < nwatch; i++)
		if (watch[i].fd == fd)
			return watch[i].name;
	return "?";
}

// show prints the signals since the last call.
static void show(const char *what) {
	printf("%-34s:", what);
	if (nev == 0)
		printf(" none");
	for (int i = 0; i < nev; i++) {
		if (ev[i].sig == SIG)
			printf(" %s(code=%d band=%#lx)", fdname(ev[i].fd), ev[i].code, ev[i].band);
		else
			printf(" sig%d(code=%#x)", ev[i].sig, ev[i].code);
	}
	printf("\n");
	nev = 0;
}

static int watchdir(const char *name, const char *path, unsigned long mask) {
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fcntl(fd, F_SETSIG, SIG) != 0 || fcntl(fd, F_NOTIFY, mask) != 0) {
		printf("watch %s: %s\n", name, strerror(errno));
		exit(1);
	}
	watch[nwatch].name = name;
	watch[nwatch].fd = fd;
	nwatch++;
	return fd;
}

static char *in(const char *d, const char *name) {
	static char buf[4][160];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", d, name);
	return buf[k];
}

#define CHECK(x)                                                                \
	do {                                                                    \
		if ((x) < 0) {                                                  \
			printf("%s: %s\n", #x, strerror(errno));                \
			exit(1);                                                \
		}                                                               \
	} while (0)

int main(void) {
	struct sigaction sa = {0};
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIG, &sa, NULL);
	sigaction(SIGIO, &sa, NULL);

	strcpy(dir, "/tmp/weft-difftest-dnotify-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(other, sizeof other, "%s/other", dir);
	CHECK(mkdir(in(dir, "d"), 0755));
	CHECK(mkdir(other, 0755));
	char d[80];
	snprintf(d, sizeof d, "%s/d", dir);

	// F_NOTIFY needs a directory, but removing nothing from a file is fine.
	int file = open(in(dir, "plain"), O_CREAT | O_RDWR, 0644);
	CHECK(file);
	errno = 0;
	printf("F_NOTIFY on a file: %d %s\n", fcntl(file, F_NOTIFY, DN_CREATE), strerror(errno));
	printf("F_NOTIFY 0 on a file: %d\n", fcntl(file, F_NOTIFY, 0));
	printf("F_NOTIFY multishot only on a file: %d\n", fcntl(file, F_NOTIFY, DN_MULTISHOT));
	close(file);
	show("watching nothing yet");

	// One watcher per event kind on d, so si_fd says which event came.
	int fa = watchdir("access", d, DN_ACCESS | DN_MULTISHOT);
	int fm = watchdir("modify", d, DN_MODIFY | DN_MULTISHOT);
	int fc = watchdir("create", d, DN_CREATE | DN_MULTISHOT);
	watchdir("delete", d, DN_DELETE | DN_MULTISHOT);
	watchdir("rename", d, DN_RENAME | DN_MULTISHOT);
	watchdir("attrib", d, DN_ATTRIB | DN_MULTISHOT);
	watchdir("other", other, DN_ACCESS | DN_MODIFY | DN_CREATE | DN_DELETE | DN_RENAME |
					  DN_ATTRIB | DN_MULTISHOT);
	printf("F_GETSIG: %s\n", fcntl(fa, F_GETSIG) == SIG ? "SIG" : "other");
	printf("F_GETOWN is us: %d\n", fcntl(fa, F_GETOWN) == getpid());
	show("registered");

	int f = open(in(d, "f"), O_CREAT | O_RDWR, 0644);
	CHECK(f);
	show("create d/f");
	CHECK(write(f, "hello", 5));
	show("write d/f");
	CHECK(write(f, "", 0));
	show("write 0 bytes");
	char buf[8];
	CHECK(pread(f, buf, sizeof buf, 0));
	show("pread d/f");
	CHECK(pread(f, buf, sizeof buf, 100));
	show("pread at EOF");
	CHECK(pwrite(f, "x", 1, 2));
	show("pwrite d/f");
	CHECK(fchmod(f, 0600));
	show("fchmod d/f");
	CHECK(chmod(in(d, "f"), 0644));
	show("chmod d/f");
	CHECK(fchown(f, -1, -1));
	show("fchown -1 -1");
	CHECK(fchown(f, getuid(), -1));
	show("fchown to own uid");
	CHECK(utimensat(AT_FDCWD, in(d, "f"), NULL, 0));
	show("utimensat now");
	struct timespec ts[2] = {{1, 0}, {0, UTIME_OMIT}};
	CHECK(utimensat(AT_FDCWD, in(d, "f"), ts, 0));
	show("utimensat atime only");
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 2;
	ts[1].tv_nsec = 0;
	CHECK(futimens(f, ts));
	show("futimens mtime only");
	CHECK(ftruncate(f, 1));
	show("ftruncate d/f");
	CHECK(truncate(in(d, "f"), 0));
	show("truncate d/f");
	int g = open(in(d, "f"), O_WRONLY | O_TRUNC);
	CHECK(g);
	show("open O_TRUNC d/f");
	close(g);
	g = open(in(d, "f"), O_RDONLY);
	CHECK(g);
	show("open d/f");
	close(g);

	// Copies, allocation and extended attributes.
	CHECK(pwrite(f, "abc", 3, 0));
	show("pwrite d/f");
	int h = open(in(d, "copy"), O_CREAT | O_RDWR, 0644);
	CHECK(h);
	show("create d/copy");
	off_t off = 0;
	CHECK(sendfile(h, f, &off, 3));
	show("sendfile d/f to d/copy");
	loff_t o1 = 0, o2 = 3;
	CHECK(copy_file_range(f, &o1, h, &o2, 3, 0));
	show("copy_file_range d/f to d/copy");
	CHECK(fallocate(h, 0, 0, 8192));
	show("fallocate d/copy");
	CHECK(fsetxattr(h, "user.weft", "1", 1, 0));
	show("fsetxattr d/copy");
	CHECK(setxattr(in(d, "copy"), "user.weft", "2", 1, 0));
	show("setxattr d/copy");
	CHECK(getxattr(in(d, "copy"), "user.weft", buf, sizeof buf));
	show("getxattr d/copy");
	CHECK(removexattr(in(d, "copy"), "user.weft"));
	show("removexattr d/copy");
	close(h);
	CHECK(unlink(in(d, "copy")));
	show("unlink d/copy");

	CHECK(rename(in(d, "f"), in(d, "g")));
	show("rename d/f d/g");
	CHECK(link(in(d, "g"), in(d, "h")));
	show("link d/g d/h");
	CHECK(symlink("g", in(d, "s")));
	show("symlink d/s");
	CHECK(chmod(in(d, "s"), 0600)); // follows the link to d/g
	show("chmod through d/s");
	CHECK(mkfifo(in(d, "p"), 0600));
	show("mkfifo d/p");
	CHECK(unlink(in(d, "p")));
	show("unlink d/p");
	CHECK(unlink(in(d, "h")));
	show("unlink d/h");
	CHECK(rename(in(d, "g"), in(other, "g")));
	show("rename d/g other/g");
	CHECK(rename(in(other, "g"), in(d, "s")));
	show("rename other/g over d/s");
	CHECK(write(f, "more", 4)); // f is d/s now
	show("write through the old fd");

	// A subdirectory watched for its own attributes and renames.
	CHECK(mkdir(in(d, "sub"), 0755));
	show("mkdir d/sub");
	watchdir("sub", in(d, "sub"), DN_ATTRIB | DN_RENAME | DN_ACCESS | DN_MULTISHOT);
	CHECK(chmod(in(d, "sub"), 0700));
	show("chmod d/sub");
	CHECK(rename(in(d, "sub"), in(d, "sub2")));
	show("rename d/sub d/sub2");
	DIR *ds = opendir(in(d, "sub2"));
	while (readdir(ds))
		;
	closedir(ds);
	show("list d/sub2");
	CHECK(rmdir(in(d, "sub2")));
	show("rmdir d/sub2");

	// One-shot: the first event ends the registration.
	int fo = watchdir("oneshot", d, DN_CREATE);
	CHECK(close(open(in(d, "o1"), O_CREAT | O_WRONLY, 0644)));
	CHECK(close(open(in(d, "o2"), O_CREAT | O_WRONLY, 0644)));
	show("two creates, one-shot");
	// A second F_NOTIFY on the same fd adds to the first.
	CHECK(fcntl(fo, F_NOTIFY, DN_CREATE));
	CHECK(fcntl(fo, F_NOTIFY, DN_DELETE));
	CHECK(unlink(in(d, "o1")));
	show("one-shot create+delete, unlink");
	CHECK(unlink(in(d, "o2")));
	show("unlink again");

	// Mask 0 removes; closing any fd of the description removes.
	CHECK(fcntl(fm, F_NOTIFY, 0));
	CHECK(write(f, "x", 1));
	show("write after modify removed");
	int dupc = dup(fc);
	CHECK(close(dupc));
	CHECK(close(open(in(d, "o3"), O_CREAT | O_WRONLY, 0644)));
	show("create after closing a dup");
	CHECK(unlink(in(d, "o3")));
	show("unlink d/o3");

	// Without F_SETSIG the signal is a plain SIGIO.
	int fplain = open(d, O_RDONLY | O_DIRECTORY);
	CHECK(fcntl(fplain, F_NOTIFY, DN_CREATE));
	CHECK(close(open(in(d, "o4"), O_CREAT | O_WRONLY, 0644)));
	show("create, plain SIGIO watcher");
	CHECK(unlink(in(d, "o4")));
	show("unlink d/o4");

	close(f);
	show("close d/s");
	CHECK(unlink(in(d, "s")));
	CHECK(unlink(in(dir, "plain")));
	CHECK(rmdir(other));
	CHECK(rmdir(d));
	CHECK(rmdir(dir));
	show("cleanup");
	return 0;
}
