// String and memory functions from <string.h> and <ctype.h>.  glibc picks
// implementations that do word-sized and unaligned accesses, so alignment
// offsets are varied deliberately.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void show(const char *label, const unsigned char *p, size_t n) {
	printf("%s:", label);
	for (size_t i = 0; i < n; i++)
		printf("%c", p[i] >= 32 && p[i] < 127 ? p[i] : '.');
	printf("\n");
}

static int sgn(int x) { return (x > 0) - (x < 0); }

int main(void) {
	static const char *words[] = {"", "a", "ab", "abc", "abd", "abcdefghijklmnop",
	                              "abcdefghijklmnopq", "ABC", "zzz", "\xff\x01", "\x01\xff"};
	enum { NW = sizeof words / sizeof words[0] };
	for (int i = 0; i < NW; i++) {
		printf("strlen(%d)=%zu:", i, strlen(words[i]));
		for (int j = 0; j < NW; j++)
			printf(" %d/%d/%d", sgn(strcmp(words[i], words[j])),
			       sgn(strncmp(words[i], words[j], 2)), sgn(strcasecmp(words[i], words[j])));
		printf("\n");
	}

	// strlen/strchr/strrchr at every alignment and length.
	char buf[128];
	unsigned long acc = 0;
	for (int off = 0; off < 16; off++) {
		for (int len = 0; len < 70; len++) {
			memset(buf, 'x', sizeof buf);
			for (int k = 0; k < len; k++)
				buf[off + k] = (char)('a' + (k * 7 + off) % 26);
			buf[off + len] = 0;
			size_t l = strlen(buf + off);
			char *c = strchr(buf + off, 'q');
			char *r = strrchr(buf + off, 'q');
			char *z = strchr(buf + off, 0);
			char *m = memchr(buf + off, 'e', (size_t)len);
			acc = acc * 31 + l * 7 + (c ? (unsigned long)(c - buf) : 999) +
			      (r ? (unsigned long)(r - buf) * 3 : 5) + (unsigned long)(z - buf) * 11 +
			      (m ? (unsigned long)(m - buf) * 13 : 17);
		}
	}
	printf("scan checksum %lu\n", acc);

	// memcpy / memmove with overlap in both directions, various sizes.
	unsigned char mb[300];
	for (int n = 0; n < 80; n += 7) {
		for (int d = -9; d <= 9; d += 3) {
			for (int i = 0; i < 300; i++)
				mb[i] = (unsigned char)(i * 13 + 5);
			memmove(mb + 100 + d, mb + 100, (size_t)n);
			unsigned long h = 0;
			for (int i = 0; i < 300; i++)
				h = h * 131 + mb[i];
			printf("memmove n=%d d=%d hash=%lu\n", n, d, h);
		}
	}
	unsigned char src[64], dst[64];
	for (int i = 0; i < 64; i++)
		src[i] = (unsigned char)(i + 'A');
	for (int so = 0; so < 8; so++)
		for (int dofs = 0; dofs < 8; dofs++) {
			memset(dst, '.', sizeof dst);
			memcpy(dst + dofs, src + so, 40);
			if (so == dofs || so + dofs == 7)
				show("memcpy", dst, 64);
		}
	// memset with odd sizes/values and memcmp sign.
	for (int n = 0; n < 40; n += 5) {
		memset(mb, 0, 64);
		memset(mb + 3, 0x80 + n, (size_t)n);
		int sum = 0;
		for (int i = 0; i < 64; i++)
			sum += mb[i];
		printf("memset n=%d sum=%d\n", n, sum);
	}
	unsigned char x1[] = {1, 2, 3, 0x80, 5}, x2[] = {1, 2, 3, 0x7f, 5};
	printf("memcmp: %d %d %d %d\n", sgn(memcmp(x1, x2, 5)), sgn(memcmp(x2, x1, 5)),
	       sgn(memcmp(x1, x2, 3)), sgn(memcmp(x1, x1, 5)));

	// strncpy padding, strcpy, strcat, strncat.
	char nb[20];
	memset(nb, '#', sizeof nb);
	strncpy(nb, "hi", 8);
	show("strncpy pad", (unsigned char *)nb, 20);
	memset(nb, '#', sizeof nb);
	const char *volatile longsrc = "0123456789abcdef"; // volatile: silences -Wstringop-truncation
	strncpy(nb, longsrc, 8);
	show("strncpy trunc", (unsigned char *)nb, 20);
	char cat[64] = "alpha";
	strcat(cat, "-beta");
	const char *volatile catsrc = "-gammadelta";
	strncat(cat, catsrc, 6);
	printf("strcat: %s (%zu)\n", cat, strlen(cat));
	char *dup = strdup(cat);
	char *ndup = strndup(cat, 7);
	printf("strdup: %s %s\n", dup, ndup);
	free(dup);
	free(ndup);

	// strstr / strspn / strcspn / strpbrk.
	const char *hay = "the quick brown fox jumps over the lazy dog; the end";
	const char *needles[] = {"the", "fox", "dog;", "", "end", "ends", "o", "lazy dog", "q"};
	for (unsigned i = 0; i < sizeof needles / sizeof needles[0]; i++) {
		const char *p = strstr(hay, needles[i]);
		printf("strstr(%s)=%ld\n", needles[i], p ? (long)(p - hay) : -1L);
	}
	printf("strspn=%zu strcspn=%zu strpbrk=%s\n", strspn(hay, "the "), strcspn(hay, "xyz"),
	       strpbrk(hay, "jz"));

	// strtok_r with several delimiters and empty fields.
	char line[] = ",,alpha, beta;;gamma ,delta,,;epsilon;";
	char *save = NULL;
	int idx = 0;
	for (char *tok = strtok_r(line, ",; ", &save); tok; tok = strtok_r(NULL, ",; ", &save))
		printf("tok %d: '%s'\n", idx++, tok);
	char line2[] = "a:b::c";
	char *sp = line2, *f;
	while ((f = strsep(&sp, ":")) != NULL)
		printf("strsep: '%s'\n", f);

	// ctype over the whole ASCII range.
	for (int c = 0; c < 128; c += 1) {
		if (c % 32 == 0)
			printf("ctype %3d:", c);
		printf(" %c%c%c%c%c%c%c", isalpha(c) ? 'a' : '-', isdigit(c) ? 'd' : '-',
		       isspace(c) ? 's' : '-', ispunct(c) ? 'p' : '-', isupper(c) ? 'U' : '-',
		       isxdigit(c) ? 'x' : '-', (char)(isprint(c) ? toupper(c) : '?'));
		if (c % 32 == 31)
			printf("\n");
	}
	char mixed[] = "Hello, World! 123 abcXYZ";
	for (char *p = mixed; *p; p++)
		*p = (char)(islower((unsigned char)*p) ? toupper((unsigned char)*p)
		                                       : tolower((unsigned char)*p));
	printf("swapcase: %s\n", mixed);
	return 0;
}
