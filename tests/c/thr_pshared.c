// Process-shared synchronisation in MAP_SHARED|MAP_ANONYMOUS memory used
// across fork: a pshared mutex guarding a counter incremented by three
// processes (each with two threads), a pshared semaphore used as a
// parent->child handshake (the child blocks in sem_wait until the parent
// posts) and a pshared condition variable + mutex signalling a child's
// result back. Private (non-pshared) memory stays private after fork.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROCS 3
#define THREADS 2
#define ITERS 3000

struct shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sem_t go;
	sem_t ready;
	long counter;
	long per_proc[PROCS];
	int result_ready;
	long result;
};

static struct shared *sh;
static long private_value = 5;

static void *incr(void *arg) {
	long p = (long)arg;
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&sh->mu);
		sh->counter = sh->counter + 1;
		sh->per_proc[p]++;
		pthread_mutex_unlock(&sh->mu);
	}
	return NULL;
}

static void status_line(const char *what, int st) {
	if (WIFEXITED(st))
		printf("%s: exited code=%d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", what, WTERMSIG(st));
	else
		printf("%s: other status\n", what);
}

int main(void) {
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->mu, &ma);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&sh->cv, &ca);
	sem_init(&sh->go, 1, 0);
	sem_init(&sh->ready, 1, 0);

	// Three processes × two threads, one shared mutex.
	pid_t kids[PROCS];
	for (long p = 0; p < PROCS; p++) {
		fflush(stdout);
		kids[p] = fork();
		if (kids[p] == 0) {
			sem_post(&sh->ready);
			sem_wait(&sh->go); // start together
			pthread_t th[THREADS];
			for (int i = 0; i < THREADS; i++)
				pthread_create(&th[i], NULL, incr, (void *)p);
			for (int i = 0; i < THREADS; i++)
				pthread_join(th[i], NULL);
			_exit(0);
		}
	}
	for (int p = 0; p < PROCS; p++)
		sem_wait(&sh->ready);
	for (int p = 0; p < PROCS; p++)
		sem_post(&sh->go);
	for (int p = 0; p < PROCS; p++) {
		int st;
		waitpid(kids[p], &st, 0);
		char what[32];
		snprintf(what, sizeof what, "incrementer %d", p);
		status_line(what, st);
	}
	printf("shared counter=%ld (expected %d)\n", sh->counter, PROCS * THREADS * ITERS);
	for (int p = 0; p < PROCS; p++)
		printf("process %d did %ld\n", p, sh->per_proc[p]);

	// Handshake: the child must block on the semaphore until the parent
	// posts; the parent then waits on the shared condition variable.
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		private_value = 99; // the parent must not see this
		int v;
		sem_getvalue(&sh->go, &v); // 0: the parent posts only after "ready"
		sem_post(&sh->ready);
		sem_wait(&sh->go); // usually blocks: the parent sleeps first
		pthread_mutex_lock(&sh->mu);
		sh->result = v * 1000 + 42 + private_value;
		sh->result_ready = 1;
		pthread_cond_signal(&sh->cv);
		pthread_mutex_unlock(&sh->mu);
		_exit(7);
	}
	sem_wait(&sh->ready);
	usleep(20000);
	int v;
	sem_getvalue(&sh->go, &v);
	printf("go semaphore before post=%d\n", v);
	sem_post(&sh->go);
	pthread_mutex_lock(&sh->mu);
	while (!sh->result_ready)
		pthread_cond_wait(&sh->cv, &sh->mu);
	printf("child result=%ld\n", sh->result);
	pthread_mutex_unlock(&sh->mu);
	int st;
	waitpid(c, &st, 0);
	status_line("handshake child", st);
	printf("parent private_value=%ld\n", private_value);

	// A pshared semaphore as a lock between parent and child, with the
	// critical section touching shared memory non-atomically.
	sem_t *lock = (sem_t *)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long *cnt = (long *)(lock + 1);
	sem_init(lock, 1, 1);
	*cnt = 0;
	fflush(stdout);
	c = fork();
	for (int i = 0; i < 4000; i++) {
		sem_wait(lock);
		volatile long *vc = cnt;
		*vc = *vc + 1;
		sem_post(lock);
	}
	if (c == 0)
		_exit(0);
	waitpid(c, &st, 0);
	status_line("semaphore child", st);
	printf("semaphore-locked counter=%ld (expected 8000)\n", *cnt);
	return 0;
}
