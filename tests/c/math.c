// libm in double precision: every function is evaluated on a grid of
// arguments (including special values) and printed with %.17g and %a so
// that a single-ulp difference is visible.
#include <float.h>
#include <math.h>
#include <stdio.h>

static void p1(const char *name, double (*f)(double), const double *xs, int n) {
	for (int i = 0; i < n; i++) {
		double r = f(xs[i]);
		printf("%s(%.17g) = %.17g %a\n", name, xs[i], r, r);
	}
}
static void p2(const char *name, double (*f)(double, double), const double *xs, int n,
               const double *ys, int m) {
	for (int i = 0; i < n; i++)
		for (int j = 0; j < m; j++) {
			double r = f(xs[i], ys[j]);
			printf("%s(%.17g, %.17g) = %.17g %a\n", name, xs[i], ys[j], r, r);
		}
}

int main(void) {
	volatile double zero = 0.0;
	double inf = 1.0 / zero, nan = zero / zero;
	const double gen[] = {0.0, -0.0, 1e-300, 1e-10, 0.1, 0.5, 0.7853981633974483, 1.0,
	                      1.5707963267948966, 2.0, 3.141592653589793, 10.0, 100.5, 1e6,
	                      1e22, -0.25, -1.0, -3.5, -1e5, inf, -inf, nan, DBL_MAX,
	                      DBL_MIN, 4.9e-324};
	const int ng = sizeof gen / sizeof gen[0];
	const double pos[] = {1e-310, 1e-5, 0.5, 1.0, 1.0000001, 2.0, 2.718281828459045, 10.0,
	                      1024.0, 1e100, DBL_MAX, 0.0, -1.0, inf, nan};
	const int np = sizeof pos / sizeof pos[0];

	p1("sin", sin, gen, ng);
	p1("cos", cos, gen, ng);
	p1("tan", tan, gen, ng);
	p1("asin", asin, gen, ng);
	p1("acos", acos, gen, ng);
	p1("atan", atan, gen, ng);
	p1("sinh", sinh, gen, ng);
	p1("cosh", cosh, gen, ng);
	p1("tanh", tanh, gen, ng);
	p1("exp", exp, gen, ng);
	p1("exp2", exp2, gen, ng);
	p1("expm1", expm1, gen, ng);
	p1("log", log, pos, np);
	p1("log2", log2, pos, np);
	p1("log10", log10, pos, np);
	p1("log1p", log1p, gen, ng);
	p1("sqrt", sqrt, pos, np);
	p1("cbrt", cbrt, gen, ng);
	p1("floor", floor, gen, ng);
	p1("ceil", ceil, gen, ng);
	p1("round", round, gen, ng);
	p1("trunc", trunc, gen, ng);
	p1("rint", rint, gen, ng);
	p1("nearbyint", nearbyint, gen, ng);
	p1("fabs", fabs, gen, ng);
	p1("erf", erf, gen, ng);
	p1("tgamma", tgamma, pos, np);
	p1("lgamma", lgamma, pos, np);

	const double ys[] = {0.0, -0.0, 0.5, 1.0, 2.0, 3.0, -1.0, -2.5, 1e-300, inf, -inf, nan};
	const int ny = sizeof ys / sizeof ys[0];
	const double xs2[] = {0.0, -0.0, 1.0, -1.0, 2.0, -8.0, 0.5, 10.0, 1e300, inf, -inf, nan};
	const int nx2 = sizeof xs2 / sizeof xs2[0];
	p2("pow", pow, xs2, nx2, ys, ny);
	p2("atan2", atan2, xs2, nx2, ys, ny);
	p2("hypot", hypot, xs2, nx2, ys, ny);
	p2("fmod", fmod, xs2, nx2, ys, ny);
	p2("remainder", remainder, xs2, nx2, ys, ny);
	p2("fmin", fmin, xs2, nx2, ys, ny);
	p2("fmax", fmax, xs2, nx2, ys, ny);
	p2("copysign", copysign, xs2, nx2, ys, ny);
	p2("nextafter", nextafter, xs2, nx2, ys, ny);
	p2("fdim", fdim, xs2, nx2, ys, ny);

	// fma: the single rounding is visible in these cases.
	const double fa[] = {0.1, 1.0 + DBL_EPSILON, -1.0, 1e308, 3.0, 0.0, -0.0, inf};
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j += 3) {
			double a = fa[i], b = fa[(i + j) % 8], c = -fa[j];
			double r = fma(a, b, c);
			printf("fma(%a, %a, %a) = %a; a*b+c = %a\n", a, b, c, r, a * b + c);
		}

	// Decomposition functions.
	for (int i = 0; i < ng; i++) {
		int e;
		double m = frexp(gen[i], &e);
		double ip, fp = modf(gen[i], &ip);
		printf("frexp(%a) = %a, %d; modf = %a, %a; ldexp(x,-3)=%a ldexp(x,1000)=%a ilogb=%d logb=%a scalbn(x,-1080)=%a\n",
		       gen[i], m, e, fp, ip, ldexp(gen[i], -3), ldexp(gen[i], 1000),
		       isnan(gen[i]) || gen[i] == 0 || isinf(gen[i]) ? 0 : ilogb(gen[i]), logb(gen[i]),
		       scalbn(gen[i], -1080));
		int quo;
		double rq = remquo(gen[i], 0.75, &quo);
		printf("  remquo(x,0.75) = %a quo&7=%d lround=%ld llrint=%lld fpclassify=%d signbit=%d\n",
		       rq, isnan(rq) ? 0 : quo & 7,
		       fabs(gen[i]) < 1e18 ? lround(gen[i]) : 0L,
		       fabs(gen[i]) < 1e18 ? llrint(gen[i]) : 0LL, fpclassify(gen[i]),
		       signbit(gen[i]) != 0);
	}
	// A little numerical computation: Newton iteration and series.
	double x = 1.0;
	for (int i = 0; i < 8; i++) {
		x = x - (x * x * x - 2.0) / (3.0 * x * x);
		printf("newton cbrt2 step %d: %.17g\n", i, x);
	}
	double pi = 0;
	for (int k = 0; k < 100000; k++)
		pi += (k % 2 ? -4.0 : 4.0) / (2 * k + 1);
	printf("leibniz pi = %.17g\n", pi);
	return 0;
}
