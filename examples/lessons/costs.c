// Lesson 7 (costs): creating and switching between processes costs more than
// creating and switching between threads.
//
//   costs fork N     N times: fork a child that exits at once, and wait for it
//   costs thread N   N times: create a thread that returns at once, and join it
//   costs pipe N     N round trips of one byte between two processes, over two pipes
//   costs futex N    N round trips between two threads of one process, handing a
//                    turn back and forth with futex wait/wake
//
// weft demo runs each on one CPU, so that every hand-over is a context switch, and
// times the loop between the two getppid() calls, which mark where it starts and
// ends.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long n;

static void *nothing(void *arg) { return NULL; }

// The futex ping-pong: turn says whose go it is (0: main thread, 1: partner).
static atomic_int turn;

static void futex_wait(atomic_int *addr, int val) {
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_int *addr) {
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

// play takes its turn n times: wait until turn == me, then hand the turn over.
static void play(int me) {
	for (long i = 0; i < n; i++) {
		while (atomic_load(&turn) != me)
			futex_wait(&turn, !me); // sleeps only while it is still the other's turn
		atomic_store(&turn, !me);
		futex_wake(&turn);
	}
}

static void *partner(void *arg) {
	play(1);
	return NULL;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: costs fork|thread|pipe|futex N\n");
		return 2;
	}
	const char *mode = argv[1];
	n = atol(argv[2]);

	if (strcmp(mode, "fork") == 0) {
		getppid(); // marker: start
		for (long i = 0; i < n; i++) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(0);
			waitpid(pid, NULL, 0);
		}
		getppid(); // marker: end
	} else if (strcmp(mode, "thread") == 0) {
		getppid();
		for (long i = 0; i < n; i++) {
			pthread_t t;
			pthread_create(&t, NULL, nothing, NULL);
			pthread_join(t, NULL);
		}
		getppid();
	} else if (strcmp(mode, "pipe") == 0) {
		int ping[2], pong[2];
		char c = 'x';
		if (pipe(ping) || pipe(pong))
			return 1;
		pid_t pid = fork();
		if (pid == 0) { // echo every byte back until the parent closes its end
			close(ping[1]);
			close(pong[0]);
			while (read(ping[0], &c, 1) == 1)
				write(pong[1], &c, 1);
			_exit(0);
		}
		close(ping[0]);
		close(pong[1]);
		write(ping[1], &c, 1); // one round trip first, so both sides are warmed up
		read(pong[0], &c, 1);
		getppid();
		for (long i = 0; i < n; i++) {
			write(ping[1], &c, 1);
			read(pong[0], &c, 1);
		}
		getppid();
		close(ping[1]);
		waitpid(pid, NULL, 0);
	} else if (strcmp(mode, "futex") == 0) {
		pthread_t t;
		pthread_create(&t, NULL, partner, NULL);
		getppid();
		play(0);
		while (atomic_load(&turn) != 0) // the partner's last move
			futex_wait(&turn, 1);
		getppid();
		pthread_join(t, NULL);
	} else {
		fprintf(stderr, "costs: unknown mode %s\n", mode);
		return 2;
	}
	printf("%s: %ld done\n", mode, n);
	return 0;
}
