// Robust mutexes (the kernel walks a dying thread's robust list,
// set_robust_list(2)): a thread that exits while holding a robust mutex
// leaves it to the next locker with EOWNERDEAD; pthread_mutex_consistent
// makes it usable again; a mutex left inconsistent (unlocked without
// consistent) becomes ENOTRECOVERABLE. A waiter already blocked on the
// mutex when the owner dies is woken with EOWNERDEAD too. (Owners dying
// in another process are tested in tests/threads/robust_procs.c: qemu-user
// does not implement set_robust_list, and only the kernel can clean up
// after a dead process.)
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static pthread_mutex_t rm;

static void *lock_and_exit(void *arg) {
	pthread_mutex_t *m = arg;
	pthread_mutex_lock(m);
	return NULL; // exits holding it
}

static pthread_barrier_t bar;
static void *lock_wait_exit(void *arg) {
	pthread_mutex_t *m = arg;
	pthread_mutex_lock(m);
	pthread_barrier_wait(&bar); // main now knows we hold it
	usleep(30000);              // give the waiter time to block
	return NULL;
}

static void *blocked_locker(void *arg) {
	pthread_mutex_t *m = arg;
	int r = pthread_mutex_lock(m);
	if (r == EOWNERDEAD)
		pthread_mutex_consistent(m);
	pthread_mutex_unlock(m);
	return (void *)(long)r;
}

static void init_robust(pthread_mutex_t *m, int pshared) {
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (pshared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

int main(void) {
	init_robust(&rm, 0);
	pthread_t t;
	pthread_create(&t, NULL, lock_and_exit, &rm);
	pthread_join(t, NULL);
	int r = pthread_mutex_lock(&rm);
	printf("lock after owner thread exited: %s\n", ename(r));
	printf("consistent: %s\n", ename(pthread_mutex_consistent(&rm)));
	printf("unlock: %s\n", ename(pthread_mutex_unlock(&rm)));
	printf("lock again: %s\n", ename(pthread_mutex_lock(&rm)));
	pthread_mutex_unlock(&rm);

	// Not made consistent: unusable afterwards.
	pthread_create(&t, NULL, lock_and_exit, &rm);
	pthread_join(t, NULL);
	printf("trylock after owner exited: %s\n", ename(pthread_mutex_trylock(&rm)));
	printf("unlock without consistent: %s\n", ename(pthread_mutex_unlock(&rm)));
	printf("lock now: %s\n", ename(pthread_mutex_lock(&rm)));
	pthread_mutex_destroy(&rm);

	// A waiter blocked when the owner dies.
	init_robust(&rm, 0);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_t owner, waiter;
	pthread_create(&owner, NULL, lock_wait_exit, &rm);
	pthread_barrier_wait(&bar);
	pthread_create(&waiter, NULL, blocked_locker, &rm);
	void *wr;
	pthread_join(owner, NULL);
	pthread_join(waiter, &wr);
	printf("blocked waiter got: %s\n", ename((int)(long)wr));
	printf("lock after recovery: %s\n", ename(pthread_mutex_lock(&rm)));
	pthread_mutex_unlock(&rm);

	return 0;
}
