// Lesson 6 (races): threads that update shared memory without synchronization lose
// updates; a mutex, a semaphore or a condition variable prevents it.
//
//   races none|mutex|semaphore|condvar
//
// Four threads each add 1 to a shared counter 20000 times, so the counter should end
// at 80000. `counter++` is three instructions: load, add, store. Unsynchronized, two
// threads on different CPUs can both load the same value and both store value+1:
// one of the two increments is lost. Worse, a thread preempted between its load and
// its store resumes later and stores a stale value, wiping out every increment the
// others made in between. Each synchronized version lets only one thread
// at a time run the increment (the critical section):
//   mutex       pthread_mutex_lock / unlock around it;
//   semaphore   a semaphore that starts at 1: sem_wait takes it, sem_post gives it
//               back;
//   condvar     a `busy` flag: a thread waits on a condition variable while another
//               is inside, and signals it when it leaves. The increment itself runs
//               outside the mutex: the flag, not the mutex, keeps it exclusive.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ADDS 20000

// The shared counter. volatile makes the compiler load and store it on every
// increment, as a program with a more complicated critical section would.
// weft demo reads it from the process's memory by this name.
volatile long counter;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static sem_t sem;
static pthread_cond_t freed = PTHREAD_COND_INITIALIZER;
static int busy; // condvar mode: someone is in the critical section

static void *none(void *arg) {
	for (int i = 0; i < ADDS; i++)
		counter++;
	return NULL;
}

static void *with_mutex(void *arg) {
	for (int i = 0; i < ADDS; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static void *with_semaphore(void *arg) {
	for (int i = 0; i < ADDS; i++) {
		sem_wait(&sem);
		counter++;
		sem_post(&sem);
	}
	return NULL;
}

static void *with_condvar(void *arg) {
	for (int i = 0; i < ADDS; i++) {
		pthread_mutex_lock(&mu);
		while (busy)
			pthread_cond_wait(&freed, &mu);
		busy = 1;
		pthread_mutex_unlock(&mu);

		counter++; // exclusive because busy is set

		pthread_mutex_lock(&mu);
		busy = 0;
		pthread_cond_signal(&freed);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

int main(int argc, char **argv) {
	const char *mode = argc > 1 ? argv[1] : "none";
	void *(*fn)(void *) = none;
	if (strcmp(mode, "mutex") == 0)
		fn = with_mutex;
	else if (strcmp(mode, "semaphore") == 0)
		fn = with_semaphore;
	else if (strcmp(mode, "condvar") == 0)
		fn = with_condvar;
	else if (strcmp(mode, "none") != 0) {
		fprintf(stderr, "usage: races none|mutex|semaphore|condvar\n");
		return 2;
	}
	sem_init(&sem, 0, 1);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, fn, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	long want = (long)THREADS * ADDS;
	printf("%s: counter = %ld, expected %ld, lost %ld\n", mode, counter, want, want - counter);
	return 0;
}
