// Lesson 5 (threads-share): the threads of one process share its memory and its
// resources.
//
// Thread A writes a global variable and opens a file. Thread B, started after A has
// finished, reads the variable and writes to the file through the descriptor number
// A got: it is valid in B too, because there is one descriptor table for the whole
// process. Finally the main thread reads the file back. Compare lesson 1, where two
// processes wrote the same address and did not see each other's value.
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

// Globals: one copy for the whole process. weft demo reads `shared` from the
// process's memory by this name.
int shared;
int shared_fd = -1;

static long tid(void) { return syscall(SYS_gettid); }

static void *thread_a(void *arg) {
	shared = 42;
	shared_fd = open("/tmp/shared.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
	printf("thread A (pid %d, tid %ld): set shared = 42 at %p, opened fd %d\n", getpid(), tid(),
	       (void *)&shared, shared_fd);
	return NULL;
}

static void *thread_b(void *arg) {
	const char *msg = "written by thread B\n";
	printf("thread B (pid %d, tid %ld): reads shared = %d at %p, writes to fd %d: %s\n", getpid(),
	       tid(), shared, (void *)&shared, shared_fd,
	       write(shared_fd, msg, strlen(msg)) > 0 ? "ok" : "failed");
	return NULL;
}

int main(void) {
	pthread_t a, b;
	pthread_create(&a, NULL, thread_a, NULL);
	pthread_join(a, NULL); // A has finished before B starts: no race
	pthread_create(&b, NULL, thread_b, NULL);
	pthread_join(b, NULL);

	char buf[64] = {0};
	pread(shared_fd, buf, sizeof buf - 1, 0);
	printf("main     (pid %d, tid %ld): fd %d holds \"%.*s\"\n", getpid(), tid(), shared_fd,
	       (int)strcspn(buf, "\n"), buf);
	return 0;
}
