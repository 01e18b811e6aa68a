// After SCTBench's twostage_N: writers publish data1 under one lock, then derive data2
// from it under a second lock; a reader that sees data1 set expects data2 derived. It
// is not when it runs between a writer's two critical sections. FIXED holds the first
// lock across both stages.
//
//	twostage [N]   N writers and one reader (default 10)
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t m1 = PTHREAD_MUTEX_INITIALIZER, m2 = PTHREAD_MUTEX_INITIALIZER;
static int data1, data2;

static void *writer(void *arg) {
	(void)arg;
	pthread_mutex_lock(&m1);
	data1 = 1;
#ifndef FIXED
	pthread_mutex_unlock(&m1);
#endif
	pthread_mutex_lock(&m2);
	data2 = data1 + 1;
	pthread_mutex_unlock(&m2);
#ifdef FIXED
	pthread_mutex_unlock(&m1);
#endif
	return 0;
}

static void *reader(void *arg) {
	(void)arg;
	pthread_mutex_lock(&m1);
	if (data1 == 0) {
		pthread_mutex_unlock(&m1);
		return 0;
	}
	pthread_mutex_unlock(&m1);
	pthread_mutex_lock(&m2);
	int t2 = data2;
	pthread_mutex_unlock(&m2);
	assert(t2 == 2);
	return 0;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 10;
	if (n < 1 || n > 200)
		return 2;
	pthread_t t[201];
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], 0, writer, 0);
	pthread_create(&t[n], 0, reader, 0);
	for (int i = 0; i <= n; i++)
		pthread_join(t[i], 0);
	return 0;
}
