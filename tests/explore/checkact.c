// Check-then-act: two withdrawals each check the balance, then take the money; both
// can pass the check before either takes, and the balance goes negative. FIXED holds a
// lock across the check and the act.
#include <assert.h>
#include <pthread.h>

#ifdef FIXED
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
#endif
static volatile long balance = 100;

static void *withdraw(void *arg) {
	long amount = (long)arg;
#ifdef FIXED
	pthread_mutex_lock(&m);
#endif
	if (balance >= amount) {
		long b = balance;
		balance = b - amount;
	}
#ifdef FIXED
	pthread_mutex_unlock(&m);
#endif
	return 0;
}

int main(void) {
	pthread_t a, b;
	pthread_create(&a, 0, withdraw, (void *)80);
	pthread_create(&b, 0, withdraw, (void *)70);
	pthread_join(a, 0);
	pthread_join(b, 0);
	assert(balance >= 0);
	return 0;
}
