// Readers/writers with pthread_rwlock: 3 writers keep a small "database"
// consistent (a[i] == a[0] + i for every i, and a checksum field) while 5
// readers check that they never see a half-written state; writers count
// their updates. Also tryrdlock/trywrlock (EBUSY) against a held lock,
// several concurrent readers holding the lock at once, and a
// writer-preferring attribute.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define CELLS 16
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static volatile long db[CELLS];
static volatile long db_sum;
static long updates[3];
static long reads[5], torn[5];

static void *writer(void *arg) {
	long id = (long)arg;
	for (int i = 0; i < 400; i++) {
		pthread_rwlock_wrlock(&rw);
		long base = db[0] + 1 + id;
		long s = 0;
		for (int j = 0; j < CELLS; j++) {
			db[j] = base + j;
			s += base + j;
		}
		db_sum = s;
		pthread_rwlock_unlock(&rw);
		updates[id]++;
	}
	return NULL;
}

static void *reader(void *arg) {
	long id = (long)arg;
	for (int i = 0; i < 600; i++) {
		pthread_rwlock_rdlock(&rw);
		long s = 0;
		int ok = 1;
		for (int j = 0; j < CELLS; j++) {
			s += db[j];
			ok &= db[j] == db[0] + j;
		}
		if (!ok || s != db_sum)
			torn[id]++;
		pthread_rwlock_unlock(&rw);
		reads[id]++;
	}
	return NULL;
}

static pthread_barrier_t bar;
static void *hold_read(void *arg) {
	(void)arg;
	int r = pthread_rwlock_rdlock(&rw);
	pthread_barrier_wait(&bar); // all readers hold it at once
	pthread_barrier_wait(&bar); // main has checked
	pthread_rwlock_unlock(&rw);
	return (void *)(long)r;
}

static void *try_both(void *arg) {
	(void)arg;
	int a = pthread_rwlock_tryrdlock(&rw);
	if (a == 0)
		pthread_rwlock_unlock(&rw);
	int b = pthread_rwlock_trywrlock(&rw);
	if (b == 0)
		pthread_rwlock_unlock(&rw);
	return (void *)(long)(a * 1000 + b);
}

static void show_try(const char *when) {
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, try_both, NULL);
	pthread_join(t, &r);
	long v = (long)r;
	printf("%s: tryrdlock %s, trywrlock %s\n", when, ename((int)(v / 1000)), ename((int)(v % 1000)));
}

int main(void) {
	for (int j = 0; j < CELLS; j++)
		db[j] = j;
	db_sum = CELLS * (CELLS - 1) / 2;
	pthread_t w[3], r[5];
	for (long i = 0; i < 5; i++)
		pthread_create(&r[i], NULL, reader, (void *)i);
	for (long i = 0; i < 3; i++)
		pthread_create(&w[i], NULL, writer, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(w[i], NULL);
	for (int i = 0; i < 5; i++)
		pthread_join(r[i], NULL);
	long total_reads = 0, total_torn = 0;
	for (int i = 0; i < 5; i++) {
		total_reads += reads[i];
		total_torn += torn[i];
	}
	printf("updates: %ld %ld %ld\n", updates[0], updates[1], updates[2]);
	// Each writer adds 1+id to db[0] per update: 400*(1+2+3).
	printf("db[0]=%ld (expected %d) consistent=%d\n", db[0], 400 * 6, db[CELLS - 1] == db[0] + CELLS - 1);
	printf("reads=%ld torn reads=%ld\n", total_reads, total_torn);

	show_try("unlocked");
	pthread_rwlock_rdlock(&rw);
	show_try("read-locked by main");
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_wrlock(&rw);
	show_try("write-locked by main");
	printf("main wrlock again: %s\n", ename(pthread_rwlock_trywrlock(&rw)));
	pthread_rwlock_unlock(&rw);

	pthread_barrier_init(&bar, NULL, 4);
	pthread_t h[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&h[i], NULL, hold_read, NULL);
	pthread_barrier_wait(&bar);
	show_try("three readers hold it");
	pthread_barrier_wait(&bar);
	long rsum = 0;
	for (int i = 0; i < 3; i++) {
		void *v;
		pthread_join(h[i], &v);
		rsum += (long)v;
	}
	printf("concurrent rdlock results sum=%ld\n", rsum);

	pthread_rwlockattr_t a;
	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_t wp;
	pthread_rwlock_init(&wp, &a);
	printf("writer-preferring rdlock: %s\n", ename(pthread_rwlock_rdlock(&wp)));
	printf("writer-preferring unlock: %s\n", ename(pthread_rwlock_unlock(&wp)));
	printf("writer-preferring wrlock: %s\n", ename(pthread_rwlock_wrlock(&wp)));
	printf("writer-preferring rdlock by writer: %s\n", ename(pthread_rwlock_rdlock(&wp)));
	printf("writer-preferring unlock: %s\n", ename(pthread_rwlock_unlock(&wp)));
	pthread_rwlock_destroy(&wp);
	return 0;
}
