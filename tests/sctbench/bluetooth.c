// After SCTBench's bluetooth_driver (from the KISS paper's Windows driver model): an
// I/O thread enters the driver unless it is stopping, and asserts that the driver has
// not stopped while it works in it; the stopper sets the stopping flag, drops its own
// reference, waits for the count to reach zero and marks the driver stopped. The
// check of the flag and the increment are not one step. FIXED makes them one, under
// the lock.
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static volatile int pendingIo = 1, stoppingFlag, stoppingEvent, stopped;

static int enter(void) {
#ifdef FIXED
	pthread_mutex_lock(&m);
	if (stoppingFlag) {
		pthread_mutex_unlock(&m);
		return -1;
	}
	pendingIo++;
	pthread_mutex_unlock(&m);
#else
	if (stoppingFlag)
		return -1;
	pthread_mutex_lock(&m);
	pendingIo++;
	pthread_mutex_unlock(&m);
#endif
	return 0;
}

static void leave(void) {
	pthread_mutex_lock(&m);
	if (--pendingIo == 0)
		stoppingEvent = 1;
	pthread_mutex_unlock(&m);
}

static void *io(void *arg) {
	(void)arg;
	if (enter() == 0) {
		assert(!stopped);
		leave();
	}
	return 0;
}

int main(void) {
	pthread_t t;
	pthread_create(&t, 0, io, 0);
	pthread_mutex_lock(&m);
	stoppingFlag = 1;
	pthread_mutex_unlock(&m);
	leave();
	while (!stoppingEvent)
		sched_yield();
	stopped = 1;
	pthread_join(t, 0);
	return 0;
}
