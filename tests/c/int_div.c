// Integer division and remainder edge cases.
// RISC-V never traps on division: x/0 gives all ones (-1 or UINT_MAX) and
// x%0 gives x; INT_MIN/-1 gives INT_MIN and INT_MIN%-1 gives 0.  In C these
// are undefined, so the operations are done through inline assembly; the
// well-defined cases go through volatile operands so gcc emits real
// div/rem instructions instead of folding constants.
#include <stdint.h>
#include <stdio.h>
#include <limits.h>

#define OP64(name, insn)                                                  \
	static int64_t name(int64_t a, int64_t b) {                           \
		int64_t r;                                                        \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); \
		return r;                                                         \
	}

OP64(op_div, "div")
OP64(op_divu, "divu")
OP64(op_rem, "rem")
OP64(op_remu, "remu")
OP64(op_divw, "divw")
OP64(op_divuw, "divuw")
OP64(op_remw, "remw")
OP64(op_remuw, "remuw")

static const int64_t vals[] = {
	0, 1, -1, 2, -2, 3, -3, 7, -7, 100, -100,
	INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1, (int64_t)INT32_MIN - 1,
	UINT32_MAX, INT64_MAX, INT64_MIN, INT64_MIN + 1,
	0x123456789abcdefLL, -0x123456789abcdefLL, 0xffffffff00000000LL,
	0x00000000ffffffffLL, 0x8000000080000000LL,
};
#define NV (sizeof vals / sizeof vals[0])

int main(void) {
	printf("64-bit div/divu/rem/remu over all pairs\n");
	for (unsigned i = 0; i < NV; i++) {
		for (unsigned j = 0; j < NV; j++) {
			int64_t a = vals[i], b = vals[j];
			printf("%lld,%lld: div=%lld divu=%llu rem=%lld remu=%llu\n",
			       (long long)a, (long long)b, (long long)op_div(a, b),
			       (unsigned long long)op_divu(a, b), (long long)op_rem(a, b),
			       (unsigned long long)op_remu(a, b));
		}
	}
	printf("32-bit divw/divuw/remw/remuw over all pairs (results sign-extended)\n");
	for (unsigned i = 0; i < NV; i++) {
		for (unsigned j = 0; j < NV; j++) {
			int64_t a = vals[i], b = vals[j];
			printf("%llx,%llx: divw=%llx divuw=%llx remw=%llx remuw=%llx\n",
			       (unsigned long long)a, (unsigned long long)b,
			       (unsigned long long)op_divw(a, b),
			       (unsigned long long)op_divuw(a, b),
			       (unsigned long long)op_remw(a, b),
			       (unsigned long long)op_remuw(a, b));
		}
	}

	// Well-defined C division through volatile operands.
	volatile int32_t a32 = -17, b32 = 5;
	volatile uint32_t ua32 = 0xfffffff0u, ub32 = 7;
	volatile int64_t a64 = -1000000000007LL, b64 = 13;
	volatile uint64_t ua64 = 0xfedcba9876543210ULL, ub64 = 0x10001;
	printf("c: %d %d %u %u\n", a32 / b32, a32 % b32, ua32 / ub32, ua32 % ub32);
	printf("c: %lld %lld %llu %llu\n", (long long)(a64 / b64), (long long)(a64 % b64),
	       (unsigned long long)(ua64 / ub64), (unsigned long long)(ua64 % ub64));
	for (int32_t d = -9; d <= 9; d++) {
		if (d == 0)
			continue;
		volatile int32_t vd = d;
		int32_t n = a32 * 123457;
		printf("%d / %d = %d rem %d; %u / %u = %u rem %u\n", n, vd, n / vd, n % vd,
		       (uint32_t)n, (uint32_t)vd, (uint32_t)n / (uint32_t)vd,
		       (uint32_t)n % (uint32_t)vd);
	}
	// Division by powers of two and by constants (gcc uses multiply tricks).
	for (int64_t x = -20; x <= 20; x += 3) {
		volatile int64_t vx = x * 1000003;
		printf("%lld: /2=%lld /8=%lld /10=%lld %%10=%lld /7=%lld %%7=%lld u/10=%llu\n",
		       (long long)vx, (long long)(vx / 2), (long long)(vx / 8),
		       (long long)(vx / 10), (long long)(vx % 10), (long long)(vx / 7),
		       (long long)(vx % 7), (unsigned long long)((uint64_t)vx / 10));
	}
	return 0;
}
