// pthread_barrier over several rounds: 5 threads each write their slot of a
// round's array, wait, then check every other thread's slot from the same
// round (a barrier must order all writes before it with all reads after
// it); exactly one thread per round gets PTHREAD_BARRIER_SERIAL_THREAD.
// A second phase uses the barrier for a Jacobi-style stencil with two
// buffers; the final array is printed as a checksum.
#include <pthread.h>
#include <stdio.h>

#define N 5
#define ROUNDS 40
#define CELLS 40

static pthread_barrier_t bar;
static long slots[ROUNDS][N];
static int serial_count[ROUNDS];
static int errors[N];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double grid[2][CELLS];

static void *worker(void *arg) {
	long id = (long)arg;
	for (int r = 0; r < ROUNDS; r++) {
		slots[r][id] = r * 100 + id;
		int s = pthread_barrier_wait(&bar);
		if (s == PTHREAD_BARRIER_SERIAL_THREAD) {
			pthread_mutex_lock(&mu);
			serial_count[r]++;
			pthread_mutex_unlock(&mu);
		} else if (s != 0) {
			errors[id]++;
		}
		for (int j = 0; j < N; j++)
			if (slots[r][j] != r * 100 + j)
				errors[id]++;
	}
	// Stencil: each thread owns CELLS/N cells.
	int lo = (int)id * (CELLS / N), hi = lo + CELLS / N;
	for (int step = 0; step < 60; step++) {
		double *src = grid[step % 2], *dst = grid[(step + 1) % 2];
		for (int i = lo; i < hi; i++) {
			double l = i > 0 ? src[i - 1] : 100.0;
			double rr = i < CELLS - 1 ? src[i + 1] : 0.0;
			dst[i] = (l + src[i] + rr) / 3.0;
		}
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

int main(void) {
	pthread_barrier_init(&bar, NULL, N);
	pthread_t th[N];
	for (long i = 0; i < N; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	int bad_serial = 0, errs = 0;
	for (int r = 0; r < ROUNDS; r++)
		bad_serial += serial_count[r] != 1;
	for (int i = 0; i < N; i++)
		errs += errors[i];
	printf("rounds=%d rounds without exactly one serial thread=%d visibility errors=%d\n", ROUNDS, bad_serial, errs);
	double sum = 0;
	for (int i = 0; i < CELLS; i++) {
		sum += grid[0][i] * (i + 1);
		if (i % 8 == 0)
			printf("cell %2d = %.9f\n", i, grid[0][i]);
	}
	printf("weighted sum = %.9f\n", sum);
	printf("destroy: %d\n", pthread_barrier_destroy(&bar));

	// A barrier of one never blocks and always returns SERIAL.
	pthread_barrier_t one;
	pthread_barrier_init(&one, NULL, 1);
	int all_serial = 1;
	for (int i = 0; i < 3; i++)
		all_serial &= pthread_barrier_wait(&one) == PTHREAD_BARRIER_SERIAL_THREAD;
	printf("barrier of one: always serial=%d\n", all_serial);
	printf("init with count 0: %d\n", pthread_barrier_init(&one, NULL, 0) != 0);
	return 0;
}
