package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var unshareCalls = []entry{
	call(linux.SYS_UNSHARE, "unshare", Unshare, clf).partial("CLONE_FILES, CLONE_FS and CLONE_SYSVSEM for a single-threaded process (EINVAL for a thread of a multi-threaded one); no namespaces (EPERM, or EINVAL as root)"),
}

// Unshare implements unshare(2).
func Unshare(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, t.Unshare(a[0])
}
