// printf floating-point conversions: %e %E %f %F %g %G %a %A with flags,
// widths and precisions, on ordinary, tiny, huge and special values.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int main(void) {
	volatile double zero = 0.0;
	double vals[] = {
		0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 1.0 / 3.0, 2.0 / 3.0, 3.14159265358979323846,
		-2.718281828459045, 123456789.0, 1e-5, 9.999999e-5, 0.00001234, 1e15, 1e16,
		1e17, 1e22, 1e23, 1e100, 1e300, DBL_MAX, -DBL_MAX, DBL_MIN, DBL_MIN / 2,
		DBL_TRUE_MIN, DBL_EPSILON, 0.95, 0.995, 9.5, 10.5, 0.125, 2.5, 3.5, -2.5,
		1e21, 999999.5, 9999999999999998.0, 5e-324, 1.7976931348623157e308,
		1.0 / zero, -1.0 / zero, zero / zero, -(zero / zero),
	};
	static const char *fmts[] = {
		"%e", "%E", "%.0e", "%#.0e", "%.3e", "%+.10e", "%15.4e", "%-15.4e|", "%015.4e",
		"%f", "%F", "%.0f", "%#.0f", "%.1f", "%.10f", "%+f", "% f", "%20.6f", "%-20.6f|",
		"%020.6f", "%g", "%G", "%.0g", "%.1g", "%.3g", "%#g", "%#.3g", "%.17g", "%20g",
		"%-+20.10g|", "%a", "%A", "%.0a", "%.3a", "%.13a", "%#a", "%+a", "%25a", "%-25A|",
	};
	for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		printf("value %u:\n", i);
		for (unsigned f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
			char buf[512];
			snprintf(buf, sizeof buf, fmts[f], vals[i]);
			printf("  %-10s [%s]\n", fmts[f], buf);
		}
	}
	// Floats are promoted to double; check float boundary values.
	float fv[] = {FLT_MAX, FLT_MIN, FLT_TRUE_MIN, FLT_EPSILON, 16777217.0f, 0.1f, 1e-40f};
	for (unsigned i = 0; i < sizeof fv / sizeof fv[0]; i++)
		printf("float %u: %.9g %a %e %.30f\n", i, fv[i], fv[i], fv[i], fv[i]);
	// Long double (IEEE quad on riscv64, implemented in software).
	long double lv[] = {1.0L / 3.0L, LDBL_MAX, LDBL_MIN, LDBL_EPSILON, 1e4000L, -0.0L,
	                    3.14159265358979323846264338327950288L};
	for (unsigned i = 0; i < sizeof lv / sizeof lv[0]; i++)
		printf("ldbl %u: %.36Lg %La %.5Le %Lf\n", i, lv[i], lv[i], lv[i],
		       i == 1 || i == 4 ? 0.0L : lv[i]);
	// Very long %f output.
	printf("DBL_MAX %%f: %f\n", DBL_MAX);
	printf("DBL_TRUE_MIN %%.1074f tail: %s\n", "(below)");
	char big[1200];
	snprintf(big, sizeof big, "%.1074f", DBL_TRUE_MIN);
	printf("  len=%zu last20=%s\n", strlen(big), big + strlen(big) - 20);
	// Rounding of halfway cases in decimal output.
	for (int i = 0; i < 20; i++) {
		double x = i + 0.5;
		printf("%.0f %.1f %.2f | ", x, x / 10, x / 100);
	}
	putchar('\n');
	// Repeated arithmetic to make sure printing of accumulated values matches.
	double acc = 0;
	for (int i = 1; i <= 100; i++) {
		acc += 1.0 / i;
		if (i % 10 == 0)
			printf("H(%d) = %.17g = %a\n", i, acc, acc);
	}
	return 0;
}
