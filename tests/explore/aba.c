// ABA in a lock-free (Treiber) stack: a pop reads the top node and its successor, and
// swaps the top for the successor with a compare-and-swap; if meanwhile other pops and
// pushes put the same node back on top, the swap succeeds with a stale successor and
// a node that another thread holds is back on the stack. FIXED tags the top with a
// count of successful swaps, so a node that came back no longer compares equal.
#include <assert.h>
#include <pthread.h>
#include <stdint.h>

#define NODES 3

static int next_[NODES];
static uint64_t head; // low 32 bits: top node + 1 (0: empty); high 32: tag (FIXED)

static uint64_t make(uint64_t old, int top) {
#ifdef FIXED
	return ((old >> 32) + 1) << 32 | (uint32_t)(top + 1);
#else
	(void)old;
	return (uint32_t)(top + 1);
#endif
}

static void push(int n) {
	uint64_t old = __atomic_load_n(&head, __ATOMIC_SEQ_CST);
	do {
		__atomic_store_n(&next_[n], (int)(uint32_t)old - 1, __ATOMIC_SEQ_CST);
	} while (!__atomic_compare_exchange_n(&head, &old, make(old, n), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
}

static int pop(void) {
	uint64_t old = __atomic_load_n(&head, __ATOMIC_SEQ_CST);
	for (;;) {
		int top = (int)(uint32_t)old - 1;
		if (top < 0)
			return -1;
		// Another thread may be pushing this node again: an atomic read, as the
		// successor it gives may be stale (that is what the compare-and-swap catches).
		int next = __atomic_load_n(&next_[top], __ATOMIC_SEQ_CST);
		if (__atomic_compare_exchange_n(&head, &old, make(old, next), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return top;
	}
}

static int held; // the node thread b keeps

static void *a(void *arg) {
	(void)arg;
	int n = pop();
	if (n >= 0)
		push(n);
	return 0;
}

static void *b(void *arg) {
	(void)arg;
	int x = pop(), y = pop();
	held = y;
	if (x >= 0)
		push(x);
	return 0;
}

int main(void) {
	for (int i = NODES - 1; i >= 0; i--)
		push(i);
	pthread_t ta, tb;
	pthread_create(&ta, 0, a, 0);
	pthread_create(&tb, 0, b, 0);
	pthread_join(ta, 0);
	pthread_join(tb, 0);
	// The stack must hold every node but the one b kept, each once.
	int seen[NODES] = {0}, count = 0;
	for (int n = (int)(uint32_t)head - 1; n >= 0 && count <= NODES; n = next_[n]) {
		assert(n != held);
		assert(!seen[n]);
		seen[n] = 1;
		count++;
	}
	assert(count == NODES - 1);
	return 0;
}
