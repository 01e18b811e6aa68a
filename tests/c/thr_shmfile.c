// MAP_SHARED file mappings as shared memory between threads and
// processes (mmap(2): updates are visible to every other mapping of the
// same region, and carried through to the file). A scratch file is mapped
// twice in one process at two addresses: a store through one mapping is
// seen through the other and by read(2), and a write(2) to the file is seen
// through both. A shared futex (no FUTEX_PRIVATE_FLAG) is keyed by the
// file page, not the address: a thread waiting on one mapping is woken
// through the other, and a child process that maps the file again (at yet
// another address) is woken by its parent. A private futex on the alias
// is a different futex: waking it wakes nobody.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *path = "/tmp/weft-difftest-thr_shmfile";
static uint32_t *m1, *m2;
static volatile int woken;

static long futex(uint32_t *addr, int op, uint32_t val) { return syscall(SYS_futex, addr, op, val, NULL, NULL, 0); }

// Waits on m1[0] until it is nonzero; counts its returns from FUTEX_WAIT
// that were real wake-ups (0) while the word was still 0 when checked.
static void *waiter(void *arg) {
	(void)arg;
	while (__atomic_load_n(&m1[0], __ATOMIC_SEQ_CST) == 0)
		futex(&m1[0], FUTEX_WAIT, 0);
	__atomic_store_n(&woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0); // a deadlock ends the run: keep what was printed
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	ftruncate(fd, 8192);
	m1 = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	m2 = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("two mappings at different addresses: %d\n", m1 != MAP_FAILED && m2 != MAP_FAILED && m1 != m2);

	m1[1] = 0x11223344;
	printf("store via the first, load via the second: %#x\n", m2[1]);
	uint32_t v = 0;
	pread(fd, &v, 4, 4);
	printf("read(2) sees it: %#x\n", v);
	v = 0x55667788;
	pwrite(fd, &v, 4, 4100);
	printf("write(2) seen through both: %#x %#x\n", m1[1025], m2[1025]);

	// A thread waits on m1[0]; waking m2[0] (the same file page and
	// offset) must reach it. A private wake on the alias must not.
	m1[0] = 0;
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	usleep(20000);
	long priv = 0;
	for (int i = 0; i < 5; i++)
		priv += futex(&m2[0], FUTEX_WAKE_PRIVATE, 1);
	printf("private wake through the alias woke %ld\n", priv);
	long shared = 0;
	for (int i = 0; i < 200 && shared == 0; i++) {
		shared = futex(&m2[0], FUTEX_WAKE, 1);
		if (shared == 0)
			usleep(1000); // the waiter may not be asleep yet
	}
	printf("shared wake through the alias woke %ld\n", shared);
	__atomic_store_n(&m2[0], 1, __ATOMIC_SEQ_CST);
	futex(&m2[0], FUTEX_WAKE, 1);
	pthread_join(t, NULL);
	printf("waiter finished=%d\n", woken);

	// Across processes: the child maps the file afresh.
	m1[2] = 0;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		munmap(m1, 8192);
		munmap(m2, 8192);
		uint32_t *b = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		while (__atomic_load_n(&b[2], __ATOMIC_SEQ_CST) == 0)
			futex(&b[2], FUTEX_WAIT, 0);
		_exit((int)b[2]);
	}
	long n = 0;
	__atomic_store_n(&m2[2], 9, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 200 && n == 0; i++) {
		n = futex(&m2[2], FUTEX_WAKE, 1);
		if (n == 0) {
			int st;
			if (waitpid(c, &st, WNOHANG) == c) { // it saw the 9 without sleeping
				printf("child exit=%d\n", WEXITSTATUS(st));
				c = -1;
				break;
			}
			usleep(1000);
		}
	}
	if (c > 0) {
		int st;
		waitpid(c, &st, 0);
		printf("child exit=%d\n", WEXITSTATUS(st));
	}
	close(fd);
	unlink(path);
	return 0;
}
