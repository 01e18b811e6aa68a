// Stack overflow in a thread, caught: each of two threads installs its own
// alternate signal stack (sigaltstack is per thread) and recurses without
// bound on a 128 KiB stack until it reaches the guard page below the stack.
// The SIGSEGV handler, installed with SA_ONSTACK, runs on that thread's
// alternate stack (the normal stack is exhausted) and siglongjmps back.
// The recursion depth reached is not printed (it depends on frame sizes
// only, but the guard page's position depends on the stack's alignment);
// only that it is large and that both threads recovered.
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread sigjmp_buf jb;
static __thread char *alt;
static __thread volatile int on_alt;
static __thread volatile int code;
static const size_t alt_size = 64 * 1024;

static void handler(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)uc;
	char local;
	on_alt = (uintptr_t)&local >= (uintptr_t)alt && (uintptr_t)&local < (uintptr_t)alt + alt_size;
	code = si->si_code;
	siglongjmp(jb, 1);
}

static long depth;
static long recurse(long n);
static long (*volatile next)(long) = recurse;
static long recurse(long n) {
	volatile char pad[512];
	pad[0] = (char)n;
	pad[511] = (char)n;
	__atomic_store_n(&depth, n, __ATOMIC_RELAXED);
	return next(n + 1) + pad[0] + pad[511];
}

static void *overflow(void *arg) {
	(void)arg;
	alt = malloc(alt_size);
	stack_t ss = {.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0};
	sigaltstack(&ss, NULL);
	long result = 0;
	if (sigsetjmp(jb, 1) == 0) {
		result = recurse(0);
	} else {
		result = 1000 + on_alt * 100 + (code == SEGV_ACCERR || code == SEGV_MAPERR);
	}
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	free(alt);
	return (void *)result;
}

int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 128 * 1024);
	for (int round = 0; round < 2; round++) {
		pthread_t t[2];
		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], &a, overflow, NULL);
		for (int i = 0; i < 2; i++) {
			void *r;
			pthread_join(t[i], &r);
			long v = (long)r;
			printf("round %d thread %d: recovered=%d on alternate stack=%d SEGV code known=%d\n", round, i,
			       v / 1000 == 1, (int)(v / 100 % 10), (int)(v % 10));
		}
	}
	printf("deepest recursion over 100 frames: %d\n", depth > 100);
	return 0;
}
