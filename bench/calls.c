//go:build ignore
// (That line keeps the go tool from taking this file for cgo source of package bench.)

/* calls: many small non-inlined function calls and recursion. */
#include <stdint.h>
#include <stdio.h>

#ifndef FIB
#define FIB 30
#endif
#ifndef N
#define N 12000000u
#endif

__attribute__((noinline)) static uint64_t fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static uint32_t ack(uint32_t m, uint32_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

__attribute__((noinline)) static uint64_t f_add(uint64_t a, uint64_t b) { return a + b; }
__attribute__((noinline)) static uint64_t f_mul(uint64_t a, uint64_t b) { return a * b + 1; }
__attribute__((noinline)) static uint64_t f_xor(uint64_t a, uint64_t b) { return (a ^ b) >> 1; }
__attribute__((noinline)) static uint64_t f_rot(uint64_t a, uint64_t b) { return (a << (b & 31)) | (a >> 33); }

typedef uint64_t (*op)(uint64_t, uint64_t);
static op ops[4] = {f_add, f_mul, f_xor, f_rot};

/* Direct calls, and indirect calls through a table. */
__attribute__((noinline)) static uint64_t many(uint32_t n)
{
	uint64_t s = 1;
	for (uint32_t i = 0; i < n; i++) {
		s = f_add(s, i);
		s = f_xor(s, f_mul(s, i));
		s = ops[(s >> 3) & 3](s, i);
	}
	return s;
}

int main(void)
{
	uint64_t a = fib(FIB);
	uint32_t b = ack(2, 2000) + ack(3, 7);
	uint64_t c = many(N);
	printf("calls %llu %u %016llx\n", (unsigned long long)a, b, (unsigned long long)c);
	return 0;
}
