// printf integer, character and string conversions with all flags,
// widths and precisions, plus snprintf truncation.
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

int main(void) {
	static const long long vals[] = {0, 1, -1, 42, -42, 255, 4096, 65535, -65536, INT_MAX, INT_MIN,
	                                 (long long)UINT_MAX, LLONG_MAX, LLONG_MIN};
	static const char *fmts[] = {
		"%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+05d", "%.3d", "%8.3d", "%-8.3d|",
		"%.0d", "%u", "%x", "%X", "%o", "%#x", "%#X", "%#o", "%#.0o", "%#08x", "%-#10x|",
		"%hhd", "%hhu", "%hd", "%hu", "%hx",
	};
	for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		int v = (int)vals[i];
		printf("[%lld]", vals[i]);
		for (unsigned f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
			putchar(' ');
			printf(fmts[f], v);
		}
		putchar('\n');
		long long ll = vals[i];
		printf("  ll: %lld %lli %llu %llx %llX %llo %+25lld %-25lld| %025lld %.20lld %#llx\n", ll,
		       ll, (unsigned long long)ll, (unsigned long long)ll, (unsigned long long)ll,
		       (unsigned long long)ll, ll, ll, ll, ll, (unsigned long long)ll);
		printf("  l: %ld %lu %lx  z: %zu %zx %zd  j: %jd %ju  t: %td\n", (long)ll,
		       (unsigned long)ll, (unsigned long)ll, (size_t)ll, (size_t)ll, (ssize_t)ll,
		       (intmax_t)ll, (uintmax_t)ll, (ptrdiff_t)ll);
	}
	printf("PRI: %" PRId8 " %" PRIu16 " %" PRIx32 " %" PRId64 " %" PRIX64 "\n", (int8_t)-5,
	       (uint16_t)65535, (uint32_t)0xdeadbeef, (int64_t)INT64_MIN, (uint64_t)UINT64_MAX);
	// * width and precision, including negative width meaning '-'.
	for (int w = -12; w <= 12; w += 4)
		for (int p = -1; p <= 6; p += 3)
			printf("star w=%d p=%d [%*.*d] [%*.*s] [%*x]\n", w, p, w, p, 1234, w, p,
			       "abcdefgh", w, 0xbeef);
	// Characters and strings.
	printf("[%c][%5c][%-5c][%c]\n", 'A', 'b', 'c', 0x7e);
	printf("[%s][%10s][%-10s][%.3s][%10.2s][%-10.4s][%.0s]\n", "hello", "hello", "hello", "hello",
	       "hello", "hello", "hello");
	printf("[%s]\n", "");
	printf("percent: %% [%5s] done\n", "%");
	// %n
	int n1 = 0, n2 = 0;
	printf("abc%ndefgh%n\n", &n1, &n2);
	printf("n: %d %d\n", n1, n2);
	// Positional arguments.
	printf("%2$s %1$s %2$s %3$05d\n", "world", "hello", 7);
	// snprintf truncation and return values.
	char buf[16];
	const char *volatile tfmt = "%s-%d-%x"; // not a literal: avoids -Wformat-truncation
	for (size_t sz = 0; sz <= 16; sz += 3) {
		memset(buf, '#', sizeof buf);
		int r = snprintf(buf, sz, tfmt, "truncate", 123456, 0xabcdef);
		printf("snprintf size %2zu -> %d [", sz, r);
		for (size_t k = 0; k < sizeof buf; k++)
			putchar(buf[k] ? buf[k] : '0');
		printf("]\n");
	}
	// sprintf into a large buffer with many pieces.
	char big[4096];
	int off = 0;
	for (int i = 0; i < 200; i++)
		off += sprintf(big + off, "%d,", i * i - 50 * i);
	printf("big len=%d tail=%s\n", off, big + off - 40);
	// Return value of printf itself.
	int r = printf("%s %d %x\n", "count me", -77, 77);
	printf("printf returned %d\n", r);
	// fputs/puts/putchar/fprintf to stdout.
	puts("puts line");
	fputs("fputs line\n", stdout);
	fprintf(stdout, "fprintf %08.3f\n", 3.14159);
	return 0;
}
