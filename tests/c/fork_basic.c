// fork(2) and wait(2) basics: the child gets a copy of the parent's memory
// (globals, heap, stack, a private mapping) and changes on either side stay
// on that side; a MAP_SHARED mapping stays shared.  Exit codes come back
// through WEXITSTATUS; several children are reaped in a loop with
// wait/waitpid(-1); WNOHANG before the child has exited (sequenced with a
// pipe) returns 0; ECHILD once no children are left.  vfork+_exit too.
// Nothing printed depends on PIDs or scheduling: children are matched to
// their creation index and results are printed in that order.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static int global = 100;
static char bss[32];

int main(void) {
	pid_t self = getpid();
	char *heap = malloc(64);
	strcpy(heap, "parent heap");
	strcpy(bss, "parent bss");
	volatile int stackvar = 7;
	char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (priv == MAP_FAILED || shared == MAP_FAILED) {
		printf("mmap failed\n");
		return 1;
	}
	strcpy(priv, "parent private map");
	shared[0] = 1;

	// 1. Copy-on-write both ways, sequenced with two pipes.
	int p2c[2], c2p[2];
	if (pipe(p2c) || pipe(c2p))
		return 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("fork failed: %s\n", ename(errno));
		return 1;
	}
	if (pid == 0) {
		printf("child: fork returned 0, getppid()==parent: %d, getpid()!=parent: %d\n",
		       getppid() == self, getpid() != self);
		printf("child: before: global=%d heap=%s bss=%s stack=%d priv=%s shared=%d\n", global, heap, bss,
		       stackvar, priv, shared[0]);
		global = 200;
		strcpy(heap, "child heap");
		strcpy(bss, "child bss");
		stackvar = 8;
		strcpy(priv, "child private map");
		shared[0] = 2;
		printf("child: after: global=%d heap=%s bss=%s stack=%d priv=%s shared=%d\n", global, heap, bss,
		       stackvar, priv, shared[0]);
		fflush(stdout);
		char c = 'x';
		write(c2p[1], &c, 1); // tell the parent we changed everything
		read(p2c[0], &c, 1);  // wait until the parent changed its copies
		printf("child: after parent's changes: global=%d heap=%s bss=%s stack=%d priv=%s shared=%d\n",
		       global, heap, bss, stackvar, priv, shared[0]);
		exit(3);
	}
	char c;
	read(c2p[0], &c, 1);
	printf("parent: after child's changes: global=%d heap=%s bss=%s stack=%d priv=%s shared=%d\n", global,
	       heap, bss, stackvar, priv, shared[0]);
	global = 300;
	strcpy(heap, "parent heap 2");
	stackvar = 9;
	strcpy(priv, "parent private 2");
	shared[0] = 3;
	fflush(stdout);
	write(p2c[1], &c, 1);
	int status = -1;
	pid_t w = waitpid(pid, &status, 0);
	printf("parent: waitpid returned the child: %d\n", w == pid);
	printf("parent: WIFEXITED=%d WEXITSTATUS=%d WIFSIGNALED=%d\n", WIFEXITED(status), WEXITSTATUS(status),
	       WIFSIGNALED(status));
	printf("parent: final: global=%d heap=%s bss=%s stack=%d priv=%s shared=%d\n", global, heap, bss,
	       stackvar, priv, shared[0]);
	close(p2c[0]);
	close(p2c[1]);
	close(c2p[0]);
	close(c2p[1]);

	// 2. A big heap buffer: the child rewrites all of it, the parent's stays.
	size_t big = 1 << 20;
	unsigned char *buf = malloc(big);
	for (size_t i = 0; i < big; i++)
		buf[i] = (unsigned char)(i * 7);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		unsigned long sum = 0;
		for (size_t i = 0; i < big; i++) {
			sum += buf[i];
			buf[i] = 0xAA;
		}
		unsigned long after = 0;
		for (size_t i = 0; i < big; i++)
			after += buf[i];
		printf("child: big buffer sum before=%lu after=%lu\n", sum, after);
		exit(0);
	}
	waitpid(pid, &status, 0);
	unsigned long sum = 0;
	for (size_t i = 0; i < big; i++)
		sum += buf[i];
	printf("parent: big buffer sum=%lu status=%d\n", sum, WEXITSTATUS(status));
	free(buf);

	// 3. Several children, reaped in a loop with wait() and waitpid(-1).
	enum { N = 6 };
	pid_t kids[N];
	for (int i = 0; i < N; i++) {
		fflush(stdout);
		kids[i] = fork();
		if (kids[i] < 0) {
			printf("fork %d failed: %s\n", i, ename(errno));
			return 1;
		}
		if (kids[i] == 0)
			_exit(10 + i * 20);
	}
	int codes[N], seen[N] = {0}, reaped = 0;
	for (int k = 0; k < N; k++) {
		int st;
		pid_t r = (k % 2) ? wait(&st) : waitpid(-1, &st, 0);
		for (int i = 0; i < N; i++)
			if (r == kids[i]) {
				seen[i]++;
				codes[i] = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
				reaped++;
			}
	}
	printf("loop: reaped %d of %d\n", reaped, N);
	for (int i = 0; i < N; i++)
		printf("loop: child %d seen=%d code=%d\n", i, seen[i], codes[i]);
	errno = 0;
	w = wait(&status);
	printf("wait with no children: %d %s\n", (int)w, ename(errno));
	errno = 0;
	w = waitpid(-1, &status, WNOHANG);
	printf("waitpid(-1, WNOHANG) with no children: %d %s\n", (int)w, ename(errno));
	errno = 0;
	w = waitpid(self, &status, 0);
	printf("waitpid(self): %d %s\n", (int)w, ename(errno));
	errno = 0;
	w = waitpid(kids[0], &status, 0);
	printf("waitpid(reaped child): %d %s\n", (int)w, ename(errno));

	// 4. WNOHANG while the child is still alive: it waits on a pipe.
	int gate[2];
	pipe(gate);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		char b;
		ssize_t r = read(gate[0], &b, 1);
		_exit(r == 1 && b == 'g' ? 42 : 1);
	}
	close(gate[0]);
	errno = 0;
	w = waitpid(pid, &status, WNOHANG);
	printf("WNOHANG while alive: %d errno=%s\n", (int)w, ename(errno));
	w = waitpid(-1, &status, WNOHANG);
	printf("WNOHANG(-1) while alive: %d\n", (int)w);
	write(gate[1], "g", 1);
	close(gate[1]);
	w = waitpid(pid, &status, 0);
	printf("blocking wait after release: match=%d code=%d\n", w == pid, WEXITSTATUS(status));

	// 5. vfork: the parent resumes after the child's _exit.
	fflush(stdout);
	pid = vfork();
	if (pid == 0)
		_exit(77);
	w = waitpid(pid, &status, 0);
	printf("vfork: match=%d exited=%d code=%d\n", w == pid, WIFEXITED(status), WEXITSTATUS(status));

	// 6. A child that forks its own child and waits for it.
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pid_t me = getpid();
		fflush(stdout);
		pid_t g = fork();
		if (g == 0) {
			printf("grandchild: parent is the child: %d\n", getppid() == me);
			exit(5);
		}
		int st;
		pid_t r = waitpid(g, &st, 0);
		printf("child: reaped grandchild: %d code=%d\n", r == g, WEXITSTATUS(st));
		errno = 0;
		r = wait(NULL);
		printf("child: then %d %s\n", (int)r, ename(errno));
		exit(WEXITSTATUS(st) + 1);
	}
	waitpid(pid, &status, 0);
	printf("parent: child code=%d\n", WEXITSTATUS(status));
	errno = 0;
	w = wait(NULL);
	printf("parent: finally %d %s\n", (int)w, ename(errno));
	return 0;
}
