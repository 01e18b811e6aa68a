// Thread names: pthread_setname_np on the calling thread (prctl PR_SET_NAME) and on
// another thread (glibc writes /proc/self/task/TID/comm), read back with
// pthread_getname_np (prctl PR_GET_NAME, or that file) and from /proc/self/comm.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

// named: the main thread has named the worker; printed: the worker has printed its
// name; done: the main thread has read it (the worker is alive until then, so that its
// /proc/self/task/TID/comm exists).
static pthread_barrier_t named, printed, done;

static void *worker(void *arg) {
	(void)arg;
	pthread_barrier_wait(&named); // the main thread named us
	char name[16];
	pthread_getname_np(pthread_self(), name, sizeof name);
	printf("worker sees its name: %s\n", name);
	pthread_barrier_wait(&printed);
	pthread_barrier_wait(&done);
	return NULL;
}

int main(void) {
	pthread_barrier_init(&named, NULL, 2);
	pthread_barrier_init(&printed, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	int err = pthread_setname_np(t, "a-long-worker-name"); // 18 bytes: ERANGE
	printf("too long: %s\n", strerror(err));
	err = pthread_setname_np(t, "worker-1");
	printf("set other: %s\n", strerror(err));
	pthread_barrier_wait(&named);
	pthread_barrier_wait(&printed);
	char name[16];
	err = pthread_getname_np(t, name, sizeof name);
	printf("main reads the worker's name: %s (%s)\n", name, strerror(err));
	pthread_barrier_wait(&done);
	pthread_setname_np(pthread_self(), "main-thread");
	FILE *f = fopen("/proc/self/comm", "r");
	if (f && fgets(name, sizeof name, f))
		printf("/proc/self/comm: %s", name);
	if (f)
		fclose(f);
	pthread_join(t, NULL);
	return 0;
}
