// After SCTBench's lazy01_bad: three threads under one lock; the third fails if both
// others already ran. Every critical section is atomic, so only the order of the three
// matters: the bug needs the third thread, created last, to be scheduled last of all.
// FIXED lets the third accept that order.
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int data;

static void *one(void *arg) {
	(void)arg;
	pthread_mutex_lock(&m);
	data++;
	pthread_mutex_unlock(&m);
	return 0;
}

static void *two(void *arg) {
	(void)arg;
	pthread_mutex_lock(&m);
	data += 2;
	pthread_mutex_unlock(&m);
	return 0;
}

static void *three(void *arg) {
	(void)arg;
	pthread_mutex_lock(&m);
#ifdef FIXED
	assert(data <= 3);
#else
	assert(data < 3);
#endif
	pthread_mutex_unlock(&m);
	return 0;
}

int main(void) {
	pthread_t t[3];
	pthread_create(&t[0], 0, one, 0);
	pthread_create(&t[1], 0, two, 0);
	pthread_create(&t[2], 0, three, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], 0);
	return 0;
}
