// Structs, unions and bit-fields: layout (sizeof/offsetof), passing and
// returning by value (small structs in registers, large ones in memory),
// arrays of structs, a linked structure and type punning through unions.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct small {
	int a;
	int b;
};
struct mixed {
	char c;
	double d;
	short s;
	long l;
	float f;
};
struct fpair {
	float x;
	double y;
};
struct large {
	long v[10];
	char name[24];
};
struct bits {
	unsigned a : 3;
	signed b : 5;
	unsigned c : 12;
	unsigned long d : 40;
	unsigned e : 1;
};
union pun {
	double d;
	uint64_t u;
	uint32_t w[2];
	uint8_t b[8];
	float f;
};
struct __attribute__((packed)) packed {
	char c;
	int i;
	short s;
	long l;
};

static struct small swap_small(struct small s) { return (struct small){s.b, s.a}; }
static struct fpair scale(struct fpair p, float k) { return (struct fpair){p.x * k, p.y * k}; }
static struct large make_large(int seed) {
	struct large l;
	for (int i = 0; i < 10; i++)
		l.v[i] = seed * (i + 1) - i * i;
	snprintf(l.name, sizeof l.name, "large-%d", seed);
	return l;
}
static long sum_large(struct large l) {
	long s = 0;
	for (int i = 0; i < 10; i++)
		s += l.v[i];
	return s + (long)strlen(l.name);
}

struct vec3 {
	double x, y, z;
};
static struct vec3 cross(struct vec3 a, struct vec3 b) {
	return (struct vec3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

struct tree {
	int key;
	struct tree *l, *r;
};
static struct tree pool[64];
static int npool;
static struct tree *insert(struct tree *t, int k) {
	if (!t) {
		t = &pool[npool++];
		t->key = k;
		t->l = t->r = NULL;
		return t;
	}
	if (k < t->key)
		t->l = insert(t->l, k);
	else
		t->r = insert(t->r, k);
	return t;
}
static void inorder(struct tree *t) {
	if (!t)
		return;
	inorder(t->l);
	printf(" %d", t->key);
	inorder(t->r);
}
static int height(struct tree *t) {
	if (!t)
		return 0;
	int a = height(t->l), b = height(t->r);
	return 1 + (a > b ? a : b);
}

int main(void) {
	printf("sizeof small=%zu mixed=%zu fpair=%zu large=%zu bits=%zu pun=%zu packed=%zu\n",
	       sizeof(struct small), sizeof(struct mixed), sizeof(struct fpair), sizeof(struct large),
	       sizeof(struct bits), sizeof(union pun), sizeof(struct packed));
	printf("offsets mixed: c=%zu d=%zu s=%zu l=%zu f=%zu; packed: i=%zu s=%zu l=%zu\n",
	       offsetof(struct mixed, c), offsetof(struct mixed, d), offsetof(struct mixed, s),
	       offsetof(struct mixed, l), offsetof(struct mixed, f), offsetof(struct packed, i),
	       offsetof(struct packed, s), offsetof(struct packed, l));
	struct small s = swap_small((struct small){1, 2});
	printf("swap_small: %d %d\n", s.a, s.b);
	struct fpair fp = scale((struct fpair){1.5f, 2.25}, 3.0f);
	printf("scale: %a %a\n", fp.x, fp.y);
	for (int i = 0; i < 4; i++) {
		struct large l = make_large(i * 7);
		printf("large %s: v[9]=%ld sum=%ld\n", l.name, l.v[9], sum_large(l));
	}
	struct vec3 c = cross((struct vec3){1, 2, 3}, (struct vec3){-4, 5, 0.5});
	printf("cross: %g %g %g\n", c.x, c.y, c.z);

	// Bit-fields: stores truncate, signed fields sign-extend.
	struct bits b;
	memset(&b, 0, sizeof b);
	for (int i = 0; i < 8; i++) {
		b.a = (unsigned)(i * 3);
		b.b = i * 7 - 20;
		b.c = (unsigned)(i * 1000);
		b.d = 0xfffffffffULL * (unsigned long)i;
		b.e = (unsigned)i;
		uint64_t raw = 0;
		memcpy(&raw, &b, sizeof b < sizeof raw ? sizeof b : sizeof raw);
		printf("bits %d: a=%u b=%d c=%u d=%lx e=%u raw=%016llx\n", i, b.a, b.b, b.c,
		       (unsigned long)b.d, b.e, (unsigned long long)raw);
	}
	// Union type punning.
	union pun p;
	p.d = -1.0 / 3.0;
	printf("pun: u=%016llx w=%08x,%08x b0=%02x b7=%02x\n", (unsigned long long)p.u, p.w[0], p.w[1],
	       p.b[0], p.b[7]);
	p.u = 0;
	p.f = 1.0f;
	printf("pun float: u=%016llx\n", (unsigned long long)p.u);
	// Packed struct with misaligned members (unaligned loads and stores).
	struct packed pk[4];
	for (int i = 0; i < 4; i++) {
		pk[i].c = (char)('a' + i);
		pk[i].i = -123456 * (i + 1);
		pk[i].s = (short)(-300 * i);
		pk[i].l = 0x1122334455667788L * (i + 1);
	}
	for (int i = 0; i < 4; i++)
		printf("packed %d: %c %d %d %lx\n", i, pk[i].c, pk[i].i, pk[i].s, (unsigned long)pk[i].l);
	// Struct array sort by hand and struct assignment/comparison.
	struct mixed m[6];
	for (int i = 0; i < 6; i++)
		m[i] = (struct mixed){(char)('A' + i), i * 1.1, (short)(100 - i), (long)i << 40, (float)i / 3};
	for (int i = 0; i < 6; i++)
		for (int j = i + 1; j < 6; j++)
			if (m[j].s < m[i].s) {
				struct mixed t = m[i];
				m[i] = m[j];
				m[j] = t;
			}
	for (int i = 0; i < 6; i++)
		printf("mixed %d: %c %.17g %d %ld %a\n", i, m[i].c, m[i].d, m[i].s, m[i].l, m[i].f);
	// Binary search tree in a static pool.
	int keys[] = {50, 30, 70, 20, 40, 60, 80, 35, 45, 65, 10, 90, 55, 75, 25, 5};
	struct tree *root = NULL;
	for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
		root = insert(root, keys[i]);
	printf("tree inorder:");
	inorder(root);
	printf("\ntree height=%d nodes=%d\n", height(root), npool);
	// Flexible array member and compound literals.
	struct flex {
		int n;
		int data[];
	};
	static union {
		struct flex f;
		char space[sizeof(struct flex) + 8 * sizeof(int)];
	} fx;
	fx.f.n = 8;
	for (int i = 0; i < 8; i++)
		fx.f.data[i] = i * i;
	int fsum = 0;
	for (int i = 0; i < fx.f.n; i++)
		fsum += fx.f.data[i];
	printf("flex sum=%d\n", fsum);
	int *lit = (int[]){9, 8, 7};
	printf("compound literal: %d %d %d\n", lit[0], lit[1], lit[2]);
	return 0;
}
