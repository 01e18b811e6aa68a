// Thread lifetimes: values returned from the start routine and through
// pthread_exit (also from a nested call), joined in reverse creation order;
// detached threads (attribute and pthread_detach) that signal completion
// through a semaphore-free counter and condition variable; joining an
// already-finished thread; pthread_join errors (EINVAL on a detached
// thread, EDEADLK on itself); pthread_self/pthread_equal; thread attributes
// (stack size, detach state read back); cleanup handlers run by
// pthread_exit; many short-lived threads in sequence (stacks and TIDs are
// recycled); and main ending with pthread_exit while a thread still runs.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void *ret_value(void *arg) { return (void *)((long)arg * 3 + 1); }

static void deep_exit(long v, int depth);
static void (*volatile recurse)(long, int) = deep_exit;
static void deep_exit(long v, int depth) {
	if (depth > 0)
		recurse(v + 1, depth - 1);
	pthread_exit((void *)v);
}

static void *exit_value(void *arg) {
	deep_exit((long)arg, 10);
	return (void *)-1; // not reached
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int detached_done;
static long detached_sum;

static void *detached(void *arg) {
	long v = (long)arg;
	long s = 0;
	for (long i = 0; i <= v * 1000; i++)
		s += i;
	pthread_mutex_lock(&mu);
	detached_done++;
	detached_sum += s;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void *self_detach(void *arg) {
	pthread_detach(pthread_self());
	return detached(arg);
}

static int cleanup_log[8];
static int cleanup_n;
static void cleanup(void *arg) { cleanup_log[cleanup_n++] = (int)(long)arg; }

static void *with_cleanup(void *arg) {
	(void)arg;
	pthread_cleanup_push(cleanup, (void *)1);
	pthread_cleanup_push(cleanup, (void *)2);
	pthread_cleanup_push(cleanup, (void *)3);
	pthread_cleanup_pop(0); // 3 removed without running
	pthread_exit((void *)77);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return NULL;
}

static pthread_t main_thread;
static void *check_self(void *arg) {
	(void)arg;
	int same_as_main = pthread_equal(pthread_self(), main_thread);
	int r = pthread_join(pthread_self(), NULL);
	return (void *)(long)(same_as_main * 1000 + r);
}

static void *late(void *arg) {
	(void)arg;
	usleep(20000);
	printf("late thread ran after main's pthread_exit\n");
	fflush(stdout);
	return NULL; // the last thread exiting ends the process with status 0
}

int main(void) {
	main_thread = pthread_self();
	pthread_t th[10];
	for (long i = 0; i < 10; i++)
		pthread_create(&th[i], NULL, i % 2 ? exit_value : ret_value, (void *)i);
	for (int i = 9; i >= 0; i--) {
		void *r;
		int e = pthread_join(th[i], &r);
		printf("join %d: %s value=%ld\n", i, ename(e), (long)r);
	}

	// A thread that has certainly finished before the join.
	pthread_t fin;
	pthread_create(&fin, NULL, ret_value, (void *)100);
	usleep(10000);
	void *r;
	printf("join finished thread: %s value=%ld\n", ename(pthread_join(fin, &r)), (long)r);

	// Detached threads.
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int ds;
	pthread_attr_getdetachstate(&attr, &ds);
	printf("attr detachstate detached=%d\n", ds == PTHREAD_CREATE_DETACHED);
	pthread_t d[6];
	for (long i = 0; i < 3; i++)
		pthread_create(&d[i], &attr, detached, (void *)(i + 1));
	for (long i = 3; i < 6; i++)
		pthread_create(&d[i], NULL, self_detach, (void *)(i + 1));
	pthread_mutex_lock(&mu);
	while (detached_done < 6)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	printf("detached threads done=%d sum=%ld\n", detached_done, detached_sum);
	pthread_attr_destroy(&attr);

	// A detached thread cannot be joined (still running, to make the
	// result well defined).
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&mu);
	pthread_t dj;
	pthread_create(&dj, &attr, detached, (void *)0);
	printf("join detached running thread: %s\n", ename(pthread_join(dj, NULL)));
	while (detached_done < 7)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	pthread_attr_destroy(&attr);

	// Joining itself.
	printf("main joins itself: %s\n", ename(pthread_join(pthread_self(), NULL)));
	pthread_t cs;
	pthread_create(&cs, NULL, check_self, NULL);
	pthread_join(cs, &r);
	printf("thread: equal to main=%ld, joins itself: %s\n", (long)r / 1000, ename((int)((long)r % 1000)));
	printf("main equal to itself: %d\n", pthread_equal(pthread_self(), main_thread) != 0);

	// Stack size attribute.
	pthread_attr_init(&attr);
	printf("setstacksize 256 KiB: %s\n", ename(pthread_attr_setstacksize(&attr, 256 * 1024)));
	printf("setstacksize 1 byte: %s\n", ename(pthread_attr_setstacksize(&attr, 1)));
	size_t ss;
	pthread_attr_getstacksize(&attr, &ss);
	printf("stacksize=%zu\n", ss);
	pthread_t st;
	pthread_create(&st, &attr, ret_value, (void *)5);
	pthread_join(st, &r);
	printf("small-stack thread returned %ld\n", (long)r);
	pthread_attr_destroy(&attr);

	// Cleanup handlers.
	pthread_t cl;
	pthread_create(&cl, NULL, with_cleanup, NULL);
	pthread_join(cl, &r);
	printf("cleanup thread returned %ld, handlers ran:", (long)r);
	for (int i = 0; i < cleanup_n; i++)
		printf(" %d", cleanup_log[i]);
	printf("\n");

	// Many threads in sequence.
	long total = 0;
	for (long i = 0; i < 200; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, ret_value, (void *)i) != 0) {
			printf("create %ld failed\n", i);
			break;
		}
		pthread_join(t, &r);
		total += (long)r;
	}
	printf("200 sequential threads: total=%ld\n", total);

	// main exits through pthread_exit: the process lives on until the
	// last thread ends.
	pthread_t lt;
	pthread_create(&lt, NULL, late, NULL);
	printf("main calls pthread_exit\n");
	fflush(stdout);
	pthread_exit(NULL);
}
