// After SCTBench's reorder_N (from the CHESS/SV-COMP "CS" benchmarks): N-1 setters
// each write a = 1 then b = -1; a checker reads a and b and expects to see either
// neither write or both. It sees half when it runs between a setter's two writes, or
// is preempted between its own two reads: a bug of depth 2 among N threads, which
// grows harder for random scheduling as N grows. FIXED puts each side under a lock.
//
//	reorder [N]   N threads in all (default 10)
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

static volatile int a, b;
#ifdef FIXED
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
#define LOCK() pthread_mutex_lock(&m)
#define UNLOCK() pthread_mutex_unlock(&m)
#else
#define LOCK()
#define UNLOCK()
#endif

static void *setter(void *arg) {
	(void)arg;
	LOCK();
	a = 1;
	b = -1;
	UNLOCK();
	return 0;
}

static void *checker(void *arg) {
	(void)arg;
	LOCK();
	int x = a, y = b;
	UNLOCK();
	assert((x == 0 && y == 0) || (x == 1 && y == -1));
	return 0;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 10;
	if (n < 2 || n > 200)
		return 2;
	pthread_t t[200];
	for (int i = 0; i < n - 1; i++)
		pthread_create(&t[i], 0, setter, 0);
	pthread_create(&t[n - 1], 0, checker, 0);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], 0);
	return 0;
}
