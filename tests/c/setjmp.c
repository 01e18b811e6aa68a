// Non-local jumps: setjmp/longjmp across several frames, values passed
// through longjmp (0 becomes 1), volatile locals surviving the jump, and
// a small exception-handling emulation.
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static jmp_buf env;
static int depth_reached;

static void dive(int depth, int target) {
	char pad[128];
	memset(pad, depth, sizeof pad);
	depth_reached = depth + pad[depth % 128] - depth;
	if (depth > 1000)
		return;
	if (depth == target)
		longjmp(env, depth * 10);
	dive(depth + 1, target);
}

struct handler {
	jmp_buf jb;
	struct handler *prev;
};
static struct handler *top;

static void throw(int code) {
	struct handler *h = top;
	top = h->prev;
	longjmp(h->jb, code);
}

static int parse_digit(char c) {
	if (c < '0' || c > '9')
		throw(100 + c);
	return c - '0';
}

static int parse(const char *const s) {
	struct handler h;
	h.prev = top;
	top = &h;
	int code = setjmp(h.jb);
	if (code) {
		printf("  caught %d while parsing '%s'\n", code, s);
		return -1;
	}
	int v = 0;
	for (const char *q = s; *q; q++)
		v = v * 10 + parse_digit(*q);
	top = h.prev;
	return v;
}

int main(void) {
	for (int target = 0; target < 6; target++) {
		volatile int counter = 0;
		int r = setjmp(env);
		counter++;
		if (r == 0) {
			dive(0, target * 3);
		} else {
			printf("target %d: setjmp returned %d, depth %d, counter %d\n", target, r, depth_reached,
			       counter);
		}
	}
	// longjmp with 0 makes setjmp return 1.
	volatile int once = 0;
	int r = setjmp(env);
	if (!once) {
		once = 1;
		longjmp(env, 0);
	}
	printf("longjmp(0) -> setjmp returned %d\n", r);
	// sigsetjmp/siglongjmp without saving the mask.
	sigjmp_buf sj;
	volatile int n = 0;
	if (sigsetjmp(sj, 0) < 5) {
		n++;
		siglongjmp(sj, n);
	}
	printf("sigsetjmp loop n=%d\n", n);
	// Exception-style usage, nested.
	const char *inputs[] = {"12345", "12a45", "", "999999", "x"};
	for (int i = 0; i < 5; i++)
		printf("parse('%s') = %d\n", inputs[i], parse(inputs[i]));
	// Floating-point callee-saved registers are restored by longjmp.
	volatile double f = 1.5;
	register double keep = 2.25;
	if (setjmp(env) == 0) {
		f = 3.0;
		keep = keep * 2;
		longjmp(env, 1);
	}
	printf("after jump f=%g keep>0=%d\n", f, keep > 0);
	return 0;
}
