// 32-bit "W" instructions, shifts, multiplication high parts and
// wraparound.  Results are printed in hex so sign extension is visible.
#include <stdint.h>
#include <stdio.h>

#define R3(name, insn)                                                    \
	static uint64_t name(uint64_t a, uint64_t b) {                        \
		uint64_t r;                                                       \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); \
		return r;                                                         \
	}
R3(i_addw, "addw")
R3(i_subw, "subw")
R3(i_sllw, "sllw")
R3(i_srlw, "srlw")
R3(i_sraw, "sraw")
R3(i_mulw, "mulw")
R3(i_sll, "sll")
R3(i_srl, "srl")
R3(i_sra, "sra")
R3(i_mul, "mul")
R3(i_mulh, "mulh")
R3(i_mulhu, "mulhu")
R3(i_mulhsu, "mulhsu")
R3(i_slt, "slt")
R3(i_sltu, "sltu")

static uint64_t i_addiw_neg1(uint64_t a) {
	uint64_t r;
	__asm__ volatile("addiw %0, %1, -1" : "=r"(r) : "r"(a));
	return r;
}
static uint64_t i_sext_w(uint64_t a) {
	uint64_t r;
	__asm__ volatile("sext.w %0, %1" : "=r"(r) : "r"(a));
	return r;
}
static uint64_t i_slliw31(uint64_t a) {
	uint64_t r;
	__asm__ volatile("slliw %0, %1, 31" : "=r"(r) : "r"(a));
	return r;
}
static uint64_t i_sraiw31(uint64_t a) {
	uint64_t r;
	__asm__ volatile("sraiw %0, %1, 31" : "=r"(r) : "r"(a));
	return r;
}
static uint64_t i_srliw0(uint64_t a) {
	uint64_t r;
	__asm__ volatile("srliw %0, %1, 0" : "=r"(r) : "r"(a));
	return r;
}
static uint64_t i_srai63(uint64_t a) {
	uint64_t r;
	__asm__ volatile("srai %0, %1, 63" : "=r"(r) : "r"(a));
	return r;
}
static uint64_t i_lui(void) {
	uint64_t r;
	__asm__ volatile("lui %0, 0x80000" : "=r"(r));
	return r;
}
static uint64_t i_sltiu1(uint64_t a) {
	uint64_t r;
	__asm__ volatile("sltiu %0, %1, 1" : "=r"(r) : "r"(a));
	return r;
}
static uint64_t i_sltiu_neg(uint64_t a) {
	uint64_t r;
	__asm__ volatile("sltiu %0, %1, -1" : "=r"(r) : "r"(a));
	return r;
}

static const uint64_t vals[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
	0xdeadbeefcafebabeULL, 0x0123456789abcdefULL, 0xfffffffe00000001ULL,
};
#define NV (sizeof vals / sizeof vals[0])
static const uint64_t shifts[] = {0, 1, 5, 31, 32, 33, 63, 64, 65, 127, 0xffffffffffffffe1ULL};
#define NS (sizeof shifts / sizeof shifts[0])

int main(void) {
	for (unsigned i = 0; i < NV; i++) {
		uint64_t a = vals[i];
		printf("a=%016llx addiw-1=%016llx sext.w=%016llx slliw31=%016llx sraiw31=%016llx "
		       "srliw0=%016llx srai63=%016llx sltiu1=%llu sltiu-1=%llu\n",
		       (unsigned long long)a, (unsigned long long)i_addiw_neg1(a),
		       (unsigned long long)i_sext_w(a), (unsigned long long)i_slliw31(a),
		       (unsigned long long)i_sraiw31(a), (unsigned long long)i_srliw0(a),
		       (unsigned long long)i_srai63(a), (unsigned long long)i_sltiu1(a),
		       (unsigned long long)i_sltiu_neg(a));
		for (unsigned j = 0; j < NS; j++) {
			uint64_t s = shifts[j];
			printf("  sh %llu: sll=%016llx srl=%016llx sra=%016llx sllw=%016llx "
			       "srlw=%016llx sraw=%016llx\n",
			       (unsigned long long)s, (unsigned long long)i_sll(a, s),
			       (unsigned long long)i_srl(a, s), (unsigned long long)i_sra(a, s),
			       (unsigned long long)i_sllw(a, s), (unsigned long long)i_srlw(a, s),
			       (unsigned long long)i_sraw(a, s));
		}
	}
	printf("lui 0x80000 = %016llx\n", (unsigned long long)i_lui());
	for (unsigned i = 0; i < NV; i++) {
		for (unsigned j = 0; j < NV; j++) {
			uint64_t a = vals[i], b = vals[j];
			printf("%llx %llx: addw=%llx subw=%llx mulw=%llx mul=%llx mulh=%llx "
			       "mulhu=%llx mulhsu=%llx slt=%llu sltu=%llu\n",
			       (unsigned long long)a, (unsigned long long)b,
			       (unsigned long long)i_addw(a, b), (unsigned long long)i_subw(a, b),
			       (unsigned long long)i_mulw(a, b), (unsigned long long)i_mul(a, b),
			       (unsigned long long)i_mulh(a, b), (unsigned long long)i_mulhu(a, b),
			       (unsigned long long)i_mulhsu(a, b), (unsigned long long)i_slt(a, b),
			       (unsigned long long)i_sltu(a, b));
		}
	}

	// The same through C: __int128 makes gcc emit mulh/mulhu/mulhsu.
	for (unsigned i = 0; i < NV; i += 2) {
		for (unsigned j = 1; j < NV; j += 2) {
			volatile int64_t sa = (int64_t)vals[i], sb = (int64_t)vals[j];
			volatile uint64_t ua = vals[i], ub = vals[j];
			__int128 ss = (__int128)sa * sb;
			unsigned __int128 uu = (unsigned __int128)ua * ub;
			__int128 su = (__int128)sa * (unsigned __int128)ub;
			printf("i128: ss=%016llx:%016llx uu=%016llx:%016llx su=%016llx:%016llx\n",
			       (unsigned long long)(ss >> 64), (unsigned long long)ss,
			       (unsigned long long)(uu >> 64), (unsigned long long)uu,
			       (unsigned long long)(su >> 64), (unsigned long long)su);
		}
	}

	// Wraparound with unsigned types and with -fwrapv-free casts.
	volatile uint32_t u32 = 0xfffffff0u;
	volatile uint16_t u16 = 0xfff0;
	volatile uint8_t u8 = 0xf0;
	volatile int8_t s8 = 0x70;
	volatile int16_t s16 = 0x7ff0;
	for (int k = 0; k < 20; k++) {
		u32 += 3;
		u16 += 3;
		u8 += 3;
		s8 = (int8_t)(uint8_t)(s8 + 3);
		s16 = (int16_t)(uint16_t)(s16 + 3);
		printf("wrap %2d: u32=%u u16=%u u8=%u s8=%d s16=%d\n", k, u32, u16, u8, s8, s16);
	}
	// Sign/zero extension of narrow loads and casts.
	volatile uint64_t big = 0x8081828384858687ULL;
	printf("casts: %lld %lld %lld %llu %llu %llu\n", (long long)(int8_t)big,
	       (long long)(int16_t)big, (long long)(int32_t)big, (unsigned long long)(uint8_t)big,
	       (unsigned long long)(uint16_t)big, (unsigned long long)(uint32_t)big);
	unsigned char bytes[16];
	for (int k = 0; k < 16; k++)
		bytes[k] = (unsigned char)(0x78 + k * 9);
	for (int k = 0; k + 8 <= 16; k += 3) {
		volatile signed char *sc = (volatile signed char *)&bytes[k];
		volatile short sh;
		volatile int in;
		__builtin_memcpy((void *)&sh, &bytes[k], 2);
		__builtin_memcpy((void *)&in, &bytes[k], 4);
		printf("load @%d: lb=%d lbu=%u lh=%d lhu=%u lw=%d lwu=%u\n", k, *sc,
		       (unsigned)(unsigned char)*sc, sh, (unsigned)(unsigned short)sh, in,
		       (unsigned)in);
	}
	// Multiplication overflow detection builtins.
	long long r;
	int ovf = __builtin_mul_overflow(0x7fffffffffffffffLL, (long long)big, &r);
	printf("mul_overflow: %d %lld\n", ovf, r);
	ovf = __builtin_add_overflow((long long)big, (long long)big, &r);
	printf("add_overflow: %d %lld\n", ovf, r);
	ovf = __builtin_sub_overflow(-5LL, 0x7fffffffffffffffLL, &r);
	printf("sub_overflow: %d %lld\n", ovf, r);
	unsigned ur;
	ovf = __builtin_add_overflow(0xffffffffu, 1u, &ur);
	printf("uadd_overflow: %d %u\n", ovf, ur);
	return 0;
}
