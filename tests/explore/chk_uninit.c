// Misuse (weft --check): an uninitialised heap mutex and condition variable. The
// channel is malloc'ed and its lock and condition are used without
// pthread_mutex_init and pthread_cond_init; it works by luck, because fresh heap
// memory happens to be zero, glibc's static initialiser. FIXED initialises them.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct chan {
	pthread_mutex_t m;
	pthread_cond_t c;
	int full, value;
};

static void *producer(void *arg) {
	struct chan *ch = arg;
	pthread_mutex_lock(&ch->m);
	ch->value = 42;
	ch->full = 1;
	pthread_cond_signal(&ch->c);
	pthread_mutex_unlock(&ch->m);
	return 0;
}

int main(void) {
	struct chan *ch = malloc(sizeof *ch);
	ch->full = 0;
#ifdef FIXED
	pthread_mutex_init(&ch->m, 0);
	pthread_cond_init(&ch->c, 0);
#endif
	pthread_t t;
	pthread_create(&t, 0, producer, ch);
	pthread_mutex_lock(&ch->m);
	while (!ch->full)
		pthread_cond_wait(&ch->c, &ch->m);
	int v = ch->value;
	pthread_mutex_unlock(&ch->m);
	pthread_join(t, 0);
#ifdef FIXED
	pthread_cond_destroy(&ch->c);
	pthread_mutex_destroy(&ch->m);
#endif
	free(ch);
	printf("value %d\n", v);
	return 0;
}
