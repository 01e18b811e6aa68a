// Float <-> integer conversion instructions at and beyond their limits,
// where C leaves the result undefined but RISC-V defines it (saturation,
// NaN -> max).  Also fclass, fmin/fmax, sign injection, NaN boxing and
// canonical NaNs, with the fflags each instruction raises.
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t dbits(double d) {
	uint64_t u;
	memcpy(&u, &d, 8);
	return u;
}
static double bitsd(uint64_t u) {
	double d;
	memcpy(&d, &u, 8);
	return d;
}
static uint32_t fbits(float f) {
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}
static float bitsf(uint32_t u) {
	float f;
	memcpy(&f, &u, 4);
	return f;
}

static unsigned rdflags(void) {
	unsigned long f;
	__asm__ volatile("frflags %0" : "=r"(f));
	return (unsigned)f;
}
static void clrflags(void) { __asm__ volatile("fsflags zero"); }

// Formats fflags; rotates through buffers so it can be used several times
// in one printf call.
static const char *fl(unsigned f) {
	static char bufs[16][8];
	static unsigned n;
	char *buf = bufs[n++ % 16];
	buf[0] = f & 16 ? 'V' : '-'; // invalid
	buf[1] = f & 8 ? 'Z' : '-';  // divide by zero
	buf[2] = f & 4 ? 'O' : '-';  // overflow
	buf[3] = f & 2 ? 'U' : '-';  // underflow
	buf[4] = f & 1 ? 'X' : '-';  // inexact
	buf[5] = 0;
	return buf;
}

#define CVT_FROM_D(name, insn, rm)                                                    \
	static int64_t name(double d, unsigned *fo) {                                     \
		int64_t r;                                                                    \
		clrflags();                                                                   \
		__asm__ volatile(insn " %0, %1, " rm : "=r"(r) : "f"(d));                    \
		*fo = rdflags();                                                              \
		return r;                                                                     \
	}
CVT_FROM_D(w_d, "fcvt.w.d", "rtz")
CVT_FROM_D(wu_d, "fcvt.wu.d", "rtz")
CVT_FROM_D(l_d, "fcvt.l.d", "rtz")
CVT_FROM_D(lu_d, "fcvt.lu.d", "rtz")
CVT_FROM_D(w_d_rne, "fcvt.w.d", "rne")
CVT_FROM_D(l_d_rdn, "fcvt.l.d", "rdn")
CVT_FROM_D(l_d_rup, "fcvt.l.d", "rup")
CVT_FROM_D(l_d_rmm, "fcvt.l.d", "rmm")

#define CVT_FROM_S(name, insn)                                                        \
	static int64_t name(float f, unsigned *fo) {                                      \
		int64_t r;                                                                    \
		clrflags();                                                                   \
		__asm__ volatile(insn " %0, %1, rtz" : "=r"(r) : "f"(f));                    \
		*fo = rdflags();                                                              \
		return r;                                                                     \
	}
CVT_FROM_S(w_s, "fcvt.w.s")
CVT_FROM_S(wu_s, "fcvt.wu.s")
CVT_FROM_S(l_s, "fcvt.l.s")
CVT_FROM_S(lu_s, "fcvt.lu.s")

static uint64_t fclass_d(double d) {
	uint64_t r;
	__asm__ volatile("fclass.d %0, %1" : "=r"(r) : "f"(d));
	return r;
}
static uint64_t fclass_s(float f) {
	uint64_t r;
	__asm__ volatile("fclass.s %0, %1" : "=r"(r) : "f"(f));
	return r;
}

#define BIN_D(name, insn)                                                             \
	static double name(double a, double b, unsigned *fo) {                            \
		double r;                                                                     \
		clrflags();                                                                   \
		__asm__ volatile(insn " %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));             \
		*fo = rdflags();                                                              \
		return r;                                                                     \
	}
BIN_D(fmin_d, "fmin.d")
BIN_D(fmax_d, "fmax.d")
BIN_D(fsgnj_d, "fsgnj.d")
BIN_D(fsgnjn_d, "fsgnjn.d")
BIN_D(fsgnjx_d, "fsgnjx.d")
BIN_D(fadd_d, "fadd.d")
BIN_D(fmul_d, "fmul.d")
BIN_D(fdiv_d, "fdiv.d")

#define CMP_D(name, insn)                                                             \
	static int64_t name(double a, double b, unsigned *fo) {                           \
		int64_t r;                                                                    \
		clrflags();                                                                   \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "f"(a), "f"(b));             \
		*fo = rdflags();                                                              \
		return r;                                                                     \
	}
CMP_D(feq_d, "feq.d")
CMP_D(flt_d, "flt.d")
CMP_D(fle_d, "fle.d")

int main(void) {
	const double qnan = bitsd(0x7ff8000000000000ULL), snan = bitsd(0x7ff0000000000001ULL),
	             nnan = bitsd(0xfff8000000000123ULL);
	const double dv[] = {
		0.0, -0.0, 0.4, 0.5, 0.6, 1.5, 2.5, -0.5, -1.5, -2.5, -0.9,
		2147483647.0, 2147483647.5, 2147483648.0, -2147483648.0, -2147483648.5, -2147483649.0,
		4294967295.0, 4294967296.0, -1.0, 9223372036854774784.0, 9223372036854775808.0,
		-9223372036854775808.0, -9223372036854777856.0, 18446744073709549568.0,
		18446744073709551616.0, 1e30, -1e30, INFINITY, -INFINITY, qnan, snan, nnan,
		DBL_TRUE_MIN, -DBL_TRUE_MIN,
	};
	for (unsigned i = 0; i < sizeof dv / sizeof dv[0]; i++) {
		double d = dv[i];
		unsigned f1, f2, f3, f4, f5, f6, f7, f8;
		int64_t a = w_d(d, &f1), b = wu_d(d, &f2), c = l_d(d, &f3), e = lu_d(d, &f4);
		int64_t g = w_d_rne(d, &f5), h = l_d_rdn(d, &f6), k = l_d_rup(d, &f7), m = l_d_rmm(d, &f8);
		printf("%016llx: w=%llx %s wu=%llx %s l=%llx %s lu=%llx %s | w.rne=%lld %s l.rdn=%lld %s l.rup=%lld %s l.rmm=%lld %s | class=%03llx\n",
		       (unsigned long long)dbits(d), (unsigned long long)a, fl(f1),
		       (unsigned long long)b, fl(f2), (unsigned long long)c, fl(f3),
		       (unsigned long long)e, fl(f4), (long long)g, fl(f5), (long long)h, fl(f6),
		       (long long)k, fl(f7), (long long)m, fl(f8), (unsigned long long)fclass_d(d));
	}
	const float fv[] = {0.0f, -0.0f, 0.5f, 1.5f, -1.5f, 2147483520.0f, 2147483648.0f,
	                    -2147483648.0f, -2147483904.0f, 4294967040.0f, 4294967296.0f,
	                    9223371487098961920.0f, 9223372036854775808.0f, -9223372036854775808.0f,
	                    18446742974197923840.0f, 18446744073709551616.0f, -1.0f, INFINITY,
	                    -INFINITY, bitsf(0x7fc00000u), bitsf(0x7f800001u), bitsf(0xffc00001u),
	                    FLT_TRUE_MIN, FLT_MIN, -FLT_MIN};
	for (unsigned i = 0; i < sizeof fv / sizeof fv[0]; i++) {
		float f = fv[i];
		unsigned f1, f2, f3, f4;
		int64_t a = w_s(f, &f1), b = wu_s(f, &f2), c = l_s(f, &f3), e = lu_s(f, &f4);
		printf("%08x: w=%llx %s wu=%llx %s l=%llx %s lu=%llx %s class=%03llx\n", fbits(f),
		       (unsigned long long)a, fl(f1), (unsigned long long)b, fl(f2),
		       (unsigned long long)c, fl(f3), (unsigned long long)e, fl(f4),
		       (unsigned long long)fclass_s(f));
	}

	// Integer -> float conversions with rounding.
	const int64_t iv[] = {0, 1, -1, 16777217, -16777217, 2147483647, -2147483647 - 1,
	                      9007199254740993LL, -9007199254740993LL, INT64_MAX, INT64_MIN};
	for (unsigned i = 0; i < sizeof iv / sizeof iv[0]; i++) {
		int64_t x = iv[i];
		double d1, d2, d3;
		float s1, s2;
		unsigned fa, fb, fc, fd;
		clrflags();
		__asm__ volatile("fcvt.d.l %0, %1" : "=f"(d1) : "r"(x));
		fa = rdflags();
		clrflags();
		__asm__ volatile("fcvt.d.lu %0, %1" : "=f"(d2) : "r"(x));
		fb = rdflags();
		__asm__ volatile("fcvt.d.w %0, %1" : "=f"(d3) : "r"(x));
		clrflags();
		__asm__ volatile("fcvt.s.l %0, %1" : "=f"(s1) : "r"(x));
		fc = rdflags();
		clrflags();
		__asm__ volatile("fcvt.s.wu %0, %1" : "=f"(s2) : "r"(x));
		fd = rdflags();
		printf("int %lld: d.l=%a %s d.lu=%a %s d.w=%a s.l=%a %s s.wu=%a %s\n", (long long)x, d1,
		       fl(fa), d2, fl(fb), d3, s1, fl(fc), s2, fl(fd));
	}

	// fmin/fmax/sign injection/compare with zeros and NaNs.
	const double ops[] = {0.0, -0.0, 1.0, -2.0, INFINITY, qnan, snan, nnan};
	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 8; j++) {
			double a = ops[i], b = ops[j];
			unsigned f1, f2, f3, f4, f5, f6, f7, f8, f9;
			double mn = fmin_d(a, b, &f1), mx = fmax_d(a, b, &f2);
			double s1 = fsgnj_d(a, b, &f3), s2 = fsgnjn_d(a, b, &f3), s3 = fsgnjx_d(a, b, &f3);
			double ad = fadd_d(a, b, &f4), mu = fmul_d(a, b, &f5), dv2 = fdiv_d(a, b, &f6);
			int64_t eq = feq_d(a, b, &f7), lt = flt_d(a, b, &f8), le = fle_d(a, b, &f9);
			printf("%016llx %016llx: min=%016llx %s max=%016llx %s sgnj=%016llx sgnjn=%016llx sgnjx=%016llx "
			       "add=%016llx %s mul=%016llx %s div=%016llx %s eq=%lld %s lt=%lld %s le=%lld %s\n",
			       (unsigned long long)dbits(a), (unsigned long long)dbits(b),
			       (unsigned long long)dbits(mn), fl(f1), (unsigned long long)dbits(mx), fl(f2),
			       (unsigned long long)dbits(s1), (unsigned long long)dbits(s2),
			       (unsigned long long)dbits(s3), (unsigned long long)dbits(ad), fl(f4),
			       (unsigned long long)dbits(mu), fl(f5), (unsigned long long)dbits(dv2), fl(f6),
			       (long long)eq, fl(f7), (long long)lt, fl(f8), (long long)le, fl(f9));
		}

	// NaN boxing: a single-precision value in a 64-bit register must have
	// its upper 32 bits all ones, otherwise it reads as the canonical NaN.
	const uint64_t boxes[] = {0xffffffff3f800000ULL, 0x000000003f800000ULL, 0xfffffffe3f800000ULL,
	                          0xffffffff7fc00000ULL, 0x3ff0000000000000ULL};
	for (unsigned i = 0; i < sizeof boxes / sizeof boxes[0]; i++) {
		uint64_t in = boxes[i], out1, out2, mvx, cls;
		__asm__ volatile("fmv.d.x ft0, %[in]\n\t"
		                 "fadd.s ft1, ft0, ft0\n\t"
		                 "fmv.x.d %[o1], ft1\n\t"
		                 "fmv.x.w %[mvx], ft0\n\t"
		                 "fclass.s %[cls], ft0\n\t"
		                 "fsgnj.s ft1, ft0, ft0\n\t"
		                 "fmv.x.d %[o2], ft1"
		                 : [o1] "=&r"(out1), [mvx] "=&r"(mvx), [cls] "=&r"(cls), [o2] "=&r"(out2)
		                 : [in] "r"(in)
		                 : "ft0", "ft1");
		printf("box %016llx: fadd.s x,x -> %016llx fmv.x.w=%016llx fclass.s=%03llx fsgnj.s -> %016llx\n",
		       (unsigned long long)in, (unsigned long long)out1, (unsigned long long)mvx,
		       (unsigned long long)cls, (unsigned long long)out2);
	}
	// fmv.x.w sign-extends; fcvt.s.d and fcvt.d.s of NaNs produce canonical NaNs.
	uint64_t mv;
	float neg = -2.0f;
	__asm__ volatile("fmv.x.w %0, %1" : "=r"(mv) : "f"(neg));
	printf("fmv.x.w(-2.0f) = %016llx\n", (unsigned long long)mv);
	float nf;
	double nd;
	__asm__ volatile("fcvt.s.d %0, %1" : "=f"(nf) : "f"(nnan));
	__asm__ volatile("fcvt.d.s %0, %1" : "=f"(nd) : "f"(bitsf(0xff800001u)));
	printf("fcvt.s.d(nan)=%08x fcvt.d.s(snan)=%016llx\n", fbits(nf), (unsigned long long)dbits(nd));
	// fsqrt of negative, fdiv by zero, 0/0, all give canonical NaN / flags.
	double r;
	clrflags();
	__asm__ volatile("fsqrt.d %0, %1" : "=f"(r) : "f"(-4.0));
	printf("fsqrt.d(-4) = %016llx %s\n", (unsigned long long)dbits(r), fl(rdflags()));
	clrflags();
	__asm__ volatile("fmadd.d %0, %1, %2, %3" : "=f"(r) : "f"((double)INFINITY), "f"(0.0), "f"(qnan));
	printf("fmadd.d(inf,0,qnan) = %016llx %s\n", (unsigned long long)dbits(r), fl(rdflags()));
	clrflags();
	__asm__ volatile("fnmsub.d %0, %1, %2, %3" : "=f"(r) : "f"(2.0), "f"(3.0), "f"(1.0));
	printf("fnmsub.d(2,3,1) = %a %s\n", r, fl(rdflags()));
	clrflags();
	__asm__ volatile("fnmadd.d %0, %1, %2, %3" : "=f"(r) : "f"(2.0), "f"(3.0), "f"(1.0));
	printf("fnmadd.d(2,3,1) = %a %s\n", r, fl(rdflags()));
	clrflags();
	__asm__ volatile("fmsub.d %0, %1, %2, %3" : "=f"(r) : "f"(0.1), "f"(10.0), "f"(1.0));
	printf("fmsub.d(0.1,10,1) = %a %s\n", r, fl(rdflags()));
	// frm/fcsr CSR access.
	unsigned long old, fcsr;
	__asm__ volatile("fsrmi %0, 3" : "=r"(old));
	__asm__ volatile("frcsr %0" : "=r"(fcsr));
	printf("fsrmi old=%lu fcsr=%#lx\n", old, fcsr);
	__asm__ volatile("fsrm %0" : : "r"(0UL));
	__asm__ volatile("fscsr %0, %1" : "=r"(old) : "r"(0xffUL));
	__asm__ volatile("frcsr %0" : "=r"(fcsr));
	printf("fscsr 0xff: old=%#lx now=%#lx frm=%lu\n", old, fcsr, (fcsr >> 5) & 7);
	__asm__ volatile("fscsr zero");
	return 0;
}
