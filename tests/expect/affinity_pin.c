// A thread pinned with sched_setaffinity runs only on its CPU (sched_setaffinity(2):
// "the thread will not be scheduled on a CPU not in the set"), and moves there at
// once: under --cpus 4, threads pinned to CPUs 0, 1, 2 and 3 see getcpu(2) report
// their own CPU each of the many times they ask, while they compete for time.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static int wrong[8], asked[8];

static void *worker(void *arg) {
	int me = (int)(long)arg, want = me % 4;
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(want, &s);
	sched_setaffinity(0, sizeof s, &s);
	for (int i = 0; i < 20000; i++) {
		asked[me]++;
		if (sched_getcpu() != want)
			wrong[me]++;
		if (i % 1000 == 0)
			sched_yield();
	}
	return NULL;
}

int main(void) {
	pthread_t t[8];
	for (long i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 8; i++)
		printf("thread %d on CPU %d: asked %d times, elsewhere %d\n", i, i % 4, asked[i], wrong[i]);
	return 0;
}
