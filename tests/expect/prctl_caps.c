// prctl(2)'s capability and privilege options, as Linux's cap_task_prctl and
// prctl_set_seccomp implement them: the bounding set (PR_CAPBSET_READ/DROP, which
// needs CAP_SETPCAP), the secure bits (PR_SET_SECUREBITS: CAP_SETPCAP, no changing a
// locked bit, no unlocking), PR_SET_KEEPCAPS, the ambient set (PR_CAP_AMBIENT: only a
// capability both permitted and inheritable, not with SECBIT_NO_CAP_AMBIENT_RAISE; it
// survives execve as the new program's permitted and effective sets, and leaves when
// capset(2) drops the capability), PR_SET_NO_NEW_PRIVS and PR_SET_THP_DISABLE (their
// argument checks; kept across fork), and seccomp strict mode (PR_SET_SECCOMP 1:
// anything but read, write, exit and rt_sigreturn is SIGKILL). Filter mode is EINVAL:
// weft's kernel is built without CONFIG_SECCOMP_FILTER.
// Run as root. QEMU cannot be the oracle: execve of a guest path, and qemu-riscv64
// refuses PR_SET_SECCOMP.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAP_NET_RAW_ 13
#define CAP_NET_BIND 10

static const char *r(long v) {
	static char buf[8][32];
	static int i;
	i = (i + 1) % 8;
	if (v < 0)
		snprintf(buf[i], 32, "%s", strerrorname_np(errno));
	else
		snprintf(buf[i], 32, "%ld", v);
	return buf[i];
}

#define P(what, call) do { errno = 0; long v_ = (call); printf("%-44s %s\n", what, r(v_)); } while (0)

static void capsets(unsigned long long *eff, unsigned long long *prm, unsigned long long *inh)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &h, d);
	*eff = d[0].effective | (unsigned long long)d[1].effective << 32;
	*prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
	*inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
}

static int setcaps(unsigned long long eff, unsigned long long prm, unsigned long long inh)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{eff, prm, inh}, {eff >> 32, prm >> 32, inh >> 32}};
	return syscall(SYS_capset, &h, d);
}

static void status(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, strlen(key)))
			printf("  %s", line);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc > 1) { // the program again, after execve as uid 65534 with an ambient set
		unsigned long long e, p, i;
		capsets(&e, &p, &i);
		printf("after execve as %d: eff %llx prm %llx inh %llx\n", getuid(), e, p, i);
		status("CapAmb");
		return 0;
	}
	P("PR_CAPBSET_READ CAP_NET_RAW", prctl(PR_CAPBSET_READ, CAP_NET_RAW_));
	P("PR_CAPBSET_READ 41", prctl(PR_CAPBSET_READ, 41));
	P("PR_CAPBSET_DROP 41 (root)", prctl(PR_CAPBSET_DROP, 41));
	P("PR_CAPBSET_DROP CAP_NET_RAW", prctl(PR_CAPBSET_DROP, CAP_NET_RAW_));
	P("PR_CAPBSET_READ CAP_NET_RAW", prctl(PR_CAPBSET_READ, CAP_NET_RAW_));
	P("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS));
	P("PR_SET_SECUREBITS 0x100 (unknown)", prctl(PR_SET_SECUREBITS, 0x100));
	P("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2));
	P("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1));
	P("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS));
	P("PR_SET_SECUREBITS KEEP_CAPS|its lock", prctl(PR_SET_SECUREBITS, 0x30));
	P("PR_SET_KEEPCAPS 0 (locked)", prctl(PR_SET_KEEPCAPS, 0));
	P("PR_SET_SECUREBITS 0 (unlocking)", prctl(PR_SET_SECUREBITS, 0));
	P("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS));

	P("PR_SET_NO_NEW_PRIVS 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
	P("PR_SET_NO_NEW_PRIVS 1, 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
	P("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	P("PR_SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	P("PR_GET_NO_NEW_PRIVS 1 (bad argument)", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
	P("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	P("PR_SET_THP_DISABLE 1, 1", prctl(PR_SET_THP_DISABLE, 1, 1, 0, 0));
	P("PR_SET_THP_DISABLE 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	P("PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	fflush(stdout);
	if (fork() == 0) {
		P("child: PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		P("child: PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
		status("NoNewPrivs");
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);

	// The ambient set.
	P("PR_CAP_AMBIENT 99", prctl(PR_CAP_AMBIENT, 99, 0, 0, 0));
	P("PR_CAP_AMBIENT_CLEAR_ALL, 1", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0));
	P("PR_CAP_AMBIENT_IS_SET 41", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 41, 0, 0));
	P("RAISE CAP_NET_BIND (not inheritable)", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND, 0, 0));
	unsigned long long e, p, i;
	capsets(&e, &p, &i);
	P("capset: inheritable CAP_NET_BIND", setcaps(e, p, 1ULL << CAP_NET_BIND));
	P("RAISE CAP_NET_BIND", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND, 0, 0));
	P("RAISE CAP_NET_BIND again", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND, 0, 0));
	P("IS_SET CAP_NET_BIND", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND, 0, 0));
	status("CapAmb");
	P("LOWER CAP_NET_RAW (not set)", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_NET_RAW_, 0, 0));
	fflush(stdout);
	if (fork() == 0) {
		// Leaving root clears the ambient set; KEEP_CAPS (locked on) keeps the
		// permitted one, so the capability can be raised again, and execve makes it
		// the new program's permitted and effective capability.
		setresuid(65534, 65534, 65534);
		status("CapAmb");
		P("child as 65534: RAISE CAP_NET_BIND", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND, 0, 0));
		fflush(stdout);
		execl("/proc/self/exe", argv[0], "again", (char *)NULL);
		_exit(1);
	}
	wait(NULL);
	P("PR_SET_SECUREBITS NO_CAP_AMBIENT_RAISE", prctl(PR_SET_SECUREBITS, 0x30 | 0x40));
	P("RAISE with NO_CAP_AMBIENT_RAISE", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND, 0, 0));
	capsets(&e, &p, &i);
	P("capset: drop inheritable", setcaps(e, p, 0));
	status("CapAmb");

	// Seccomp.
	P("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP));
	P("PR_SET_SECCOMP 2 (filter)", prctl(PR_SET_SECCOMP, 2, 0));
	P("PR_SET_SECCOMP 3", prctl(PR_SET_SECCOMP, 3, 0));
	fflush(stdout);
	if (fork() == 0) {
		prctl(PR_SET_SECCOMP, 1);
		write(1, "child: in strict mode, write works\n", 35);
		getpid();
		write(1, "child: still alive\n", 19);
		_exit(0);
	}
	int st;
	wait(&st);
	printf("child: killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);

	// Without CAP_SETPCAP.
	capsets(&e, &p, &i);
	setcaps(e & ~(1ULL << CAP_SETPCAP), p, i);
	P("PR_CAPBSET_DROP without CAP_SETPCAP", prctl(PR_CAPBSET_DROP, 1));
	P("PR_CAPBSET_DROP 41 without CAP_SETPCAP", prctl(PR_CAPBSET_DROP, 41));
	P("PR_SET_SECUREBITS without CAP_SETPCAP", prctl(PR_SET_SECUREBITS, 0x30 | 0x40));
	return 0;
}
