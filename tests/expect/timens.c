// Time namespaces (time_namespaces(7)): unshare(CLONE_NEWTIME) (root only) makes a
// time namespace for the caller's children to come, named by
// /proc/self/ns/time_for_children; the caller stays in its own. Until a process enters
// it, its CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets may be written to
// /proc/self/timens_offsets (CAP_SYS_TIME; EACCES after, EINVAL for a bad line, ERANGE
// for a clock that would read below zero). A child made by fork enters it and sees the
// offsets in clock_gettime, clock_nanosleep with TIMER_ABSTIME, timerfd_settime with
// TFD_TIMER_ABSTIME, /proc/uptime and sysinfo; setns(2) with a descriptor of
// /proc/PID/ns/time takes it back. clone3 with CLONE_NEWTIME gives the child a namespace of its own. A
// new namespace starts with the offsets of the one it replaces as the namespace for
// children (Linux's copy_time_ns). execve enters the namespace for children (Linux's
// exec_task_namespaces).
// QEMU cannot be the oracle: the host's namespaces are not ours to make.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *res(int r) { return r >= 0 ? "ok" : strerrorname_np(-r); }

static int put(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	int r = write(fd, v, strlen(v));
	close(fd);
	return r < 0 ? -errno : 0;
}

static void show(const char *who, const char *path)
{
	char buf[128] = {0};
	int fd = open(path, O_RDONLY);
	read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("%s: %s", who, buf);
}

static int64_t now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double uptime(void)
{
	char buf[64] = {0};
	int fd = open("/proc/uptime", O_RDONLY);
	read(fd, buf, sizeof buf - 1);
	close(fd);
	return atof(buf);
}

static int same(const char *a, const char *b)
{
	char x[64] = {0}, y[64] = {0};
	readlink(a, x, sizeof x - 1);
	readlink(b, y, sizeof y - 1);
	return strncmp(x, "time:[", 6) == 0 && strcmp(x, y) == 0;
}

static const char *offs = "/proc/self/timens_offsets";

// sameino says two namespace files name one namespace: the same inode number.
static int sameino(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_ino == y.st_ino;
}

int main(int argc, char **argv)
{
	if (argc == 2) { // after execve: in the namespace for children
		printf("after execve: monotonic +%lld s\n", (long long)((now(CLOCK_MONOTONIC) - atoll(argv[1])) / 1000000000));
		printf("after execve: time and time_for_children the same: %d\n", same("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
		printf("after execve: write offsets: %s\n", res(put(offs, "monotonic 1 0")));
		return 0;
	}
	int init_ns = open("/proc/self/ns/time", O_RDONLY);
	printf("open ns/time: %s\n", res(init_ns));
	printf("time and time_for_children the same: %d\n", same("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
	show("first namespace", offs);
	printf("write to the first namespace: %s\n", res(put(offs, "monotonic 1 0")));

	printf("unshare(CLONE_NEWTIME): %s\n", res(unshare(CLONE_NEWTIME) ? -errno : 0));
	printf("time and time_for_children the same: %d\n", same("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
	show("new namespace", offs);
	printf("write \"1 100 0\\nboottime 200 500000000\": %s\n", res(put(offs, "1 100 0\nboottime 200 500000000")));
	show("set", offs);
	printf("write nanoseconds 1000000000: %s\n", res(put(offs, "monotonic 1 1000000000")));
	printf("write \"realtime 1 0\": %s\n", res(put(offs, "realtime 1 0")));
	printf("write \"3 1 0\": %s\n", res(put(offs, "3 1 0")));
	printf("write \"monotonic 1\": %s\n", res(put(offs, "monotonic 1")));
	printf("write \"monotonic 7 0\\nrealtime 1 0\": %s\n", res(put(offs, "monotonic 7 0\nrealtime 1 0")));
	printf("write monotonic -1000000000 s: %s\n", res(put(offs, "monotonic -1000000000 0")));
	show("unchanged", offs);

	int64_t mono = now(CLOCK_MONOTONIC), boot = now(CLOCK_BOOTTIME);
	double up = uptime();
	struct sysinfo si0;
	sysinfo(&si0);
	long up0 = si0.uptime;
	int fds[2];
	pipe(fds);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int64_t m = now(CLOCK_MONOTONIC), r = now(CLOCK_MONOTONIC_RAW), b = now(CLOCK_BOOTTIME);
		printf("child: monotonic +%lld s, raw +%lld s, boottime +%lld ds\n", (long long)((m - mono) / 1000000000),
		       (long long)((r - mono) / 1000000000), (long long)((b - boot) / 100000000));
		struct sysinfo si;
		sysinfo(&si);
		long dsi = si.uptime - up0; // whole seconds, rounded: 200.5 s later is 200 or 201
		printf("child: uptime +%d s, sysinfo's +200 or +201 s: %d\n", (int)(uptime() - up), dsi == 200 || dsi == 201);
		printf("child: time and time_for_children the same: %d\n", same("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
		char pc[64], pt[64];
		snprintf(pc, sizeof pc, "/proc/%d/ns/time_for_children", getppid());
		snprintf(pt, sizeof pt, "/proc/%d/ns/time", getppid());
		printf("child: same inode as its parent's time_for_children: %d, as its parent's time: %d\n",
		       sameino("/proc/self/ns/time", pc), sameino("/proc/self/ns/time", pt));
		printf("child: write offsets: %s\n", res(put(offs, "monotonic 1 0")));

		int64_t t0 = now(CLOCK_MONOTONIC);
		struct timespec ts = {.tv_sec = (t0 + 50000000) / 1000000000, .tv_nsec = (t0 + 50000000) % 1000000000};
		int e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		int64_t d = now(CLOCK_MONOTONIC) - t0;
		printf("child: clock_nanosleep to 50 ms ahead: %s, slept 50 ms to 1 s: %d\n", res(-e), d >= 50000000 && d < 1000000000);

		int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
		t0 = now(CLOCK_MONOTONIC);
		struct itimerspec its = {.it_value = {.tv_sec = (t0 + 20000000) / 1000000000, .tv_nsec = (t0 + 20000000) % 1000000000}};
		printf("child: timerfd_settime 20 ms ahead, absolute: %s\n", res(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) ? -errno : 0));
		uint64_t n = 0;
		read(tfd, &n, sizeof n);
		d = now(CLOCK_MONOTONIC) - t0;
		printf("child: %llu expiry after 20 ms to 1 s: %d\n", (unsigned long long)n, d >= 20000000 && d < 1000000000);

		int bad = open("/proc/self/status", O_RDONLY);
		printf("child: setns(/proc/self/status): %s\n", res(setns(bad, 0) ? -errno : 0));
		printf("child: setns(ns/time, CLONE_NEWNET): %s\n", res(setns(init_ns, CLONE_NEWNET) ? -errno : 0));
		printf("child: setns(ns/time, CLONE_NEWTIME): %s\n", res(setns(init_ns, CLONE_NEWTIME) ? -errno : 0));
		m = now(CLOCK_MONOTONIC);
		printf("child: monotonic +%lld s\n", (long long)((m - mono) / 1000000000));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("parent: monotonic +%lld s\n", (long long)((now(CLOCK_MONOTONIC) - mono) / 1000000000));
	printf("parent: write offsets after the child entered: %s\n", res(put(offs, "monotonic 1 0")));

	struct clone_args ca = {.flags = CLONE_NEWTIME, .exit_signal = SIGCHLD};
	fflush(stdout);
	pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid == 0) {
		printf("clone3 child: monotonic +%lld s\n", (long long)((now(CLOCK_MONOTONIC) - mono) / 1000000000));
		printf("clone3 child: time and time_for_children the same: %d\n", same("/proc/self/ns/time", "/proc/self/ns/time_for_children"));
		show("clone3 child", offs);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("clone3(CLONE_NEWTIME): %s\n", res(pid));

	fflush(stdout);
	if (fork() == 0) {
		setuid(65534);
		prctl(PR_SET_DUMPABLE, 1); // its /proc/self is its own again
		printf("nobody: unshare(CLONE_NEWTIME): %s\n", res(unshare(CLONE_NEWTIME) ? -errno : 0));
		printf("nobody: setns: %s\n", res(setns(init_ns, CLONE_NEWTIME) ? -errno : 0));
		printf("nobody: write offsets: %s\n", res(put(offs, "monotonic 1 0")));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	// In a user namespace of its own, nobody has CAP_SYS_ADMIN and CAP_SYS_TIME over
	// the time namespaces it makes there (owned by that user namespace), not over the
	// first one (owned by the first user namespace).
	fflush(stdout);
	if (fork() == 0) {
		setuid(65534);
		prctl(PR_SET_DUMPABLE, 1);
		printf("userns: unshare(CLONE_NEWUSER): %s\n", res(unshare(CLONE_NEWUSER) ? -errno : 0));
		printf("userns: unshare(CLONE_NEWTIME): %s\n", res(unshare(CLONE_NEWTIME) ? -errno : 0));
		printf("userns: write offsets: %s\n", res(put("/proc/self/timens_offsets", "monotonic 7 0")));
		int own = open("/proc/self/ns/time_for_children", O_RDONLY);
		int64_t m0 = now(CLOCK_MONOTONIC);
		printf("userns: setns(the first namespace): %s\n", res(setns(init_ns, CLONE_NEWTIME) ? -errno : 0));
		printf("userns: setns(its own): %s\n", res(setns(own, CLONE_NEWTIME) ? -errno : 0));
		int64_t d = now(CLOCK_MONOTONIC) - m0; // from the namespace for children's offset to 7 s
		printf("userns: monotonic moved by %lld s\n", (long long)((d + (d < 0 ? -500000000 : 500000000)) / 1000000000));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	printf("unshare(CLONE_NEWTIME) again: %s\n", res(unshare(CLONE_NEWTIME) ? -errno : 0));
	show("another new namespace", offs);
	printf("write \"boottime 0 0\": %s\n", res(put(offs, "boottime 0 0")));
	show("set", offs);

	// execve moves the process into its namespace for children.
	char self[32];
	snprintf(self, sizeof self, "%lld", (long long)mono);
	fflush(stdout);
	execl("/proc/self/exe", "timens", self, (char *)NULL);
	printf("execve: %s\n", strerrorname_np(errno));
	return 1;
}
