// Pipes between processes: a three-stage pipeline parent -> child ->
// grandchild with the result sent back on a fourth pipe; 1 MiB transfers in
// both directions with blocking writes (one single write larger than the
// pipe's capacity too); EOF only once every write end is closed;
// O_NONBLOCK reads (EAGAIN); pipe2 flags seen through fcntl; EPIPE with
// SIGPIPE ignored (also inherited by a child), and a child killed by the
// default SIGPIPE as its parent sees it (WIFSIGNALED/WTERMSIG).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

// readn reads until n bytes or EOF; it returns the count.
static size_t readn(int fd, void *buf, size_t n) {
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static unsigned char pattern(size_t i) { return (unsigned char)((i * 131 + (i >> 9)) & 0xff); }

static void status_line(const char *what, int st) {
	if (WIFEXITED(st))
		printf("%s: exited code=%d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by signal %d (%s)\n", what, WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
	else
		printf("%s: other status\n", what);
}

static void pipeline(void) {
	int a[2], b[2], res[2];
	pipe(a);
	pipe(b);
	pipe(res);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		// Stage 2: read numbers from a, square them, write to b.
		close(a[1]);
		fflush(stdout);
		pid_t gc = fork();
		if (gc == 0) {
			// Stage 3: read squares from b, add them up, report on res.
			close(b[1]);
			close(a[0]);
			close(res[0]);
			FILE *in = fdopen(b[0], "r");
			long long sum = 0, count = 0, v;
			while (fscanf(in, "%lld", &v) == 1) {
				sum += v;
				count++;
			}
			char msg[64];
			int n = snprintf(msg, sizeof msg, "%lld %lld", count, sum);
			write(res[1], msg, (size_t)n);
			_exit(0);
		}
		close(b[0]);
		close(res[0]);
		close(res[1]);
		FILE *in = fdopen(a[0], "r");
		FILE *out = fdopen(b[1], "w");
		long long v;
		int lines = 0;
		while (fscanf(in, "%lld", &v) == 1) {
			fprintf(out, "%lld\n", v * v);
			lines++;
		}
		fclose(out); // the grandchild sees EOF now
		int st;
		waitpid(gc, &st, 0);
		printf("stage 2: forwarded %d numbers, grandchild code=%d\n", lines, WEXITSTATUS(st));
		exit(0);
	}
	close(a[0]);
	close(b[0]);
	close(b[1]);
	close(res[1]);
	FILE *out = fdopen(a[1], "w");
	for (int i = 1; i <= 5000; i++)
		fprintf(out, "%d\n", i);
	fclose(out);
	char msg[64] = {0};
	size_t n = readn(res[0], msg, sizeof msg - 1);
	close(res[0]);
	int st;
	waitpid(child, &st, 0);
	printf("pipeline: result \"%s\" (%zu bytes), stage 2 code=%d\n", msg, n, WEXITSTATUS(st));
}

// bigTransfer sends 1 MiB from a child to the parent in odd-sized chunks.
static void child_to_parent(void) {
	enum { TOTAL = 1 << 20 };
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		unsigned char *buf = malloc(TOTAL);
		for (size_t i = 0; i < TOTAL; i++)
			buf[i] = pattern(i);
		size_t off = 0, chunk = 1000, shortwrites = 0;
		while (off < TOTAL) {
			size_t n = chunk < TOTAL - off ? chunk : TOTAL - off;
			ssize_t w = write(p[1], buf + off, n);
			if (w < 0) {
				printf("child: write failed: %s\n", ename(errno));
				_exit(1);
			}
			if ((size_t)w != n)
				shortwrites++;
			off += (size_t)w;
			chunk = chunk * 3 % 70001 + 1; // 1 B to 70 KB, some bigger than the pipe
		}
		_exit(shortwrites == 0 ? 0 : 2);
	}
	close(p[1]);
	unsigned char *got = malloc(TOTAL + 8192);
	size_t total = 0, bad = 0;
	for (;;) {
		ssize_t r = read(p[0], got + total, 4096 + (total % 3000));
		if (r < 0) {
			printf("parent: read failed: %s\n", ename(errno));
			break;
		}
		if (r == 0)
			break;
		if (r > 4096 + (ssize_t)(total % 3000))
			bad++;
		total += (size_t)r;
		if (total > TOTAL)
			break;
	}
	size_t mismatches = 0;
	for (size_t i = 0; i < total && i < TOTAL; i++)
		mismatches += got[i] != pattern(i);
	int st;
	waitpid(pid, &st, 0);
	printf("child->parent: %zu bytes, %zu mismatches, %zu oversized reads, EOF seen, child code=%d\n", total,
	       mismatches, bad, WEXITSTATUS(st));
	close(p[0]);
	free(got);
}

// One write() of 256 KiB (four times the pipe's capacity) to a slow reader.
static void parent_to_child(void) {
	enum { TOTAL = 1 << 20, ONE = 256 << 10 };
	int p[2], r[2];
	pipe(p);
	pipe(r);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		close(r[0]);
		unsigned char buf[777];
		size_t total = 0, mism = 0;
		ssize_t n;
		while ((n = read(p[0], buf, sizeof buf)) > 0) {
			for (ssize_t i = 0; i < n; i++)
				mism += buf[i] != pattern(total + (size_t)i);
			total += (size_t)n;
		}
		char msg[64];
		int m = snprintf(msg, sizeof msg, "%zu %zu", total, mism);
		write(r[1], msg, (size_t)m);
		_exit(0);
	}
	close(p[0]);
	close(r[1]);
	unsigned char *buf = malloc(TOTAL);
	for (size_t i = 0; i < TOTAL; i++)
		buf[i] = pattern(i);
	ssize_t w1 = write(p[1], buf, ONE);
	ssize_t w2 = write(p[1], buf + ONE, TOTAL - ONE);
	close(p[1]);
	char msg[64] = {0};
	readn(r[0], msg, sizeof msg - 1);
	int st;
	waitpid(pid, &st, 0);
	printf("parent->child: write(256K)=%zd write(768K)=%zd, child read \"%s\", code=%d\n", w1, w2, msg,
	       WEXITSTATUS(st));
	close(r[0]);
	free(buf);
}

static void eof_and_nonblock(void) {
	int p[2];
	pipe(p);
	for (int i = 0; i < 2; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			char line[32];
			int n = snprintf(line, sizeof line, "writer %d\n", i);
			write(p[1], line, (size_t)n);
			_exit(0);
		}
	}
	for (int i = 0; i < 2; i++)
		wait(NULL);
	// Both writers are gone, but the parent still holds a write end.
	char buf[64] = {0};
	size_t n = readn(p[0], buf, 18);
	printf("read both lines: %zu bytes, has writer 0: %d, has writer 1: %d\n", n,
	       strstr(buf, "writer 0\n") != NULL, strstr(buf, "writer 1\n") != NULL);
	int fl = fcntl(p[0], F_GETFL);
	fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
	errno = 0;
	ssize_t r = read(p[0], buf, sizeof buf);
	printf("nonblocking read with a writer left: %zd %s\n", r, ename(errno));
	fcntl(p[0], F_SETFL, fl);
	close(p[1]);
	r = read(p[0], buf, sizeof buf);
	printf("read after the last writer closed: %zd\n", r);
	r = read(p[0], buf, sizeof buf);
	printf("read again: %zd\n", r);
	close(p[0]);

	// pipe2 flags.
	int q[2];
	printf("pipe2(O_CLOEXEC|O_NONBLOCK): %d\n", pipe2(q, O_CLOEXEC | O_NONBLOCK));
	printf("  read end: FD_CLOEXEC=%d O_NONBLOCK=%d accmode=%d\n", fcntl(q[0], F_GETFD) & FD_CLOEXEC,
	       !!(fcntl(q[0], F_GETFL) & O_NONBLOCK), fcntl(q[0], F_GETFL) & O_ACCMODE);
	printf("  write end: FD_CLOEXEC=%d O_NONBLOCK=%d accmode=%d\n", fcntl(q[1], F_GETFD) & FD_CLOEXEC,
	       !!(fcntl(q[1], F_GETFL) & O_NONBLOCK), fcntl(q[1], F_GETFL) & O_ACCMODE);
	errno = 0;
	r = read(q[0], buf, sizeof buf);
	printf("  empty nonblocking read: %zd %s\n", r, ename(errno));
	errno = 0;
	r = write(q[0], "x", 1);
	printf("  write to the read end: %zd %s\n", r, ename(errno));
	errno = 0;
	r = read(q[1], buf, 1);
	printf("  read from the write end: %zd %s\n", r, ename(errno));
	errno = 0;
	long long off = lseek(q[0], 0, SEEK_SET);
	printf("  lseek on a pipe: %lld %s\n", off, ename(errno));
	// Fill the nonblocking pipe: writes stop with EAGAIN, never partially for
	// small writes.
	size_t filled = 0;
	char chunk[1024];
	memset(chunk, 'f', sizeof chunk);
	for (;;) {
		ssize_t w = write(q[1], chunk, sizeof chunk);
		if (w < 0) {
			printf("  filled %zu KiB then %s\n", filled >> 10, ename(errno));
			break;
		}
		filled += (size_t)w;
		if (filled > (1 << 22))
			break;
	}
	size_t drained = 0;
	while ((r = read(q[0], buf, sizeof buf)) > 0)
		drained += (size_t)r;
	printf("  drained %zu KiB, last read %zd %s\n", drained >> 10, r, ename(errno));
	errno = 0;
	int pr = pipe2(q, 0x1);
	printf("pipe2(bad flag): %d %s\n", pr, ename(errno));
	close(q[0]);
	close(q[1]);
}

static void sigpipe(void) {
	int p[2];
	pipe(p);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	ssize_t w = write(p[1], "x", 1);
	printf("SIG_IGN: write with no reader: %zd %s\n", w, ename(errno));
	// The child inherits SIG_IGN.
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		errno = 0;
		ssize_t cw = write(p[1], "y", 1);
		_exit(cw < 0 && errno == EPIPE ? 9 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	status_line("child with SIGPIPE ignored", st);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);

	// The default action kills the writer; here the reader goes away while
	// the child is blocked writing into a full pipe.
	int q[2], ready[2];
	pipe(q);
	pipe(ready);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(q[0]);
		close(ready[0]);
		char big[4096];
		memset(big, 'z', sizeof big);
		write(ready[1], "r", 1);
		for (;;)
			write(q[1], big, sizeof big);
	}
	close(q[1]);
	close(ready[1]);
	char c;
	read(ready[0], &c, 1);
	char tmp[1000];
	read(q[0], tmp, sizeof tmp); // take a little, then go away
	close(q[0]);
	waitpid(pid, &st, 0);
	status_line("writer after the reader closed", st);

	// And the simple case: the reader is gone before the first write.
	pipe(q);
	close(q[0]);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		write(q[1], "x", 1);
		_exit(0);
	}
	close(q[1]);
	waitpid(pid, &st, 0);
	status_line("first write with no reader", st);
}

int main(void) {
	pipeline();
	child_to_parent();
	parent_to_child();
	eof_and_nonblock();
	sigpipe();
	return 0;
}
