// RISC-V "A" extension instructions used directly: LR/SC and every AMO,
// on words and doublewords.  Word results are sign-extended to 64 bits,
// and the min/max variants compare 32-bit values as signed or unsigned.
#include <stdint.h>
#include <stdio.h>

#define AMO(name, insn, T)                                                        \
	static uint64_t name(T *p, uint64_t v) {                                       \
		uint64_t old;                                                              \
		__asm__ volatile(insn " %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory"); \
		return old;                                                                \
	}
AMO(swap_w, "amoswap.w", uint32_t)
AMO(add_w, "amoadd.w", uint32_t)
AMO(and_w, "amoand.w", uint32_t)
AMO(or_w, "amoor.w", uint32_t)
AMO(xor_w, "amoxor.w", uint32_t)
AMO(min_w, "amomin.w", uint32_t)
AMO(max_w, "amomax.w", uint32_t)
AMO(minu_w, "amominu.w", uint32_t)
AMO(maxu_w, "amomaxu.w", uint32_t)
AMO(swap_d, "amoswap.d", uint64_t)
AMO(add_d, "amoadd.d", uint64_t)
AMO(and_d, "amoand.d", uint64_t)
AMO(or_d, "amoor.d", uint64_t)
AMO(xor_d, "amoxor.d", uint64_t)
AMO(min_d, "amomin.d", uint64_t)
AMO(max_d, "amomax.d", uint64_t)
AMO(minu_d, "amominu.d", uint64_t)
AMO(maxu_d, "amomaxu.d", uint64_t)
AMO(add_w_aqrl, "amoadd.w.aqrl", uint32_t)
AMO(swap_d_aq, "amoswap.d.aq", uint64_t)

typedef uint64_t (*amo32)(uint32_t *, uint64_t);
typedef uint64_t (*amo64)(uint64_t *, uint64_t);

int main(void) {
	static const struct {
		const char *n;
		amo32 f;
	} w[] = {{"swap", swap_w}, {"add", add_w}, {"and", and_w}, {"or", or_w}, {"xor", xor_w},
	         {"min", min_w},   {"max", max_w}, {"minu", minu_w}, {"maxu", maxu_w}, {"add.aqrl", add_w_aqrl}};
	static const struct {
		const char *n;
		amo64 f;
	} d[] = {{"swap", swap_d}, {"add", add_d}, {"and", and_d}, {"or", or_d}, {"xor", xor_d},
	         {"min", min_d},   {"max", max_d}, {"minu", minu_d}, {"maxu", maxu_d}, {"swap.aq", swap_d_aq}};
	static const uint32_t mem32[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xfffffffe};
	static const uint64_t src[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000ULL,
	                               0x00000001fffffffeULL, 0x8000000000000000ULL, 0x7fffffffffffffffULL};
	for (unsigned i = 0; i < sizeof w / sizeof w[0]; i++)
		for (unsigned a = 0; a < sizeof mem32 / sizeof mem32[0]; a++)
			for (unsigned b = 0; b < sizeof src / sizeof src[0]; b += 2) {
				uint32_t cell[3] = {0xcccccccc, mem32[a], 0xdddddddd};
				uint64_t old = w[i].f(&cell[1], src[b]);
				printf("amo%s.w mem=%08x src=%016llx: old=%016llx new=%08x guards=%08x,%08x\n", w[i].n,
				       mem32[a], (unsigned long long)src[b], (unsigned long long)old, cell[1], cell[0],
				       cell[2]);
			}
	static const uint64_t mem64[] = {0, 1, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
	                                 0x00000000ffffffffULL, 0xdeadbeefcafebabeULL};
	for (unsigned i = 0; i < sizeof d / sizeof d[0]; i++)
		for (unsigned a = 0; a < sizeof mem64 / sizeof mem64[0]; a++)
			for (unsigned b = 1; b < sizeof src / sizeof src[0]; b += 2) {
				uint64_t cell = mem64[a];
				uint64_t old = d[i].f(&cell, src[b]);
				printf("amo%s.d mem=%016llx src=%016llx: old=%016llx new=%016llx\n", d[i].n,
				       (unsigned long long)mem64[a], (unsigned long long)src[b], (unsigned long long)old,
				       (unsigned long long)cell);
			}

	// LR/SC: a successful pair, then SC with no reservation must fail.
	uint32_t word = 0x80000005;
	uint64_t loaded, rc1, rc2;
	__asm__ volatile("lr.w %0, (%3)\n\t"
	                 "sc.w %1, %4, (%3)\n\t"
	                 "sc.w %2, %5, (%3)"
	                 : "=&r"(loaded), "=&r"(rc1), "=&r"(rc2)
	                 : "r"(&word), "r"(0x11111111UL), "r"(0x22222222UL)
	                 : "memory");
	printf("lr.w=%016llx sc.w=%s second sc.w=%s word=%08x\n", (unsigned long long)loaded,
	       rc1 ? "fail" : "ok", rc2 ? "fail" : "ok", word);
	uint64_t dw = 0xfedcba9876543210ULL;
	__asm__ volatile("lr.d.aq %0, (%3)\n\t"
	                 "sc.d.rl %1, %4, (%3)\n\t"
	                 "sc.d %2, %4, (%3)"
	                 : "=&r"(loaded), "=&r"(rc1), "=&r"(rc2)
	                 : "r"(&dw), "r"(0x0123456789abcdefULL)
	                 : "memory");
	printf("lr.d=%016llx sc.d=%s second sc.d=%s dw=%016llx\n", (unsigned long long)loaded,
	       rc1 ? "fail" : "ok", rc2 ? "fail" : "ok", (unsigned long long)dw);
	// A classic LR/SC retry loop implementing fetch-and-multiply.
	uint64_t cnt = 3, prev, tmp, fails = 0;
	for (int i = 0; i < 20; i++) {
		__asm__ volatile("1: lr.d %0, (%3)\n\t"
		                 "mul %1, %0, %4\n\t"
		                 "sc.d %1, %1, (%3)\n\t"
		                 "beqz %1, 2f\n\t"
		                 "addi %2, %2, 1\n\t"
		                 "j 1b\n"
		                 "2:"
		                 : "=&r"(prev), "=&r"(tmp), "+r"(fails)
		                 : "r"(&cnt), "r"(3UL)
		                 : "memory");
		if (i % 4 == 0)
			printf("lr/sc loop %d: prev=%llu now=%llu\n", i, (unsigned long long)prev,
			       (unsigned long long)cnt);
	}
	printf("lr/sc loop done: %llu\n", (unsigned long long)cnt);
	// LR/SC on a word: the loaded value is sign-extended.
	uint32_t wv = 0xfffffff0;
	for (int i = 0; i < 5; i++) {
		__asm__ volatile("1: lr.w %0, (%2)\n\t"
		                 "addiw %1, %0, 7\n\t"
		                 "sc.w %1, %1, (%2)\n\t"
		                 "bnez %1, 1b"
		                 : "=&r"(prev), "=&r"(tmp)
		                 : "r"(&wv)
		                 : "memory");
		printf("lr.w loop: prev=%016llx now=%08x\n", (unsigned long long)prev, wv);
	}
	// AMO with rd = zero (result discarded) still updates memory.
	uint64_t z = 10;
	__asm__ volatile("amoadd.d zero, %1, (%0)" : : "r"(&z), "r"(32UL) : "memory");
	printf("amoadd.d rd=zero: %llu\n", (unsigned long long)z);
	// fence variants are no-ops for a single hart but must decode.
	__asm__ volatile("fence\n\tfence rw, rw\n\tfence r, r\n\tfence w, w\n\tfence.i" ::: "memory");
	printf("fences ok\n");
	return 0;
}
