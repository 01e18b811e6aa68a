// capget(2) and capset(2), as root (caps.root). The expected output is Linux's (host
// kernel 6.18 through qemu-riscv64, as root), except that the host's root lacked
// CAP_SYS_RESOURCE (bit 24), which weft's root has. Rules from capabilities(7): root
// starts with every capability; capset may drop effective and permitted ones but not
// raise a permitted one again, nor add an inheritable one outside the permitted set;
// an unknown header version is EINVAL (the kernel writes the version it prefers) but
// succeeds with NULL data; effective uid 0 -> nonzero clears the effective set, back
// to 0 restores it from the permitted one, and all uids nonzero clears both.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
static const char *ename(int e) { return e ? strerrorname_np(e) : "0"; }
#define TRY(what, call) do { errno = 0; long r_ = (call); printf("%-36s = %ld %s\n", what, r_, r_ < 0 ? ename(errno) : ""); } while (0)
static struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
static struct __user_cap_data_struct d[2];
static void show(const char *when)
{
	hdr.version = _LINUX_CAPABILITY_VERSION_3; hdr.pid = 0;
	syscall(SYS_capget, &hdr, d);
	printf("%-28s eff %08x%08x prm %08x%08x inh %08x%08x\n", when, d[1].effective, d[0].effective,
	       d[1].permitted, d[0].permitted, d[1].inheritable, d[0].inheritable);
}
static void status(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "Cap", 3) && strncmp(line, "CapBnd", 6))
			fputs(line, stdout);
	fclose(f);
}
int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	show("start");
	status();
	hdr.version = 0x12345678;
	TRY("capget(bad version)", syscall(SYS_capget, &hdr, d));
	printf("header version now %#x\n", hdr.version);
	hdr.version = 0x12345678;
	TRY("capget(bad version, NULL data)", syscall(SYS_capget, &hdr, NULL));
	hdr.version = _LINUX_CAPABILITY_VERSION_3; hdr.pid = -1;
	TRY("capget(pid -1)", syscall(SYS_capget, &hdr, d));
	hdr.pid = 999999;
	TRY("capget(no such pid)", syscall(SYS_capget, &hdr, d));
	hdr.pid = getppid();
	TRY("capset(another process)", syscall(SYS_capset, &hdr, d));
	pid_t c = fork();
	if (c == 0) {
		show("child");
		hdr.pid = 0;
		syscall(SYS_capget, &hdr, d);
		d[0].effective &= ~(1u << CAP_SYS_TIME);
		TRY("capset(drop CAP_SYS_TIME from eff)", syscall(SYS_capset, &hdr, d));
		show("after");
		d[0].effective |= 1u << CAP_SYS_TIME;
		TRY("capset(raise it again)", syscall(SYS_capset, &hdr, d));
		d[0].permitted &= ~(1u << CAP_SYS_TIME);
		d[0].effective &= ~(1u << CAP_SYS_TIME);
		TRY("capset(drop from prm)", syscall(SYS_capset, &hdr, d));
		d[0].permitted |= 1u << CAP_SYS_TIME;
		TRY("capset(raise prm again)", syscall(SYS_capset, &hdr, d));
		d[0].inheritable |= 1u << CAP_KILL;
		TRY("capset(add inh)", syscall(SYS_capset, &hdr, d));
		show("inh");
		TRY("setresuid(0, 1000, 0)", setresuid(0, 1000, 0));
		show("euid 1000");
		TRY("seteuid(0)", seteuid(0));
		show("euid 0 again");
		TRY("setuid(1000)", setuid(1000));
		show("all 1000");
		TRY("setuid(0)", setuid(0));
		exit(0);
	}
	waitpid(c, NULL, 0);
	return 0;
}
