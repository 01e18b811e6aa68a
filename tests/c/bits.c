// Bit-manipulation builtins and classic bit tricks.  Without the Zbb
// extension gcc expands popcount/clz/ctz into loops or libgcc calls, so
// this exercises ordinary ALU code paths heavily.
#include <stdint.h>
#include <stdio.h>

static uint64_t xorshift(uint64_t *s) {
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint32_t rev32(uint32_t x) {
	x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
	x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
	x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
	return __builtin_bswap32(x);
}

static uint64_t rotl64(uint64_t x, unsigned r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }
static uint32_t rotr32(uint32_t x, unsigned r) { return (x >> (r & 31)) | (x << ((32 - r) & 31)); }

static int isqrt(uint64_t n) {
	uint64_t r = 0, bit = 1ULL << 62;
	while (bit > n)
		bit >>= 2;
	while (bit) {
		if (n >= r + bit) {
			n -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return (int)r;
}

int main(void) {
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 64; i++) {
		uint64_t x = xorshift(&s);
		if (i % 8 == 0)
			x >>= i; // include numbers with many leading zeros
		uint32_t w = (uint32_t)x;
		printf("%016llx pc=%d pcw=%d clz=%d ctz=%d clzw=%d ctzw=%d par=%d ffs=%d clrsb=%d "
		       "bswap=%016llx bswap16=%04x rev32=%08x rotl13=%016llx rotr7=%08x\n",
		       (unsigned long long)x, __builtin_popcountll(x), __builtin_popcount(w),
		       x ? __builtin_clzll(x) : 64, x ? __builtin_ctzll(x) : 64,
		       w ? __builtin_clz(w) : 32, w ? __builtin_ctz(w) : 32, __builtin_parityll(x),
		       __builtin_ffsll((long long)x), __builtin_clrsbll((long long)x),
		       (unsigned long long)__builtin_bswap64(x), __builtin_bswap16((uint16_t)x),
		       rev32(w), (unsigned long long)rotl64(x, 13), rotr32(w, 7));
	}
	// Powers of two and single-bit values.
	for (int b = 0; b < 64; b++) {
		uint64_t x = 1ULL << b;
		printf("bit %2d: clz=%d ctz=%d pc=%d pow2=%d next_pow2(x+1)=%llu lowbit(x*3)=%llu\n", b,
		       __builtin_clzll(x), __builtin_ctzll(x), __builtin_popcountll(x - 1),
		       (x & (x - 1)) == 0,
		       b < 63 ? (unsigned long long)(1ULL << (64 - __builtin_clzll(x))) : 0ULL,
		       (unsigned long long)((x * 3) & -(x * 3)));
	}
	// Tricks: abs without branch, sign, min/max, gray code, isqrt.
	for (int64_t v = -40; v <= 40; v += 7) {
		volatile int64_t x = v * 1234567;
		int64_t m = x >> 63;
		int64_t ab = (x ^ m) - m;
		int64_t sign = (x > 0) - (x < 0);
		uint64_t gray = (uint64_t)x ^ ((uint64_t)x >> 1);
		printf("v=%lld abs=%lld sign=%lld gray=%llx isqrt(abs)=%d\n", (long long)x,
		       (long long)ab, (long long)sign, (unsigned long long)gray, isqrt((uint64_t)ab));
	}
	// Count bits set in 0..65535 via a table and via popcount; they must agree.
	static unsigned char tbl[256];
	for (int i = 1; i < 256; i++)
		tbl[i] = (unsigned char)((i & 1) + tbl[i / 2]);
	unsigned long t1 = 0, t2 = 0;
	for (unsigned i = 0; i < 65536; i++) {
		t1 += tbl[i & 255] + tbl[i >> 8];
		t2 += (unsigned)__builtin_popcount(i);
	}
	printf("total bits: %lu %lu\n", t1, t2);
	// Iterate over subsets of a mask.
	unsigned mask = 0xb5, n = 0, sum = 0;
	for (unsigned sub = mask;; sub = (sub - 1) & mask) {
		n++;
		sum += sub;
		if (sub == 0)
			break;
	}
	printf("subsets of %#x: %u sum=%u\n", mask, n, sum);
	return 0;
}
