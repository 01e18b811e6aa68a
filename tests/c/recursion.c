// Deep and branchy recursion: Ackermann, naive Fibonacci, Hanoi, the
// McCarthy 91 function, mutual recursion and a recursive descent
// expression evaluator.
#include <stdio.h>

static unsigned long calls;

static unsigned long ack(unsigned long m, unsigned long n) {
	calls++;
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static long moves;
static void hanoi(int n, int from, int to, int via, unsigned long *sig) {
	if (n == 0)
		return;
	hanoi(n - 1, from, via, to, sig);
	moves++;
	*sig = *sig * 7 + (unsigned long)(from * 3 + to);
	hanoi(n - 1, via, to, from, sig);
}

static int m91(int n) { return n > 100 ? n - 10 : m91(m91(n + 11)); }

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

// expr := term (('+'|'-') term)* ; term := factor (('*'|'/'|'%') factor)* ;
// factor := number | '(' expr ')' | '-' factor
static const char *p;
static long expr(void);
static long factor(void) {
	while (*p == ' ')
		p++;
	if (*p == '(') {
		p++;
		long v = expr();
		while (*p == ' ')
			p++;
		p++; // ')'
		return v;
	}
	if (*p == '-') {
		p++;
		return -factor();
	}
	long v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	return v;
}
static long term(void) {
	long v = factor();
	for (;;) {
		while (*p == ' ')
			p++;
		char op = *p;
		if (op != '*' && op != '/' && op != '%')
			return v;
		p++;
		long r = factor();
		v = op == '*' ? v * r : r == 0 ? 0 : op == '/' ? v / r : v % r;
	}
}
static long expr(void) {
	long v = term();
	for (;;) {
		while (*p == ' ')
			p++;
		char op = *p;
		if (op != '+' && op != '-')
			return v;
		p++;
		long r = term();
		v = op == '+' ? v + r : v - r;
	}
}

static int depth(int n) {
	volatile char frame[64];
	frame[n % 64] = (char)n;
	return n == 0 ? 0 : 1 + depth(n - 1) + (frame[n % 64] != (char)n);
}

int main(void) {
	for (unsigned long m = 0; m <= 3; m++)
		for (unsigned long n = 0; n <= 5; n++) {
			calls = 0;
			unsigned long r = ack(m, n);
			printf("ack(%lu,%lu) = %lu (%lu calls)\n", m, n, r, calls);
		}
	calls = 0;
	printf("ack(2,200) = %lu (%lu calls)\n", ack(2, 200), calls);
	for (int i = 0; i <= 27; i += 3)
		printf("fib(%d) = %ld\n", i, fib(i));
	for (int n = 1; n <= 16; n += 5) {
		unsigned long sig = 0;
		moves = 0;
		hanoi(n, 1, 3, 2, &sig);
		printf("hanoi(%d): %ld moves, signature %lu\n", n, moves, sig);
	}
	for (int n = 0; n <= 120; n += 15)
		printf("m91(%d) = %d\n", n, m91(n));
	printf("is_even(10001)=%d is_odd(7777)=%d\n", is_even(10001), is_odd(7777));
	const char *exprs[] = {"1+2*3", "(1+2)*3", "-(4-10)*-(2+3)", "100/7%4", "2*(3+(4*(5+(6*7))))-1",
	                       "  12 * 12 - 144 + 0 ", "((((((((((1))))))))))+-1", "7/0"};
	for (unsigned i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
		p = exprs[i];
		printf("eval '%s' = %ld\n", exprs[i], expr());
	}
	printf("depth(20000) = %d\n", depth(20000));
	return 0;
}
