// Misuse (weft --check): use after free between threads. The consumer frees each
// message once it has handled it, but the producer still reads the message's status
// afterwards to log it: an order violation on the message's lifetime that glibc
// does not see (the block is usually still there, or already someone else's).
// FIXED has the consumer hand the message back, and the producer frees it.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

struct msg {
	int id, status;
};

static struct msg *slot;
static sem_t ready, handled;

static void *consumer(void *arg) {
	(void)arg;
	for (int i = 0; i < 3; i++) {
		sem_wait(&ready);
		struct msg *m = slot;
		m->status = m->id * 2;
#ifndef FIXED
		free(m);
#endif
		sem_post(&handled);
	}
	return 0;
}

int main(void) {
	sem_init(&ready, 0, 0);
	sem_init(&handled, 0, 0);
	pthread_t t;
	pthread_create(&t, 0, consumer, 0);
	long sum = 0;
	for (int i = 0; i < 3; i++) {
		struct msg *m = malloc(sizeof *m);
		m->id = i;
		m->status = -1;
		slot = m;
		sem_post(&ready);
		sem_wait(&handled);
		sum += m->status; // the consumer may have freed m
#ifdef FIXED
		free(m);
#endif
	}
	pthread_join(t, 0);
	printf("sum %ld\n", sum);
	return 0;
}
