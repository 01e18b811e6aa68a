// Raw futex(2) operations between threads. Waiters may not have reached
// the kernel yet when a wake or requeue is issued, so every count below is
// accumulated over repeated calls until it reaches the known number of
// waiters; what is printed does not depend on timing.
//   FUTEX_WAIT: EAGAIN when the value differs, ETIMEDOUT after a relative
//     timeout, EINVAL on a misaligned address, EFAULT on a bad one;
//   FUTEX_WAKE: wakes at most the requested number; waking a futex with
//     no waiters returns 0;
//   FUTEX_CMP_REQUEUE: EAGAIN when *uaddr != val; moves waiters to a
//     second futex, from which they are woken one by one; FUTEX_REQUEUE
//     (no compare) too;
//   FUTEX_WAKE_OP: the operation on the second word (SET, ADD, OR, ANDN,
//     XOR, with the shifted-argument form) and the comparison deciding
//     whether waiters on the second futex are woken;
//   FUTEX_WAIT_BITSET/FUTEX_WAKE_BITSET: a wake whose mask does not meet
//     the waiter's bitset wakes nobody; bitset 0 is EINVAL; an absolute
//     CLOCK_MONOTONIC timeout in the past times out at once.
// Private and shared (no FUTEX_PRIVATE_FLAG) forms are both used.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static long futex(void *uaddr, int op, uint32_t val, const void *timeout_or_val2, void *uaddr2, uint32_t val3) {
	return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

static void show(const char *what, long r) {
	printf("%s: %ld %s\n", what, r, r < 0 ? ename(errno) : "");
}

static uint32_t f1, f2, fb;
static int woken;
static int priv; // FUTEX_PRIVATE_FLAG or 0

// A waiter sleeps on f1 while it is 0 (spurious and EAGAIN returns loop).
static void *waiter(void *arg) {
	uint32_t *f = arg;
	while (__atomic_load_n(f, __ATOMIC_SEQ_CST) == 0)
		futex(f, FUTEX_WAIT | priv, 0, NULL, NULL, 0);
	__atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

// A waiter that cannot tell a wake from a spurious return: it counts
// itself as woken when futex_wait returns 0. Used with requeue, where the
// word never changes.
static void *plain_waiter(void *arg) {
	uint32_t *f = arg;
	long r;
	do
		r = futex(f, FUTEX_WAIT | priv, 0, NULL, NULL, 0);
	while (r != 0);
	__atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *bitset_waiter(void *arg) {
	(void)arg;
	long r;
	do
		r = futex(&fb, FUTEX_WAIT_BITSET | priv, 0, NULL, NULL, 0x1);
	while (r != 0);
	__atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void wait_woken(int n) {
	while (__atomic_load_n(&woken, __ATOMIC_SEQ_CST) < n)
		usleep(1000);
}

static void errors(void) {
	uint32_t v = 5;
	errno = 0;
	show("wait with wrong value", futex(&v, FUTEX_WAIT | priv, 4, NULL, NULL, 0));
	struct timespec ts = {0, 5 * 1000 * 1000};
	show("wait with 5ms timeout", futex(&v, FUTEX_WAIT | priv, 5, &ts, NULL, 0));
	show("wait misaligned", futex((char *)&v + 1, FUTEX_WAIT | priv, 5, &ts, NULL, 0));
	show("wait on bad address", futex((void *)16, FUTEX_WAIT | priv, 0, &ts, NULL, 0));
	struct timespec bad = {0, 1000000000};
	show("wait with bad timeout", futex(&v, FUTEX_WAIT | priv, 5, &bad, NULL, 0));
	show("wake with no waiters", futex(&v, FUTEX_WAKE | priv, 10, NULL, NULL, 0));
	show("unknown op", futex(&v, 99 | priv, 0, NULL, NULL, 0));
	show("bitset 0", futex(&v, FUTEX_WAIT_BITSET | priv, 5, NULL, NULL, 0));
	struct timespec now = {0, 1}; // 1 ns after the monotonic clock's origin
	show("wait_bitset absolute deadline in the past", futex(&v, FUTEX_WAIT_BITSET | priv, 5, &now, NULL, FUTEX_BITSET_MATCH_ANY));
	show("cmp_requeue with wrong value", futex(&v, FUTEX_CMP_REQUEUE | priv, 0, (void *)1L, &f2, 4));
}

static void wake_counts(void) {
	pthread_t t[4];
	f1 = 0;
	woken = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, waiter, &f1);
	usleep(20000);
	__atomic_store_n(&f1, 1, __ATOMIC_SEQ_CST);
	// Wake one at a time; the total of wake returns can be below 4 only
	// if a waiter saw f1 == 1 before sleeping.
	long total = 0;
	int calls = 0;
	while (__atomic_load_n(&woken, __ATOMIC_SEQ_CST) < 4) {
		long r = futex(&f1, FUTEX_WAKE | priv, 1, NULL, NULL, 0);
		if (r > 1)
			printf("FUTEX_WAKE with count 1 woke %ld\n", r);
		total += r;
		calls++;
		usleep(1000);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("wake one at a time: all 4 woken, at most 4 reported=%d\n", total <= 4);
}

static void requeue(int cmp) {
	pthread_t t[5];
	f1 = 0;
	f2 = 0;
	woken = 0;
	for (int i = 0; i < 5; i++)
		pthread_create(&t[i], NULL, plain_waiter, &f1);
	long moved = 0;
	while (moved < 5) {
		long r = cmp ? futex(&f1, FUTEX_CMP_REQUEUE | priv, 0, (void *)(long)INT32_MAX, &f2, 0)
		             : futex(&f1, FUTEX_REQUEUE | priv, 0, (void *)(long)INT32_MAX, &f2, 0);
		if (r < 0) {
			printf("requeue failed: %s\n", ename(errno));
			break;
		}
		moved += r;
		if (moved < 5)
			usleep(1000);
	}
	printf("%s: moved %ld waiters, none woken yet=%d\n", cmp ? "FUTEX_CMP_REQUEUE" : "FUTEX_REQUEUE", moved,
	       __atomic_load_n(&woken, __ATOMIC_SEQ_CST) == 0);
	printf("wake on the old futex: %ld\n", futex(&f1, FUTEX_WAKE | priv, INT32_MAX, NULL, NULL, 0));
	for (int i = 1; i <= 5; i++) {
		long r = futex(&f2, FUTEX_WAKE | priv, 1, NULL, NULL, 0);
		wait_woken(i);
		printf("wake 1 on the new futex: %ld, woken so far %d\n", r, woken);
	}
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	// Requeue with wake count 2: two woken now, the rest moved.
	f1 = 0;
	woken = 0;
	for (int i = 0; i < 5; i++)
		pthread_create(&t[i], NULL, plain_waiter, &f1);
	usleep(20000);
	long r = 0;
	int tries = 0;
	// Keep calling until all 5 are accounted for (woken or moved).
	long woke_or_moved = 0;
	int wake_left = 2;
	while (woke_or_moved < 5 && tries < 10000) {
		r = futex(&f1, FUTEX_CMP_REQUEUE | priv, wake_left, (void *)(long)INT32_MAX, &f2, 0);
		if (r > 0) {
			long w = r < wake_left ? r : wake_left;
			wake_left -= (int)w;
			woke_or_moved += r;
		}
		tries++;
		if (woke_or_moved < 5)
			usleep(1000);
	}
	wait_woken(2);
	usleep(10000);
	printf("cmp_requeue waking 2: woken=%d\n", __atomic_load_n(&woken, __ATOMIC_SEQ_CST));
	long rest = 0;
	while (rest < 3)
		rest += futex(&f2, FUTEX_WAKE | priv, INT32_MAX, NULL, NULL, 0);
	wait_woken(5);
	printf("the other 3 woken from the new futex: %ld\n", rest);
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
}

static void wake_op(void) {
	struct {
		const char *name;
		int op, oparg, cmp, cmparg;
		uint32_t start;
	} cases[] = {
	    {"SET 7, old==3", FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 3, 3},
	    {"ADD 5, old>10", FUTEX_OP_ADD, 5, FUTEX_OP_CMP_GT, 10, 10},
	    {"OR 0xf0, old!=0", FUTEX_OP_OR, 0xf0, FUTEX_OP_CMP_NE, 0, 0x0f},
	    {"ANDN 0x3, old<8", FUTEX_OP_ANDN, 0x3, FUTEX_OP_CMP_LT, 8, 0x7},
	    {"XOR 0xff, old<=1", FUTEX_OP_XOR, 0xff, FUTEX_OP_CMP_LE, 1, 0x1},
	    {"SET 1<<4 (shifted), old>=2", FUTEX_OP_SET | (FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_GE, 2, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f2 = cases[i].start;
		uint32_t encoded = FUTEX_OP(cases[i].op, cases[i].oparg, cases[i].cmp, cases[i].cmparg);
		long r = futex(&f1, FUTEX_WAKE_OP | priv, 1, (void *)1L, &f2, encoded);
		printf("wake_op %-28s: ret=%ld word 0x%x -> 0x%x\n", cases[i].name, r, cases[i].start, f2);
	}
	// With a waiter on each futex: the comparison decides whether the
	// second one is woken as well.
	pthread_t a, b;
	f1 = 0;
	f2 = 0;
	woken = 0;
	pthread_create(&a, NULL, plain_waiter, &f1);
	pthread_create(&b, NULL, plain_waiter, &f2);
	long got1 = 0;
	// The comparison (old == 1) fails first: SET 0 keeps f2 at 0, and only
	// the f1 waiter can be woken.
	while (got1 < 1)
		got1 += futex(&f1, FUTEX_WAKE_OP | priv, 1, (void *)1L, &f2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 1));
	wait_woken(1);
	usleep(10000);
	printf("wake_op, comparison false: woken=%d\n", __atomic_load_n(&woken, __ATOMIC_SEQ_CST));
	long got2 = 0;
	while (got2 < 1)
		got2 += futex(&f1, FUTEX_WAKE_OP | priv, 1, (void *)1L, &f2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0));
	wait_woken(2);
	printf("wake_op, comparison true: woken=%d f2=%u\n", woken, f2);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
}

static void bitset(void) {
	pthread_t t;
	fb = 0;
	woken = 0;
	pthread_create(&t, NULL, bitset_waiter, NULL);
	usleep(20000);
	long miss = 0;
	for (int i = 0; i < 20; i++)
		miss += futex(&fb, FUTEX_WAKE_BITSET | priv, INT32_MAX, NULL, NULL, 0x6);
	printf("wake_bitset with a disjoint mask: woke %ld\n", miss);
	long hit = 0;
	while (hit < 1)
		hit += futex(&fb, FUTEX_WAKE_BITSET | priv, INT32_MAX, NULL, NULL, 0x3);
	wait_woken(1);
	printf("wake_bitset with an overlapping mask: woke %ld\n", hit);
	pthread_join(t, NULL);
	// A plain FUTEX_WAKE matches any bitset.
	woken = 0;
	pthread_create(&t, NULL, bitset_waiter, NULL);
	hit = 0;
	while (hit < 1)
		hit += futex(&fb, FUTEX_WAKE | priv, 1, NULL, NULL, 0);
	wait_woken(1);
	printf("plain wake of a bitset waiter: woke %ld\n", hit);
	pthread_join(t, NULL);
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int p = 0; p < 2; p++) {
		priv = p ? FUTEX_PRIVATE_FLAG : 0;
		printf("== %s futexes\n", p ? "private" : "shared");
		errors();
		wake_counts();
		requeue(1);
		requeue(0);
		wake_op();
		bitset();
	}
	return 0;
}
