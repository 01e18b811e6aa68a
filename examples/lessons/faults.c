// Lesson 8 (faults): a fault kills the process it happens in, all of its threads,
// and nothing else.
//
// The parent starts two children. The first, "crasher", starts three more threads;
// when all four are running, one of them stores to address 0 (a NULL pointer). The
// kernel answers with SIGSEGV, and since nobody handles it, the whole crasher
// process dies: all four threads, including the three that did nothing wrong. The
// second child, "sibling", is a separate process: it keeps computing, finishes and
// exits normally. The parent waits for both and reports how each ended.
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4

static pthread_barrier_t all_running;

static void *innocent(void *arg) {
	pthread_barrier_wait(&all_running);
	sleep(1000); // would sleep for a long time: the crash ends it first
	return NULL;
}

static void *faulty(void *arg) {
	pthread_barrier_wait(&all_running);
	volatile int *p = NULL;
	*p = 1; // SIGSEGV: nothing is mapped at address 0
	return NULL;
}

static int crasher(void) {
	pthread_t t[THREADS - 1];
	pthread_barrier_init(&all_running, NULL, THREADS);
	for (int i = 0; i < THREADS - 2; i++)
		pthread_create(&t[i], NULL, innocent, NULL);
	pthread_create(&t[THREADS - 2], NULL, faulty, NULL);
	innocent(NULL); // the main thread is the fourth thread
	return 0;       // never reached
}

static int sibling(void) {
	uint64_t x = 1;
	for (int i = 0; i < 300000; i++) // a few million instructions of work
		x = x * 6364136223846793005u + 1442695040888963407u;
	printf("sibling: finished its work (%016llx), exiting with 0\n", (unsigned long long)x);
	return 0;
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0); // print each line when it is complete
	pid_t crash = fork();
	if (crash == 0)
		return crasher();
	pid_t sib = fork();
	if (sib == 0)
		return sibling();
	for (int i = 0; i < 2; i++) {
		int status;
		pid_t pid = wait(&status);
		const char *who = pid == crash ? "crasher" : "sibling";
		if (WIFSIGNALED(status))
			printf("parent: %s (pid %d) was killed by signal %d (%s)\n", who, pid, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
		else
			printf("parent: %s (pid %d) exited with status %d\n", who, pid, WEXITSTATUS(status));
	}
	return 0;
}
