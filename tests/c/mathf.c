// libm in single and quad (long double) precision, plus float arithmetic
// directly: float ops are separate instructions (fadd.s etc.) on RISC-V
// and long double is done in software by libgcc.
#include <float.h>
#include <math.h>
#include <stdio.h>

int main(void) {
	volatile float fz = 0.0f;
	float finf = 1.0f / fz, fnan = fz / fz;
	const float fx[] = {0.0f, -0.0f, 1e-40f, 0.1f, 0.5f, 1.0f, 1.5f, 2.0f, 3.1415927f, 10.0f,
	                    100.25f, 1e10f, -0.75f, -2.5f, -1e5f, FLT_MAX, FLT_MIN, finf, -finf, fnan};
	const int nf = sizeof fx / sizeof fx[0];
	for (int i = 0; i < nf; i++) {
		float x = fx[i];
		printf("x=%a: sinf=%a cosf=%a tanf=%a expf=%a logf=%a log2f=%a log10f=%a sqrtf=%a cbrtf=%a\n",
		       x, sinf(x), cosf(x), tanf(x), expf(x), logf(x), log2f(x), log10f(x), sqrtf(x),
		       cbrtf(x));
		printf("  floorf=%a ceilf=%a roundf=%a truncf=%a rintf=%a atanf=%a tanhf=%a powf(x,1.5)=%a powf(2,x)=%a\n",
		       floorf(x), ceilf(x), roundf(x), truncf(x), rintf(x), atanf(x), tanhf(x),
		       powf(x, 1.5f), powf(2.0f, x));
		int e;
		float m = frexpf(x, &e);
		float ip, fp = modff(x, &ip);
		printf("  frexpf=%a,%d modff=%a,%a ldexpf(x,5)=%a fmodf(x,0.7)=%a remainderf(x,0.7)=%a hypotf(x,3)=%a atan2f(x,-1)=%a fmaf(x,x,-1)=%a\n",
		       m, isfinite(x) ? e : 0, fp, ip, ldexpf(x, 5), fmodf(x, 0.7f),
		       remainderf(x, 0.7f), hypotf(x, 3.0f), atan2f(x, -1.0f), fmaf(x, x, -1.0f));
	}
	// Float arithmetic: rounding to single precision on every operation.
	volatile float a = 1.0f, b = 3.0f, c = 1e-8f;
	printf("float ops: %a %a %a %a %a %a\n", a / b, a + c, (a + c) - a, b * b * b * b,
	       sqrtf(b), a / b * b);
	float s = 0;
	for (int i = 1; i <= 10000; i++)
		s += 1.0f / (float)i;
	printf("float harmonic(10000) = %.9g %a\n", s, s);
	double sd = 0;
	for (int i = 1; i <= 10000; i++)
		sd += 1.0f / (float)i;
	printf("mixed harmonic = %.17g\n", sd);
	// float <-> double conversions (rounding on narrowing).
	const double dv[] = {0.1, 1.0 / 3, 16777217.0, 3.4028235677973366e38, 3.5e38, 1e-45, 7e-46,
	                     -1e-50, 1.00000005960464477539};
	for (unsigned i = 0; i < sizeof dv / sizeof dv[0]; i++) {
		volatile double d = dv[i];
		float f = (float)d;
		double back = f;
		printf("narrow %.17g -> %a -> %.17g\n", d, f, back);
	}
	// Long double (binary128).
	volatile long double lz = 0.0L;
	const long double lx[] = {0.0L, 0.1L, 0.5L, 1.0L, 2.0L, 3.14159265358979323846264338327950288L,
	                          10.0L, 1e100L, -0.5L, -7.25L, 1.0L / lz, LDBL_MIN};
	for (unsigned i = 0; i < sizeof lx / sizeof lx[0]; i++) {
		long double x = lx[i];
		printf("L x=%La: sqrtl=%La expl=%La logl=%La sinl=%La cosl=%La\n", x, sqrtl(x), expl(x),
		       logl(x), sinl(x), cosl(x));
		printf("  powl(x,0.5)=%La floorl=%La roundl=%La fmodl(x,3)=%La x*x=%La x/3=%La x+1e-30=%La\n",
		       powl(x, 0.5L), floorl(x), roundl(x), fmodl(x, 3.0L), x * x, x / 3.0L,
		       x + 1e-30L);
	}
	long double acc = 0;
	for (int i = 1; i <= 2000; i++)
		acc += 1.0L / ((long double)i * i);
	printf("basel(2000) = %.33Lg\n", acc);
	long double ld = 1.0L / 3.0L;
	double dd = (double)ld;
	float ff = (float)ld;
	long long ll = (long long)(ld * 1e30L);
	printf("ld conv: %a %a %lld %La %La\n", dd, ff, ll, (long double)dd, (long double)12345678901234567LL);
	return 0;
}
