// C11 atomics and GCC __atomic builtins on 8/16/32/64-bit objects in a
// single thread.  RISC-V has AMOs only for 32 and 64 bits; gcc lowers 8- and
// 16-bit operations to LR/SC loops on the containing aligned word, so the
// neighbouring bytes must come through untouched.
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

struct words {
	uint8_t pre;
	_Atomic uint8_t u8;
	_Atomic int16_t s16;
	_Atomic int32_t s32;
	uint32_t guard;
	_Atomic uint64_t u64;
	_Atomic int64_t s64;
	_Atomic uint16_t u16;
	uint16_t post;
};

int main(void) {
	struct words w = {.pre = 0xa5, .guard = 0xdeadbeef, .post = 0x5a5a};
	atomic_init(&w.u8, 250);
	atomic_init(&w.s16, -3);
	atomic_init(&w.s32, 0x7ffffffe);
	atomic_init(&w.u64, 0xfffffffffffffff0ULL);
	atomic_init(&w.s64, -5);
	atomic_init(&w.u16, 0xfff0);

	for (int i = 0; i < 6; i++) {
		uint8_t o8 = atomic_fetch_add(&w.u8, 3);
		int16_t o16 = atomic_fetch_sub(&w.s16, 20000);
		int32_t o32 = atomic_fetch_add(&w.s32, 1);
		uint64_t o64 = atomic_fetch_add(&w.u64, 5);
		int64_t os = atomic_fetch_sub(&w.s64, INT64_MAX / 3);
		uint16_t ou = atomic_fetch_add_explicit(&w.u16, 7, memory_order_relaxed);
		printf("add %d: u8 %u->%u s16 %d->%d s32 %d->%d u64 %llu->%llu s64 %lld->%lld u16 %u->%u\n", i,
		       o8, atomic_load(&w.u8), o16, atomic_load(&w.s16), o32, atomic_load(&w.s32),
		       (unsigned long long)o64, (unsigned long long)atomic_load(&w.u64), (long long)os,
		       (long long)atomic_load(&w.s64), ou, atomic_load(&w.u16));
	}
	static const uint64_t masks[] = {0x0f0f0f0f0f0f0f0fULL, 0xff00ff00ff00ff00ULL, 0x8000000000000001ULL,
	                                 0, ~0ULL};
	for (unsigned i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		uint64_t m = masks[i];
		uint8_t a8 = atomic_fetch_and(&w.u8, (uint8_t)~m), b8 = atomic_fetch_or(&w.u8, (uint8_t)m),
		        c8 = atomic_fetch_xor(&w.u8, (uint8_t)(m >> 3));
		int16_t a16 = atomic_fetch_or(&w.s16, (int16_t)m), b16 = atomic_fetch_xor(&w.s16, (int16_t)(m >> 8)),
		        c16 = atomic_fetch_and(&w.s16, (int16_t)~(m >> 1));
		int32_t a32 = atomic_fetch_xor(&w.s32, (int32_t)m), b32 = atomic_fetch_and(&w.s32, (int32_t)(m >> 2)),
		        c32 = atomic_fetch_or(&w.s32, (int32_t)(m << 4));
		uint64_t a64 = atomic_fetch_and(&w.u64, m ^ 0x1234), b64 = atomic_fetch_or(&w.u64, m >> 7),
		         c64 = atomic_fetch_xor(&w.u64, m * 3);
		printf("logic %u: u8 %02x %02x %02x=%02x s16 %04x %04x %04x=%04x s32 %08x %08x %08x=%08x "
		       "u64 %016llx %016llx %016llx=%016llx\n",
		       i, a8, b8, c8, atomic_load(&w.u8), (uint16_t)a16, (uint16_t)b16, (uint16_t)c16,
		       (uint16_t)atomic_load(&w.s16), (uint32_t)a32, (uint32_t)b32, (uint32_t)c32,
		       (uint32_t)atomic_load(&w.s32), (unsigned long long)a64, (unsigned long long)b64,
		       (unsigned long long)c64, (unsigned long long)atomic_load(&w.u64));
	}
	// Exchange and compare-exchange (success and failure) on every width.
	uint8_t x8 = atomic_exchange(&w.u8, 0x81);
	int16_t x16 = atomic_exchange(&w.s16, -32768);
	int32_t x32 = atomic_exchange(&w.s32, INT32_MIN);
	uint64_t x64 = atomic_exchange(&w.u64, 0x8000000000000000ULL);
	printf("xchg: %02x %d %d %llx -> %02x %d %d %llx\n", x8, x16, x32, (unsigned long long)x64,
	       atomic_load(&w.u8), atomic_load(&w.s16), atomic_load(&w.s32),
	       (unsigned long long)atomic_load(&w.u64));
	uint8_t e8 = 0x80;
	int ok1 = atomic_compare_exchange_strong(&w.u8, &e8, 0x11);
	int ok2 = atomic_compare_exchange_strong(&w.u8, &e8, 0x22);
	int ok2b = atomic_compare_exchange_strong(&w.u8, &e8, 0x33);
	printf("cas8: %d %d %d expected=%02x val=%02x\n", ok1, ok2, ok2b, e8, atomic_load(&w.u8));
	int16_t e16 = -32768;
	int ok3 = atomic_compare_exchange_strong(&w.s16, &e16, 12345);
	int ok4 = atomic_compare_exchange_strong(&w.s16, &e16, 1);
	printf("cas16: %d %d expected=%d val=%d\n", ok3, ok4, e16, atomic_load(&w.s16));
	int32_t e32 = 0;
	int ok5 = atomic_compare_exchange_strong(&w.s32, &e32, 5);
	int ok6 = atomic_compare_exchange_strong(&w.s32, &e32, -7);
	printf("cas32: %d %d expected=%d val=%d\n", ok5, ok6, e32, atomic_load(&w.s32));
	uint64_t e64 = 0x8000000000000000ULL;
	int ok7 = atomic_compare_exchange_strong(&w.u64, &e64, 0xffffffff00000000ULL);
	int ok8 = atomic_compare_exchange_strong(&w.u64, &e64, 1);
	printf("cas64: %d %d expected=%llx val=%llx\n", ok7, ok8, (unsigned long long)e64,
	       (unsigned long long)atomic_load(&w.u64));
	// Weak CAS loop (may fail spuriously; loop until done).
	int64_t cur = atomic_load(&w.s64);
	while (!atomic_compare_exchange_weak(&w.s64, &cur, cur * 2 + 1))
		;
	printf("weak cas: %lld\n", (long long)atomic_load(&w.s64));
	// A 32-bit value whose upper bit is set: the CAS compare must use the
	// sign-extended form.
	atomic_store(&w.s32, (int32_t)0x80000001);
	int32_t e = (int32_t)0x80000001;
	printf("cas32 signbit: %d val=%08x\n", atomic_compare_exchange_strong(&w.s32, &e, 0x7fffffff),
	       (uint32_t)atomic_load(&w.s32));

	// __atomic builtins with explicit orders, and __sync legacy builtins.
	uint32_t v = 100;
	printf("__atomic: %u %u %u %u %u\n", __atomic_fetch_add(&v, 5, __ATOMIC_SEQ_CST),
	       __atomic_add_fetch(&v, 5, __ATOMIC_ACQUIRE), __atomic_sub_fetch(&v, 200, __ATOMIC_RELEASE),
	       __atomic_fetch_nand(&v, 0xff, __ATOMIC_ACQ_REL), __atomic_load_n(&v, __ATOMIC_RELAXED));
	uint16_t h = 0x1234;
	printf("__atomic nand16: %x %x\n", __atomic_nand_fetch(&h, 0x0ff0, __ATOMIC_SEQ_CST), h);
	unsigned long sv = 7;
	printf("__sync: %lu %lu %d %lu\n", __sync_fetch_and_add(&sv, 3), __sync_val_compare_and_swap(&sv, 10, 99),
	       __sync_bool_compare_and_swap(&sv, 5, 6), __sync_lock_test_and_set(&sv, 1));
	__sync_synchronize();
	atomic_thread_fence(memory_order_seq_cst);
	atomic_flag fl = ATOMIC_FLAG_INIT;
	int t1 = atomic_flag_test_and_set(&fl), t2 = atomic_flag_test_and_set(&fl);
	atomic_flag_clear(&fl);
	int t3 = atomic_flag_test_and_set(&fl);
	printf("flag: %d %d %d\n", t1, t2, t3);
	printf("lock free: %d %d %d %d\n", atomic_is_lock_free(&w.u8), atomic_is_lock_free(&w.s16),
	       atomic_is_lock_free(&w.s32), atomic_is_lock_free(&w.u64));
	// Neighbours must be intact.
	printf("guards: pre=%02x guard=%08x post=%04x\n", w.pre, w.guard, w.post);
	// Bytes of an array updated atomically one by one.
	_Atomic uint8_t arr[16];
	for (int i = 0; i < 16; i++)
		atomic_init(&arr[i], (uint8_t)(i * 17));
	for (int r = 0; r < 50; r++)
		for (int i = 0; i < 16; i++)
			atomic_fetch_add(&arr[i], (uint8_t)(i + r));
	printf("bytes:");
	for (int i = 0; i < 16; i++)
		printf(" %02x", atomic_load(&arr[i]));
	printf("\n");
	return 0;
}
