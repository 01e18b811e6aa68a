//go:build ignore
// (That line keeps the go tool from taking this file for cgo source of package bench.)

/* memwalk: sequential and strided sums and pointer chasing over a 32 MiB array. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS (4u << 20) /* 4 Mi uint64 = 32 MiB */
#ifndef CHASE
#define CHASE 6000000u
#endif
#ifndef PASSES
#define PASSES 4
#endif

static uint64_t xs = 88172645463325252ull;
static uint64_t xorshift(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs;
}

__attribute__((noinline)) static uint64_t seqsum(const uint64_t *a, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += a[i];
	return s;
}

__attribute__((noinline)) static uint64_t strided(const uint64_t *a, size_t n, size_t stride)
{
	uint64_t s = 0;
	for (size_t off = 0; off < stride; off++)
		for (size_t i = off; i < n; i += stride)
			s = (s ^ a[i]) + i;
	return s;
}

__attribute__((noinline)) static uint64_t chase(const uint64_t *next, uint64_t start, uint64_t steps)
{
	uint64_t p = start, s = 0;
	for (uint64_t i = 0; i < steps; i++) {
		p = next[p];
		s += p;
	}
	return s ^ p;
}

int main(void)
{
	uint64_t *a = malloc(WORDS * sizeof *a);
	uint32_t *perm = malloc(WORDS * sizeof *perm);
	if (!a || !perm) {
		fputs("memwalk: out of memory\n", stderr);
		return 1;
	}
	/* Random permutation (Fisher-Yates), then link it into one cycle: a[perm[i]] = perm[i+1]. */
	for (uint32_t i = 0; i < WORDS; i++)
		perm[i] = i;
	for (uint32_t i = WORDS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(xorshift() % (i + 1));
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < WORDS; i++)
		a[perm[i]] = perm[(i + 1) % WORDS];
	free(perm);

	uint64_t s1 = 0, s2 = 0;
	for (int p = 0; p < PASSES; p++)
		s1 += seqsum(a, WORDS);
	s2 = strided(a, WORDS, 16) ^ strided(a, WORDS, 1024);
	uint64_t s3 = chase(a, 0, CHASE);
	printf("memwalk %016llx %016llx %016llx\n", (unsigned long long)s1, (unsigned long long)s2,
	       (unsigned long long)s3);
	free(a);
	return 0;
}
