// qsort and bsearch on ints, doubles, strings and structs.  glibc's qsort
// is a merge sort that allocates a temporary buffer (or falls back to an
// in-place quicksort for huge arrays), so this also exercises malloc.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static uint32_t next(void) {
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static int cmp_int(const void *a, const void *b) {
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}
static int cmp_int_desc(const void *a, const void *b) { return cmp_int(b, a); }
static int cmp_dbl(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	// Total order (-0 before +0) so the result does not depend on which
	// algorithm glibc picks.
	if (x == y)
		return !!__builtin_signbit(y) - !!__builtin_signbit(x);
	return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b) {
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct person {
	char name[16];
	int age;
	double score;
	int id;
};
static int cmp_person(const void *a, const void *b) {
	const struct person *p = a, *q = b;
	if (p->age != q->age)
		return p->age - q->age;
	int c = strcmp(p->name, q->name);
	if (c)
		return c;
	return p->id - q->id;
}
static int cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int main(void) {
	enum { N = 5000 };
	static int ia[N];
	for (int i = 0; i < N; i++)
		ia[i] = (int)(next() % 100000) - 50000;
	qsort(ia, N, sizeof ia[0], cmp_int);
	int sorted = 1;
	long sum = 0;
	for (int i = 0; i < N; i++) {
		if (i && ia[i - 1] > ia[i])
			sorted = 0;
		sum += (long)ia[i] * (i % 97);
	}
	printf("ints sorted=%d weighted=%ld first=%d last=%d median=%d\n", sorted, sum, ia[0],
	       ia[N - 1], ia[N / 2]);
	for (int i = 0; i < N; i += 250)
		printf("  ia[%d]=%d\n", i, ia[i]);
	int found = 0, missing = 0;
	for (int k = -50000; k < 50000; k += 37) {
		int *p = bsearch(&k, ia, N, sizeof ia[0], cmp_int);
		if (p) {
			found++;
			if (*p != k)
				printf("bsearch wrong value\n");
		} else {
			missing++;
		}
	}
	printf("bsearch found=%d missing=%d\n", found, missing);
	qsort(ia, N, sizeof ia[0], cmp_int_desc);
	printf("desc first=%d last=%d\n", ia[0], ia[N - 1]);

	// Doubles, including negative zero and duplicates.
	static double da[1000];
	for (int i = 0; i < 1000; i++)
		da[i] = ((int)(next() % 2000) - 1000) / 7.0;
	da[10] = -0.0;
	da[11] = 0.0;
	qsort(da, 1000, sizeof da[0], cmp_dbl);
	for (int i = 0; i < 1000; i += 77)
		printf("  da[%d]=%.17g\n", i, da[i]);
	double key = da[500];
	double *dp = bsearch(&key, da, 1000, sizeof da[0], cmp_dbl);
	printf("bsearch double %.17g -> %s\n", key, dp && *dp == key ? "found" : "missing");

	// Strings.
	const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "apple", "date",
	                       "elderberry", "grape", "kiwi", "lemon", "Mango", "nectarine", ""};
	size_t nw = sizeof words / sizeof words[0];
	qsort(words, nw, sizeof words[0], cmp_str);
	for (size_t i = 0; i < nw; i++)
		printf("word[%zu]=%s\n", i, words[i]);
	const char *kw = "grape";
	const char **wp = bsearch(&kw, words, nw, sizeof words[0], cmp_str);
	printf("bsearch grape -> %ld\n", wp ? (long)(wp - words) : -1L);

	// Structs with a multi-key comparator.
	static const char *names[] = {"ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal"};
	struct person ps[300];
	for (int i = 0; i < 300; i++) {
		strcpy(ps[i].name, names[next() % 8]);
		ps[i].age = 18 + (int)(next() % 50);
		ps[i].score = (next() % 10000) / 100.0;
		ps[i].id = i;
	}
	qsort(ps, 300, sizeof ps[0], cmp_person);
	for (int i = 0; i < 300; i += 13)
		printf("person %3d: %-4s age=%d score=%.2f id=%d\n", i, ps[i].name, ps[i].age,
		       ps[i].score, ps[i].id);

	// Large array of 64-bit values (bigger than glibc's on-stack buffer).
	size_t big = 100000;
	uint64_t *ua = malloc(big * sizeof *ua);
	for (size_t i = 0; i < big; i++)
		ua[i] = ((uint64_t)next() << 40) ^ ((uint64_t)next() << 16) ^ next();
	qsort(ua, big, sizeof *ua, cmp_u64);
	uint64_t h = 0;
	int ok = 1;
	for (size_t i = 0; i < big; i++) {
		h = h * 1000003 ^ ua[i];
		if (i && ua[i - 1] > ua[i])
			ok = 0;
	}
	printf("u64 sorted=%d hash=%016llx min=%llx max=%llx\n", ok, (unsigned long long)h,
	       (unsigned long long)ua[0], (unsigned long long)ua[big - 1]);
	free(ua);
	return 0;
}
