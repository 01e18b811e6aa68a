// Lock-order deadlock: one thread takes A then B, the other B then A. FIXED takes them
// in the same order in both.
#include <pthread.h>

static pthread_mutex_t A = PTHREAD_MUTEX_INITIALIZER, B = PTHREAD_MUTEX_INITIALIZER;
static int shared;

static void *t1(void *arg) {
	(void)arg;
	pthread_mutex_lock(&A);
	pthread_mutex_lock(&B);
	shared++;
	pthread_mutex_unlock(&B);
	pthread_mutex_unlock(&A);
	return 0;
}

static void *t2(void *arg) {
	(void)arg;
#ifdef FIXED
	pthread_mutex_lock(&A);
	pthread_mutex_lock(&B);
#else
	pthread_mutex_lock(&B);
	pthread_mutex_lock(&A);
#endif
	shared++;
	pthread_mutex_unlock(&A);
	pthread_mutex_unlock(&B);
	return 0;
}

int main(void) {
	pthread_t a, b;
	pthread_create(&a, 0, t1, 0);
	pthread_create(&b, 0, t2, 0);
	pthread_join(a, 0);
	pthread_join(b, 0);
	return shared == 2 ? 0 : 1;
}
