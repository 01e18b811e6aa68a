// Order violation: the main thread starts a worker and only then sets up the buffer
// the worker uses, assuming the worker starts late. FIXED sets it up first.
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

static int *volatile buf;

static void *worker(void *arg) {
	(void)arg;
	int *b = buf;
	assert(b != NULL);
	b[0] = 1;
	return 0;
}

int main(void) {
	pthread_t t;
#ifdef FIXED
	buf = calloc(4, sizeof *buf);
#endif
	pthread_create(&t, 0, worker, 0);
#ifndef FIXED
	buf = calloc(4, sizeof *buf);
#endif
	pthread_join(t, 0);
	return buf[0] == 1 ? 0 : 1;
}
