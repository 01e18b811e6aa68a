// Large stack frames: a 1 MiB local array (the stack must grow far below
// its initial pages), alloca, variable-length arrays, and deep recursion
// with medium-sized frames.
#include <alloca.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static __attribute__((noinline)) uint64_t big_frame(int seed) {
	volatile unsigned char buf[1 << 20];
	for (size_t i = 0; i < sizeof buf; i += 1)
		buf[i] = (unsigned char)(i * 7 + seed);
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < sizeof buf; i += 61)
		h = (h ^ buf[i]) * 1099511628211ULL;
	return h;
}

static __attribute__((noinline)) long vla(int n) {
	long a[n];
	for (int i = 0; i < n; i++)
		a[i] = (long)i * i - n;
	long s = 0;
	for (int i = n - 1; i >= 0; i -= 3)
		s += a[i];
	return s;
}

static __attribute__((noinline)) unsigned with_alloca(size_t n) {
	unsigned char *p = alloca(n);
	memset(p, 0x3c, n);
	unsigned s = 0;
	for (size_t i = 0; i < n; i += 97)
		s += p[i] + (unsigned)i;
	return s;
}

static __attribute__((noinline)) long frames(int depth) {
	volatile long local[128]; // 1 KiB per frame
	for (int i = 0; i < 128; i++)
		local[i] = depth + i;
	if (depth == 0)
		return local[127];
	return frames(depth - 1) + local[depth % 128] - local[(depth + 1) % 128];
}

int main(void) {
	for (int s = 0; s < 3; s++)
		printf("big_frame(%d) = %016llx\n", s, (unsigned long long)big_frame(s));
	for (int n = 1; n <= 100000; n *= 10)
		printf("vla(%d) = %ld\n", n, vla(n));
	for (size_t n = 100; n <= 2000000; n *= 20)
		printf("alloca(%zu) = %u\n", n, with_alloca(n));
	printf("frames(4000) = %ld\n", frames(4000));
	// A 3 MiB frame in main's callee, after the others returned.
	volatile char huge[3 << 20];
	huge[0] = 1;
	huge[sizeof huge - 1] = 2;
	printf("huge ends: %d %d\n", huge[0], huge[sizeof huge - 1]);
	return 0;
}
