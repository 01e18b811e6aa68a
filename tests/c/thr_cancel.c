// pthread_cancel: deferred cancellation at cancellation points (read on an
// empty pipe, nanosleep, pthread_cond_wait — which re-takes the mutex
// before the cleanup handler that unlocks it runs — and
// pthread_testcancel); cancellation disabled and then enabled (pending
// until the next cancellation point); asynchronous cancellation of a thread
// spinning in user code, which glibc carries out from a signal handler
// (SIGCANCEL) by unwinding through the signal frame; cleanup handlers
// running in reverse order; cancelling a thread that already finished.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static char log_buf[64];
static int log_len;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static void note(void *arg) {
	pthread_mutex_lock(&log_mu);
	log_buf[log_len++] = (char)(long)arg;
	log_buf[log_len] = 0;
	pthread_mutex_unlock(&log_mu);
}

static volatile int ready;
static void set_ready(void) { __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST); }
static void wait_ready(void) {
	while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
		usleep(1000);
	ready = 0;
	usleep(20000); // let it reach its cancellation point (either way, the result is the same)
}

static void *in_read(void *arg) {
	(void)arg;
	int p[2];
	pipe(p);
	pthread_cleanup_push(note, (void *)'r');
	set_ready();
	char c;
	read(p[0], &c, 1);
	pthread_cleanup_pop(0);
	return (void *)1L;
}

static void *in_sleep(void *arg) {
	(void)arg;
	pthread_cleanup_push(note, (void *)'1');
	pthread_cleanup_push(note, (void *)'2');
	set_ready();
	for (;;)
		sleep(10);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return (void *)1L;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int holds_mutex_in_cleanup;
static void unlock_cleanup(void *arg) {
	(void)arg;
	// The mutex is ours again when a cancelled pthread_cond_wait unwinds.
	holds_mutex_in_cleanup = pthread_mutex_trylock(&mu) == EBUSY;
	pthread_mutex_unlock(&mu);
	note((void *)'c');
}
static void *in_condwait(void *arg) {
	(void)arg;
	pthread_mutex_lock(&mu);
	pthread_cleanup_push(unlock_cleanup, NULL);
	set_ready();
	for (;;)
		pthread_cond_wait(&cv, &mu);
	pthread_cleanup_pop(1);
	return (void *)1L;
}

static volatile int go_on;
static void *disabled(void *arg) {
	(void)arg;
	int old;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	set_ready();
	while (!__atomic_load_n(&go_on, __ATOMIC_SEQ_CST))
		usleep(1000); // a cancellation point, but cancellation is disabled
	note((void *)'d');
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	note((void *)'e');
	pthread_testcancel(); // acts on the pending request
	note((void *)'x');
	return (void *)1L;
}

static volatile unsigned long spins;
static void *spinner(void *arg) {
	(void)arg;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	pthread_cleanup_push(note, (void *)'a');
	set_ready();
	for (;;)
		spins++;
	pthread_cleanup_pop(0);
	return (void *)1L;
}

static void *quick(void *arg) { return arg; }

static void run(const char *name, void *(*fn)(void *), int release) {
	log_len = 0;
	log_buf[0] = 0;
	pthread_t t;
	pthread_create(&t, NULL, fn, NULL);
	wait_ready();
	int r = pthread_cancel(t);
	if (release)
		__atomic_store_n(&go_on, 1, __ATOMIC_SEQ_CST);
	void *ret;
	pthread_join(t, &ret);
	printf("%-22s cancel=%s canceled=%d cleanup log=\"%s\"\n", name, ename(r), ret == PTHREAD_CANCELED, log_buf);
}

int main(void) {
	run("read", in_read, 0);
	run("sleep", in_sleep, 0);
	run("cond_wait", in_condwait, 0);
	printf("mutex held again in the cleanup handler=%d, free afterwards=%d\n", holds_mutex_in_cleanup,
	       pthread_mutex_trylock(&mu) == 0);
	pthread_mutex_unlock(&mu);
	run("disabled, then testcancel", disabled, 1);
	run("asynchronous", spinner, 0);
	pthread_t t;
	pthread_create(&t, NULL, quick, (void *)5L);
	void *r;
	usleep(10000);
	int c = pthread_cancel(t); // finished but not joined: not an error
	pthread_join(t, &r);
	printf("cancel of a finished thread: %s, joined value=%ld\n", ename(c), (long)r);
	return 0;
}
