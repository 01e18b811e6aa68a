// Double-checked locking: the first thread to see no instance makes one under the lock,
// but publishes the pointer before it fills the object in, so another thread can see
// the pointer and read a half-made object. FIXED fills it in first and publishes with
// a release store that readers pair with an acquire load.
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

struct config {
	int magic;
	int size;
};

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static struct config *instance;

static struct config *get(void) {
	struct config *c = __atomic_load_n(&instance, __ATOMIC_ACQUIRE);
	if (c == NULL) {
		pthread_mutex_lock(&m);
		c = instance;
		if (c == NULL) {
			c = malloc(sizeof *c);
#ifdef FIXED
			c->magic = 0xC0DE;
			c->size = 64;
			__atomic_store_n(&instance, c, __ATOMIC_RELEASE);
#else
			c->magic = 0;
			*(struct config *volatile *)&instance = c;
			c->magic = 0xC0DE;
			c->size = 64;
#endif
		}
		pthread_mutex_unlock(&m);
	}
	return c;
}

static void *user(void *arg) {
	(void)arg;
	struct config *c = get();
	assert(c->magic == 0xC0DE && c->size == 64);
	return 0;
}

int main(void) {
	pthread_t a, b;
	pthread_create(&a, 0, user, 0);
	pthread_create(&b, 0, user, 0);
	pthread_join(a, 0);
	pthread_join(b, 0);
	return 0;
}
