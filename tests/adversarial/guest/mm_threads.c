// A process that creates and joins threads without end must hold only the threads
// alive: each exited thread's records are freed (argv[1] threads, default 100000).
#include "adv.h"
#include <pthread.h>

static void *body(void *arg) { return arg; }

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 100000;
	long joined = 0;
	for (long i = 0; i < n; i++) {
		pthread_t th;
		void *ret;
		if (pthread_create(&th, NULL, body, (void *)i) != 0 || pthread_join(th, &ret) != 0 || ret != (void *)i)
			break;
		joined++;
	}
	check(joined == n, "created and joined %ld of %ld threads", joined, n);
	return done();
}
