// The floating-point environment: rounding modes (the frm CSR) and the
// accrued exception flags (fflags).  Operands are volatile so that every
// operation happens at run time under the selected mode.
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

static const struct {
	int mode;
	const char *name;
} modes[] = {
	{FE_TONEAREST, "nearest"},
	{FE_UPWARD, "upward"},
	{FE_DOWNWARD, "downward"},
	{FE_TOWARDZERO, "towardzero"},
};

static void flags(const char *what) {
	int f = fetestexcept(FE_ALL_EXCEPT);
	printf("  %-28s flags:%s%s%s%s%s%s\n", what, f & FE_INEXACT ? " INEXACT" : "",
	       f & FE_DIVBYZERO ? " DIVBYZERO" : "", f & FE_INVALID ? " INVALID" : "",
	       f & FE_OVERFLOW ? " OVERFLOW" : "", f & FE_UNDERFLOW ? " UNDERFLOW" : "",
	       f ? "" : " none");
}

int main(void) {
	volatile double one = 1.0, three = 3.0, ten = 10.0, zero = 0.0, big = DBL_MAX,
	                tiny = DBL_MIN, m2 = -2.0;
	volatile float fone = 1.0f, fthree = 3.0f, fbig = FLT_MAX, ftiny = FLT_MIN;
	const double rv[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999999, 1e15 + 0.5, -7.7, 0.0,
	                     -0.0};

	printf("default mode is nearest: %d\n", fegetround() == FE_TONEAREST);
	for (unsigned m = 0; m < 4; m++) {
		int rc = fesetround(modes[m].mode);
		printf("mode %s: fesetround=%d fegetround-matches=%d\n", modes[m].name, rc,
		       fegetround() == modes[m].mode);
		volatile double r;
		r = one / three;
		printf("  1/3 = %a\n", r);
		r = -one / three;
		printf("  -1/3 = %a\n", r);
		r = (one + DBL_EPSILON / 2) + DBL_EPSILON / 4;
		printf("  1+eps/2+eps/4 = %a\n", r);
		r = sqrt(three);
		printf("  sqrt(3) = %a\n", r);
		r = ten * tiny / three;
		printf("  10*DBL_MIN/3 = %a\n", r);
		r = big * ten;
		printf("  DBL_MAX*10 = %a\n", r);
		r = -big * ten;
		printf("  -DBL_MAX*10 = %a\n", r);
		r = big + big / 1e17;
		printf("  DBL_MAX+DBL_MAX/1e17 = %a\n", r);
		r = fma(one / three, three, -one);
		printf("  fma(1/3,3,-1) = %a\n", r);
		r = one - one;
		printf("  1-1 = %a (sign matters in downward mode)\n", r);
		volatile float fr = fone / fthree;
		printf("  1f/3f = %a\n", fr);
		fr = fbig * 2.0f;
		printf("  FLT_MAX*2 = %a\n", fr);
		fr = (float)(one / three);
		printf("  (float)(1/3) = %a\n", fr);
		fr = (float)three / 7.0f;
		printf("  3f/7f = %a\n", fr);
		for (unsigned i = 0; i < sizeof rv / sizeof rv[0]; i++) {
			volatile double x = rv[i];
			printf("  x=%a rint=%a nearbyint=%a lrint=%ld llrint=%lld rintf=%a lrintf=%ld (int)x=%d\n",
			       x, rint(x), nearbyint(x), lrint(x), llrint(x), rintf((float)x),
			       lrintf((float)x), (int)x);
		}
		// Integer to float conversions that must round.
		volatile long long li = 0x7ffffffffffffdffLL;
		volatile unsigned long long lu = 0xfffffffffffffbffULL;
		volatile int ii = 16777217 + 2;
		printf("  (double)%lld = %a (double)%llu = %a (float)%d = %a (float)ll = %a\n", li,
		       (double)li, lu, (double)lu, ii, (float)ii, (float)li);
		// Decimal printing and parsing follow the rounding mode too.
		printf("  printf 0.1 %%.3f=%.3f %%.20f=%.20f %%.2e of 2/3=%.2e\n", 0.1, 0.1,
		       2.0 / three);
		(void)m2;
	}
	fesetround(FE_TONEAREST);

	// Exception flags.
	printf("exceptions:\n");
	feclearexcept(FE_ALL_EXCEPT);
	flags("after clear");
	volatile double r;
	r = one + one;
	flags("1+1");
	r = one / three;
	flags("1/3");
	feclearexcept(FE_ALL_EXCEPT);
	r = one / zero;
	flags("1/0");
	feclearexcept(FE_ALL_EXCEPT);
	r = zero / zero;
	flags("0/0");
	feclearexcept(FE_ALL_EXCEPT);
	r = sqrt(m2);
	flags("sqrt(-2)");
	feclearexcept(FE_ALL_EXCEPT);
	r = big * ten;
	flags("DBL_MAX*10");
	feclearexcept(FE_ALL_EXCEPT);
	r = tiny / ten;
	flags("DBL_MIN/10");
	feclearexcept(FE_ALL_EXCEPT);
	r = tiny / 2.0;
	flags("DBL_MIN/2 (exact subnormal)");
	feclearexcept(FE_ALL_EXCEPT);
	r = tiny * tiny;
	flags("DBL_MIN*DBL_MIN");
	feclearexcept(FE_ALL_EXCEPT);
	volatile float fr = fbig * fbig;
	flags("FLT_MAX*FLT_MAX");
	feclearexcept(FE_ALL_EXCEPT);
	fr = ftiny / 3.0f;
	flags("FLT_MIN/3");
	feclearexcept(FE_ALL_EXCEPT);
	fr = (float)big;
	flags("(float)DBL_MAX");
	feclearexcept(FE_ALL_EXCEPT);
	fr = (float)(one / three);
	flags("(float)(1/3)");
	feclearexcept(FE_ALL_EXCEPT);
	volatile double inf = one / zero;
	feclearexcept(FE_ALL_EXCEPT);
	r = inf - inf;
	flags("inf-inf");
	feclearexcept(FE_ALL_EXCEPT);
	r = inf * zero;
	flags("inf*0");
	feclearexcept(FE_ALL_EXCEPT);
	r = inf + one;
	flags("inf+1");
	feclearexcept(FE_ALL_EXCEPT);
	volatile double qn = zero / zero;
	feclearexcept(FE_ALL_EXCEPT);
	volatile int c1 = qn < one;
	flags("qnan < 1 (signaling compare)");
	feclearexcept(FE_ALL_EXCEPT);
	volatile int c2 = qn == one;
	flags("qnan == 1 (quiet compare)");
	feclearexcept(FE_ALL_EXCEPT);
	volatile int c3 = isless(qn, one);
	flags("isless(qnan, 1)");
	printf("  compares: %d %d %d\n", c1, c2, c3);
	feclearexcept(FE_ALL_EXCEPT);
	volatile double d1e10 = 1e10;
	volatile int iv = (int)d1e10 /* out of range: invalid */;
	(void)iv;
	flags("(int)1e10");
	feclearexcept(FE_ALL_EXCEPT);
	volatile double d25 = 2.5;
	iv = (int)d25;
	flags("(int)2.5");
	feclearexcept(FE_ALL_EXCEPT);
	r = exp(1000.0 * one);
	flags("exp(1000)");
	feclearexcept(FE_ALL_EXCEPT);
	r = log(zero);
	flags("log(0)");
	feclearexcept(FE_ALL_EXCEPT);
	r = pow(zero, -one);
	flags("pow(0,-1)");
	(void)r;
	(void)fr;

	// Raise and test individual flags; save and restore the environment.
	feclearexcept(FE_ALL_EXCEPT);
	feraiseexcept(FE_OVERFLOW | FE_INEXACT);
	flags("feraiseexcept(OVERFLOW|INEXACT)");
	fexcept_t saved;
	fegetexceptflag(&saved, FE_ALL_EXCEPT);
	feclearexcept(FE_OVERFLOW);
	flags("clear OVERFLOW");
	fesetexceptflag(&saved, FE_ALL_EXCEPT);
	flags("fesetexceptflag(saved)");
	fenv_t env;
	fesetround(FE_UPWARD);
	fegetenv(&env);
	fesetround(FE_DOWNWARD);
	feclearexcept(FE_ALL_EXCEPT);
	fesetenv(&env);
	printf("  fesetenv restores round upward: %d\n", fegetround() == FE_UPWARD);
	flags("after fesetenv");
	fesetenv(FE_DFL_ENV);
	printf("  FE_DFL_ENV nearest: %d\n", fegetround() == FE_TONEAREST);
	flags("after FE_DFL_ENV");
	feraiseexcept(FE_DIVBYZERO);
	int hold = feholdexcept(&env);
	flags("after feholdexcept");
	r = one / three;
	feupdateenv(&env);
	printf("  feholdexcept rc=%d\n", hold);
	flags("after feupdateenv");
	return 0;
}
