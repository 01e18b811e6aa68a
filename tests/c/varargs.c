// Variadic functions: va_arg of every promoted type, va_copy, passing a
// va_list on to vsnprintf, and many arguments (beyond the eight argument
// registers, so they spill to the stack).
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

static long sum_ints(int n, ...) {
	va_list ap;
	va_start(ap, n);
	long s = 0;
	for (int i = 0; i < n; i++)
		s += va_arg(ap, int);
	va_end(ap);
	return s;
}

static double mixed(const char *fmt, ...) {
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	double total = 0;
	for (const char *p = fmt; *p; p++) {
		switch (*p) {
		case 'i': total += va_arg(ap, int); break;
		case 'l': total += (double)va_arg(ap, long long); break;
		case 'd': total += va_arg(ap, double); break;
		case 'c': total += va_arg(ap, int); break; // char promotes to int
		case 'f': total += va_arg(ap, double); break; // float promotes to double
		case 's': total += (double)(uintptr_t)va_arg(ap, const char *)[0]; break;
		}
	}
	va_end(ap);
	// Walk the copy again and print each value.
	printf("  mixed(%s):", fmt);
	for (const char *p = fmt; *p; p++) {
		switch (*p) {
		case 'i': printf(" i%d", va_arg(ap2, int)); break;
		case 'l': printf(" l%lld", va_arg(ap2, long long)); break;
		case 'd': printf(" d%.17g", va_arg(ap2, double)); break;
		case 'c': printf(" c%c", va_arg(ap2, int)); break;
		case 'f': printf(" f%.9g", va_arg(ap2, double)); break;
		case 's': printf(" s%s", va_arg(ap2, const char *)); break;
		}
	}
	printf("\n");
	va_end(ap2);
	return total;
}

static int myprintf(const char *fmt, ...) {
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	printf("[%d] %s", n, buf);
	return n;
}

static __int128 sum128(int n, ...) {
	va_list ap;
	va_start(ap, n);
	__int128 s = 0;
	for (int i = 0; i < n; i++)
		s += va_arg(ap, __int128);
	va_end(ap);
	return s;
}

static long double suml(int n, ...) {
	va_list ap;
	va_start(ap, n);
	long double s = 0;
	for (int i = 0; i < n; i++)
		s += va_arg(ap, long double);
	va_end(ap);
	return s;
}

// Many fixed arguments, mixing integer and floating point.
static double many(int a, double b, int c, double d, int e, double f, int g, double h, int i,
                   double j, int k, double l, int m, double n, int o, double p, int q, double r,
                   int s, double t) {
	return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + h * 8 + i * 9 + j * 10 + k * 11 +
	       l * 12 + m * 13 + n * 14 + o * 15 + p * 16 + q * 17 + r * 18 + s * 19 + t * 20;
}

struct big {
	long x[5];
};
static long take_struct(struct big b, int k, struct big c) { return b.x[k] * 100 + c.x[4 - k]; }

int main(void) {
	printf("sum_ints: %ld %ld %ld\n", sum_ints(0), sum_ints(3, 1, 2, 3),
	       sum_ints(12, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12));
	printf("total %.17g\n", mixed("ildcfs", -7, 1234567890123LL, 2.5, 'Z', 1.25f, "hello"));
	printf("total %.17g\n", mixed("dddddddddd", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.5));
	printf("total %.17g\n", mixed("iiiiiiiiiiil", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1LL));
	myprintf("%s=%d, %5.2f, %c%c, %lx\n", "answer", 42, 3.14159, 'o', 'k', 0xfeedUL);
	myprintf("%*d|%-*s|\n", 6, 99, 8, "pad");
	__int128 s = sum128(3, (__int128)1 << 100, (__int128)-5, (__int128)0x123456789abcdefLL);
	printf("sum128 = %016llx%016llx\n", (unsigned long long)(s >> 64), (unsigned long long)s);
	printf("suml = %La\n", suml(4, 1.0L, 0.1L, 1e-30L, -0.5L));
	printf("many = %.17g\n", many(1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5));
	struct big b1 = {{1, 2, 3, 4, 5}}, b2 = {{10, 20, 30, 40, 50}};
	for (int k = 0; k < 5; k++)
		printf("take_struct %d = %ld\n", k, take_struct(b1, k, b2));
	return 0;
}
