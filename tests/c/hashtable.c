// A small open-addressing hash table with string keys (FNV-1a hash),
// growth by rehashing, deletion with tombstones and a word count.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key; // NULL = empty, TOMB = deleted
	long value;
};
static char tomb;
#define TOMB (&tomb)

struct table {
	struct entry *e;
	size_t cap, len, tombs;
};

static uint64_t fnv1a(const char *s) {
	uint64_t h = 0xcbf29ce484222325ULL;
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void put(struct table *t, const char *key, long value);

static void grow(struct table *t) {
	struct entry *old = t->e;
	size_t oldcap = t->cap;
	t->cap = t->cap ? t->cap * 2 : 8;
	t->e = calloc(t->cap, sizeof *t->e);
	t->len = t->tombs = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key && old[i].key != TOMB) {
			put(t, old[i].key, old[i].value);
			free(old[i].key);
		}
	}
	free(old);
}

static struct entry *find(struct table *t, const char *key) {
	if (!t->cap)
		return NULL;
	size_t i = fnv1a(key) & (t->cap - 1);
	for (;;) {
		struct entry *e = &t->e[i];
		if (!e->key)
			return NULL;
		if (e->key != TOMB && strcmp(e->key, key) == 0)
			return e;
		i = (i + 1) & (t->cap - 1);
	}
}

static void put(struct table *t, const char *key, long value) {
	struct entry *e = find(t, key);
	if (e) {
		e->value = value;
		return;
	}
	if ((t->len + t->tombs + 1) * 4 > t->cap * 3)
		grow(t);
	size_t i = fnv1a(key) & (t->cap - 1);
	while (t->e[i].key && t->e[i].key != TOMB)
		i = (i + 1) & (t->cap - 1);
	if (t->e[i].key == TOMB)
		t->tombs--;
	t->e[i].key = strdup(key);
	t->e[i].value = value;
	t->len++;
}

static int del(struct table *t, const char *key) {
	struct entry *e = find(t, key);
	if (!e)
		return 0;
	free(e->key);
	e->key = TOMB;
	t->len--;
	t->tombs++;
	return 1;
}

static const char text[] =
	"it was the best of times it was the worst of times it was the age of wisdom it was "
	"the age of foolishness it was the epoch of belief it was the epoch of incredulity it "
	"was the season of light it was the season of darkness it was the spring of hope it "
	"was the winter of despair we had everything before us we had nothing before us";

int main(void) {
	struct table t = {0};
	char buf[sizeof text];
	memcpy(buf, text, sizeof text);
	char *save;
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		struct entry *e = find(&t, w);
		put(&t, w, e ? e->value + 1 : 1);
	}
	printf("distinct words: %zu cap=%zu\n", t.len, t.cap);
	// Print in slot order (deterministic since the hash is).
	for (size_t i = 0; i < t.cap; i++)
		if (t.e[i].key && t.e[i].key != TOMB)
			printf("slot %3zu: %-12s %ld (hash %016llx)\n", i, t.e[i].key, t.e[i].value,
			       (unsigned long long)fnv1a(t.e[i].key));

	// Many numeric keys, deletes and reinserts.
	char key[32];
	for (long i = 0; i < 20000; i++) {
		snprintf(key, sizeof key, "k%ld", i * 7919 % 100003);
		put(&t, key, i);
	}
	printf("after insert: len=%zu cap=%zu\n", t.len, t.cap);
	int deleted = 0;
	for (long i = 0; i < 20000; i += 3) {
		snprintf(key, sizeof key, "k%ld", i * 7919 % 100003);
		deleted += del(&t, key);
	}
	printf("deleted=%d len=%zu tombs=%zu\n", deleted, t.len, t.tombs);
	long sum = 0;
	int hits = 0;
	for (long i = 0; i < 20000; i++) {
		snprintf(key, sizeof key, "k%ld", i * 7919 % 100003);
		struct entry *e = find(&t, key);
		if (e) {
			hits++;
			sum += e->value;
		}
	}
	printf("hits=%d sum=%ld\n", hits, sum);
	for (long i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "n%ld", i);
		put(&t, key, -i);
	}
	printf("final len=%zu cap=%zu tombs=%zu\n", t.len, t.cap, t.tombs);
	struct entry *e = find(&t, "times");
	printf("times=%ld was=%ld missing=%s\n", e ? e->value : -1, find(&t, "was")->value,
	       find(&t, "nonexistent") ? "found" : "absent");
	for (size_t i = 0; i < t.cap; i++)
		if (t.e[i].key && t.e[i].key != TOMB)
			free(t.e[i].key);
	free(t.e);
	return 0;
}
