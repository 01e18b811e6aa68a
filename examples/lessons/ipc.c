// Lesson 9 (ipc): processes communicate through the kernel; threads through memory.
//
// The same exchange four ways: a client sends "ping I", a server answers "pong I", N
// times, and the client checks every answer.
//
//   ipc pipe N      two processes, over two pipes (write/read: the kernel copies the
//                   message in and out of a pipe buffer)
//   ipc socket N    two processes, over a Unix stream socketpair (send/recv: the kernel
//                   copies the message through the socket's queue)
//   ipc shm N       two processes, through a shared mapping (mmap MAP_SHARED before
//                   fork): the message is written into memory both see, and a futex
//                   word in it says whose turn it is; the kernel only puts a process
//                   to sleep and wakes it
//   ipc threads N   two threads of one process, through a buffer in their common
//                   memory, guarded by a mutex, with a condition variable to wait on
//
// Each variant makes one round trip before the N it times, so that the other side is
// running and waiting, and one after, so that the other side's exit comes later; weft
// demo runs each on one CPU and looks at the N round trips between the two getppid()
// calls, which mark where they start and end.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MSG 32

static long n;
static int bad;
static int sock; // the socket exchange uses send and recv, the pipes write and read

static long put(int fd, const char *b) { return sock ? send(fd, b, MSG, 0) : write(fd, b, MSG); }
static long get(int fd, char *b, long len) { return sock ? recv(fd, b, len, 0) : read(fd, b, len); }

// check is the client's test of an answer.
static void check(const char *got, long i) {
	char want[MSG];
	snprintf(want, sizeof want, "pong %ld", i);
	if (strcmp(got, want) != 0)
		bad++;
}

// The two-descriptor exchanges: the client writes on out and reads on in.
static void client(int out, int in) {
	char m[MSG], r[MSG];
	for (long i = 0; i <= n + 1; i++) {
		if (i == 1 || i == n + 1)
			getppid(); // start, end
		memset(m, 0, MSG);
		snprintf(m, MSG, "ping %ld", i);
		put(out, m);
		long got = 0;
		while (got < MSG) {
			long k = get(in, r + got, MSG - got);
			if (k <= 0)
				exit(1);
			got += k;
		}
		check(r, i);
	}
}

static void server(int in, int out) {
	char m[MSG], r[MSG];
	for (long i = 0; i <= n + 1; i++) {
		long got = 0;
		while (got < MSG) {
			long k = get(in, m + got, MSG - got);
			if (k <= 0)
				exit(1);
			got += k;
		}
		long j = atol(m + 5);
		memset(r, 0, MSG);
		snprintf(r, MSG, "pong %ld", j);
		put(out, r);
	}
}

// The shared-memory exchange: one page both processes map.
struct box {
	atomic_int turn; // 0: the client's turn, 1: the server's
	char msg[MSG];
};

static void futex_wait(atomic_int *a, int v) { syscall(SYS_futex, a, FUTEX_WAIT, v, NULL, NULL, 0); }
static void futex_wake(atomic_int *a) { syscall(SYS_futex, a, FUTEX_WAKE, 1, NULL, NULL, 0); }

static void take_turn(struct box *b, int me) {
	while (atomic_load(&b->turn) != me)
		futex_wait(&b->turn, !me);
}

static void give_turn(struct box *b, int to) {
	atomic_store(&b->turn, to);
	futex_wake(&b->turn);
}

// The threads' exchange: a buffer in the process's memory, a mutex and a condition.
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn; // 0: the client's turn, 1: the server's
static char buf[MSG];

static void *thread_server(void *arg) {
	(void)arg;
	for (long i = 0; i <= n + 1; i++) {
		pthread_mutex_lock(&mu);
		while (turn != 1)
			pthread_cond_wait(&cv, &mu);
		long j = atol(buf + 5);
		snprintf(buf, MSG, "pong %ld", j);
		turn = 0;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: ipc pipe|socket|shm|threads N\n");
		return 2;
	}
	const char *mode = argv[1];
	n = atol(argv[2]);
	if (strcmp(mode, "threads") == 0) {
		pthread_t t;
		pthread_create(&t, NULL, thread_server, NULL);
		for (long i = 0; i <= n + 1; i++) {
			if (i == 1 || i == n + 1)
				getppid(); // start, end
			pthread_mutex_lock(&mu);
			snprintf(buf, MSG, "ping %ld", i);
			turn = 1;
			pthread_cond_signal(&cv);
			while (turn != 0)
				pthread_cond_wait(&cv, &mu);
			check(buf, i);
			pthread_mutex_unlock(&mu);
		}
		pthread_join(t, NULL);
	} else if (strcmp(mode, "shm") == 0) {
		struct box *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (b == MAP_FAILED)
			return 1;
		pid_t pid = fork();
		if (pid == 0) {
			for (long i = 0; i <= n + 1; i++) {
				take_turn(b, 1);
				long j = atol(b->msg + 5);
				snprintf(b->msg, MSG, "pong %ld", j);
				give_turn(b, 0);
			}
			_exit(0);
		}
		for (long i = 0; i <= n + 1; i++) {
			if (i == 1 || i == n + 1)
				getppid(); // start, end
			snprintf(b->msg, MSG, "ping %ld", i);
			give_turn(b, 1);
			take_turn(b, 0);
			check(b->msg, i);
		}
		waitpid(pid, NULL, 0);
	} else {
		int to[2], from[2];
		if (strcmp(mode, "pipe") == 0) {
			if (pipe(to) || pipe(from))
				return 1;
		} else if (strcmp(mode, "socket") == 0) {
			int sv[2];
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
				return 1;
			// One socket carries both directions: each process keeps its own end.
			to[0] = from[1] = sv[1];
			to[1] = from[0] = sv[0];
			sock = 1;
		} else {
			fprintf(stderr, "ipc: no mode %s\n", mode);
			return 2;
		}
		pid_t pid = fork();
		if (pid == 0) {
			server(to[0], from[1]);
			_exit(0);
		}
		client(to[1], from[0]);
		waitpid(pid, NULL, 0);
	}
	printf("%s: 1 + %ld + 1 round trips of %d-byte messages, %d wrong answers\n", mode, n, MSG, bad);
	return bad != 0;
}
