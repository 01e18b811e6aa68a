// The program break: sbrk/brk and the raw brk system call.  Absolute
// addresses vary, so only differences between break values are printed.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static uintptr_t raw_brk(uintptr_t addr) { return (uintptr_t)syscall(SYS_brk, addr); }

int main(void) {
	// Gather results before calling printf, because stdio's buffer comes
	// from malloc, which may move the break itself.
	long d[16];
	int ok[16];
	memset(ok, 0, sizeof ok);
	uintptr_t b0 = (uintptr_t)sbrk(0);
	uintptr_t r0 = raw_brk(0);
	d[0] = (long)(r0 - b0); // raw brk(0) reports the current break: 0
	// Align the break to a page so the rest is independent of where the
	// initial break happened to be.
	uintptr_t base = (b0 + 4095) & ~(uintptr_t)4095;
	ok[0] = brk((void *)base) == 0;
	d[1] = (long)((uintptr_t)sbrk(0) - base);
	void *p1 = sbrk(8192); // returns the old break
	d[2] = (long)((uintptr_t)p1 - base);
	d[3] = (long)((uintptr_t)sbrk(0) - base);
	memset(p1, 0x5a, 8192);
	ok[1] = ((unsigned char *)p1)[8191] == 0x5a;
	void *p2 = sbrk(100000);
	d[4] = (long)((uintptr_t)p2 - base);
	d[5] = (long)((uintptr_t)sbrk(0) - base);
	memset(p2, 0x33, 100000);
	ok[2] = ((unsigned char *)p2)[99999] == 0x33 && ((unsigned char *)p1)[0] == 0x5a;
	// Shrink with a negative increment.
	void *p3 = sbrk(-50000);
	d[6] = (long)((uintptr_t)p3 - base);
	d[7] = (long)((uintptr_t)sbrk(0) - base);
	// Shrink to a page boundary, then grow again: the new memory is zero.
	ok[3] = brk((void *)(base + 8192)) == 0;
	d[8] = (long)((uintptr_t)sbrk(0) - base);
	ok[4] = brk((void *)(base + 8192 + 65536)) == 0;
	int zero = 1;
	for (int i = 0; i < 65536; i++)
		if (((unsigned char *)base)[8192 + i] != 0)
			zero = 0;
	ok[5] = zero;
	// Raw syscall: an impossible request leaves the break unchanged.
	uintptr_t cur = raw_brk(0);
	uintptr_t r1 = raw_brk(cur + ((uintptr_t)1 << 46));
	ok[6] = r1 == cur;
	// Raw syscall: growing returns the new break.
	uintptr_t r2 = raw_brk(cur + 12345);
	d[9] = (long)(r2 - base);
	// Setting the break below the start of the heap is ignored by the
	// kernel, which returns the unchanged break; glibc then reports
	// success because the returned break is not below the request.
	uintptr_t before = raw_brk(0);
	uintptr_t r3 = raw_brk(4096);
	ok[7] = r3 == before;
	d[10] = (long)((uintptr_t)sbrk(0) - base);
	// sbrk(0) twice is stable.
	ok[8] = sbrk(0) == sbrk(0);
	// Restore the page-aligned break.
	ok[9] = brk((void *)(base + 4096)) == 0;
	d[11] = (long)((uintptr_t)sbrk(0) - base);

	for (int i = 0; i < 12; i++)
		printf("d[%d] = %ld\n", i, d[i]);
	for (int i = 0; i < 10; i++)
		printf("ok[%d] = %d\n", i, ok[i]);
	// malloc still works after all this (it uses brk or falls back to mmap).
	char *m = malloc(1000);
	strcpy(m, "malloc after brk games");
	printf("%s\n", m);
	return 0;
}
