// A bounded buffer with condition variables: 4 producers and 3 consumers
// share an 8-slot ring guarded by one mutex and two condition variables
// (not_full, not_empty). Each producer sends a known sequence; consumers
// keep per-producer sums, counts and order checks (items from one producer
// must arrive in the order sent). Then: pthread_cond_broadcast waking every
// waiter of a "start" flag, pthread_cond_timedwait that times out
// (ETIMEDOUT) with nobody signalling, and one on a CLOCK_MONOTONIC condition
// variable that is signalled in time.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NPROD 4
#define NCONS 3
#define PER_PROD 3000
#define SLOTS 8
#define DONE -1L

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static long ring[SLOTS];
static int head, tail, count;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int max_count;

static void put(long v) {
	pthread_mutex_lock(&mu);
	while (count == SLOTS)
		pthread_cond_wait(&not_full, &mu);
	ring[tail] = v;
	tail = (tail + 1) % SLOTS;
	count++;
	if (count > max_count)
		max_count = count;
	pthread_cond_signal(&not_empty);
	pthread_mutex_unlock(&mu);
}

static long get(void) {
	pthread_mutex_lock(&mu);
	while (count == 0)
		pthread_cond_wait(&not_empty, &mu);
	long v = ring[head];
	head = (head + 1) % SLOTS;
	count--;
	pthread_cond_signal(&not_full);
	pthread_mutex_unlock(&mu);
	return v;
}

// An item encodes its producer and sequence number.
static long item(int prod, int seq) { return (long)prod << 32 | (long)seq; }

static void *producer(void *arg) {
	int p = (int)(long)arg;
	for (int i = 0; i < PER_PROD; i++)
		put(item(p, i));
	return NULL;
}

struct stats {
	long count[NPROD];
	long sum[NPROD];
	int last[NPROD];
	int order_ok;
	long total;
};
static struct stats cstats[NCONS];

static void *consumer(void *arg) {
	struct stats *s = &cstats[(long)arg];
	s->order_ok = 1;
	for (int p = 0; p < NPROD; p++)
		s->last[p] = -1;
	for (;;) {
		long v = get();
		if (v == DONE)
			break;
		int p = (int)(v >> 32), seq = (int)(v & 0xffffffff);
		if (seq <= s->last[p])
			s->order_ok = 0;
		s->last[p] = seq;
		s->count[p]++;
		s->sum[p] += seq;
		s->total++;
	}
	return NULL;
}

static int started, waiting, woken;
static pthread_cond_t start_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t waiting_cv = PTHREAD_COND_INITIALIZER;

static void *waiter(void *arg) {
	(void)arg;
	pthread_mutex_lock(&mu);
	waiting++;
	pthread_cond_signal(&waiting_cv);
	while (!started)
		pthread_cond_wait(&start_cv, &mu);
	woken++;
	pthread_mutex_unlock(&mu);
	return NULL;
}

static int flag;
static pthread_cond_t mono;
static void *set_flag(void *arg) {
	(void)arg;
	pthread_mutex_lock(&mu);
	flag = 1;
	pthread_cond_signal(&mono);
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(void) {
	pthread_t prod[NPROD], cons[NCONS];
	for (long i = 0; i < NCONS; i++)
		pthread_create(&cons[i], NULL, consumer, (void *)i);
	for (long i = 0; i < NPROD; i++)
		pthread_create(&prod[i], NULL, producer, (void *)i);
	for (int i = 0; i < NPROD; i++)
		pthread_join(prod[i], NULL);
	for (int i = 0; i < NCONS; i++)
		put(DONE);
	for (int i = 0; i < NCONS; i++)
		pthread_join(cons[i], NULL);

	long expect_sum = (long)PER_PROD * (PER_PROD - 1) / 2;
	long total = 0;
	int order_ok = 1;
	for (int p = 0; p < NPROD; p++) {
		long c = 0, s = 0;
		for (int i = 0; i < NCONS; i++) {
			c += cstats[i].count[p];
			s += cstats[i].sum[p];
		}
		printf("producer %d: received %ld items, sum %ld (expected %d, %ld)\n", p, c, s, PER_PROD, expect_sum);
	}
	for (int i = 0; i < NCONS; i++) {
		total += cstats[i].total;
		order_ok &= cstats[i].order_ok;
	}
	printf("total=%ld per-producer order kept=%d buffer never overfull=%d empty at end=%d\n",
	       total, order_ok, max_count <= SLOTS, count == 0);

	// Broadcast.
	pthread_t w[5];
	for (int i = 0; i < 5; i++)
		pthread_create(&w[i], NULL, waiter, NULL);
	pthread_mutex_lock(&mu);
	while (waiting < 5)
		pthread_cond_wait(&waiting_cv, &mu);
	started = 1;
	pthread_cond_broadcast(&start_cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 5; i++)
		pthread_join(w[i], NULL);
	printf("broadcast woke %d of 5\n", woken);

	// Timed waits.
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 30 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&mu);
	int r = 0;
	while (r == 0)
		r = pthread_cond_timedwait(&start_cv, &mu, &ts); // nobody signals
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int late_enough = now.tv_sec > ts.tv_sec || (now.tv_sec == ts.tv_sec && now.tv_nsec >= ts.tv_nsec);
	printf("timedwait with no signal: %s, deadline passed=%d\n", ename(r), late_enough);
	pthread_mutex_unlock(&mu);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 100;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&mono, &ca);
	pthread_mutex_lock(&mu);
	pthread_t sf;
	pthread_create(&sf, NULL, set_flag, NULL);
	r = 0;
	while (!flag && r == 0)
		r = pthread_cond_timedwait(&mono, &mu, &ts);
	printf("timedwait signalled in time: %s flag=%d\n", ename(r), flag);
	pthread_mutex_unlock(&mu);
	pthread_join(sf, NULL);
	pthread_cond_destroy(&mono);
	return 0;
}
