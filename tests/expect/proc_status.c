// /proc/self and /proc/PID as weft's default user (uid 1000, gid 1000),
// with the guest arguments "alpha", "two words" and "" (proc_status.args).
//
// Man page rules checked (proc(5), unless noted):
//   /proc/PID/status: "Name:" is the command name (the program's file name,
//     up to 15 bytes), "Umask:" the umask in octal (0022 here), "State:" is
//     "R (running)" for the reading process itself, "S (sleeping)" for a
//     process blocked in read, "Z (zombie)" for a child that has exited but
//     has not been waited for (its /proc/PID stays until it is reaped, then
//     ENOENT); "Tgid:" and "Pid:" are the PID, "PPid:" the parent's PID (0
//     for the first process, which has no parent in its namespace);
//     "Uid:"/"Gid:" list the real, effective, saved and filesystem IDs;
//     "Threads:" counts threads.
//   /proc/PID/cmdline: the arguments, each followed by a NUL.
//   /proc/PID/exe: a symbolic link to the executed file (by its absolute
//     path, which names that file: access(2) X_OK works); /proc/PID/cwd to
//     the current directory; /proc/PID/comm holds the command name.
//   /proc/PID/fd: one entry per open descriptor, including the one used to
//     read the directory itself; the process may read its own fd directory
//     (it is owned by the process's effective UID, mode 0500).  Each entry
//     is a link to the file's absolute path (a file opened by a relative
//     name shows its full path), or "pipe:[inode]" for a pipe.
//   /proc/PID/maps has a "[stack]" mapping.
//   /proc lists "self" and one directory per process.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static int slurp(const char *path, char *buf, size_t n) {
	memset(buf, 0, n);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	return r < 0 ? -1 : (int)r;
}

// field returns the value of "Key:\t..." in a status file, or NULL.
static const char *field(const char *status, const char *key, char *out, size_t n) {
	size_t k = strlen(key);
	for (const char *p = status; p && *p;) {
		if (strncmp(p, key, k) == 0 && p[k] == ':') {
			p += k + 1;
			while (*p == '\t' || *p == ' ')
				p++;
			size_t len = strcspn(p, "\n");
			if (len >= n)
				len = n - 1;
			memcpy(out, p, len);
			out[len] = 0;
			while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\t'))
				out[--len] = 0;
			return out;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static void show_fields(const char *who, const char *path, const char **keys) {
	char st[4096], v[256];
	if (slurp(path, st, sizeof st) < 0) {
		printf("%s: %s: %s\n", who, path[6] == 's' ? "/proc/self/status" : "/proc/CHILD/status", ename(errno));
		return;
	}
	for (const char **k = keys; *k; k++)
		printf("%s: %s: %s\n", who, *k, field(st, *k, v, sizeof v) ? v : "(missing)");
}

static long num(const char *path, const char *key) {
	char st[4096], v[256];
	if (slurp(path, st, sizeof st) < 0 || !field(st, key, v, sizeof v))
		return -1;
	return atol(v);
}

static int cmp(const void *a, const void *b) { return atoi(*(char *const *)a) - atoi(*(char *const *)b); }

static void list_fds(void) {
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		printf("opendir /proc/self/fd: %s\n", ename(errno));
		return;
	}
	char *names[32];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 32)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	qsort(names, (size_t)n, sizeof names[0], cmp);
	printf("/proc/self/fd lists:");
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf(" (the directory's own fd is %d)\n", dirfd(d));
	closedir(d);
}

static void link_of(const char *label, const char *path) {
	char buf[512] = {0};
	if (readlink(path, buf, sizeof buf - 1) < 0)
		printf("%s: %s\n", label, ename(errno));
	else
		printf("%s: %s\n", label, buf);
}

int main(int argc, char **argv) {
	static const char *keys[] = {"Name", "Umask", "State", "Uid", "Gid", "Threads", NULL};
	show_fields("self", "/proc/self/status", keys);
	printf("self: Pid is getpid(): %d, Tgid is getpid(): %d, PPid is getppid(): %d, getppid() is 0: %d\n",
	       num("/proc/self/status", "Pid") == getpid(), num("/proc/self/status", "Tgid") == getpid(),
	       num("/proc/self/status", "PPid") == getppid(), getppid() == 0);

	// cmdline.
	char buf[4096];
	int n = slurp("/proc/self/cmdline", buf, sizeof buf);
	int entries = 0;
	for (int off = 0; off < n; off += (int)strlen(buf + off) + 1) {
		if (entries == 0)
			printf("cmdline[0] is argv[0]: %d\n", strcmp(buf, argv[0]) == 0);
		else
			printf("cmdline[%d]: \"%s\"\n", entries, buf + off);
		entries++;
	}
	printf("cmdline entries: %d, argc: %d, ends with NUL: %d\n", entries, argc, n > 0 && buf[n - 1] == 0);

	// exe, comm, cwd.
	char exe[512] = {0};
	readlink("/proc/self/exe", exe, sizeof exe - 1);
	// Where the program appears in the guest is weft's choice (its host
	// path, or a fixed directory); it must be an absolute path to an
	// executable file with argv[0]'s file name.
	const char *slash = strrchr(argv[0], '/');
	const char *eslash = strrchr(exe, '/');
	printf("exe is absolute: %d, has argv[0]'s file name: %d, is executable: %d\n", exe[0] == '/',
	       eslash && strcmp(eslash + 1, slash ? slash + 1 : argv[0]) == 0, access(exe, X_OK) == 0);
	char self[32];
	snprintf(self, sizeof self, "/proc/%d/exe", getpid());
	char exe2[512] = {0};
	readlink(self, exe2, sizeof exe2 - 1);
	printf("/proc/PID/exe is the same: %d\n", strcmp(exe, exe2) == 0);
	slurp("/proc/self/comm", buf, sizeof buf);
	printf("comm: %s", buf);
	link_of("cwd", "/proc/self/cwd");
	chdir("/tmp");
	link_of("cwd after chdir(\"/tmp\")", "/proc/self/cwd");

	// fd.
	int fd = open("weft-expect-proc-file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	printf("opened weft-expect-proc-file (relative) as fd %d\n", fd);
	list_fds();
	link_of("fd 3", "/proc/self/fd/3");
	struct stat st;
	fstat(1, &st);
	char out[256] = {0};
	readlink("/proc/self/fd/1", out, sizeof out - 1);
	printf("fd 1 is a FIFO: %d, its link is pipe:[...]: %d\n", S_ISFIFO(st.st_mode),
	       strncmp(out, "pipe:[", 6) == 0 && out[strlen(out) - 1] == ']');
	int p[2];
	pipe(p);
	char want[64];
	fstat(p[0], &st);
	snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
	snprintf(self, sizeof self, "/proc/self/fd/%d", p[1]);
	memset(out, 0, sizeof out);
	readlink(self, out, sizeof out - 1);
	printf("a new pipe's write end links to pipe:[its inode]: %d\n", strcmp(out, want) == 0);
	close(fd);
	errno = 0;
	printf("fd 3 after close: %s\n", readlink("/proc/self/fd/3", out, sizeof out) < 0 ? ename(errno) : "still there");

	// maps.
	n = slurp("/proc/self/maps", buf, sizeof buf);
	printf("maps has [stack]: %d\n", n > 0 && strstr(buf, "[stack]") != NULL);

	// Another process: running (blocked), zombie, reaped.
	int gate[2];
	pipe(gate);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		close(gate[1]);
		char c;
		read(gate[0], &c, 1);
		_exit(0);
	}
	close(gate[0]);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", child);
	// Wait until the child is blocked in read: its state says so.
	for (int i = 0; i < 1000; i++) {
		char v[64];
		if (slurp(path, buf, sizeof buf) > 0 && field(buf, "State", v, sizeof v) && v[0] == 'S')
			break;
		usleep(1000);
	}
	static const char *ckeys[] = {"Name", "State", NULL};
	show_fields("blocked child", path, ckeys);
	printf("blocked child: PPid is us: %d\n", num(path, "PPid") == getpid());
	DIR *d = opendir("/proc");
	int has_self = 0, has_us = 0, has_child = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		has_self |= strcmp(e->d_name, "self") == 0;
		has_us |= atoi(e->d_name) == getpid();
		has_child |= atoi(e->d_name) == child;
	}
	closedir(d);
	printf("/proc lists self: %d, us: %d, the child: %d\n", has_self, has_us, has_child);
	close(gate[1]);
	siginfo_t si;
	waitid(P_PID, child, &si, WEXITED | WNOWAIT);
	show_fields("zombie child", path, ckeys);
	waitpid(child, NULL, 0);
	errno = 0;
	n = slurp(path, buf, sizeof buf);
	printf("reaped child's status: %s\n", n < 0 ? ename(errno) : "still there");
	unlink("/tmp/weft-expect-proc-file");
	return 0;
}
