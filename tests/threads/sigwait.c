// The dedicated signal thread (sigwait(3) pattern): every thread blocks
// SIGUSR1 and SIGTERM, one thread takes them synchronously with
// sigwaitinfo, and three workers send process-directed SIGUSR1s with
// kill(getpid()), one signal outstanding at a time (the sender holds a lock
// until the signal thread acknowledges it, since standard signals do not
// queue). A process-directed signal that every
// thread blocks stays pending for the process, and a thread waiting for it
// in sigwaitinfo takes it (sigwaitinfo(2): "If one of the signals in set is
// already pending for the calling thread, sigwaitinfo() will return
// immediately"; signal(7): a process-directed signal "may be delivered to
// any one of the threads that does not currently have the signal
// blocked" — Linux counts a thread in sigwaitinfo for those signals as not
// blocking them). Then SIGTERM via pthread_kill ends the signal thread.
// Also: sigwait (the plain form) in a second round, and sigtimedwait
// with a timeout that expires while another thread keeps the process busy.
// Not differential: qemu-user queues a process-directed signal on
// whichever thread the host picked, so its sigwaitinfo never sees it.
// Expected: sigwait.expect.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sem_t ack;
static int got, from_user, got_plain;

static void *waiter(void *arg) {
	int plain = (int)(long)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGTERM);
	for (;;) {
		int sig;
		if (plain) {
			if (sigwait(&s, &sig) != 0)
				continue;
		} else {
			siginfo_t si;
			sig = sigwaitinfo(&s, &si);
			if (sig == SIGUSR1)
				from_user += si.si_code == SI_USER;
		}
		if (sig == SIGTERM)
			break;
		if (sig == SIGUSR1) {
			if (plain)
				got_plain++;
			else
				got++;
			sem_post(&ack);
		}
	}
	return NULL;
}

// Only one signal is outstanding at a time: two SIGUSR1s pending at once
// would merge into one, and a sender would wait for an acknowledgement
// that never comes.
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;
static void *sender(void *arg) {
	(void)arg;
	for (int i = 0; i < 5; i++) {
		pthread_mutex_lock(&send_lock);
		kill(getpid(), SIGUSR1);
		sem_wait(&ack);
		pthread_mutex_unlock(&send_lock);
	}
	return NULL;
}

static volatile int stop;
static void *busy(void *arg) {
	(void)arg;
	volatile unsigned long x = 0;
	while (!stop)
		x++;
	return NULL;
}

int main(void) {
	sem_init(&ack, 0, 0);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, NULL); // inherited by every new thread
	for (int plain = 0; plain < 2; plain++) {
		pthread_t w, snd[3];
		pthread_create(&w, NULL, waiter, (void *)(long)plain);
		for (int i = 0; i < 3; i++)
			pthread_create(&snd[i], NULL, sender, NULL);
		for (int i = 0; i < 3; i++)
			pthread_join(snd[i], NULL);
		pthread_kill(w, SIGTERM);
		pthread_join(w, NULL);
	}
	printf("sigwaitinfo thread: got %d SIGUSR1, all SI_USER=%d\n", got, from_user == got);
	printf("sigwait thread: got %d SIGUSR1\n", got_plain);

	pthread_t b;
	pthread_create(&b, NULL, busy, NULL);
	siginfo_t si;
	struct timespec ts = {0, 30 * 1000 * 1000};
	errno = 0;
	int r = sigtimedwait(&s, &si, &ts);
	printf("sigtimedwait with nothing sent: %d %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	stop = 1;
	pthread_join(b, NULL);
	sigset_t pend;
	sigpending(&pend);
	printf("nothing left pending: %d\n", !sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGTERM));
	return 0;
}
