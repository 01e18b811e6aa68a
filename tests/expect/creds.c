// Credentials and file permissions, run twice: as weft's default user
// (uid 1000, gid 1000, no supplementary groups: creds.out) and as root
// (--uid 0 --gid 0: creds.root.out).
//
// Man page rules checked:
//   setuid(2): an unprivileged process may set its effective UID to its
//     real UID or saved set-user-ID, anything else is EPERM; a privileged
//     one (effective UID 0 here: no capabilities otherwise) sets all three.
//   setreuid(2): unprivileged, the real UID may become the real or
//     effective UID, the effective UID the real, effective or saved one;
//     the saved set-user-ID becomes the new effective UID when the real UID
//     is set or the effective UID is set to something other than the
//     previous real UID.
//   setresuid(2)/setresgid(2): unprivileged, each ID may become any of the
//     current real, effective or saved IDs; -1 leaves an ID alone.
//   setgroups(2)/getgroups(2): setgroups needs privilege (EPERM); getgroups
//     with size 0 returns the count, with a smaller nonzero size EINVAL.
//   credentials(7), capabilities(7): once the real, effective and saved
//     UIDs are all nonzero the privileges are gone for good.
//   access(2): checks use the real UID and GID; faccessat(AT_EACCESS) the
//     effective ones.
//   path_resolution(7)/inode(7) "Permission": the owner class applies when
//     the fsuid is the owner, else the group class when the fsgid or a
//     supplementary group is the file's group, else the other class — only
//     one class is consulted.  Root passes read and write checks.
//   chmod(2): only the owner (or a privileged process) may change the mode
//     (EPERM); an unprivileged owner who is not in the file's group loses
//     S_ISGID silently.  chown(2): only a privileged process may change the
//     owner; the owner may change the group to a group it is in; a
//     non-owner, unprivileged process may not chown at all, not even to the
//     current owner (EPERM); changing the owner of an executable clears
//     S_ISUID and S_ISGID.  open(2): a new file gets the effective UID and
//     GID.  unlink(2)/rename(2): in a sticky directory (/tmp) only the
//     file's or directory's owner (or privilege) may remove an entry (EPERM).
//   kill(2): an unprivileged sender needs its real or effective UID to
//     equal the target's real or saved UID (EPERM).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DIR "/tmp/weft-expect-creds"

static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }

static void res(const char *label, long r) {
	int e = errno;
	printf("%s: %ld%s%s\n", label, r < 0 ? -1L : r, r < 0 ? " " : "", r < 0 ? ename(e) : "");
	errno = 0;
}

static void ids(const char *label) {
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	gid_t list[16];
	int n = getgroups(16, list);
	printf("%s: uid %u/%u/%u gid %u/%u/%u groups[%d]", label, r, e, s, gr, ge, gs, n);
	for (int i = 0; i < n; i++)
		printf(" %u", list[i]);
	printf("\n");
}

static void mode(const char *name) {
	char p[256];
	snprintf(p, sizeof p, DIR "/%s", name);
	struct stat st;
	if (stat(p, &st) < 0)
		printf("  %s: %s\n", name, ename(errno));
	else
		printf("  %s: mode %04o owner %u:%u\n", name, (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid);
	errno = 0;
}

static void try_open(const char *name, int flags, const char *how) {
	char p[256], label[300];
	snprintf(p, sizeof p, DIR "/%s", name);
	snprintf(label, sizeof label, "  open %s %s", name, how);
	errno = 0;
	int fd = open(p, flags);
	res(label, fd < 0 ? -1 : 0);
	if (fd >= 0)
		close(fd);
}

static void mk(const char *name, mode_t m, uid_t u, gid_t g) {
	char p[256];
	snprintf(p, sizeof p, DIR "/%s", name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	write(fd, "data\n", 5);
	close(fd);
	if (chown(p, u, g) < 0 || chmod(p, m) < 0)
		printf("setting up %s: %s\n", name, ename(errno));
}

static void as_user(void) {
	ids("start");
	res("setuid(0)", setuid(0));
	res("setgid(0)", setgid(0));
	res("seteuid(0)", seteuid(0));
	res("setreuid(0, -1)", setreuid(0, -1));
	res("setreuid(-1, 0)", setreuid(-1, 0));
	res("setresuid(-1, -1, 0)", setresuid(-1, -1, 0));
	res("setresgid(0, -1, -1)", setresgid(0, -1, -1));
	res("setgroups(0, NULL)", setgroups(0, NULL));
	gid_t g1000 = 1000;
	res("setgroups(1, {1000})", setgroups(1, &g1000));
	res("setuid(1000)", setuid(1000));
	res("setreuid(1000, 1000)", setreuid(1000, 1000));
	res("setresuid(1000, -1, 1000)", setresuid(1000, -1, 1000));
	res("setresgid(-1, 1000, -1)", setresgid(-1, 1000, -1));
	res("getgroups(0, NULL)", getgroups(0, NULL));
	ids("after");

	// Files of our own.
	mkdir(DIR, 0755);
	mk("own", 0644, (uid_t)-1, (gid_t)-1);
	mode("own");
	char p[256] = DIR "/own";
	res("chown own to uid 0", chown(p, 0, -1));
	res("chown own to gid 0", chown(p, -1, 0));
	res("chown own to gid 1000 (ours)", chown(p, -1, 1000));
	res("chown own to uid 1000 (unchanged)", chown(p, 1000, -1));
	res("chown own -1 -1", chown(p, -1, -1));
	res("chmod own 0600", chmod(p, 0600));
	res("chmod own 02640 (our group)", chmod(p, 02640));
	mode("own");
	res("chmod /tmp (not ours)", chmod("/tmp", 0777));
	res("chown /tmp", chown("/tmp", 1000, 1000));
	res("mkdir in / (not writable)", mkdir("/weft-expect-creds", 0755));
	res("open /etc/x O_CREAT (not writable)", open("/etc/weft-expect-creds", O_CREAT | O_WRONLY, 0644));
	res("access /home/user W_OK (our home)", access("/home/user", W_OK));
	res("access / W_OK", access("/", W_OK));
	res("kill(1, 0) (ourselves)", kill(getpid(), 0));
	unlink(p);
	rmdir(DIR);
}

static void drop_to_1000(void) {
	gid_t groups[] = {2000, 3000};
	res("  setgroups(2, {2000, 3000})", setgroups(2, groups));
	res("  setresgid(1000, 1000, 1000)", setresgid(1000, 1000, 1000));
	res("  setresuid(1000, 1000, 1000)", setresuid(1000, 1000, 1000));
}

static void as_root(void) {
	ids("start");

	// 1. setuid with a saved UID of 0 can come back; a full setuid cannot.
	fflush(stdout);
	if (fork() == 0) {
		res("setresuid(1000, 2000, 0)", setresuid(1000, 2000, 0));
		ids("  now");
		res("  setuid(3000) (not r/s)", setuid(3000));
		res("  setuid(0) (the saved UID)", setuid(0));
		ids("  now");
		res("  setuid(1000) with euid 0: all three", setuid(1000));
		ids("  now");
		res("  setuid(0)", setuid(0));
		res("  seteuid(0)", seteuid(0));
		exit(0);
	}
	wait(NULL);

	// 2. setreuid permutations and the saved UID rule.
	fflush(stdout);
	if (fork() == 0) {
		res("setreuid(1000, 2000)", setreuid(1000, 2000));
		ids("  now");
		res("  setreuid(-1, 1000) (e to r)", setreuid(-1, 1000));
		ids("  now");
		res("  setreuid(-1, 2000) (e to s)", setreuid(-1, 2000));
		ids("  now");
		res("  setreuid(2000, -1) (r to e)", setreuid(2000, -1));
		ids("  now");
		res("  setreuid(1000, -1) (gone)", setreuid(1000, -1));
		res("  setreuid(-1, 0)", setreuid(-1, 0));
		exit(0);
	}
	wait(NULL);

	// 3. setresuid permutations.
	fflush(stdout);
	if (fork() == 0) {
		res("setresuid(1000, 2000, 3000)", setresuid(1000, 2000, 3000));
		res("  setresuid(3000, 1000, 2000) (a permutation)", setresuid(3000, 1000, 2000));
		ids("  now");
		res("  setresuid(-1, 3000, -1)", setresuid(-1, 3000, -1));
		ids("  now");
		res("  setresuid(0, -1, -1)", setresuid(0, -1, -1));
		res("  setresuid(-1, -1, 4000)", setresuid(-1, -1, 4000));
		res("  setresgid(1, 2, 3) (euid is not 0)", setresgid(1, 2, 3));
		exit(0);
	}
	wait(NULL);

	// 4. access() uses the real IDs.
	mkdir(DIR, 0755);
	mk("root600", 0600, 0, 0);
	fflush(stdout);
	if (fork() == 0) {
		res("setresuid(1000, 0, 0)", setresuid(1000, 0, 0));
		res("  access root600 R_OK (real uid 1000)", access(DIR "/root600", R_OK));
		res("  faccessat root600 R_OK AT_EACCESS (euid 0)", faccessat(AT_FDCWD, DIR "/root600", R_OK, AT_EACCESS));
		int fd = open(DIR "/root600", O_RDONLY);
		res("  open root600 (euid 0)", fd < 0 ? -1 : 0);
		exit(0);
	}
	wait(NULL);

	// 5. Files for the permission checks, made as root.
	mk("u1000-0600", 0600, 1000, 1000);
	mk("u1000-0060", 0060, 1000, 1000);
	mk("g2000-0640", 0640, 0, 2000);
	mk("g2000-0604", 0604, 0, 2000);
	mk("g0-0644", 0644, 0, 0);
	mk("g0-0600", 0600, 0, 0);
	mk("g0-0666", 0666, 0, 0);
	mk("u1000-g0", 0755, 1000, 0);
	mk("setuid-exec", 04755, 0, 0);
	mk("setgid-noexec", 02644, 0, 0);
	res("chown setuid-exec to 1000 (as root)", chown(DIR "/setuid-exec", 1000, -1));
	res("chown setgid-noexec to 1000 (as root)", chown(DIR "/setgid-noexec", 1000, -1));
	mode("setuid-exec");
	mode("setgid-noexec");
	res("chmod 777 " DIR, chmod(DIR, 0777));

	// A child of another user, for kill().
	int gate[2];
	pipe(gate);
	fflush(stdout);
	pid_t other = fork();
	if (other == 0) {
		close(gate[1]);
		setgroups(0, NULL);
		setresgid(5000, 5000, 5000);
		setresuid(5000, 5000, 5000);
		char c;
		read(gate[0], &c, 1);
		_exit(0);
	}
	close(gate[0]);

	// 6. Drop privileges for good.
	printf("dropping privileges\n");
	drop_to_1000();
	ids("dropped");
	res("setuid(0)", setuid(0));
	res("seteuid(0)", seteuid(0));
	res("setresuid(0, 0, 0)", setresuid(0, 0, 0));
	res("setreuid(-1, 0)", setreuid(-1, 0));
	res("setgid(0)", setgid(0));
	res("setgroups(0, NULL)", setgroups(0, NULL));
	ids("still");

	printf("permission checks as uid 1000, gid 1000, groups 2000 3000:\n");
	try_open("u1000-0600", O_RDWR, "read-write (owner rw)");
	try_open("u1000-0060", O_RDONLY, "read (owner ---, group rw-)");
	try_open("g2000-0640", O_RDONLY, "read (group r--)");
	try_open("g2000-0640", O_WRONLY, "write (group r--)");
	try_open("g2000-0604", O_RDONLY, "read (group ---, other r--)");
	try_open("g0-0644", O_RDONLY, "read (other r--)");
	try_open("g0-0644", O_WRONLY, "write (other r--)");
	try_open("g0-0644", O_RDONLY | O_TRUNC, "read with O_TRUNC (other r--)");
	try_open("g0-0600", O_RDONLY, "read (other ---)");
	try_open("g0-0666", O_RDWR, "read-write (other rw-)");
	res("  access g2000-0640 R_OK", access(DIR "/g2000-0640", R_OK));
	res("  access g2000-0640 W_OK", access(DIR "/g2000-0640", W_OK));
	res("  access g0-0644 X_OK", access(DIR "/g0-0644", X_OK));
	res("  access setuid-exec X_OK", access(DIR "/setuid-exec", X_OK));

	printf("chmod and chown as uid 1000:\n");
	res("  chmod g0-0644 (not ours)", chmod(DIR "/g0-0644", 0666));
	res("  chmod u1000-g0 02755 (ours, group 0 is not ours)", chmod(DIR "/u1000-g0", 02755));
	mode("u1000-g0");
	res("  chown u1000-g0 to group 2000 (a group of ours)", chown(DIR "/u1000-g0", -1, 2000));
	res("  chown u1000-g0 to group 4000 (not ours)", chown(DIR "/u1000-g0", -1, 4000));
	res("  chmod u1000-g0 02755 (group 2000 is ours)", chmod(DIR "/u1000-g0", 02755));
	mode("u1000-g0");
	res("  chown u1000-g0 to uid 2000", chown(DIR "/u1000-g0", 2000, -1));
	res("  chown g0-0644 to uid 0 (not ours, owner unchanged)", chown(DIR "/g0-0644", 0, -1));
	res("  chown g0-0644 to gid 0 (not ours, group unchanged)", chown(DIR "/g0-0644", -1, 0));
	res("  chown g0-0644 to gid 2000 (not ours)", chown(DIR "/g0-0644", -1, 2000));

	printf("creating and removing as uid 1000:\n");
	int fd = open(DIR "/new", O_WRONLY | O_CREAT | O_EXCL, 0640);
	res("  create new", fd < 0 ? -1 : 0);
	close(fd);
	mode("new");
	res("  unlink new (ours)", unlink(DIR "/new"));
	res("  unlink g0-0666 (root's, in a 0777 directory without sticky bit)", unlink(DIR "/g0-0666"));
	fd = open("/tmp/weft-expect-creds-rootfile", O_RDONLY);
	res("  open the root-owned file in /tmp", fd < 0 ? -1 : 0);
	close(fd);
	res("  unlink the root-owned file in sticky /tmp", unlink("/tmp/weft-expect-creds-rootfile"));
	res("  rename the root-owned file in sticky /tmp", rename("/tmp/weft-expect-creds-rootfile", "/tmp/weft-expect-creds-x"));

	printf("signals as uid 1000:\n");
	res("  kill(uid 5000 child, 0)", kill(other, 0));
	res("  kill(uid 5000 child, SIGTERM)", kill(other, SIGTERM));
	close(gate[1]);
	int st;
	res("  waitpid(uid 5000 child) works anyway", waitpid(other, &st, 0) == other ? 0 : -1);
	printf("  it exited normally: %d\n", WIFEXITED(st));
}

int main(void) {
	if (geteuid() != 0) {
		as_user();
		return 0;
	}
	// A root-owned file in the sticky /tmp for the unlink/rename checks.
	int fd = open("/tmp/weft-expect-creds-rootfile", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	as_root();
	return 0;
}
