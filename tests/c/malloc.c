// The C heap: malloc/free of many sizes, allocations large enough that
// glibc serves them with mmap (>= 128 KiB), realloc growth and shrinking
// with content checks, calloc zeroing and aligned allocation.
// Only sizes, contents and alignments are printed, never addresses.
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char pat(size_t i, unsigned seed) { return (unsigned char)(i * 31 + seed * 7 + (i >> 8)); }

static void fill(unsigned char *p, size_t n, unsigned seed) {
	for (size_t i = 0; i < n; i++)
		p[i] = pat(i, seed);
}
static size_t check(const unsigned char *p, size_t n, unsigned seed) {
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += p[i] != pat(i, seed);
	return bad;
}

int main(void) {
	// Many small and medium blocks, freed in an interleaved order.
	enum { N = 600 };
	static unsigned char *blk[N];
	static size_t sz[N];
	size_t total = 0;
	for (int i = 0; i < N; i++) {
		sz[i] = (size_t)((i * 7919) % 5000) + (i % 3 == 0 ? 1 : 17);
		blk[i] = malloc(sz[i]);
		if (!blk[i]) {
			printf("malloc failed at %d\n", i);
			return 1;
		}
		fill(blk[i], sz[i], (unsigned)i);
		total += sz[i];
	}
	printf("allocated %d blocks, %zu bytes\n", N, total);
	size_t bad = 0;
	for (int i = 0; i < N; i += 2) {
		bad += check(blk[i], sz[i], (unsigned)i);
		free(blk[i]);
		blk[i] = NULL;
	}
	for (int i = 0; i < N; i += 2) {
		sz[i] = sz[i] / 2 + 3;
		blk[i] = malloc(sz[i]);
		fill(blk[i], sz[i], (unsigned)i + 1000);
	}
	for (int i = N - 1; i >= 0; i--) {
		bad += check(blk[i], sz[i], (unsigned)(i % 2 ? i : i + 1000));
		free(blk[i]);
	}
	printf("small blocks bad bytes: %zu\n", bad);

	// Every size from 0 to 300 bytes: usable size must be >= requested.
	int small_ok = 1;
	for (size_t s = 0; s <= 300; s++) {
		unsigned char *p = malloc(s);
		if (!p || malloc_usable_size(p) < s || ((uintptr_t)p & 15) != 0)
			small_ok = 0;
		memset(p, 0xab, s);
		free(p);
	}
	printf("sizes 0..300 ok=%d\n", small_ok);

	// Large allocations (mmap threshold is 128 KiB by default).
	static const size_t bigs[] = {100000, 131072, 200000, 1 << 20, 3 << 20, 5000000};
	for (unsigned i = 0; i < sizeof bigs / sizeof bigs[0]; i++) {
		unsigned char *p = malloc(bigs[i]);
		if (!p) {
			printf("big malloc %zu failed\n", bigs[i]);
			continue;
		}
		fill(p, bigs[i], i);
		unsigned long sum = 0;
		for (size_t k = 0; k < bigs[i]; k += 4093)
			sum += p[k];
		printf("big %zu: bad=%zu sample-sum=%lu usable>=size:%d\n", bigs[i],
		       check(p, bigs[i], i), sum, malloc_usable_size(p) >= bigs[i]);
		free(p);
	}

	// realloc growth, doubling from 1 byte to 4 MiB, contents preserved.
	size_t cur = 1;
	unsigned char *r = malloc(cur);
	r[0] = pat(0, 99);
	while (cur < (2u << 20)) {
		size_t nsz = cur * 2 + (cur & 1);
		r = realloc(r, nsz);
		size_t b = check(r, cur, 99);
		for (size_t k = cur; k < nsz; k++)
			r[k] = pat(k, 99);
		if (b || nsz > (1u << 20))
			printf("realloc %zu -> %zu bad=%zu\n", cur, nsz, b);
		cur = nsz;
	}
	// Shrink in steps.
	while (cur > 10) {
		size_t nsz = cur / 3;
		r = realloc(r, nsz);
		printf("shrink %zu -> %zu bad=%zu\n", cur, nsz, check(r, nsz, 99));
		cur = nsz;
	}
	free(r);
	// realloc(NULL, n) and realloc to 0.
	unsigned char *q = realloc(NULL, 64);
	fill(q, 64, 5);
	q = realloc(q, 128);
	printf("realloc NULL: bad=%zu\n", check(q, 64, 5));
	free(q);

	// calloc zeroes, including memory that was previously dirtied.
	for (int round = 0; round < 3; round++) {
		size_t n = 1000u << (round * 4);
		unsigned char *d = malloc(n);
		memset(d, 0xee, n);
		free(d);
		unsigned long *c = calloc(n / sizeof(long), sizeof(long));
		size_t nz = 0;
		for (size_t k = 0; k < n / sizeof(long); k++)
			nz += c[k] != 0;
		printf("calloc %zu: nonzero words=%zu\n", n, nz);
		free(c);
	}
	volatile size_t halfmax = SIZE_MAX / 2; // volatile: keeps gcc from warning
	void *ov = calloc(halfmax, 4);
	printf("calloc overflow -> %s\n", ov ? "non-NULL" : "NULL");
	void *huge = malloc(halfmax * 2 - 4096);
	printf("malloc huge -> %s\n", huge ? "non-NULL" : "NULL");

	// Aligned allocation.
	for (size_t al = 16; al <= 65536; al *= 4) {
		void *p = NULL;
		int rc = posix_memalign(&p, al, 1000);
		void *a = aligned_alloc(al, al * 2);
		void *m = memalign(al, 77);
		printf("align %zu: rc=%d pm=%d aa=%d ma=%d\n", al, rc, ((uintptr_t)p % al) == 0,
		       ((uintptr_t)a % al) == 0, ((uintptr_t)m % al) == 0);
		free(p);
		free(a);
		free(m);
	}

	// A linked list of many nodes, then summed and freed.
	struct node {
		struct node *next;
		long v;
		char pad[40];
	} *head = NULL;
	for (long i = 0; i < 50000; i++) {
		struct node *n = malloc(sizeof *n);
		n->v = i * i % 1009;
		n->next = head;
		head = n;
	}
	long s = 0, cnt = 0;
	while (head) {
		struct node *n = head;
		head = n->next;
		s += n->v;
		cnt++;
		free(n);
	}
	printf("list nodes=%ld sum=%ld\n", cnt, s);
	return 0;
}
