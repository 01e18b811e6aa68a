package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var signalCalls = []entry{
	call(linux.SYS_RT_SIGACTION, "rt_sigaction", RtSigaction, sig, p, p, u).partial("actions are recorded; delivery is not implemented yet"),
	call(linux.SYS_RT_SIGPROCMASK, "rt_sigprocmask", RtSigprocmask, i, p, p, u),
}

const (
	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2

	sigsetSize = 8 // the kernel's sigset_t: 64 signals
	// unblockable are SIGKILL and SIGSTOP, which no mask can hold back.
	unblockable = 1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1)
)

// RtSigaction implements rt_sigaction(2). On riscv64 the kernel's struct sigaction is
// {sa_handler, sa_flags, sa_mask} (no sa_restorer), 24 bytes.
func RtSigaction(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	s := linux.Signal(a[0])
	if s < 1 || s >= linux.NSIG || a[3] != sigsetSize {
		return 0, linux.EINVAL
	}
	old := t.TG.SigActions[s]
	if a[1] != 0 {
		if s == linux.SIGKILL || s == linux.SIGSTOP {
			return 0, linux.EINVAL
		}
		b, err := copyIn(t, a[1], 24)
		if err != nil {
			return 0, err
		}
		t.TG.SigActions[s] = kernel.SigAction{
			Handler: binary.LittleEndian.Uint64(b),
			Flags:   binary.LittleEndian.Uint64(b[8:]),
			Mask:    binary.LittleEndian.Uint64(b[16:]) &^ unblockable,
		}
	}
	if a[2] != 0 {
		b := make([]byte, 24)
		binary.LittleEndian.PutUint64(b, old.Handler)
		binary.LittleEndian.PutUint64(b[8:], old.Flags)
		binary.LittleEndian.PutUint64(b[16:], old.Mask)
		if err := copyOut(t, a[2], b); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// RtSigprocmask implements rt_sigprocmask(2).
func RtSigprocmask(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[3] != sigsetSize {
		return 0, linux.EINVAL
	}
	old := t.SigMask
	if a[1] != 0 {
		b, err := copyIn(t, a[1], 8)
		if err != nil {
			return 0, err
		}
		set := binary.LittleEndian.Uint64(b)
		switch a[0] {
		case SIG_BLOCK:
			t.SigMask |= set
		case SIG_UNBLOCK:
			t.SigMask &^= set
		case SIG_SETMASK:
			t.SigMask = set
		default:
			return 0, linux.EINVAL
		}
		t.SigMask &^= unblockable
	}
	if a[2] != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], old)
		if err := copyOut(t, a[2], b[:]); err != nil {
			return 0, err
		}
	}
	return 0, nil
}
