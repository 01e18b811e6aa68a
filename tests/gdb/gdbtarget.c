/* The program tests/gdb_test.go debugs with gdb-multiarch under weft --gdb: a
 * function to break in, a double to print, a named second thread that stays alive
 * (blocked on a pipe) while main is stopped, and a shared counter to watch. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

long counter;
double ratio = 1.5;
static int fds[2], ready[2];

static void *worker(void *arg) {
	char c;
	(void)arg;
	pthread_setname_np(pthread_self(), "worker"); /* prctl(PR_SET_NAME) for itself */
	if (write(ready[1], "r", 1) != 1)
		return NULL;
	if (read(fds[0], &c, 1) != 1) /* wait for main to finish compute */
		return NULL;
	counter += 100;
	return NULL;
}

int compute(int x) {
	int y = x * 3 + 1;
	ratio = y / 4.0;
	counter = y;
	return y;
}

int main(void) {
	pthread_t th;
	char c;
	if (pipe(fds) != 0 || pipe(ready) != 0)
		return 1;
	pthread_create(&th, NULL, worker, NULL);
	if (read(ready[0], &c, 1) != 1) /* the worker is named and about to wait */
		return 1;
	int r = compute(13);
	if (write(fds[1], "x", 1) != 1)
		return 1;
	pthread_join(th, NULL);
	printf("compute=%d counter=%ld ratio=%g\n", r, counter, ratio);
	return 0;
}
