// /proc/self/pagemap (Documentation/admin-guide/mm/pagemap.rst): one 64-bit entry per
// virtual page; bit 63 says the page is present, bit 61 that it is a file page or
// shared anonymous memory, bit 56 that only this process maps it; the PFN (bits 0-54)
// reads 0 without CAP_SYS_ADMIN. Reads must be whole, aligned entries (EINVAL).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int pm;

static void show(const char *what, char *base, int pages)
{
	printf("%-26s", what);
	for (int i = 0; i < pages; i++) {
		uint64_t e = 0;
		pread(pm, &e, 8, ((uintptr_t)base / 4096 + i) * 8);
		printf(" [present %d shared %d exclusive %d pfn %llu]", (int)(e >> 63 & 1), (int)(e >> 61 & 1),
		       (int)(e >> 56 & 1), (unsigned long long)(e & ((1ULL << 55) - 1)));
	}
	printf("\n");
}

int main(void)
{
	pm = open("/proc/self/pagemap", O_RDONLY);
	char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	p[2 * 4096] = 1;
	show("private, pages 0, 2 set", p, 4);
	char *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	s[0] = 1;
	show("shared anonymous", s, 1);
	int fds[2];
	pipe(fds);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(fds[0], &c, 1);
		_exit(0);
	}
	show("private after fork", p, 1);
	p[0] = 2; // copied on write: this process's own again
	show("after writing it", p, 1);
	write(fds[1], "x", 1);
	waitpid(pid, NULL, 0);
	uint64_t e;
	errno = 0;
	printf("read at offset 4: %zd %s\n", pread(pm, &e, 8, 4), strerrorname_np(errno));
	errno = 0;
	printf("read of 4 bytes: %zd %s\n", pread(pm, &e, 4, 0), strerrorname_np(errno));
	return 0;
}
