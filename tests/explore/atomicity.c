// Atomicity violation: two threads increment a shared counter; counter++ is a load, an
// add and a store, so one increment can be lost. FIXED makes it an atomic add.
#include <assert.h>
#include <pthread.h>

static volatile long counter;

static void *worker(void *arg) {
	(void)arg;
	for (int i = 0; i < 2; i++) {
#ifdef FIXED
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
#else
		counter++;
#endif
	}
	return 0;
}

int main(void) {
	pthread_t a, b;
	pthread_create(&a, 0, worker, 0);
	pthread_create(&b, 0, worker, 0);
	pthread_join(a, 0);
	pthread_join(b, 0);
	assert(counter == 4);
	return 0;
}
