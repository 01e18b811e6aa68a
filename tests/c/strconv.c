// Conversions between strings and numbers: strtol family, strtod family,
// atoi, sprintf/sscanf round trips.
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
	static const char *ints[] = {
		"0", "42", "-42", "+17", "  123abc", "0x1F", "0X7fffffff", "077", "0b101",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616", "-1",
		"zz", "", "   ", "- 5", "0x", "1e5", "2147483648", "-2147483649",
	};
	static const int bases[] = {0, 10, 16, 8, 2, 36};
	for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		for (unsigned b = 0; b < sizeof bases / sizeof bases[0]; b++) {
			char *end;
			errno = 0;
			long v = strtol(ints[i], &end, bases[b]);
			int e1 = errno;
			errno = 0;
			char *uend;
			unsigned long long u = strtoull(ints[i], &uend, bases[b]);
			int e2 = errno;
			printf("'%s' base %d: strtol=%ld end=%ld errno=%s strtoull=%llu end=%ld errno=%s\n",
			       ints[i], bases[b], v, (long)(end - ints[i]), e1 == ERANGE ? "ERANGE" : e1 ? "other" : "0",
			       u, (long)(uend - ints[i]), e2 == ERANGE ? "ERANGE" : e2 ? "other" : "0");
		}
		printf("  atoi=%d atol=%ld\n", atoi(ints[i]), atol(ints[i]));
	}
	// strtod and friends.
	static const char *dbls[] = {
		"0", "-0", "1", "3.14159", "1e10", "1E-10", "  -2.5e+3xyz", ".5", "5.", "0x1p-3",
		"0x1.8p1", "inf", "-INFINITY", "nan", "nan(123)", "1e309", "1e-400", "4.9e-324",
		"2.2250738585072011e-308", "1.7976931348623157e308", "1.7976931348623159e308",
		"0.1", "123456789012345678901234567890", "abc", "", "1e", "1e+", "-.e1",
		"2.4703282292062327e-324", "2.4703282292062328e-324",
	};
	for (unsigned i = 0; i < sizeof dbls / sizeof dbls[0]; i++) {
		char *end;
		errno = 0;
		double d = strtod(dbls[i], &end);
		int e = errno;
		errno = 0;
		char *fend;
		float f = strtof(dbls[i], &fend);
		int fe = errno;
		long double ld = strtold(dbls[i], NULL);
		printf("'%s': strtod=%.17g (%a) end=%ld %s strtof=%.9g (%a) end=%ld %s strtold=%La\n",
		       dbls[i], d, d, (long)(end - dbls[i]), e == ERANGE ? "ERANGE" : "ok", f, f,
		       (long)(fend - dbls[i]), fe == ERANGE ? "ERANGE" : "ok", ld);
	}
	// Round trip: print with %.17g, parse back, compare bits.
	double x = 1.0;
	int bad = 0;
	for (int i = 0; i < 2000; i++) {
		x = x * 1.0001234567 + 1e-7 * i;
		if (i % 7 == 0)
			x = -x / 3.7;
		char s[64];
		snprintf(s, sizeof s, "%.17g", x);
		double y = strtod(s, NULL);
		if (memcmp(&x, &y, sizeof x) != 0)
			bad++;
		if (i % 250 == 0)
			printf("rt %d: %s\n", i, s);
	}
	printf("round-trip failures: %d\n", bad);

	// sscanf with many conversions.
	int a, b, n;
	unsigned ux;
	long long ll;
	double d;
	float f;
	char word[32], rest[32];
	char c;
	int r = sscanf("  12 -34 0xff 123456789012 3.5e2 -1.25 hello X tail end", "%d %i %x %lld %lf %f %31s %c %31[a-z]%n",
	               &a, &b, &ux, &ll, &d, &f, word, &c, rest, &n);
	printf("sscanf r=%d a=%d b=%d ux=%u ll=%lld d=%g f=%g word=%s c=%c rest=%s n=%d\n", r, a,
	       b, ux, ll, d, f, word, c, rest, n);
	r = sscanf("10:20:30", "%d:%d:%d", &a, &b, &n);
	printf("sscanf time r=%d %d %d %d\n", r, a, b, n);
	r = sscanf("abc", "%d", &a);
	printf("sscanf mismatch r=%d\n", r);
	r = sscanf("", "%d", &a);
	printf("sscanf empty r=%d\n", r);
	r = sscanf("key=value;other", "%31[^=]=%31[^;]", word, rest);
	printf("sscanf scanset r=%d '%s' '%s'\n", r, word, rest);
	r = sscanf("077 0x10 10", "%i %i %i", &a, &b, &n);
	printf("sscanf %%i r=%d %d %d %d\n", r, a, b, n);
	r = sscanf("1.5 inf nan", "%lf %lf %lf", &d, &d, &d);
	printf("sscanf inf/nan r=%d last=%f\n", r, d);

	// sprintf/sscanf round trip of integers.
	long sum = 0;
	for (long i = -100000; i <= 100000; i += 777) {
		char s[32];
		sprintf(s, "%ld", i * 12345);
		long back;
		sscanf(s, "%ld", &back);
		sum += back == i * 12345 ? 1 : -1000;
	}
	printf("int round trip score %ld\n", sum);
	printf("strtoimax=%jd strtoumax=%ju\n", strtoimax("-12345678901", NULL, 10),
	       strtoumax("ffffffffffff", NULL, 16));
	return 0;
}
