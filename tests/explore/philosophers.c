// Dining philosophers: each takes the fork on the left, then the one on the right; if
// all take their left fork at once, all wait for ever. FIXED makes the last one take the
// right fork first, which breaks the cycle.
#include <pthread.h>

#define N 3

static pthread_mutex_t fork_[N];
static int meals;
static pthread_mutex_t count = PTHREAD_MUTEX_INITIALIZER;

static void *philosopher(void *arg) {
	long i = (long)arg;
	int first = i, second = (i + 1) % N;
#ifdef FIXED
	if (i == N - 1) {
		first = (i + 1) % N;
		second = i;
	}
#endif
	pthread_mutex_lock(&fork_[first]);
	pthread_mutex_lock(&fork_[second]);
	pthread_mutex_lock(&count);
	meals++;
	pthread_mutex_unlock(&count);
	pthread_mutex_unlock(&fork_[second]);
	pthread_mutex_unlock(&fork_[first]);
	return 0;
}

int main(void) {
	pthread_t t[N];
	for (int i = 0; i < N; i++)
		pthread_mutex_init(&fork_[i], 0);
	for (long i = 0; i < N; i++)
		pthread_create(&t[i], 0, philosopher, (void *)i);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], 0);
	return meals == N ? 0 : 1;
}
