package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var unshareCalls = []entry{
	call(linux.SYS_UNSHARE, "unshare", Unshare, clf).partial("CLONE_FILES, CLONE_FS and CLONE_SYSVSEM for a single-threaded process (EINVAL for a thread of a multi-threaded one); of the namespaces, CLONE_NEWNET and CLONE_NEWTIME (EPERM for the others, or EINVAL as root)"),
	call(linux.SYS_SETNS, "setns", Setns, i, clf).partial("time namespaces only (/proc/PID/ns/time, time_for_children); EINVAL for any other descriptor"),
}

// Unshare implements unshare(2).
func Unshare(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, t.Unshare(a[0])
}

// Setns implements setns(2).
func Setns(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, t.Setns(int(int32(a[0])), a[1])
}
