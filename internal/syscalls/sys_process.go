package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var processCalls = []entry{
	call(linux.SYS_EXIT, "exit", Exit, i),
	call(linux.SYS_EXIT_GROUP, "exit_group", ExitGroup, i),
	call(linux.SYS_SET_TID_ADDRESS, "set_tid_address", SetTidAddress, p),
	call(linux.SYS_SET_ROBUST_LIST, "set_robust_list", SetRobustList, p, u),
	call(linux.SYS_RSEQ, "rseq", Rseq, p, u, x, x).stub("restartable sequences are not offered: ENOSYS, which glibc handles"),
	call(linux.SYS_GETPID, "getpid", Getpid),
	call(linux.SYS_GETTID, "gettid", Gettid),
	call(linux.SYS_GETPPID, "getppid", Getppid),
	call(linux.SYS_GETUID, "getuid", Getuid),
	call(linux.SYS_GETEUID, "geteuid", Geteuid),
	call(linux.SYS_GETGID, "getgid", Getgid),
	call(linux.SYS_GETEGID, "getegid", Getegid),
	call(linux.SYS_SCHED_YIELD, "sched_yield", SchedYield),
}

// Exit implements exit(2): the calling thread ends.
func Exit(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.Exit(int(a[0] & 0xff))
	return 0, kernel.ErrNoReturn
}

// ExitGroup implements exit_group(2): every thread of the process ends.
func ExitGroup(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.ExitGroup(int(a[0] & 0xff))
	return 0, kernel.ErrNoReturn
}

// SetTidAddress implements set_tid_address(2).
func SetTidAddress(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.ClearTID = a[0]
	return uint64(t.TID), nil
}

// SetRobustList implements set_robust_list(2).
func SetRobustList(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[1] != 24 { // sizeof(struct robust_list_head)
		return 0, linux.EINVAL
	}
	t.RobustList = a[0]
	return 0, nil
}

// Rseq implements rseq(2) by declining it.
func Rseq(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) { return 0, linux.ENOSYS }

// Getpid implements getpid(2).
func Getpid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) { return uint64(t.TG.PID), nil }

// Gettid implements gettid(2).
func Gettid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) { return uint64(t.TID), nil }

// Getppid implements getppid(2).
func Getppid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if t.TG.Parent == nil {
		return 0, nil
	}
	return uint64(t.TG.Parent.PID), nil
}

// Getuid implements getuid(2).
func Getuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.TG.Creds.UID), nil
}

// Geteuid implements geteuid(2).
func Geteuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.TG.Creds.EUID), nil
}

// Getgid implements getgid(2).
func Getgid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.TG.Creds.GID), nil
}

// Getegid implements getegid(2).
func Getegid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.TG.Creds.EGID), nil
}

// SchedYield implements sched_yield(2).
func SchedYield(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.Yield()
	return 0, nil
}
