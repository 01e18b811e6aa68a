// Threads sharing one epoll instance and one eventfd: four workers wait in epoll_wait
// on a pipe added with EPOLLONESHOT, each wake-up goes to one worker, which reads one
// byte and re-arms the item (the usual thread-pool pattern); then four threads take
// units from an EFD_SEMAPHORE eventfd in blocking reads while the main thread adds
// them, and one more per thread to stop it. Whatever the schedule, every byte and
// every unit is taken exactly once.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

enum { WORKERS = 4, BYTES = 200, UNITS = 120 };

static int ep, p[2], sem;
static int taken[WORKERS], units[WORKERS];

static void *worker(void *arg) {
	int id = (int)(intptr_t)arg;
	for (;;) {
		struct epoll_event ev;
		if (epoll_wait(ep, &ev, 1, -1) != 1)
			continue;
		char c;
		if (read(p[0], &c, 1) != 1)
			continue;
		if (c == 'x') {
			// Re-arm so that the next worker sees the next stop byte.
			struct epoll_event re = {.events = EPOLLIN | EPOLLONESHOT};
			epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &re);
			return NULL;
		}
		taken[id]++;
		struct epoll_event re = {.events = EPOLLIN | EPOLLONESHOT};
		epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &re);
	}
}

static int done;

static void *consumer(void *arg) {
	int id = (int)(intptr_t)arg;
	for (;;) {
		uint64_t v;
		read(sem, &v, 8);
		if (v != 1)
			printf("semaphore read %llu\n", (unsigned long long)v);
		if (__atomic_load_n(&done, __ATOMIC_SEQ_CST))
			return NULL;
		__atomic_add_fetch(&units[id], 1, __ATOMIC_SEQ_CST);
	}
}

static int units_taken(void) {
	int total = 0;
	for (int i = 0; i < WORKERS; i++)
		total += __atomic_load_n(&units[i], __ATOMIC_SEQ_CST);
	return total;
}

int main(void) {
	pipe(p);
	ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	pthread_t th[WORKERS];
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < BYTES; i++)
		write(p[1], "b", 1);
	for (int i = 0; i < WORKERS; i++)
		write(p[1], "x", 1);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	int total = 0;
	for (int i = 0; i < WORKERS; i++)
		total += taken[i];
	printf("bytes taken by the workers: %d of %d\n", total, BYTES);

	sem = eventfd(0, EFD_SEMAPHORE);
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, consumer, (void *)(intptr_t)i);
	uint64_t one = 1;
	for (int i = 0; i < UNITS; i++)
		write(sem, &one, 8);
	while (units_taken() < UNITS)
		usleep(100);
	// Then one more unit per consumer, each of which now tells it to stop.
	__atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < WORKERS; i++)
		write(sem, &one, 8);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	printf("units taken: %d of %d\n", units_taken(), UNITS);
	return 0;
}
