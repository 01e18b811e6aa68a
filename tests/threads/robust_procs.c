// A process-shared robust mutex in MAP_SHARED memory, held by a child that
// dies: when the child exits (_exit) or is killed (SIGKILL) while holding
// it, the kernel walks the dead thread's robust list (set_robust_list(2))
// and marks the mutex FUTEX_OWNER_DIED, so the parent's next lock returns
// EOWNERDEAD (pthread_mutex_lock(3)). The third child is a thread of a
// multithreaded child killed by SIGKILL: the robust list of every thread
// is walked, not just the main thread's. The last case has the parent
// already blocked in pthread_mutex_lock when the owner dies.
// Not differential: qemu-user does not implement set_robust_list.
// Expected: robust_procs.expect.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static pthread_mutex_t *sm;
static int p[2];

static void *lock_in_thread(void *arg) {
	(void)arg;
	pthread_mutex_lock(sm);
	write(p[1], "x", 1);
	for (;;)
		sleep(10);
	return NULL;
}

static void *killer(void *arg) {
	pid_t c = (pid_t)(long)arg;
	usleep(30000); // the parent is blocked in pthread_mutex_lock by now
	kill(c, SIGKILL);
	return NULL;
}

int main(void) {
	sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(sm, &a);
	const char *names[] = {"child exited holding the mutex", "child killed holding the mutex",
	                       "child's thread held it, child killed", "parent blocked when the owner was killed"};
	for (int how = 0; how < 4; how++) {
		pipe(p);
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			if (how == 2) {
				pthread_t t;
				pthread_create(&t, NULL, lock_in_thread, NULL);
				for (;;)
					sleep(10);
			}
			pthread_mutex_lock(sm);
			write(p[1], "x", 1);
			if (how == 0)
				_exit(0);
			for (;;)
				sleep(10);
		}
		char ch;
		read(p[0], &ch, 1);
		int r;
		if (how == 3) {
			pthread_t k;
			pthread_create(&k, NULL, killer, (void *)(long)c);
			r = pthread_mutex_lock(sm);
			pthread_join(k, NULL);
		} else {
			if (how != 0)
				kill(c, SIGKILL);
			int st;
			waitpid(c, &st, 0);
			r = pthread_mutex_lock(sm);
		}
		if (how == 3) {
			int st;
			waitpid(c, &st, 0);
		}
		printf("%s: parent's lock: %s\n", names[how], ename(r));
		if (r == EOWNERDEAD)
			printf("  consistent: %s\n", ename(pthread_mutex_consistent(sm)));
		printf("  unlock: %s\n", ename(pthread_mutex_unlock(sm)));
		close(p[0]);
		close(p[1]);
	}
	printf("final lock: %s\n", ename(pthread_mutex_lock(sm)));
	pthread_mutex_unlock(sm);
	return 0;
}
