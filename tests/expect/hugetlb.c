// hugetlb: the huge page pool and hugetlb mappings, as root (hugetlbpage.rst,
// mmap(2) "Huge page (Huge TLB) mappings", memfd_create(2), mm/hugetlb.c).
//
// Checked: writing /proc/sys/vm/nr_hugepages sizes the pool (and /proc/meminfo and
// /sys/kernel/mm/hugepages/hugepages-2048kB say so); MAP_HUGETLB mappings are 2 MiB
// aligned and reserve their pages at mmap (ENOMEM when the pool cannot cover them,
// HugePages_Rsvd counts them until faulted); a fault takes a whole page (Free drops
// by one whatever 4 KiB of it is touched) zeroed; munmap and mprotect of a range that
// splits a huge page are EINVAL; MAP_HUGE_1GB is EINVAL; MAP_NORESERVE mappings get
// SIGBUS when the pool is empty; fork shares a shared mapping and copies a private
// one on write (the child's copy takes a page of its own; with none left, the child
// gets SIGBUS); a hugetlbfs mount's files are mapped shared across processes, read(2)
// reads them, write(2) is EINVAL, ftruncate takes whole huge pages only, and size=
// limits the pages a mount's files hold; memfd_create(MFD_HUGETLB) files likewise.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define HPS (2UL << 20)

static long meminfo(const char *key) {
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = atol(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

static void pool(const char *when) {
	printf("%s: total %ld free %ld rsvd %ld surp %ld\n", when, meminfo("HugePages_Total"),
	       meminfo("HugePages_Free"), meminfo("HugePages_Rsvd"), meminfo("HugePages_Surp"));
}

static long readnum(const char *path) {
	FILE *f = fopen(path, "r");
	long v = -1;
	if (!f || fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static int writenum(const char *path, long v) {
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld", v);
	return fclose(f);
}

// smaps prints the lines of /proc/self/smaps about the mapping at addr that page sizes
// and huge pages show in.
static void smaps(void *addr) {
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256], want[32];
	int in = 0;
	snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof line, f)) {
		if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f'))
			in = !strncmp(line, want, strlen(want)); // a mapping's first line
		if (in && (!strncmp(line, "Size:", 5) || strstr(line, "PageSize:") || !strncmp(line, "Rss:", 4) ||
		           strstr(line, "_Hugetlb:") || !strncmp(line, "VmFlags:", 8)))
			printf("  %s", line);
	}
	if (f)
		fclose(f);
}

static void check(const char *what, long got, long want) {
	printf("%s: %s", what, got == want ? "ok" : "WRONG");
	if (got != want)
		printf(" (got %ld, want %ld)", got, want);
	printf("\n");
}

// child_status runs fn in a child and reports how the child ended.
static void child_status(const char *what, void (*fn)(void *), void *arg) {
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
	else
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

static void touch(void *p) { *(volatile char *)p = 1; }

static void child_write(void *p) {
	char *c = p;
	c[100] = 'c'; // copy-on-write of a private huge page
	printf("child sees %c and %d at the end\n", c[100], c[HPS - 1]);
}

int main(void) {
	const char *sys = "/sys/kernel/mm/hugepages/hugepages-2048kB/";
	char path[128];
	setvbuf(stdout, NULL, _IOLBF, 0); // children print too
	printf("Hugepagesize: %ld kB\n", meminfo("Hugepagesize"));
	pool("start");

	check("nr_hugepages = 4", writenum("/proc/sys/vm/nr_hugepages", 4), 0);
	check("nr_hugepages reads 4", readnum("/proc/sys/vm/nr_hugepages"), 4);
	snprintf(path, sizeof path, "%snr_hugepages", sys);
	check("sysfs nr_hugepages", readnum(path), 4);
	snprintf(path, sizeof path, "%sfree_hugepages", sys);
	check("sysfs free_hugepages", readnum(path), 4);
	check("Hugetlb kB", meminfo("Hugetlb"), 4 * 2048);
	pool("pool of 4");

	// Alignment and sizes.
	errno = 0;
	void *bad = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (30 << MAP_HUGE_SHIFT), -1, 0);
	check("MAP_HUGE_1GB is EINVAL", bad == MAP_FAILED ? errno : 0, EINVAL);
	char *p = mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
	check("private mapping", p == MAP_FAILED ? errno : 0, 0);
	check("2 MiB aligned", (unsigned long)p % HPS, 0);
	pool("after mmap of 100 bytes (one page reserved)");
	check("first byte zero", p[0], 0);
	p[HPS - 1] = 7; // the same huge page: no second one taken
	pool("after touching both ends");
	smaps(p);
	errno = 0;
	check("munmap of 4 KiB is EINVAL", munmap(p, 4096) ? errno : 0, EINVAL);
	errno = 0;
	check("mprotect of the second 4 KiB is EINVAL", mprotect(p + 4096, 4096, PROT_READ) ? errno : 0, EINVAL);
	errno = 0;
	check("munmap at an unaligned address is EINVAL", munmap(p + 4096, HPS - 4096) ? errno : 0, EINVAL);

	errno = 0;
	check("MADV_DONTNEED from inside a huge page is EINVAL", madvise(p + 4096, 4096, MADV_DONTNEED) ? errno : 0, EINVAL);
	check("MADV_DONTNEED of a part at the start does nothing", madvise(p, 4096, MADV_DONTNEED), 0);
	printf("last byte still %d\n", p[HPS - 1]);

	// fork: the child's write copies the page, taking one unreserved page.
	child_status("child writing the private page", child_write, p);
	printf("parent still sees %d and %d\n", p[100], p[HPS - 1]);
	pool("after the child exited");
	check("munmap", munmap(p, HPS), 0);
	pool("after munmap");

	// Reservations: 3 pages reserved of 4 leave 1; a mapping of 2 more fails.
	char *s = mmap(NULL, 3 * HPS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	check("shared mapping of 3 pages", s == MAP_FAILED ? errno : 0, 0);
	pool("3 reserved");
	errno = 0;
	void *no = mmap(NULL, 2 * HPS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	check("mapping 2 more is ENOMEM", no == MAP_FAILED ? errno : 0, ENOMEM);
	s[HPS + 5] = 'x';
	pid_t pid = fork();
	if (pid == 0) {
		s[HPS + 6] = 'y'; // shared: the parent sees it
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("shared after the child: %c%c\n", s[HPS + 5], s[HPS + 6]);
	pool("one of the 3 faulted");
	smaps(s);
	check("MADV_DONTNEED of the shared mapping", madvise(s, 3 * HPS, MADV_DONTNEED), 0);
	printf("shared after MADV_DONTNEED: %c%c\n", s[HPS + 5], s[HPS + 6]);

	// MAP_NORESERVE: nothing reserved; with the one unreserved page taken, a second
	// fault is a bus error.
	char *nr = mmap(NULL, 2 * HPS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, 0);
	check("MAP_NORESERVE of 2 pages", nr == MAP_FAILED ? errno : 0, 0);
	pool("noreserve mapped");
	nr[0] = 1;
	pool("noreserve took the last unreserved page");
	child_status("child touching a page the pool does not have", touch, nr + HPS);
	munmap(nr, 2 * HPS);
	munmap(s, 3 * HPS);
	pool("all unmapped");

	// Shrinking the pool below what is in use is refused down to that, never freeing
	// pages in use.
	char *u = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	u[0] = 1;
	writenum("/proc/sys/vm/nr_hugepages", 0);
	pool("nr_hugepages = 0 with one page in use");
	munmap(u, HPS);
	pool("after unmapping it");
	writenum("/proc/sys/vm/nr_hugepages", 2);

	// hugetlbfs.
	mkdir("/tmp/huge", 0755);
	check("mount hugetlbfs with pagesize=1G is EINVAL", mount("none", "/tmp/huge", "hugetlbfs", 0, "pagesize=1G") ? errno : 0, EINVAL);
	check("mount hugetlbfs", mount("none", "/tmp/huge", "hugetlbfs", 0, "pagesize=2M,size=2M,mode=1770"), 0);
	struct statfs sf;
	statfs("/tmp/huge", &sf);
	printf("statfs: type %lx bsize %ld blocks %ld free %ld\n", (long)sf.f_type, (long)sf.f_bsize, (long)sf.f_blocks, (long)sf.f_bfree);
	struct stat st;
	stat("/tmp/huge", &st);
	printf("root mode %o\n", st.st_mode & 07777);
	int fd = open("/tmp/huge/file", O_CREAT | O_RDWR, 0600);
	check("create a file", fd >= 0, 1);
	errno = 0;
	check("write(2) is EINVAL", write(fd, "x", 1) < 0 ? errno : 0, EINVAL);
	errno = 0;
	check("ftruncate to 4 KiB is EINVAL", ftruncate(fd, 4096) ? errno : 0, EINVAL);
	check("ftruncate to 2 MiB", ftruncate(fd, HPS), 0);
	char *f1 = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("map the file shared", f1 == MAP_FAILED ? errno : 0, 0);
	strcpy(f1 + 4096, "through the mapping");
	char buf[32] = {0};
	pread(fd, buf, sizeof buf - 1, 4096);
	printf("read(2): %s\n", buf);
	errno = 0;
	void *f2 = mmap(NULL, 2 * HPS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("a second page past size=2M is ENOMEM", f2 == MAP_FAILED ? errno : 0, ENOMEM);
	fstat(fd, &st);
	printf("file size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
	pool("one file page");
	check("ftruncate to 0", ftruncate(fd, 0), 0);
	child_status("touching the mapping past the file's end", touch, f1);
	pool("truncated");
	munmap(f1, HPS);

	// A private mapping of the file sees its pages and copies one when written.
	ftruncate(fd, HPS);
	f1 = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	strcpy(f1, "file");
	char *pv = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check("map the file private", pv == MAP_FAILED ? errno : 0, 0);
	printf("private sees: %s\n", pv);
	pool("before the private copy");
	strcpy(pv, "mine");
	memset(buf, 0, sizeof buf);
	pread(fd, buf, 4, 0);
	printf("private: %s, file: %s, shared: %s\n", pv, buf, f1);
	pool("after the private copy");
	munmap(pv, HPS);
	munmap(f1, HPS);
	close(fd);
	unlink("/tmp/huge/file");
	check("umount", umount("/tmp/huge"), 0);

	// The process that made a private mapping keeps its page when it must copy it
	// and the pool has none: the child loses it, and touching it again is SIGBUS
	// (unmap_ref_private).
	writenum("/proc/sys/vm/nr_hugepages", 1);
	char *o = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	o[0] = 'p';
	int go[2];
	pipe(go);
	pid = fork();
	if (pid == 0) {
		char c;
		read(go[0], &c, 1);
		printf("child reads %c\n", o[0]);
		_exit(0);
	}
	o[0] = 'q'; // a copy-on-write with the pool empty
	printf("owner wrote %c\n", o[0]);
	write(go[1], "g", 1);
	int wst;
	waitpid(pid, &wst, 0);
	printf("child after losing the page: %s\n", WIFSIGNALED(wst) ? strsignal(WTERMSIG(wst)) : "exited");
	munmap(o, HPS);
	writenum("/proc/sys/vm/nr_hugepages", 2);

	// memfd_create(MFD_HUGETLB).
	int mfd = memfd_create("huge", MFD_HUGETLB);
	check("memfd_create(MFD_HUGETLB)", mfd >= 0, 1);
	check("memfd ftruncate 2 MiB", ftruncate(mfd, HPS), 0);
	char *m = mmap(NULL, HPS, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	m[HPS - 1] = 42;
	char last;
	pread(mfd, &last, 1, HPS - 1);
	check("memfd read(2) sees the store", last, 42);
	errno = 0;
	check("MFD_HUGE_1GB is ENODEV", memfd_create("g", MFD_HUGETLB | (30 << 26)) < 0 ? errno : 0, ENODEV);
	munmap(m, HPS);
	close(mfd);
	pool("end");
	return 0;
}
