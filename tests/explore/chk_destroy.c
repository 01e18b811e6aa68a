// Misuse (weft --check): use of a destroyed mutex. The main thread tears the pool
// down (pthread_mutex_destroy) after joining only the workers it counted, while a
// late worker still locks the stats mutex; glibc's lock of a destroyed mutex fails
// with EINVAL, which the worker ignores, so its update runs without the lock.
// FIXED joins every worker before destroying.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t stats = PTHREAD_MUTEX_INITIALIZER;
static long done;

static void *worker(void *arg) {
	(void)arg;
	pthread_mutex_lock(&stats);
	done++;
	pthread_mutex_unlock(&stats);
	return 0;
}

int main(void) {
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], 0, worker, 0);
#ifdef FIXED
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], 0);
	pthread_mutex_destroy(&stats);
#else
	pthread_join(t[0], 0); // "the others are detached helpers"
	pthread_mutex_destroy(&stats);
	for (int i = 1; i < 3; i++)
		pthread_join(t[i], 0);
#endif
	printf("done %ld\n", done);
	return 0;
}
