// Anonymous memory mappings: mmap, munmap, mprotect and mremap.  Contents
// are written and read back; addresses are only compared, never printed.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *err(int e) {
	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EBADF: return "EBADF";
	default: return "other";
	}
}

static unsigned long sum(const unsigned char *p, size_t n) {
	unsigned long s = 0;
	for (size_t i = 0; i < n; i++)
		s = s * 33 + p[i];
	return s;
}

int main(void) {
	long ps = sysconf(_SC_PAGESIZE);
	printf("page size %ld\n", ps);

	// Fresh anonymous memory is zero-filled, and is readable and writable.
	size_t sizes[] = {1, 4096, 4097, 65536, 1 << 20, 10 << 20};
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("mmap %zu failed\n", n);
			continue;
		}
		size_t nz = 0;
		for (size_t k = 0; k < n; k++)
			nz += p[k] != 0;
		for (size_t k = 0; k < n; k++)
			p[k] = (unsigned char)(k ^ (k >> 9) ^ i);
		printf("mmap %zu: aligned=%d nonzero-before=%zu sum=%lu munmap=%d\n", n,
		       ((uintptr_t)p % (uintptr_t)ps) == 0, nz, sum(p, n), munmap(p, n));
	}

	// Map 8 pages, unmap two in the middle, remap one with MAP_FIXED.
	size_t n8 = 8 * (size_t)ps;
	unsigned char *m = mmap(NULL, n8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 0x11, n8);
	int r1 = munmap(m + 3 * ps, 2 * (size_t)ps);
	unsigned char *f = mmap(m + 3 * ps, (size_t)ps, PROT_READ | PROT_WRITE,
	                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("hole: munmap=%d fixed-same-addr=%d first=%02x new=%02x after=%02x\n", r1, f == m + 3 * ps,
	       m[0], f[0], m[5 * ps]);
	memset(f, 0x22, (size_t)ps);
	// MAP_FIXED over existing memory replaces it with zeros.
	unsigned char *g = mmap(m + 6 * ps, (size_t)ps, PROT_READ | PROT_WRITE,
	                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("fixed-over: same=%d byte=%02x neighbour=%02x\n", g == m + 6 * ps, g[0], m[7 * ps]);
	// Unmap everything, including the hole (unmapping a hole is not an error).
	printf("munmap all: %d\n", munmap(m, n8));

	// mprotect: read-only then read-write again; contents are kept.
	unsigned char *q = mmap(NULL, 4 * (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (long k = 0; k < 4 * ps; k++)
		q[k] = (unsigned char)(k * 7);
	int pr = mprotect(q, 2 * (size_t)ps, PROT_READ);
	unsigned long s1 = sum(q, 4 * (size_t)ps);
	int pw = mprotect(q, 2 * (size_t)ps, PROT_READ | PROT_WRITE);
	q[0] = 0xff;
	int pn = mprotect(q + 3 * ps, (size_t)ps, PROT_NONE);
	int pb = mprotect(q + 3 * ps, (size_t)ps, PROT_READ | PROT_WRITE);
	printf("mprotect: ro=%d sum=%lu rw=%d q0=%02x none=%d back=%d q[3p]=%02x\n", pr, s1, pw, q[0], pn,
	       pb, q[3 * ps]);
	// A mapping created PROT_NONE can later be made accessible.
	unsigned char *z = mmap(NULL, (size_t)ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int pz = mprotect(z, (size_t)ps, PROT_READ | PROT_WRITE);
	z[100] = 42;
	printf("prot_none->rw: %d z=%d\n", pz, z[100]);
	munmap(z, (size_t)ps);

	// mremap: grow with MREMAP_MAYMOVE, shrink in place.
	unsigned char *a = mmap(NULL, 2 * (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (long k = 0; k < 2 * ps; k++)
		a[k] = (unsigned char)(k % 251);
	unsigned long before = sum(a, 2 * (size_t)ps);
	unsigned char *b = mremap(a, 2 * (size_t)ps, 64 * (size_t)ps, MREMAP_MAYMOVE);
	if (b == MAP_FAILED) {
		printf("mremap grow failed: %s\n", err(errno));
	} else {
		size_t nz = 0;
		for (long k = 2 * ps; k < 64 * ps; k++)
			nz += b[k] != 0;
		b[64 * ps - 1] = 9;
		printf("mremap grow: kept=%d tail-nonzero=%zu\n", sum(b, 2 * (size_t)ps) == before, nz);
		unsigned char *c = mremap(b, 64 * (size_t)ps, (size_t)ps, 0);
		printf("mremap shrink: same=%d kept=%d\n", c == b, c != MAP_FAILED && sum(c, (size_t)ps) == sum(b, (size_t)ps));
		munmap(c, (size_t)ps);
	}

	// Error cases.
	errno = 0;
	void *e1 = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap len 0: %s %s\n", e1 == MAP_FAILED ? "MAP_FAILED" : "ok", err(errno));
	errno = 0;
	void *e2 = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0);
	printf("mmap bad fd: %s %s\n", e2 == MAP_FAILED ? "MAP_FAILED" : "ok", err(errno));
	errno = 0;
	void *e3 = mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0);
	printf("mmap no shared/private: %s %s\n", e3 == MAP_FAILED ? "MAP_FAILED" : "ok", err(errno));
	errno = 0;
	unsigned char *h = mmap(NULL, 2 * (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int u1 = munmap(h + 1, (size_t)ps);
	printf("munmap unaligned: %d %s\n", u1, err(errno));
	errno = 0;
	int p1 = mprotect(h + 1, (size_t)ps, PROT_READ);
	printf("mprotect unaligned: %d %s\n", p1, err(errno));
	munmap(h, 2 * (size_t)ps);

	// Many small mappings.
	unsigned char *many[64];
	for (int i = 0; i < 64; i++) {
		many[i] = mmap(NULL, (size_t)ps * (size_t)(1 + i % 3), PROT_READ | PROT_WRITE,
		               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(many[i], i, (size_t)ps * (size_t)(1 + i % 3));
	}
	int distinct = 1;
	unsigned long tot = 0;
	for (int i = 0; i < 64; i++) {
		for (int j = 0; j < i; j++)
			if (many[i] == many[j])
				distinct = 0;
		tot += many[i][ps - 1];
		munmap(many[i], (size_t)ps * (size_t)(1 + i % 3));
	}
	printf("many maps: distinct=%d total=%lu\n", distinct, tot);
	return 0;
}
