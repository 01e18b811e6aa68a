package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/mm"
)

var mlockCalls = []entry{
	call(linux.SYS_MLOCK, "mlock", Mlock, p, u),
	call(linux.SYS_MLOCK2, "mlock2", Mlock2, p, u, x),
	call(linux.SYS_MUNLOCK, "munlock", Munlock, p, u),
	call(linux.SYS_MLOCKALL, "mlockall", Mlockall, x),
	call(linux.SYS_MUNLOCKALL, "munlockall", Munlockall),
}

// Memory lock flags (asm-generic/mman.h, mman-common.h).
const (
	MAP_LOCKED = 0x2000

	MLOCK_ONFAULT = 1

	MCL_CURRENT = 1
	MCL_FUTURE  = 2
	MCL_ONFAULT = 4
)

// A process with CAP_IPC_LOCK may lock any amount of memory; others are
// bound by RLIMIT_MEMLOCK and may not lock at all when it is 0 (mlock(2), EPERM).

func canLockAny(t *kernel.Task) bool { return t.TG.Creds.Capable(kernel.CAP_IPC_LOCK) }

func memlockLimit(t *kernel.Task) uint64 { return t.TG.Rlimits[kernel.RLIMIT_MEMLOCK].Cur }

// lockRange rounds [addr, addr+length) out to whole pages as mlock(2) does: EINVAL if
// it wraps around.
func lockRange(addr, length uint64) (start, end uint64, err error) {
	start = addr &^ mm.PageMask
	end = pageAlign(addr + length)
	if addr+length < addr || end < start {
		return 0, 0, linux.EINVAL
	}
	return start, end, nil
}

// lockErr maps the address space's errors to mlock(2)'s: a hole in the range is
// ENOMEM; memory that ran out while making pages present is EAGAIN.
func lockErr(err error) error {
	switch err {
	case nil:
		return nil
	case mm.ErrOutOfMemory:
		return linux.EAGAIN
	}
	return linux.ENOMEM
}

// Mlock implements mlock(2).
func Mlock(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, doMlock(t, a[0], a[1], 0)
}

// Mlock2 implements mlock2(2).
func Mlock2(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[2]&^MLOCK_ONFAULT != 0 {
		return 0, linux.EINVAL
	}
	return 0, doMlock(t, a[0], a[1], a[2])
}

// doMlock follows Linux's do_mlock: the privilege check, then the limit, which counts
// the pages locked already, less those of the range that are (locking them again
// takes nothing more).
func doMlock(t *kernel.Task, addr, length, flags uint64) error {
	if !canLockAny(t) && memlockLimit(t) == 0 {
		return linux.EPERM
	}
	start, end, err := lockRange(addr, length)
	if err != nil || start == end {
		return err
	}
	as := t.TG.MM
	if !canLockAny(t) {
		locked := as.LockedBytes() + (end - start) - as.LockedIn(start, end)
		if locked > memlockLimit(t) {
			return linux.ENOMEM
		}
	}
	return lockErr(as.Lock(start, end-start, true, flags&MLOCK_ONFAULT == 0))
}

// Munlock implements munlock(2).
func Munlock(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	start, end, err := lockRange(a[0], a[1])
	if err != nil || start == end {
		return 0, err
	}
	return 0, lockErr(t.TG.MM.Lock(start, end-start, false, false))
}

// Mlockall implements mlockall(2): MCL_CURRENT locks what is mapped now (all of it must
// fit RLIMIT_MEMLOCK), MCL_FUTURE what will be mapped, MCL_ONFAULT leaves the pages
// to be made present when touched. Each call replaces the MCL_FUTURE setting.
func Mlockall(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[0]
	if flags == 0 || flags&^(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT) != 0 || flags == MCL_ONFAULT {
		return 0, linux.EINVAL
	}
	if !canLockAny(t) && memlockLimit(t) == 0 {
		return 0, linux.EPERM
	}
	as := t.TG.MM
	if flags&MCL_CURRENT != 0 && !canLockAny(t) && as.Mapped() > memlockLimit(t) {
		return 0, linux.ENOMEM
	}
	as.LockFuture = flags&MCL_FUTURE != 0
	as.LockFutureOnFault = as.LockFuture && flags&MCL_ONFAULT != 0
	if flags&MCL_CURRENT != 0 {
		// Linux ignores what populating the whole address space fails to do here.
		as.LockAll(true, flags&MCL_ONFAULT == 0)
	}
	return 0, nil
}

// Munlockall implements munlockall(2).
func Munlockall(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	as := t.TG.MM
	as.LockFuture, as.LockFutureOnFault = false, false
	return 0, lockErr(as.LockAll(false, false))
}

// Mmap implements mmap(2): mmapRegion makes the mapping, and a locked one (MAP_LOCKED,
// or any new mapping after mlockall(MCL_FUTURE)) is checked against RLIMIT_MEMLOCK
// (EAGAIN, mmap(2)) and has its pages made present. As on Linux, failing to make them
// present does not fail the mmap.
func Mmap(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	as := t.TG.MM
	locked := a[3]&MAP_LOCKED != 0 || as.LockFuture
	if locked && !canLockAny(t) {
		if lim := memlockLimit(t); lim == 0 && a[3]&MAP_LOCKED != 0 {
			return 0, linux.EPERM
		} else if as.LockedBytes()+pageAlign(a[1]) > lim {
			return 0, linux.EAGAIN
		}
	}
	addr, err := mmapRegion(t, a)
	if err == nil {
		markUnreadable(as, addr, pageAlign(a[1]), a[2])
	}
	if err != nil || !locked {
		return addr, err
	}
	length := pageAlign(a[1])
	populate := a[3]&MAP_LOCKED != 0 || !as.LockFutureOnFault
	as.Lock(addr, length, true, populate)
	return addr, nil
}
