// POSIX semaphores between threads: a semaphore as a mutex around a shared
// counter (6 threads), a counting semaphore limiting concurrency to 3 (the
// highest number of threads seen inside the section is checked), a
// ping-pong between two threads with two semaphores (strict alternation
// recorded in a log), sem_trywait (EAGAIN on zero), sem_getvalue,
// sem_timedwait timing out (ETIMEDOUT), and sem_post waking a thread
// blocked in sem_wait.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static sem_t lock;
static volatile long counter;

static void *incr(void *arg) {
	(void)arg;
	for (int i = 0; i < 5000; i++) {
		sem_wait(&lock);
		counter = counter + 1;
		sem_post(&lock);
	}
	return NULL;
}

static sem_t slots;
static sem_t meta;
static int inside, max_inside;
static long work_done;

static void *limited(void *arg) {
	long id = (long)arg;
	for (int i = 0; i < 50; i++) {
		sem_wait(&slots);
		sem_wait(&meta);
		inside++;
		if (inside > max_inside)
			max_inside = inside;
		sem_post(&meta);
		volatile long x = 0;
		for (int j = 0; j < 200; j++)
			x += j * id;
		sem_wait(&meta);
		inside--;
		work_done += x;
		sem_post(&meta);
		sem_post(&slots);
	}
	return NULL;
}

static sem_t ping, pong;
static char log_buf[256];
static int log_len;

static void *ponger(void *arg) {
	(void)arg;
	for (int i = 0; i < 50; i++) {
		sem_wait(&ping);
		log_buf[log_len++] = 'o';
		sem_post(&pong);
	}
	return NULL;
}

static sem_t gate;
static int passed;
static void *gate_waiter(void *arg) {
	(void)arg;
	sem_wait(&gate);
	__atomic_add_fetch(&passed, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(void) {
	sem_init(&lock, 0, 1);
	pthread_t th[8];
	for (int i = 0; i < 6; i++)
		pthread_create(&th[i], NULL, incr, NULL);
	for (int i = 0; i < 6; i++)
		pthread_join(th[i], NULL);
	int v;
	sem_getvalue(&lock, &v);
	printf("binary semaphore counter=%ld (expected 30000), value after=%d\n", counter, v);

	sem_init(&slots, 0, 3);
	sem_init(&meta, 0, 1);
	for (long i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, limited, (void *)(i + 1));
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	sem_getvalue(&slots, &v);
	printf("counting semaphore: at most 3 inside=%d, inside at end=%d, work=%ld, value=%d\n",
	       max_inside <= 3, inside, work_done, v);

	sem_init(&ping, 0, 0);
	sem_init(&pong, 0, 0);
	pthread_t pt;
	pthread_create(&pt, NULL, ponger, NULL);
	for (int i = 0; i < 50; i++) {
		log_buf[log_len++] = 'i';
		sem_post(&ping);
		sem_wait(&pong);
	}
	pthread_join(pt, NULL);
	int alternates = log_len == 100;
	for (int i = 0; i < log_len; i++)
		alternates &= log_buf[i] == (i % 2 ? 'o' : 'i');
	printf("ping-pong: %d entries, strict alternation=%d\n", log_len, alternates);

	sem_t s;
	sem_init(&s, 0, 2);
	int r1 = sem_trywait(&s), r2 = sem_trywait(&s);
	errno = 0;
	int r3 = sem_trywait(&s);
	printf("trywait: %d %d %d errno=%s\n", r1, r2, r3, ename(errno));
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	errno = 0;
	int r;
	do
		r = sem_timedwait(&s, &ts);
	while (r < 0 && errno == EINTR);
	printf("timedwait on zero: %d errno=%s\n", r, ename(errno));
	ts.tv_nsec = 2000000000;
	errno = 0;
	r = sem_timedwait(&s, &ts);
	printf("timedwait with bad timeout on zero: %d errno=%s\n", r, ename(errno));
	sem_post(&s);
	errno = 0;
	r = sem_timedwait(&s, &ts);
	printf("timedwait with bad timeout when available: %d errno=%s\n", r, ename(errno));
	sem_destroy(&s);

	sem_init(&gate, 0, 0);
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, gate_waiter, NULL);
	for (int i = 0; i < 4; i++)
		sem_post(&gate);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	sem_getvalue(&gate, &v);
	printf("gate: %d threads passed, value=%d\n", passed, v);
	return 0;
}
