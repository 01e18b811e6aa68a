// Credentials that a process may always "change" to what it already has
// (credentials(7), setuid(2), setreuid(2), setresuid(2), setgroups(2)),
// plus the privilege-dependent calls, whose results agree because the
// harness runs weft with the host's user and group IDs (qemu runs the
// program with them).  IDs are printed only as comparisons, except
// whether the real UID is 0, which explains the privileged results.  The
// supplementary group list is never printed: weft starts with none while
// the host user has its own.  Calls that really change IDs run in children
// so that nothing depends on the previous experiment.
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void res(const char *label, long r) {
	int e = errno;
	printf("%s: %ld%s%s\n", label, r < 0 ? -1L : r, r < 0 ? " " : "", r < 0 ? ename(e) : "");
	errno = 0;
}

static void ids(const char *who, uid_t u0, gid_t g0) {
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%s: uid r/e/s same as at start: %d %d %d, gid r/e/s: %d %d %d\n", who, r == u0, e == u0, s == u0,
	       gr == g0, ge == g0, gs == g0);
}

int main(void) {
	uid_t u = getuid();
	gid_t g = getgid();
	int root = u == 0;
	printf("real uid is 0: %d\n", root);
	printf("geteuid()==getuid(): %d, getegid()==getgid(): %d\n", geteuid() == u, getegid() == g);
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	printf("getresuid: r==getuid %d, e==geteuid %d, s==e %d\n", r == u, e == geteuid(), s == e);
	gid_t gr, ge, gs;
	getresgid(&gr, &ge, &gs);
	printf("getresgid: r==getgid %d, e==getegid %d, s==e %d\n", gr == g, ge == getegid(), gs == ge);
	printf("auxv: AT_UID==getuid %d, AT_EUID %d, AT_GID %d, AT_EGID %d, AT_SECURE=%lu\n",
	       getauxval(AT_UID) == u, getauxval(AT_EUID) == geteuid(), getauxval(AT_GID) == g,
	       getauxval(AT_EGID) == getegid(), getauxval(AT_SECURE));

	// No-op changes succeed for everyone.
	res("setuid(getuid())", setuid(u));
	res("setgid(getgid())", setgid(g));
	res("seteuid(geteuid())", seteuid(u));
	res("setegid(getegid())", setegid(g));
	res("setreuid(-1, -1)", setreuid(-1, -1));
	res("setreuid(uid, uid)", setreuid(u, u));
	res("setregid(-1, -1)", setregid(-1, -1));
	res("setregid(gid, gid)", setregid(g, g));
	res("setresuid(-1, -1, -1)", setresuid(-1, -1, -1));
	res("setresuid(uid, uid, uid)", setresuid(u, u, u));
	res("setresgid(-1, -1, -1)", setresgid(-1, -1, -1));
	res("setresgid(gid, gid, gid)", setresgid(g, g, g));
	ids("after no-op changes", u, g);
	int n = getgroups(0, NULL);
	printf("getgroups(0, NULL) >= 0: %d\n", n >= 0);
	gid_t list[256];
	int n2 = getgroups(256, list);
	printf("getgroups(256) returns the same count: %d\n", n2 == n);
	errno = 0;
	volatile int minus1 = -1;
	res("getgroups(-1)", getgroups(minus1, list));
	res("getresuid(NULL...)", syscall(148 /* getresuid */, 0L, 0L, 0L) == 0 ? 0 : -1);

	// Invalid IDs.
	res("setuid(-1)", setuid((uid_t)-1));
	res("setgid(-1)", setgid((gid_t)-1));

	// Real changes, each in a child: privileged for root, EPERM otherwise.
	uid_t other = u + 4242;
	gid_t othergid = g + 4242;
	struct {
		const char *name;
		int what;
	} cases[] = {
		{"setuid(other)", 0},       {"setgid(other)", 1},          {"seteuid(other)", 2},
		{"setreuid(other, -1)", 3}, {"setresuid(-1, -1, other)", 4}, {"setgroups(0, NULL)", 5},
		{"setgroups(1, {other})", 6}, {"setresgid(other, -1, -1)", 7},
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			errno = 0;
			int rr = -1;
			switch (cases[i].what) {
			case 0: rr = setuid(other); break;
			case 1: rr = setgid(othergid); break;
			case 2: rr = seteuid(other); break;
			case 3: rr = setreuid(other, -1); break;
			case 4: rr = setresuid(-1, -1, other); break;
			case 5: rr = setgroups(0, NULL); break;
			case 6: rr = setgroups(1, &othergid); break;
			case 7: rr = setresgid(othergid, -1, -1); break;
			}
			printf("child: %s: %d %s\n", cases[i].name, rr, ename(rr < 0 ? errno : 0));
			uid_t cr, ce, cs;
			gid_t cgr, cge, cgs;
			getresuid(&cr, &ce, &cs);
			getresgid(&cgr, &cge, &cgs);
			printf("  uid r/e/s is other: %d %d %d, gid r/e/s is other: %d %d %d\n", cr == other, ce == other,
			       cs == other, cgr == othergid, cge == othergid, cgs == othergid);
			if (cases[i].what == 6 && rr == 0) {
				gid_t gl[4];
				int k = getgroups(4, gl);
				printf("  getgroups: %d, first is other: %d\n", k, k > 0 && gl[0] == othergid);
				printf("  getgroups(0, NULL) counts it: %d\n", getgroups(0, NULL));
			}
			exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	ids("parent unchanged", u, g);

	// Credentials are inherited by a child.
	fflush(stdout);
	if (fork() == 0) {
		ids("child", u, g);
		exit(0);
	}
	wait(NULL);
	return 0;
}
