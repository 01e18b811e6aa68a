// Capabilities, not user ID 0, decide what root may do to files and to itself
// (capabilities(7), path_resolution(7)): a root process without CAP_DAC_OVERRIDE and
// CAP_DAC_READ_SEARCH is refused a file of mode 0000; CAP_DAC_READ_SEARCH alone reads
// it and searches directories but does not write; CAP_FOWNER, CAP_CHOWN and CAP_FSETID
// govern another user's file's times, mode, owner and set-group-ID bit; setfsuid(2)
// away from 0 drops the file capabilities and back restores them; access(2) checks
// with the real user ID's capabilities; CAP_MKNOD, CAP_SYS_CHROOT, CAP_SYS_RESOURCE and
// CAP_SYS_NICE guard mknod(2), chroot(2), raising a hard limit and lowering nice. Run as
// root (caps_files.root); the expected output is Linux's (qemu-riscv64 run as root on
// a Linux 6.18 host gave the same).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *r(int ret) { return ret < 0 ? strerrorname_np(errno) : "ok"; }

static int opened(const char *p, int flags)
{
	int fd = open(p, flags);
	if (fd >= 0)
		close(fd);
	return fd;
}

static void set(int cap, int on)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &hdr, d);
	if (on)
		d[cap / 32].effective |= 1u << (cap % 32);
	else
		d[cap / 32].effective &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &hdr, d) < 0)
		printf("capset: %s\n", strerrorname_np(errno));
}

static int has(int cap)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &hdr, d);
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int main(void)
{
	char dir[] = "/tmp/capsXXXXXX";
	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 0755);
	char secret[64], theirs[64], sub[64], node[64];
	snprintf(secret, sizeof secret, "%s/secret", dir);
	snprintf(theirs, sizeof theirs, "%s/theirs", dir);
	snprintf(sub, sizeof sub, "%s/sub", dir);
	snprintf(node, sizeof node, "%s/node", dir);
	close(open(secret, O_CREAT | O_WRONLY, 0000));
	close(open(theirs, O_CREAT | O_WRONLY, 0644));
	chown(theirs, 1000, 1000);
	mkdir(sub, 0000);

	printf("root reads a 0000 file: %s\n", r(opened(secret, O_RDONLY)));
	set(CAP_DAC_OVERRIDE, 0);
	printf("without CAP_DAC_OVERRIDE: read %s, write %s, search a 0000 directory %s, list it %s\n",
	       r(opened(secret, O_RDONLY)), r(opened(secret, O_WRONLY)), r(access(sub, X_OK) == 0 ? 0 : -1),
	       r(opened(sub, O_RDONLY | O_DIRECTORY)));
	set(CAP_DAC_READ_SEARCH, 0);
	printf("without CAP_DAC_READ_SEARCH too: read %s, list the directory %s\n", r(opened(secret, O_RDONLY)),
	       r(opened(sub, O_RDONLY | O_DIRECTORY)));
	printf("access(R_OK) with the real ID's capabilities: %s, faccessat(AT_EACCESS): %s\n", r(access(secret, R_OK)),
	       r(faccessat(AT_FDCWD, secret, R_OK, AT_EACCESS)));
	set(CAP_DAC_OVERRIDE, 1);
	set(CAP_DAC_READ_SEARCH, 1);

	struct timespec ts[2] = {{1, 0}, {2, 0}};
	printf("another user's file: utimensat %s, chmod %s, chown %s\n", r(utimensat(AT_FDCWD, theirs, ts, 0)),
	       r(chmod(theirs, 0600)), r(chown(theirs, 1000, 1000)));
	set(CAP_FOWNER, 0);
	printf("without CAP_FOWNER: utimensat %s, chmod %s\n", r(utimensat(AT_FDCWD, theirs, ts, 0)), r(chmod(theirs, 0644)));
	set(CAP_FOWNER, 1);
	set(CAP_CHOWN, 0);
	printf("without CAP_CHOWN: chown to 1001 %s\n", r(chown(theirs, 1001, 1000)));
	set(CAP_CHOWN, 1);
	chmod(theirs, 02755);
	struct stat st;
	stat(theirs, &st);
	printf("chmod 02755 of a group-1000 file by root: mode %04o\n", st.st_mode & 07777);
	set(CAP_FSETID, 0);
	chmod(theirs, 02755);
	stat(theirs, &st);
	printf("the same without CAP_FSETID: mode %04o\n", st.st_mode & 07777);
	set(CAP_FSETID, 1);

	setfsuid(1000);
	printf("fsuid 1000: CAP_DAC_OVERRIDE %d, read the 0000 file %s\n", has(CAP_DAC_OVERRIDE), r(opened(secret, O_RDONLY)));
	setfsuid(0);
	printf("fsuid 0 again: CAP_DAC_OVERRIDE %d, read %s\n", has(CAP_DAC_OVERRIDE), r(opened(secret, O_RDONLY)));

	printf("mknod a character device: %s\n", r(mknod(node, S_IFCHR | 0600, makedev(1, 3))));
	unlink(node);
	set(CAP_MKNOD, 0);
	printf("without CAP_MKNOD: %s\n", r(mknod(node, S_IFCHR | 0600, makedev(1, 3))));

	struct rlimit rl = {64, 128};
	printf("lower RLIMIT_NOFILE to 64/128: %s\n", r(setrlimit(RLIMIT_NOFILE, &rl)));
	set(CAP_SYS_RESOURCE, 0);
	rl.rlim_max = 256;
	printf("without CAP_SYS_RESOURCE, raise the hard limit: %s\n", r(setrlimit(RLIMIT_NOFILE, &rl)));

	struct rlimit nl = {0, 0};
	setrlimit(RLIMIT_NICE, &nl);
	setpriority(PRIO_PROCESS, 0, 5);
	set(CAP_SYS_NICE, 0);
	printf("without CAP_SYS_NICE, nice 5 to 0: %s\n", r(setpriority(PRIO_PROCESS, 0, 0)));

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		set(CAP_SYS_CHROOT, 0);
		printf("without CAP_SYS_CHROOT: chroot %s\n", r(chroot(dir)));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);

	set(CAP_DAC_OVERRIDE, 1);
	unlink(secret);
	unlink(theirs);
	rmdir(sub);
	rmdir(dir);
	return 0;
}
