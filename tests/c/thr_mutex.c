// A mutex-protected counter across 8 threads: every increment is a plain
// load/add/store under pthread_mutex_lock, so the final count is exact.
// Also: a recursive mutex locked several times by one thread, trylock on a
// held mutex (EBUSY), an error-checking mutex (EDEADLK on relock, EPERM on
// unlock by a non-owner) and per-thread tallies that add up to the total.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define NTHREADS 8
#define ITERS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile long counter;
static long sum_of_ids;
static long per_thread[NTHREADS];

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void *worker(void *arg) {
	long id = (long)arg;
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&lock);
		counter = counter + 1;
		sum_of_ids += id;
		pthread_mutex_unlock(&lock);
		per_thread[id]++;
	}
	return NULL;
}

static pthread_mutex_t errchk;
static void *unlock_foreign(void *arg) {
	(void)arg;
	int r = pthread_mutex_unlock(&errchk);
	return (void *)(long)r;
}

static void *try_held(void *arg) {
	(void)arg;
	return (void *)(long)pthread_mutex_trylock(&lock);
}

int main(void) {
	pthread_t th[NTHREADS];
	for (long i = 0; i < NTHREADS; i++) {
		int r = pthread_create(&th[i], NULL, worker, (void *)i);
		if (r != 0) {
			printf("pthread_create %ld: %s\n", i, ename(r));
			return 1;
		}
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	long total = 0;
	for (int i = 0; i < NTHREADS; i++) {
		printf("thread %d did %ld increments\n", i, per_thread[i]);
		total += per_thread[i];
	}
	printf("counter=%ld expected=%d total=%ld\n", counter, NTHREADS * ITERS, total);
	printf("sum_of_ids=%ld expected=%ld\n", sum_of_ids, (long)ITERS * (NTHREADS * (NTHREADS - 1) / 2));

	// trylock from another thread while main holds the lock.
	pthread_mutex_lock(&lock);
	pthread_t t;
	void *ret;
	pthread_create(&t, NULL, try_held, NULL);
	pthread_join(t, &ret);
	printf("trylock on held mutex from another thread: %s\n", ename((int)(long)ret));
	pthread_mutex_unlock(&lock);
	pthread_create(&t, NULL, try_held, NULL);
	pthread_join(t, &ret);
	printf("trylock on free mutex: %s\n", ename((int)(long)ret));
	// try_held left it locked by a thread that has exited (a normal mutex
	// does not care who unlocks it).
	printf("unlock after exited locker: %s\n", ename(pthread_mutex_unlock(&lock)));

	// Recursive mutex.
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_t rec;
	pthread_mutex_init(&rec, &a);
	int rs = 0;
	for (int i = 0; i < 5; i++)
		rs |= pthread_mutex_lock(&rec);
	printf("recursive lock x5: %s\n", ename(rs));
	printf("recursive trylock: %s\n", ename(pthread_mutex_trylock(&rec)));
	rs = 0;
	for (int i = 0; i < 6; i++)
		rs |= pthread_mutex_unlock(&rec);
	printf("recursive unlock x6: %s\n", ename(rs));
	printf("recursive extra unlock: %s\n", ename(pthread_mutex_unlock(&rec)));
	pthread_mutex_destroy(&rec);

	// Error-checking mutex.
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&errchk, &a);
	printf("errorcheck lock: %s\n", ename(pthread_mutex_lock(&errchk)));
	printf("errorcheck relock: %s\n", ename(pthread_mutex_lock(&errchk)));
	pthread_create(&t, NULL, unlock_foreign, NULL);
	pthread_join(t, &ret);
	printf("errorcheck unlock by other thread: %s\n", ename((int)(long)ret));
	printf("errorcheck unlock: %s\n", ename(pthread_mutex_unlock(&errchk)));
	printf("errorcheck unlock again: %s\n", ename(pthread_mutex_unlock(&errchk)));
	pthread_mutex_destroy(&errchk);
	pthread_mutexattr_destroy(&a);
	return 0;
}
