// The cgroup v2 memory controller (Documentation/admin-guide/cgroup-v2.rst, "Memory"),
// as root: memory.max takes bytes with a K/M/G suffix, rounded down to pages, or "max"
// (anything else is EINVAL); a process allocating without end in a group is killed by
// the group's OOM killer (SIGKILL) while its parent outside survives, and
// memory.events counts max, oom and oom_kill; memory.current goes back to 0 when the
// memory is gone and memory.peak stays within memory.max; the victim is the group's
// process with the most memory, not necessarily the one allocating, unless its
// oom_score_adj (proc(5): -1000 to 1000, lowering it past what a privileged process set
// needs CAP_SYS_RESOURCE) is -1000. Under that limit, pages
// MADV_FREE let go of are reclaimed (read as zero) unless written since, and are not
// freed before (madvise(2)); MAP_DROPPABLE memory (mmap(2), Linux 6.11) is reclaimed
// too (mincore(2) shows it gone, it reads as zero), a fork's child sees it as zeros,
// and it must be anonymous (EINVAL).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif

#define CG "/sys/fs/cgroup"
#define PAGE 4096

static const char *err(int e) { return e ? strerrorname_np(e) : "ok"; }

static int put(const char *path, const char *s) {
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int r = write(fd, s, strlen(s)) < 0 ? errno : 0;
	close(fd);
	return r;
}

static const char *get(const char *path) {
	static char buf[4096];
	buf[0] = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return strerrorname_np(errno);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return strerrorname_np(errno);
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return buf;
}

static long long num(const char *path) { return atoll(get(path)); }

// field returns the value of key in a "key value" file (memory.events, memory.stat).
static long long field(const char *path, const char *key) {
	char *s = strdup(get(path)), *save = NULL;
	long long v = -1;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		if (sp && (size_t)(sp - l) == strlen(key) && strncmp(l, key, sp - l) == 0)
			v = atoll(sp + 1);
	}
	free(s);
	return v;
}

// setmax sets the group's memory.max to its current usage plus extra bytes.
static void setmax(const char *grp, long long extra) {
	char path[256], v[64];
	snprintf(path, sizeof path, CG "/%s/memory.current", grp);
	snprintf(v, sizeof v, "%lld", num(path) + extra);
	snprintf(path, sizeof path, CG "/%s/memory.max", grp);
	put(path, v);
}

// grab touches n fresh pages.
static void grab(int n) {
	char *p = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < n; i++)
		p[i * PAGE] = 1;
}

static int run(void (*f)(void)) {
	pid_t c = fork();
	if (c == 0) {
		f();
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	return st;
}

// madvfree runs in group lazy: 256 pages written, MADV_FREE'd, two written again,
// then the group's limit set so that new memory needs them back.
static void madvfree(void) {
	put(CG "/lazy/cgroup.procs", "0");
	int n = 256;
	char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'a', n * PAGE);
	printf("madvise MADV_FREE: %s\n", err(madvise(p, n * PAGE, MADV_FREE) ? errno : 0));
	int kept = 0;
	for (int i = 0; i < n; i++)
		kept += p[i * PAGE] == 'a';
	printf("pages kept at once: %d of %d\n", kept, n);
	p[0] = 'b';
	p[10 * PAGE] = 'b';
	printf("pglazyfree: %lld\n", field(CG "/lazy/memory.stat", "pglazyfree"));
	setmax("lazy", 64 * PAGE);
	grab(192);
	// Reading a page that was taken faults a new one in: lift the limit first.
	put(CG "/lazy/memory.max", "max");
	int freed = 0, bad = 0;
	for (int i = 0; i < n; i++) {
		char *q = p + i * PAGE;
		if (i == 0 || i == 10) {
			bad += q[0] != 'b' || q[1] != 'a' || q[PAGE - 1] != 'a';
			continue;
		}
		if (q[0] == 0) {
			freed++;
			for (int j = 0; j < PAGE; j++)
				bad += q[j] != 0;
		} else {
			for (int j = 0; j < PAGE; j++)
				bad += q[j] != 'a';
		}
	}
	printf("some MADV_FREE pages reclaimed: %s\n", freed > 0 ? "yes" : "no");
	printf("written pages kept, others whole or zero: %s\n", bad ? "no" : "yes");
	printf("pglazyfreed > 0: %s\n", field(CG "/lazy/memory.stat", "pglazyfreed") > 0 ? "yes" : "no");
	printf("memory.events oom: %lld\n", field(CG "/lazy/memory.events", "oom"));
}

// droppable runs in group drop: 256 pages of MAP_DROPPABLE memory, written, then the
// group's limit set so that new memory needs them back.
static void droppable(void) {
	put(CG "/drop/cgroup.procs", "0");
	int n = 256;
	char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_DROPPABLE, -1, 0);
	printf("mmap MAP_DROPPABLE: %s\n", p == MAP_FAILED ? err(errno) : "ok");
	memset(p, 'A', n * PAGE);
	unsigned char vec[256];
	mincore(p, n * PAGE, vec);
	int resident = 0;
	for (int i = 0; i < n; i++)
		resident += vec[i] & 1;
	printf("resident after writing: %d of %d\n", resident, n);
	pid_t c = fork();
	if (c == 0) {
		printf("child reads droppable memory as: %d\n", p[0]);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	printf("parent still reads: %c\n", p[0]);
	setmax("drop", 64 * PAGE);
	grab(192);
	mincore(p, n * PAGE, vec);
	resident = 0;
	int nonzero = 0;
	put(CG "/drop/memory.max", "max");
	for (int i = 0; i < n; i++) {
		resident += vec[i] & 1;
		if (!(vec[i] & 1))
			nonzero += p[i * PAGE] != 0; // reading it back makes it present again
	}
	printf("some droppable pages dropped: %s\n", resident < n ? "yes" : "no");
	printf("dropped pages read as zero: %s\n", nonzero ? "no" : "yes");
	printf("memory.events oom: %lld\n", field(CG "/drop/memory.events", "oom"));
	int fd = open("/dev/zero", O_RDONLY);
	printf("MAP_DROPPABLE of a file: %s\n",
	       err(mmap(NULL, PAGE, PROT_READ, MAP_DROPPABLE, fd, 0) == MAP_FAILED ? errno : 0));
	printf("MAP_DROPPABLE|MAP_GROWSDOWN: %s\n",
	       err(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS | MAP_DROPPABLE | MAP_GROWSDOWN, -1, 0) == MAP_FAILED ? errno : 0));
}

// hog allocates until it is killed.
static void hog(void) {
	put(CG "/hog/cgroup.procs", "0");
	for (;;)
		grab(64);
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("+memory: %s\n", err(put(CG "/cgroup.subtree_control", "+memory")));
	mkdir(CG "/hog", 0755);
	printf("hog memory.current: %s\n", get(CG "/hog/memory.current"));
	printf("memory.max 1M: %s\n", err(put(CG "/hog/memory.max", "1M")));
	printf("reads: %s\n", get(CG "/hog/memory.max"));
	printf("memory.max 4097: %s\n", err(put(CG "/hog/memory.max", "4097")));
	printf("reads: %s\n", get(CG "/hog/memory.max"));
	printf("memory.max abc: %s\n", err(put(CG "/hog/memory.max", "abc")));
	printf("memory.max max: %s\n", err(put(CG "/hog/memory.max", "max")));
	printf("reads: %s\n", get(CG "/hog/memory.max"));
	printf("memory.high 2M: %s, reads %s\n", err(put(CG "/hog/memory.high", "2M")), get(CG "/hog/memory.high"));
	printf("memory.low 1M: %s, reads %s\n", err(put(CG "/hog/memory.low", "1M")), get(CG "/hog/memory.low"));
	printf("memory.min 1M: %s, reads %s\n", err(put(CG "/hog/memory.min", "1M")), get(CG "/hog/memory.min"));
	printf("memory.swap.max 0: %s, reads %s\n", err(put(CG "/hog/memory.swap.max", "0")), get(CG "/hog/memory.swap.max"));
	printf("memory.swap.current: %s\n", get(CG "/hog/memory.swap.current"));

	// An allocation loop in a group with a limit is killed there; we are not.
	put(CG "/hog/memory.max", "4M");
	int st = run(hog);
	printf("hog: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	printf("memory.events max > 0: %s\n", field(CG "/hog/memory.events", "max") > 0 ? "yes" : "no");
	printf("memory.events oom: %lld\n", field(CG "/hog/memory.events", "oom"));
	printf("memory.events oom_kill: %lld\n", field(CG "/hog/memory.events", "oom_kill"));
	printf("memory.events.local oom_kill: %lld\n", field(CG "/hog/memory.events.local", "oom_kill"));
	printf("root memory.stat has anon: %s\n", field(CG "/memory.stat", "anon") >= 0 ? "yes" : "no");
	printf("hog memory.current after: %s\n", get(CG "/hog/memory.current"));
	long long peak = num(CG "/hog/memory.peak");
	printf("hog memory.peak within 4M: %s\n", peak > 0 && peak <= 4 << 20 ? "yes" : "no");
	printf("rmdir hog: %s\n", err(rmdir(CG "/hog") ? errno : 0));

	// The OOM killer ends the group's largest process, not the one that faults: a
	// sleeper holding 2 MiB goes, the child allocating 1.5 MiB after it lives.
	mkdir(CG "/two", 0755);
	put(CG "/two/memory.max", "3M");
	int p[2], q[2];
	pipe(p);
	pipe(q);
	pid_t big = fork();
	if (big == 0) {
		put(CG "/two/cgroup.procs", "0");
		grab(512);
		write(p[1], "x", 1);
		char c;
		read(q[0], &c, 1);
		_exit(0);
	}
	char c;
	read(p[0], &c, 1);
	pid_t small = fork();
	if (small == 0) {
		put(CG "/two/cgroup.procs", "0");
		grab(384);
		_exit(0);
	}
	waitpid(small, &st, 0);
	printf("allocating child: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	write(q[1], "x", 1);
	waitpid(big, &st, 0);
	printf("larger sleeper: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	printf("two oom_kill: %lld\n", field(CG "/two/memory.events", "oom_kill"));
	printf("rmdir two: %s\n", err(rmdir(CG "/two") ? errno : 0));

	// oom_score_adj (proc(5)): -1000 exempts a process, so the allocating child goes.
	printf("oom_score_adj: %s\n", get("/proc/self/oom_score_adj"));
	printf("oom_score_adj 1001: %s\n", err(put("/proc/self/oom_score_adj", "1001")));
	printf("oom_score_adj -500: %s\n", err(put("/proc/self/oom_score_adj", "-500")));
	printf("oom_adj reads: %s\n", get("/proc/self/oom_adj"));
	pid_t u = fork();
	if (u == 0) {
		setuid(1000);
		printf("unprivileged child inherits: %s\n", get("/proc/self/oom_score_adj"));
		printf("unprivileged -600: %s\n", err(put("/proc/self/oom_score_adj", "-600")));
		printf("unprivileged 100: %s\n", err(put("/proc/self/oom_score_adj", "100")));
		printf("unprivileged -500: %s\n", err(put("/proc/self/oom_score_adj", "-500")));
		_exit(0);
	}
	waitpid(u, NULL, 0);
	printf("oom_score_adj 0: %s\n", err(put("/proc/self/oom_score_adj", "0")));
	mkdir(CG "/three", 0755);
	put(CG "/three/memory.max", "3M");
	close(q[0]); // the killed sleeper left its wake-up unread: new pipes
	close(q[1]);
	pipe(q);
	big = fork();
	if (big == 0) {
		put(CG "/three/cgroup.procs", "0");
		put("/proc/self/oom_score_adj", "-1000");
		grab(512);
		write(p[1], "x", 1);
		read(q[0], &c, 1);
		_exit(0);
	}
	read(p[0], &c, 1);
	small = fork();
	if (small == 0) {
		put(CG "/three/cgroup.procs", "0");
		grab(384);
		_exit(0);
	}
	waitpid(small, &st, 0);
	printf("allocating child: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	write(q[1], "x", 1);
	waitpid(big, &st, 0);
	printf("larger sleeper with oom_score_adj -1000: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	printf("rmdir three: %s\n", err(rmdir(CG "/three") ? errno : 0));

	mkdir(CG "/lazy", 0755);
	st = run(madvfree);
	printf("madvfree child: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	printf("rmdir lazy: %s\n", err(rmdir(CG "/lazy") ? errno : 0));

	mkdir(CG "/drop", 0755);
	st = run(droppable);
	printf("droppable child: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	printf("rmdir drop: %s\n", err(rmdir(CG "/drop") ? errno : 0));
	return 0;
}
