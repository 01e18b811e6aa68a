// Memory locks, as a user (mlock) and as root (mlock.root).
//
// Man page rules checked (mlock(2), mmap(2), proc(5)): the range is rounded out to
// pages; a hole in it is ENOMEM; unknown mlock2 and mlockall flags, and mlockall(0)
// or MCL_ONFAULT alone, are EINVAL; an unprivileged process may lock up to
// RLIMIT_MEMLOCK (ENOMEM beyond it, locking a locked range again takes nothing more;
// EPERM when the limit is 0), root any amount; VmLck in /proc/self/status counts the
// locked pages; MAP_LOCKED mappings are locked (EAGAIN beyond the limit);
// mlockall(MCL_FUTURE) locks later mappings; munlockall undoes both; locks are not
// inherited by a child of fork.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

#define TRY(what, call) do { errno = 0; long r_ = (call); \
	printf("%-36s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)

static long vmlck(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmLck:", 6))
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IONBF, 0);
	char *m = mmap(NULL, 64 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct rlimit rl = { 16 * pg, 16 * pg };
	setrlimit(RLIMIT_MEMLOCK, &rl);
	printf("VmLck %ld kB\n", vmlck());
	TRY("mlock(4 pages, unaligned)", mlock(m + 100, 4 * pg - 100));
	printf("VmLck %ld kB\n", vmlck());
	TRY("mlock(same again)", mlock(m, 4 * pg));
	TRY("mlock(16 pages)", mlock(m, 16 * pg));
	TRY("mlock(17 pages)", mlock(m, 17 * pg));
	printf("VmLck %ld kB\n", vmlck());
	TRY("mlock2(bad flags)", mlock2(m, pg, 2));
	TRY("mlock2(MLOCK_ONFAULT)", mlock2(m + 20 * pg, pg, MLOCK_ONFAULT));
	TRY("munlock(all 64)", munlock(m, 64 * pg));
	printf("VmLck %ld kB\n", vmlck());
	TRY("mlock(hole)", mlock(m + 63 * pg, 2 * pg));
	TRY("munlock(hole)", munlock(m + 63 * pg, 2 * pg));
	TRY("mlockall(0)", mlockall(0));
	TRY("mlockall(MCL_ONFAULT)", mlockall(MCL_ONFAULT));
	TRY("mlockall(8)", mlockall(8));
	errno = 0;
	void *l = mmap(NULL, 8 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	printf("mmap(MAP_LOCKED, 8 pages) %s, VmLck %ld kB\n", l == MAP_FAILED ? ename(errno) : "ok", vmlck());
	errno = 0;
	void *l2 = mmap(NULL, 9 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	printf("mmap(MAP_LOCKED, 9 more) %s\n", l2 == MAP_FAILED ? ename(errno) : "ok");
	if (fork() == 0) {
		printf("child VmLck %ld kB\n", vmlck());
		exit(0);
	}
	wait(NULL);
	TRY("munlockall", munlockall());
	printf("VmLck %ld kB\n", vmlck());
	TRY("mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
	void *f = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("after a 2-page mmap, VmLck %ld kB\n", vmlck());
	munmap(f, 2 * pg);
	TRY("munlockall", munlockall());
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_MEMLOCK, &rl);
	TRY("mlock with RLIMIT_MEMLOCK 0", mlock(m, pg));
	TRY("mlockall with RLIMIT_MEMLOCK 0", mlockall(MCL_CURRENT));
	printf("VmLck > 64 kB: %d\n", vmlck() > 64);
	return 0;
}
