// execve(2) of the program itself through /proc/self/exe.
//
// Man page rules checked (execve(2), proc(5), fcntl(2), signal(7),
// sigaction(2), getauxval(3), posix_spawn(3)):
//   - errors: ENOENT for a missing file or an empty path, and for a script
//     whose "#!" interpreter does not exist; EACCES for a directory, for a
//     file that is not a regular file (/dev/null), and for a regular file
//     without execute permission (an ELF copy with mode 0644); ENOEXEC for
//     an executable text file that is not ELF and has no "#!"; ENOTDIR when
//     a path component is a file; EFAULT for a bad pointer in argv.  After
//     a failed execve the caller simply continues.
//   - on success: argv and envp are exactly the arrays passed (argv[0]
//     included); the PID is unchanged; descriptors with FD_CLOEXEC are
//     closed (fcntl F_GETFD then fails with EBADF) while the others stay
//     open with their file offsets; caught signals are reset to SIG_DFL,
//     ignored ones stay ignored; the signal mask, current directory and
//     umask are preserved.
//   - proc(5): /proc/self/exe names the executed file; /proc/self/comm is
//     the last component of the pathname given to execve, so "exe" after
//     execve("/proc/self/exe") (execve(2): the name comes from the
//     filename; prctl(2) PR_SET_NAME); getauxval(AT_EXECFN) is the
//     pathname as passed to execve, relative or not.
//   - fork+execve, vfork+execve and posix_spawn: the parent gets the
//     child's exit status.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATA "/tmp/weft-expect-exec-data"
#define NOEXEC "/tmp/weft-expect-exec-0644"
#define TEXT "/tmp/weft-expect-exec-text"
#define SCRIPT "/tmp/weft-expect-exec-script"

extern char **environ;

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void onterm(int sig) { (void)sig; }

static void try_exec(const char *label, const char *path, char *const argv[]) {
	char *envp[] = {"X=1", NULL};
	errno = 0;
	int r = execve(path, argv, envp);
	printf("execve %s: %d %s\n", label, r, ename(errno));
}

static void put(const char *path, const void *data, size_t n, mode_t mode) {
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	write(fd, data, n);
	fchmod(fd, mode);
	close(fd);
}

static void show_proc_file(const char *label, const char *path) {
	char buf[256] = {0};
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		printf("%s: %s\n", label, ename(errno));
		return;
	}
	printf("%s: %s%s", label, buf, n > 0 && buf[n - 1] == '\n' ? "" : "\n");
}

static int child_mode(int argc, char **argv) {
	char comm[64] = {0};
	int fd = open("/proc/self/comm", O_RDONLY);
	read(fd, comm, sizeof comm - 1);
	close(fd);
	comm[strcspn(comm, "\n")] = 0;
	printf("child incarnation: argc=%d argv[0]=%s argv[2]=%s comm=%s\n", argc, argv[0],
	       argc > 2 ? argv[2] : "-", comm);
	return 7;
}

// cmdline_matches compares /proc/self/cmdline with argv.
static void cmdline_matches(const char *who, int argc, char **argv) {
	char buf[4096];
	int fd = open("/proc/self/cmdline", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	int entries = 0, same = 1;
	for (ssize_t off = 0; off < n; off += (ssize_t)strlen(buf + off) + 1) {
		if (entries >= argc || strcmp(buf + off, argv[entries]) != 0)
			same = 0;
		entries++;
	}
	printf("%s: /proc/self/cmdline has %d entries, equal to argv: %d\n", who, entries, same && entries == argc);
}

static int third(int argc, char **argv) {
	char exe[512] = {0};
	readlink("/proc/self/exe", exe, sizeof exe - 1);
	printf("third: argc=%d argv[0]=%s\n", argc, argv[0]);
	printf("third: /proc/self/exe is the same file: %d\n", strcmp(exe, argv[2]) == 0);
	printf("third: AT_EXECFN=%s\n", (const char *)getauxval(AT_EXECFN));
	show_proc_file("third: comm", "/proc/self/comm");
	return 0;
}

static int second(int argc, char **argv) {
	printf("second: argc=%d\n", argc);
	for (int i = 0; i < argc; i++) {
		if (i == 4 || i == 5)
			continue; // the pid and the exe path: compared below
		printf("second: argv[%d]=\"%s\"\n", i, argv[i]);
	}
	int n = 0;
	for (char **e = environ; *e; e++)
		printf("second: environ[%d]=\"%s\"\n", n++, *e);
	printf("second: getpid() unchanged: %d\n", getpid() == atoi(argv[4]));
	char exe[512] = {0};
	readlink("/proc/self/exe", exe, sizeof exe - 1);
	printf("second: /proc/self/exe unchanged: %d\n", strcmp(exe, argv[5]) == 0);
	printf("second: AT_EXECFN=%s\n", (const char *)getauxval(AT_EXECFN));
	show_proc_file("second: comm", "/proc/self/comm");
	cmdline_matches("second", argc, argv);

	int plain = atoi(argv[2]), cloexec = atoi(argv[3]);
	errno = 0;
	int fl = fcntl(plain, F_GETFD);
	printf("second: plain fd F_GETFD=%d %s\n", fl, ename(errno));
	char buf[8] = {0};
	printf("second: read from the plain fd: %zd \"%s\"\n", read(plain, buf, 3), buf);
	errno = 0;
	fl = fcntl(cloexec, F_GETFD);
	printf("second: O_CLOEXEC fd F_GETFD=%d %s\n", fl, ename(errno));
	errno = 0;
	fl = fcntl(cloexec + 1, F_GETFD);
	printf("second: pipe2(O_CLOEXEC) ends: %d %s\n", fl, ename(errno));

	struct sigaction sa;
	sigaction(SIGPIPE, NULL, &sa);
	printf("second: SIGPIPE ignored: %d\n", sa.sa_handler == SIG_IGN);
	sigaction(SIGTERM, NULL, &sa);
	printf("second: SIGTERM back to SIG_DFL: %d\n", sa.sa_handler == SIG_DFL);
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	printf("second: SIGUSR1 still blocked: %d, SIGUSR2 blocked: %d\n", sigismember(&set, SIGUSR1),
	       sigismember(&set, SIGUSR2));
	char cwd[256];
	printf("second: cwd=%s\n", getcwd(cwd, sizeof cwd));
	mode_t old = umask(022);
	printf("second: umask=%03o\n", (unsigned)old);

	// fork + execve.
	char *cargv[] = {"forked-child", "child", "via fork", NULL};
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execve("/proc/self/exe", cargv, environ);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("second: fork+execve child exited %d\n", WEXITSTATUS(st));

	// vfork + execve.
	char *vargv[] = {"vforked-child", "child", "via vfork", NULL};
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execve("/proc/self/exe", vargv, environ);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("second: vfork+execve child exited %d\n", WEXITSTATUS(st));

	// posix_spawn.
	char *sargv[] = {"spawned-child", "child", "via posix_spawn", NULL};
	fflush(stdout);
	int r = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, sargv, environ);
	if (r == 0)
		waitpid(pid, &st, 0);
	printf("second: posix_spawn=%d, child exited %d\n", r, r == 0 ? WEXITSTATUS(st) : -1);

	// A relative path: chdir to the program's directory, execve("./NAME").
	char dir[512], base[512], rel[600];
	strcpy(dir, exe);
	strcpy(base, exe);
	snprintf(rel, sizeof rel, "./%s", basename(base));
	chdir(dirname(dir));
	char *targv[] = {"third-argv0", "third", exe, NULL};
	fflush(stdout);
	execve(rel, targv, environ);
	printf("second: execve(./NAME) failed: %s\n", ename(errno));
	return 1;
}

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "second") == 0)
		return second(argc, argv);
	if (argc > 1 && strcmp(argv[1], "third") == 0)
		return third(argc, argv);
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child_mode(argc, argv);

	printf("first: argc=%d\n", argc);
	char *args[] = {"x", NULL};
	try_exec("of a missing file", "/nonexistent/prog", args);
	try_exec("of an empty path", "", args);
	try_exec("of a directory", "/tmp", args);
	try_exec("of /dev/null", "/dev/null", args);

	// An ELF copy of ourselves without execute permission.
	static char image[4 << 20];
	int self = open("/proc/self/exe", O_RDONLY);
	ssize_t size = 0, n;
	while ((n = read(self, image + size, sizeof image - (size_t)size)) > 0)
		size += n;
	close(self);
	printf("first: read our own image: %d\n", size > 1000 && memcmp(image, "\177ELF", 4) == 0);
	put(NOEXEC, image, (size_t)size, 0644);
	try_exec("of an ELF file with mode 0644", NOEXEC, args);
	put(TEXT, "just some text\n", 15, 0755);
	try_exec("of a text file with mode 0755", TEXT, args);
	put(SCRIPT, "#!/nonexistent/interpreter\necho hi\n", 35, 0755);
	try_exec("of a script whose interpreter is missing", SCRIPT, args);
	try_exec("through a file as a directory", TEXT "/x", args);
	char *badargv[] = {"x", (char *)16, NULL};
	try_exec("with a bad argv pointer", "/proc/self/exe", badargv);
	unlink(NOEXEC);
	unlink(TEXT);
	unlink(SCRIPT);
	printf("first: still running after the failures\n");

	// State that execve keeps or drops.
	put(DATA, "0123456789", 10, 0644);
	int plain = open(DATA, O_RDONLY);
	char buf[4];
	read(plain, buf, 3);
	int cloexec = open(DATA, O_RDONLY | O_CLOEXEC);
	int p[2];
	pipe2(p, O_CLOEXEC);
	unlink(DATA);
	printf("first: plain fd %d F_GETFD=%d, O_CLOEXEC fd %d F_GETFD=%d, pipe fds %d %d F_GETFD=%d %d\n", plain,
	       fcntl(plain, F_GETFD), cloexec, fcntl(cloexec, F_GETFD), p[0], p[1], fcntl(p[0], F_GETFD),
	       fcntl(p[1], F_GETFD));
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, onterm);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	chdir("/tmp");
	umask(077);

	char exe[512] = {0};
	readlink("/proc/self/exe", exe, sizeof exe - 1);
	char a2[16], a3[16], a4[16];
	snprintf(a2, sizeof a2, "%d", plain);
	snprintf(a3, sizeof a3, "%d", cloexec);
	snprintf(a4, sizeof a4, "%d", getpid());
	char *nargv[] = {"renamed-argv0", "second", a2, a3, a4, exe, "arg with spaces", "", NULL};
	char *nenvp[] = {"WEFT_A=1", "EMPTY=", "WEFT_B=two words", NULL};
	printf("first: execve(\"/proc/self/exe\")\n");
	fflush(stdout);
	execve("/proc/self/exe", nargv, nenvp);
	printf("first: execve failed: %s\n", ename(errno));
	return 1;
}
