// A deadlock across processes: the parent holds a process-shared mutex
// (in MAP_SHARED memory, a shared futex) and waits for its child, which
// blocks trying to take that mutex. On Linux this hangs forever; weft must
// report the deadlock, naming the child's futex and the parent's wait, and
// exit with status 1. Before that, a thread sleeping for a while is not a
// deadlock (a timer will wake it): the program first sleeps 50 ms in a
// thread while main waits to join it, which must complete normally.
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void *nap(void *arg) {
	(void)arg;
	usleep(50000);
	return (void *)7L;
}

int main(void) {
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, nap, NULL);
	pthread_join(t, &r);
	printf("sleeping thread joined: %ld\n", (long)r);

	pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	pthread_mutex_lock(m);
	printf("parent holds the mutex\n");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pthread_mutex_lock(m);
		printf("child: not reached\n");
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	printf("parent: not reached\n");
	return 0;
}
