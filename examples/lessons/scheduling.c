// Lesson 4 (scheduling): the kernel schedules every thread on its own, preemptively,
// on several CPUs.
//
// Four threads each do the same amount of pure computation: no system calls, no
// locks, nothing that would make them give up the CPU. weft runs them on two
// simulated CPUs, so at most two run at a time; the kernel takes the CPU away from a
// thread when its time slice is used up (preemption) and gives it to a waiting one.
// The main thread only starts the workers and waits for them.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define WORKERS 4
#define ROUNDS 400000 // about 2.4 million instructions per worker

static uint64_t result[WORKERS];

static void *work(void *arg) {
	long id = (long)arg;
	uint64_t x = (uint64_t)id + 1;
	for (int i = 0; i < ROUNDS; i++) // a xorshift generator: pure arithmetic
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	result[id] = x;
	return NULL;
}

int main(void) {
	pthread_t t[WORKERS];
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < WORKERS; i++)
		printf("worker %c: result %016llx\n", 'A' + i, (unsigned long long)result[i]);
	return 0;
}
