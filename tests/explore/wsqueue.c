// Work-stealing queue (Chase-Lev): the owner pushes and takes at the bottom, a thief
// steals at the top. When one item is left, owner and thief race for it: the owner
// must win a compare-and-swap on top as the thief does, or both get the item. The
// buggy take skips that CAS. Every item must be run exactly once. FIXED does the CAS.
#include <assert.h>
#include <pthread.h>

#define EMPTY -1
#define ITEMS 2

static long top, bottom;
static int buf[16];
static int ran[ITEMS];

static void push(int v) {
	long b = __atomic_load_n(&bottom, __ATOMIC_SEQ_CST);
	buf[b % 16] = v;
	__atomic_store_n(&bottom, b + 1, __ATOMIC_SEQ_CST);
}

static int take(void) {
	long b = __atomic_load_n(&bottom, __ATOMIC_SEQ_CST) - 1;
	__atomic_store_n(&bottom, b, __ATOMIC_SEQ_CST);
	long t = __atomic_load_n(&top, __ATOMIC_SEQ_CST);
	if (t > b) {
		__atomic_store_n(&bottom, t, __ATOMIC_SEQ_CST);
		return EMPTY;
	}
	int v = buf[b % 16];
	if (t == b) {
		// (A failed compare-and-swap overwrites its expected value: keep t.)
		long expected = t;
#ifdef FIXED
		if (!__atomic_compare_exchange_n(&top, &expected, t + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			v = EMPTY;
#else
		__atomic_store_n(&top, expected + 1, __ATOMIC_SEQ_CST);
#endif
		__atomic_store_n(&bottom, t + 1, __ATOMIC_SEQ_CST);
	}
	return v;
}

static int steal(void) {
	long t = __atomic_load_n(&top, __ATOMIC_SEQ_CST);
	long b = __atomic_load_n(&bottom, __ATOMIC_SEQ_CST);
	if (t >= b)
		return EMPTY;
	int v = buf[t % 16];
	if (!__atomic_compare_exchange_n(&top, &t, t + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return EMPTY;
	return v;
}

static void run(int v) { __atomic_fetch_add(&ran[v], 1, __ATOMIC_SEQ_CST); }

static void *thief(void *arg) {
	(void)arg;
	for (int i = 0; i < 2; i++) {
		int v = steal();
		if (v != EMPTY)
			run(v);
	}
	return 0;
}

int main(void) {
	pthread_t t;
	for (int i = 0; i < ITEMS; i++)
		push(i);
	pthread_create(&t, 0, thief, 0);
	for (int i = 0; i < ITEMS; i++) {
		int v = take();
		if (v != EMPTY)
			run(v);
	}
	pthread_join(t, 0);
	for (int i = 0; i < ITEMS; i++)
		assert(ran[i] <= 1);
	return 0;
}
