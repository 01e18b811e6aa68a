// Reader-writer starvation: with a lock that prefers readers, a writer woken because
// the readers left can find that a new reader got in first, and wait again; readers
// that keep coming starve it. The writer here gives up (and the program fails) when it
// is overtaken once. FIXED prefers writers: a waiting writer keeps new readers out.
#include <assert.h>
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int readers, writing, writers_waiting;
static int data;

static void read_lock(void) {
	pthread_mutex_lock(&m);
#ifdef FIXED
	while (writing || writers_waiting)
#else
	while (writing)
#endif
		pthread_cond_wait(&cv, &m);
	readers++;
	pthread_mutex_unlock(&m);
}

static void read_unlock(void) {
	pthread_mutex_lock(&m);
	if (--readers == 0)
		pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
}

static void *reader(void *arg) {
	(void)arg;
	for (int i = 0; i < 2; i++) {
		read_lock();
		(void)*(volatile int *)&data;
		read_unlock();
	}
	return 0;
}

static void *writer(void *arg) {
	(void)arg;
	int overtaken = 0;
	pthread_mutex_lock(&m);
	writers_waiting++;
	while (readers > 0 || writing) {
		pthread_cond_wait(&cv, &m);
		if (readers > 0)
			overtaken++; // woken because the readers had left, yet one is back in
	}
	assert(overtaken == 0);
	writers_waiting--;
	writing = 1;
	pthread_mutex_unlock(&m);
	data++;
	pthread_mutex_lock(&m);
	writing = 0;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
	return 0;
}

int main(void) {
	pthread_t r1, r2, w;
	pthread_create(&r1, 0, reader, 0);
	pthread_create(&w, 0, writer, 0);
	pthread_create(&r2, 0, reader, 0);
	pthread_join(r1, 0);
	pthread_join(w, 0);
	pthread_join(r2, 0);
	return 0;
}
