// After SCTBench's stack_bad: a pusher and a popper share a bounded stack; the popper
// checks that the stack is not empty, then pops under the lock; the check is outside
// it, so two poppers that both saw one element pop twice. FIXED checks under the lock.
#include <assert.h>
#include <pthread.h>

#define SIZE 8
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int stack[SIZE], top;

static void push(int v) {
	pthread_mutex_lock(&m);
	if (top < SIZE)
		stack[top++] = v;
	pthread_mutex_unlock(&m);
}

static void *popper(void *arg) {
	(void)arg;
	for (int i = 0; i < 2; i++) {
#ifdef FIXED
		pthread_mutex_lock(&m);
		if (top > 0) {
			top--;
			assert(top >= 0 && stack[top] != 0);
		}
		pthread_mutex_unlock(&m);
#else
		if (top > 0) {
			pthread_mutex_lock(&m);
			top--;
			assert(top >= 0 && stack[top] != 0);
			pthread_mutex_unlock(&m);
		}
#endif
	}
	return 0;
}

static void *pusher(void *arg) {
	(void)arg;
	for (int i = 1; i <= 2; i++)
		push(i);
	return 0;
}

int main(void) {
	pthread_t t[3];
	pthread_create(&t[0], 0, pusher, 0);
	pthread_create(&t[1], 0, popper, 0);
	pthread_create(&t[2], 0, popper, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], 0);
	return 0;
}
