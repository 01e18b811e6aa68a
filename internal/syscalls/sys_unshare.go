package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var unshareCalls = []entry{
	call(linux.SYS_UNSHARE, "unshare", Unshare, clf).partial("CLONE_FILES, CLONE_FS and CLONE_SYSVSEM for a single-threaded process (EINVAL for a thread of a multi-threaded one); of the namespaces, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWNET and CLONE_NEWTIME (EPERM for UTS, IPC and cgroup namespaces, or EINVAL with CAP_SYS_ADMIN)"),
	call(linux.SYS_SETNS, "setns", Setns, i, clf).partial("time, PID, user and mount namespaces (/proc/PID/ns/*); EINVAL for any other descriptor, a pidfd included"),
}

// Unshare implements unshare(2).
func Unshare(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, t.Unshare(a[0])
}

// Setns implements setns(2).
func Setns(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, t.Setns(int(int32(a[0])), a[1])
}
