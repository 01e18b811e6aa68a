// Bank account: transfers move money between accounts, each locking only the account
// it takes from, so a concurrent transfer into that account can be lost; the total must
// stay constant. FIXED locks both accounts, in address order.
#include <assert.h>
#include <pthread.h>

struct account {
	pthread_mutex_t m;
	long balance;
};

static struct account acct[3] = {
	{PTHREAD_MUTEX_INITIALIZER, 100},
	{PTHREAD_MUTEX_INITIALIZER, 100},
	{PTHREAD_MUTEX_INITIALIZER, 100},
};

static void transfer(struct account *from, struct account *to, long amount) {
#ifdef FIXED
	struct account *lo = from < to ? from : to, *hi = from < to ? to : from;
	pthread_mutex_lock(&lo->m);
	pthread_mutex_lock(&hi->m);
	from->balance -= amount;
	to->balance += amount;
	pthread_mutex_unlock(&hi->m);
	pthread_mutex_unlock(&lo->m);
#else
	pthread_mutex_lock(&from->m);
	from->balance -= amount;
	pthread_mutex_unlock(&from->m);
	long b = *(volatile long *)&to->balance;
	*(volatile long *)&to->balance = b + amount;
#endif
}

static void *clerk(void *arg) {
	long id = (long)arg;
	transfer(&acct[id], &acct[(id + 1) % 3], 10 + id);
	return 0;
}

int main(void) {
	pthread_t t[3];
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], 0, clerk, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], 0);
	assert(acct[0].balance + acct[1].balance + acct[2].balance == 300);
	return 0;
}
