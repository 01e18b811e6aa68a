/* Helper for the trace tests: a process that forks twice; each child runs threads that
 * take a lock, and the parent waits. Not a differential test. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long total;

static void *work(void *arg) {
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&mu);
		total += (long)arg;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

int main(void) {
	char *heap = malloc(1 << 20);
	memset(heap, 1, 1 << 20);
	for (int c = 0; c < 2; c++) {
		if (fork() == 0) {
			heap[c * 4096] = 2; /* one copy-on-write copy */
			pthread_t t[3];
			for (long i = 0; i < 3; i++)
				pthread_create(&t[i], NULL, work, (void *)(i + 1));
			for (int i = 0; i < 3; i++)
				pthread_join(t[i], NULL);
			printf("child %d total %ld\n", c, total);
			return 0;
		}
	}
	int st;
	while (wait(&st) > 0)
		;
	printf("parent done\n");
	return 0;
}
