// Function pointers: dispatch tables, callbacks, a tiny bytecode virtual
// machine using computed goto, and switch statements compiled to jump
// tables (indirect jumps through jalr).
#include <stdint.h>
#include <stdio.h>

typedef long (*binop)(long, long);
static long add(long a, long b) { return a + b; }
static long sub(long a, long b) { return a - b; }
static long mul(long a, long b) { return a * b; }
static long dvd(long a, long b) { return b ? a / b : 0; }
static long mod(long a, long b) { return b ? a % b : 0; }
static long shl(long a, long b) { return (long)((unsigned long)a << (b & 63)); }
static long mx(long a, long b) { return a > b ? a : b; }

static const struct {
	const char *name;
	binop f;
} ops[] = {{"add", add}, {"sub", sub}, {"mul", mul}, {"div", dvd}, {"mod", mod}, {"shl", shl}, {"max", mx}};

static long fold(const long *v, int n, binop f, long init) {
	for (int i = 0; i < n; i++)
		init = f(init, v[i]);
	return init;
}

static binop compose_pick(int i) { return ops[i % 7].f; }

// A stack VM with computed goto.
enum { PUSH, ADD, MUL, DUP, SWAP, JNZ, DEC, PRINT, HALT, OVER, DROP };
static void run(const long *code) {
	static void *labels[] = {&&l_push, &&l_add, &&l_mul, &&l_dup, &&l_swap, &&l_jnz,
	                         &&l_dec, &&l_print, &&l_halt, &&l_over, &&l_drop};
	long stack[64];
	int sp = 0;
	const long *pc = code;
#define NEXT goto *labels[*pc++]
	NEXT;
l_push:
	stack[sp++] = *pc++;
	NEXT;
l_add:
	sp--;
	stack[sp - 1] += stack[sp];
	NEXT;
l_mul:
	sp--;
	stack[sp - 1] *= stack[sp];
	NEXT;
l_dup:
	stack[sp] = stack[sp - 1];
	sp++;
	NEXT;
l_swap : {
	long t = stack[sp - 1];
	stack[sp - 1] = stack[sp - 2];
	stack[sp - 2] = t;
	NEXT;
}
l_over:
	stack[sp] = stack[sp - 2];
	sp++;
	NEXT;
l_drop:
	sp--;
	NEXT;
l_jnz : {
	long target = *pc++;
	if (stack[--sp])
		pc = code + target;
	NEXT;
}
l_dec:
	stack[sp - 1]--;
	NEXT;
l_print:
	printf("vm print: %ld (sp=%d)\n", stack[sp - 1], sp);
	NEXT;
l_halt:
	printf("vm halt with %d items\n", sp);
#undef NEXT
}

static const char *classify(int c) {
	switch (c) {
	case 0: return "zero";
	case 1: return "one";
	case 2: return "two";
	case 3: return "three";
	case 4: return "four";
	case 5: return "five";
	case 6: return "six";
	case 7: return "seven";
	case 8: return "eight";
	case 9: return "nine";
	case 10: return "ten";
	case 11: return "eleven";
	case 12: return "twelve";
	default: return "many";
	}
}

static int cmp_calls;
static int compare(const void *a, const void *b) {
	cmp_calls++;
	return *(const int *)a - *(const int *)b;
}
static void apply(void (*cb)(int, void *), void *ctx, int n) {
	for (int i = 0; i < n; i++)
		cb(i, ctx);
}
static void accumulate(int i, void *ctx) { *(long *)ctx += (long)i * i; }

int main(void) {
	long v[] = {3, -7, 12, 5, 100, -2, 9};
	for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
		printf("fold %s = %ld\n", ops[i].name, fold(v, 7, ops[i].f, i == 2 ? 1 : 1000));
	long acc = 17;
	for (int i = 0; i < 30; i++)
		acc = compose_pick(i * 5 + 1)(acc, i + 1) % 1000003;
	printf("composed = %ld\n", acc);
	// Factorial of 10 and a countdown in the VM.
	const long prog[] = {PUSH, 1, PUSH, 10,
	                     /* 4: loop */ DUP, PRINT, DROP, SWAP, OVER, MUL, SWAP, DEC, DUP, JNZ, 4,
	                     DROP, PRINT, HALT};
	run(prog);
	for (int i = -1; i < 15; i += 2)
		printf("classify(%d) = %s\n", i, classify(i));
	int arr[] = {5, 3, 9, 1, 7, 2, 8, 6, 4, 0};
	int (*cmpf)(const void *, const void *) = compare;
	extern void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
	qsort(arr, 10, sizeof arr[0], cmpf);
	printf("sorted:");
	for (int i = 0; i < 10; i++)
		printf(" %d", arr[i]);
	printf(" (comparisons > 0: %d)\n", cmp_calls > 0);
	long total = 0;
	apply(accumulate, &total, 100);
	printf("callback total = %ld\n", total);
	// Pointer to function returning pointer to function.
	binop (*picker)(int) = compose_pick;
	printf("picker(2)(6,7) = %ld\n", picker(2)(6, 7));
	return 0;
}
