// Thread-local storage: initialised and zero-initialised __thread variables
// (.tdata and .tbss), a __thread array, per-thread values that survive other
// threads' writes, distinct addresses in every thread (only comparisons are
// printed), the tp register pointing near the TLS block, errno being
// per-thread, and pthread_key_create/setspecific with a destructor.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 6

static __thread long tls_init = 1234;      // .tdata
static __thread long tls_zero;             // .tbss
static __thread char tls_buf[64] = "main"; // .tdata array
static __thread int tls_big[1000];         // larger .tbss

static pthread_barrier_t bar;
static uintptr_t addr_init[NTHREADS + 1], addr_zero[NTHREADS + 1], addr_tp[NTHREADS + 1];
static int ok_values[NTHREADS + 1];
static int errno_ok[NTHREADS + 1];

static pthread_key_t key;
static int destructor_calls;
static long destructor_sum;
static pthread_mutex_t dmu = PTHREAD_MUTEX_INITIALIZER;

static void destructor(void *v) {
	pthread_mutex_lock(&dmu);
	destructor_calls++;
	destructor_sum += (long)v;
	pthread_mutex_unlock(&dmu);
}

static uintptr_t read_tp(void) {
	uintptr_t tp;
	__asm__ volatile("mv %0, tp" : "=r"(tp));
	return tp;
}

static void *worker(void *arg) {
	long id = (long)arg;
	int ok = 1;
	// Fresh values in a new thread, whatever main did to its copies.
	ok &= tls_init == 1234;
	ok &= tls_zero == 0;
	ok &= strcmp(tls_buf, "main") == 0;
	for (int i = 0; i < 1000; i++)
		ok &= tls_big[i] == 0;
	tls_init = 1000 + id;
	tls_zero = id * id;
	snprintf(tls_buf, sizeof tls_buf, "thread-%ld", id);
	for (int i = 0; i < 1000; i++)
		tls_big[i] = (int)(id * 1000 + i);
	addr_init[id] = (uintptr_t)&tls_init;
	addr_zero[id] = (uintptr_t)&tls_zero;
	addr_tp[id] = read_tp();
	pthread_setspecific(key, (void *)(id + 100));
	// Everyone writes before anyone checks.
	pthread_barrier_wait(&bar);
	errno = (int)id + 1;
	pthread_barrier_wait(&bar);
	ok &= tls_init == 1000 + id;
	ok &= tls_zero == id * id;
	char want[64];
	snprintf(want, sizeof want, "thread-%ld", id);
	ok &= strcmp(tls_buf, want) == 0;
	for (int i = 0; i < 1000; i++)
		ok &= tls_big[i] == (int)(id * 1000 + i);
	ok &= pthread_getspecific(key) == (void *)(id + 100);
	errno_ok[id] = errno == (int)id + 1;
	ok_values[id] = ok;
	return (void *)(tls_init * 10);
}

int main(void) {
	pthread_key_create(&key, destructor);
	pthread_barrier_init(&bar, NULL, NTHREADS);
	tls_init = 99;
	tls_zero = 77;
	strcpy(tls_buf, "changed by main");
	tls_big[5] = 5;
	addr_init[0] = (uintptr_t)&tls_init;
	addr_zero[0] = (uintptr_t)&tls_zero;
	addr_tp[0] = read_tp();
	printf("main: &tls_zero - &tls_init = %ld, tp - &tls_init within 4 KiB: %d\n",
	       (long)(addr_zero[0] - addr_init[0]),
	       (addr_tp[0] > addr_init[0] ? addr_tp[0] - addr_init[0] : addr_init[0] - addr_tp[0]) < 4096);

	pthread_t th[NTHREADS + 1];
	for (long i = 1; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	// main takes part in the barrier as thread 0's stand-in: NTHREADS-1
	// workers plus main.
	pthread_barrier_wait(&bar);
	errno = 4242;
	pthread_barrier_wait(&bar);
	long rets = 0;
	for (long i = 1; i < NTHREADS; i++) {
		void *r;
		pthread_join(th[i], &r);
		rets += (long)r;
		printf("thread %ld: values ok=%d errno private=%d\n", i, ok_values[i], errno_ok[i]);
	}
	printf("sum of returns=%ld\n", rets);
	printf("main still sees tls_init=%ld tls_zero=%ld tls_buf=\"%s\" tls_big[5]=%d errno=%d\n",
	       tls_init, tls_zero, tls_buf, tls_big[5], errno);

	int distinct = 1, same_offset = 1, tp_distinct = 1;
	for (int i = 0; i < NTHREADS; i++) {
		for (int j = i + 1; j < NTHREADS; j++) {
			distinct &= addr_init[i] != addr_init[j] && addr_zero[i] != addr_zero[j];
			tp_distinct &= addr_tp[i] != addr_tp[j];
		}
		same_offset &= addr_zero[i] - addr_init[i] == addr_zero[0] - addr_init[0];
		same_offset &= addr_init[i] - addr_tp[i] == addr_init[0] - addr_tp[0];
	}
	printf("addresses distinct across threads: %d\n", distinct);
	printf("tp distinct across threads: %d\n", tp_distinct);
	printf("same layout relative to tp in every thread: %d\n", same_offset);
	printf("destructor calls=%d sum=%ld\n", destructor_calls, destructor_sum);
	pthread_key_delete(key);
	pthread_barrier_destroy(&bar);
	return 0;
}
