// Circular buffer: a producer and a consumer share a ring and a count of the items in
// it; count++ and count-- are not atomic, so the count drifts and the consumer reads an
// empty slot (or the producer overwrites a full one). FIXED updates it atomically.
#include <assert.h>
#include <pthread.h>

#define SIZE 2
#define ITEMS 8

static volatile int ring[SIZE];
static volatile int count;
static int head, tail;

static void *producer(void *arg) {
	(void)arg;
	for (int i = 1; i <= ITEMS; i++) {
		while (__atomic_load_n(&count, __ATOMIC_SEQ_CST) == SIZE)
			sched_yield();
		ring[head] = i;
		head = (head + 1) % SIZE;
#ifdef FIXED
		__atomic_fetch_add(&count, 1, __ATOMIC_SEQ_CST);
#else
		count++;
#endif
	}
	return 0;
}

static void *consumer(void *arg) {
	(void)arg;
	for (int i = 1; i <= ITEMS; i++) {
		while (__atomic_load_n(&count, __ATOMIC_SEQ_CST) == 0)
			sched_yield();
		int v = ring[tail];
		assert(v == i);
		ring[tail] = 0;
		tail = (tail + 1) % SIZE;
#ifdef FIXED
		__atomic_fetch_sub(&count, 1, __ATOMIC_SEQ_CST);
#else
		count--;
#endif
	}
	return 0;
}

int main(void) {
	pthread_t p, c;
	pthread_create(&p, 0, producer, 0);
	pthread_create(&c, 0, consumer, 0);
	pthread_join(p, 0);
	pthread_join(c, 0);
	return 0;
}
