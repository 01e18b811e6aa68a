//go:build ignore
// (That line keeps the go tool from taking this file for cgo source of package bench.)

/* intloop: integer arithmetic loops (add/mul/shift/xor, some division). */
#include <stdint.h>
#include <stdio.h>

#ifndef N
#define N 50000000u
#endif

__attribute__((noinline)) static uint64_t mix(uint64_t n, uint64_t seed)
{
	uint64_t a = seed, b = 0x9e3779b97f4a7c15ull, c = 1;
	for (uint64_t i = 0; i < n; i++) {
		a += i * 0x2545F4914F6CDD1Dull;
		a ^= a >> 29;
		b = (b << 7) ^ (b >> 3) ^ a;
		c = c * 6364136223846793005ull + (a ^ b);
		a = (a << 13) | (a >> 51);
	}
	return a ^ b ^ c;
}

__attribute__((noinline)) static uint32_t mix32(uint32_t n, uint32_t seed)
{
	uint32_t x = seed, s = 0;
	for (uint32_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		s += (x * 2654435761u) >> (i & 7);
		s -= i ^ (s >> 11);
	}
	return x ^ s;
}

__attribute__((noinline)) static uint64_t divs(uint64_t n)
{
	uint64_t s = 0;
	int64_t t = -1234567;
	for (uint64_t i = 1; i <= n; i++) {
		uint64_t v = i * 2654435761u + 12345;
		s += v / (i | 1);
		s ^= v % 1000003;
		t += (int64_t)(s & 0xffff) / -7 + (int64_t)v % 13;
	}
	return s ^ (uint64_t)t;
}

/* gcd via Euclid: data-dependent division chains */
__attribute__((noinline)) static uint64_t gcds(uint32_t n)
{
	uint64_t s = 0;
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t a = i * 40503u + 7, b = i ^ 0x5bd1e995u;
		while (b) {
			uint32_t r = a % b;
			a = b;
			b = r;
		}
		s += a;
	}
	return s;
}

int main(void)
{
	uint64_t r1 = mix(N, 42);
	uint32_t r2 = mix32(N, 2463534242u);
	uint64_t r3 = divs(N / 8);
	uint64_t r4 = gcds(N / 60);
	printf("intloop %016llx %08x %016llx %llu\n", (unsigned long long)r1, r2,
	       (unsigned long long)r3, (unsigned long long)r4);
	return 0;
}
