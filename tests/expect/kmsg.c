// The kernel log through /dev/kmsg (Documentation/ABI/testing/dev-kmsg) and the
// hwpoison injector in debugfs (mm/hwpoison-inject.c), as LTP's madvise11 uses them:
// a write is one record, "<N>" giving its priority (facility user, level warning
// otherwise); each read returns one whole record "PRIO,SEQ,USEC,FLAGS;TEXT\n" (the time
// is left out below: it is weft's virtual time) with unprintable bytes as \xNN, EINVAL
// for a buffer too small, EAGAIN under O_NONBLOCK at the end; lseek takes only offset 0
// (ESPIPE). MADV_SOFT_OFFLINE logs "Soft offlining pfn 0x... at process virtual
// address 0x..." (mm/madvise.c) with the frame number /proc/self/pagemap shows root,
// moves the page to a new frame and takes the old one out of use;
// hwpoison/unpoison-pfn puts it back (EBUSY once it is, ENXIO for no frame, EINVAL for
// no number), corrupt-pfn poisons a frame in use (SIGBUS on the next touch; EHWPOISON
// a second time), and MADV_HWPOISON's frame can be put back too. syslog(2) reads the
// same log ("<PRIO>[TIME] TEXT" lines; anyone may read all of it, only root clear it). debugfs is at /sys/kernel/debug, root's only, and mounts anywhere
// else too; modules cannot be loaded (kernel.modules_disabled) and none is.
// Expected output from Linux semantics: qemu-riscv64 would reach the host's log.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif

static long ps;

static void result(const char *what, long r) {
	printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

// show prints a record without its time stamp.
static void show(const char *rec) {
	int prio;
	unsigned long long seq, usec;
	char flags;
	int n = 0;
	if (sscanf(rec, "%d,%llu,%llu,%c;%n", &prio, &seq, &usec, &flags, &n) != 4 || n == 0) {
		printf("  malformed record: %s", rec);
		return;
	}
	printf("  prio %d seq %llu flags %c: %s", prio, seq, flags, rec + n);
}

static uint64_t pfn_of(void *a) {
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	pread(fd, &e, sizeof e, (uintptr_t)a / ps * 8);
	close(fd);
	return e & ((1ULL << 55) - 1);
}

static long write_pfn(const char *file, uint64_t pfn) {
	char path[128], buf[32];
	snprintf(path, sizeof path, "/sys/kernel/debug/hwpoison/%s", file);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int n = snprintf(buf, sizeof buf, "0x%llx\n", (unsigned long long)pfn);
	long r = write(fd, buf, n);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static sigjmp_buf back;
static void onbus(int sig) {
	(void)sig;
	siglongjmp(back, 1);
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	ps = sysconf(_SC_PAGESIZE);
	char buf[8192];

	int w = open("/dev/kmsg", O_WRONLY);
	result("write a tag", write(w, "test starting", 13));
	result("write <3>an error", write(w, "<3>an error\n", 12));
	result("write <14> with a tab", write(w, "<14>user\tinfo", 13));
	memset(buf, 'x', 1025);
	result("write 1025 bytes", write(w, buf, 1025));

	int r = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	printf("the log:\n");
	long n;
	while ((n = read(r, buf, sizeof buf - 1)) > 0) {
		buf[n] = 0;
		show(buf);
	}
	result("read at the end", n);
	result("lseek(SEEK_SET, 1)", lseek(r, 1, SEEK_SET));
	result("lseek(SEEK_SET, 0)", lseek(r, 0, SEEK_SET));
	result("read into 8 bytes", read(r, buf, 8));
	result("lseek(SEEK_END, 0)", lseek(r, 0, SEEK_END));
	struct pollfd pfd = {.fd = r, .events = POLLIN};
	result("poll at the end", poll(&pfd, 1, 0));
	write(w, "one more", 8);
	result("poll after a write", poll(&pfd, 1, 0));
	n = read(r, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	show(buf);

	// Soft offline: a private page and a shared one, as madvise11 maps them.
	char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *s = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	strcpy(p, "private");
	strcpy(s, "shared");
	uint64_t pp = pfn_of(p), sp = pfn_of(s);
	printf("pagemap shows root frame numbers: %s\n", pp && sp && pp != sp ? "yes" : "no");
	lseek(r, 0, SEEK_END);
	result("MADV_SOFT_OFFLINE the private page", madvise(p, ps, MADV_SOFT_OFFLINE));
	result("MADV_SOFT_OFFLINE the shared page", madvise(s, ps, MADV_SOFT_OFFLINE));
	printf("contents: %s %s; new frames: %s\n", p, s, pfn_of(p) != pp && pfn_of(s) != sp ? "yes" : "no");
	uint64_t logged[2] = {0, 0};
	void *where[2] = {0, 0};
	for (int i = 0; i < 2 && (n = read(r, buf, sizeof buf - 1)) > 0; i++) {
		buf[n] = 0;
		char *m = strstr(buf, "Soft offlining pfn 0x");
		if (m)
			sscanf(m, "Soft offlining pfn %llx at process virtual address %p",
			       (unsigned long long *)&logged[i], &where[i]);
	}
	printf("logged: the old frames %s, the addresses %s\n",
	       logged[0] == pp && logged[1] == sp ? "yes" : "no", where[0] == p && where[1] == s ? "yes" : "no");

	result("unpoison the private page's old frame", write_pfn("unpoison-pfn", pp));
	result("unpoison it again", write_pfn("unpoison-pfn", pp));
	result("unpoison the shared page's old frame", write_pfn("unpoison-pfn", sp));
	result("unpoison pfn 1", write_pfn("unpoison-pfn", 1));
	int fd = open("/sys/kernel/debug/hwpoison/unpoison-pfn", O_WRONLY);
	result("write \"frame\" to unpoison-pfn", write(fd, "frame", 5));
	close(fd);
	fd = open("/sys/kernel/debug/hwpoison/corrupt-pfn", O_RDONLY);
	result("read corrupt-pfn", read(fd, buf, 8));
	close(fd);

	uint64_t now = pfn_of(p);
	result("corrupt the private page's frame", write_pfn("corrupt-pfn", now));
	signal(SIGBUS, onbus);
	if (sigsetjmp(back, 1) == 0)
		printf("the page reads %c: no signal\n", p[0]);
	else
		printf("touching the page: SIGBUS\n");
	result("corrupt it again", write_pfn("corrupt-pfn", now));
	result("unpoison it", write_pfn("unpoison-pfn", now));
	char *h = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h[0] = 'h';
	uint64_t hp = pfn_of(h);
	result("MADV_HWPOISON a page", madvise(h, ps, MADV_HWPOISON));
	result("unpoison its frame", write_pfn("unpoison-pfn", hp));
	printf("the messages:\n");
	while ((n = read(r, buf, sizeof buf - 1)) > 0) {
		buf[n] = 0;
		if (strstr(buf, "0x")) {
			// Frame numbers and addresses are weft's: show where they stand.
			char out[512], *o = out, *c = strchr(buf, ';') + 1;
			while (*c && o < out + sizeof out - 4) {
				if (c[0] == '0' && c[1] == 'x') {
					c += 2;
					while ((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))
						c++;
					o += sprintf(o, "0x?");
					continue;
				}
				*o++ = *c++;
			}
			*o = 0;
			printf("  %s", out);
			continue;
		}
		show(buf);
	}

	// syslog(2), which dmesg uses: "<PRIO>[SECONDS.MICROS] TEXT\n" per record.
	result("klogctl(SIZE_BUFFER)", klogctl(10, NULL, 0));
	result("klogctl(READ_ALL) without a buffer", klogctl(3, NULL, 100));
	result("klogctl(CONSOLE_LEVEL, 9)", klogctl(8, NULL, 9));
	result("klogctl(READ, 10 bytes), the start of the first record", klogctl(2, buf, 10));
	printf("  %.10s\n", buf);
	n = klogctl(2, buf, 80);
	buf[n > 0 ? n : 0] = 0;
	char *bracket = strchr(buf, ']');
	printf("the rest of it: %ld bytes, ending%s", n, bracket ? bracket + 1 : "?\n");
	result("klogctl(CLEAR)", klogctl(5, NULL, 0));
	result("klogctl(READ_ALL) after it", klogctl(3, buf, sizeof buf));
	write(w, "<6>after the clear", 18);
	n = klogctl(3, buf, sizeof buf);
	buf[n > 0 ? n : 0] = 0;
	bracket = strchr(buf, ']');
	printf("klogctl(READ_ALL): %.3s...]%s", buf, bracket ? bracket + 1 : "?\n");

	pid_t pid = fork();
	if (pid == 0) {
		setuid(1000);
		printf("uid 1000: klogctl(READ_ALL) %s, klogctl(CLEAR) %s\n", klogctl(3, buf, sizeof buf) > 0 ? "reads" : "fails",
		       klogctl(5, NULL, 0) < 0 ? strerror(errno) : "clears");
		int d = open("/sys/kernel/debug/hwpoison/unpoison-pfn", O_WRONLY);
		printf("uid 1000 opens unpoison-pfn: %d %s\n", d, d < 0 ? strerror(errno) : "");
		d = open("/dev/kmsg", O_WRONLY);
		printf("uid 1000 opens /dev/kmsg for writing: %d %s\n", d, d < 0 ? strerror(errno) : "");
		_exit(0);
	}
	waitpid(pid, NULL, 0);

	mkdir("/tmp/dbg", 0755);
	result("mount -t debugfs", mount("none", "/tmp/dbg", "debugfs", 0, NULL));
	struct stat st;
	result("stat /tmp/dbg/hwpoison/corrupt-pfn", stat("/tmp/dbg/hwpoison/corrupt-pfn", &st));
	printf("its mode: %o\n", st.st_mode);
	FILE *m = fopen("/proc/self/mounts", "r");
	char line[256];
	while (fgets(line, sizeof line, m))
		if (strstr(line, "debugfs"))
			printf("  %s", line);
	fclose(m);

	FILE *mods = fopen("/proc/modules", "r");
	printf("/proc/modules: %s\n", mods && !fgets(line, sizeof line, mods) ? "empty" : "not empty or missing");
	result("delete_module(\"loop\")", syscall(SYS_delete_module, "loop", 0));
	result("init_module", syscall(SYS_init_module, buf, 64, ""));
	return 0;
}
