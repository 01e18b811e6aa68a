package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var signalCalls = []entry{
	call(linux.SYS_RT_SIGACTION, "rt_sigaction", RtSigaction, sig, p, p, u),
	call(linux.SYS_RT_SIGPROCMASK, "rt_sigprocmask", RtSigprocmask, how, sset, p, u),
	call(linux.SYS_RT_SIGRETURN, "rt_sigreturn", RtSigreturn),
	call(linux.SYS_RESTART_SYSCALL, "restart_syscall", RestartSyscall),
	call(linux.SYS_RT_SIGSUSPEND, "rt_sigsuspend", RtSigsuspend, sset, u),
	call(linux.SYS_RT_SIGPENDING, "rt_sigpending", RtSigpending, p, u),
	call(linux.SYS_RT_SIGTIMEDWAIT, "rt_sigtimedwait", RtSigtimedwait, sset, p, p, u),
	call(linux.SYS_SIGALTSTACK, "sigaltstack", Sigaltstack, p, p),
	call(linux.SYS_RT_SIGQUEUEINFO, "rt_sigqueueinfo", RtSigqueueinfo, i, sig, p),
	call(linux.SYS_RT_TGSIGQUEUEINFO, "rt_tgsigqueueinfo", RtTgsigqueueinfo, i, i, sig, p),
}

const (
	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2

	sigsetSize  = 8 // the kernel's sigset_t: 64 signals
	unblockable = kernel.Unblockable
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
		t.SetSigAction(s, kernel.SigAction{
			Handler: binary.LittleEndian.Uint64(b),
			Flags:   binary.LittleEndian.Uint64(b[8:]),
			Mask:    binary.LittleEndian.Uint64(b[16:]) &^ unblockable,
		})
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

// RestartSyscall implements restart_syscall(2) when there is nothing to resume. The
// kernel turns an interrupted nanosleep, clock_nanosleep or timed futex wait into this
// call and resumes it with its deadline (kernel.Syscall.TimedRestart); called
// otherwise, it fails with EINTR, as Linux's do_no_restart_syscall does.
func RestartSyscall(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, linux.EINTR
}

// RtSigreturn implements rt_sigreturn(2).
func RtSigreturn(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, t.Sigreturn()
}

func readSigset(t *kernel.Task, addr, size uint64) (uint64, error) {
	if size != sigsetSize {
		return 0, linux.EINVAL
	}
	b, err := copyIn(t, addr, 8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// RtSigsuspend implements rt_sigsuspend(2): it always ends with EINTR.
func RtSigsuspend(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	mask := t.SigMask
	if !t.Call.Started {
		var err error
		if mask, err = readSigset(t, a[0], a[1]); err != nil {
			return 0, err
		}
	}
	return 0, t.Sigsuspend(mask)
}

// RtSigpending implements rt_sigpending(2): pending signals that are blocked.
func RtSigpending(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[1] != sigsetSize {
		return 0, linux.EINVAL
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], t.PendingSignals()&t.SigMask)
	return ret0(copyOut(t, a[0], b[:]))
}

// RtSigtimedwait implements rt_sigtimedwait(2).
func RtSigtimedwait(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	set, err := readSigset(t, a[0], a[3])
	if err != nil {
		return 0, err
	}
	set &^= unblockable
	if !t.Call.Started {
		t.Call.Started = true
		if a[2] != 0 {
			d, err := readTimespec(t, a[2])
			if err != nil {
				return 0, err
			}
			t.Call.Deadline = deadlineIn(t, d)
		}
	}
	info, err := t.WaitSignal(set)
	if err != nil {
		return 0, err
	}
	if a[1] != 0 {
		if err := copyOut(t, a[1], kernel.EncodeSigInfo(info.For(t))); err != nil {
			return 0, err
		}
	}
	return uint64(info.Signo), nil
}

// Sigaltstack implements sigaltstack(2). stack_t is {ss_sp, ss_flags, ss_size}.
func Sigaltstack(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	old := t.AltStack
	if a[0] != 0 {
		b, err := copyIn(t, a[0], 24)
		if err != nil {
			return 0, err
		}
		if t.OnAltStack() {
			return 0, linux.EPERM
		}
		le := binary.LittleEndian
		ns := kernel.SigAltStack{SP: le.Uint64(b), Flags: le.Uint32(b[8:]), Size: le.Uint64(b[16:])}
		switch {
		case ns.Flags&^(kernel.SS_DISABLE|1<<31 /* SS_AUTODISARM */) != 0:
			return 0, linux.EINVAL
		case ns.Flags&kernel.SS_DISABLE != 0:
			ns = kernel.SigAltStack{Flags: kernel.SS_DISABLE}
		case ns.Size < kernel.MINSIGSTKSZ:
			return 0, linux.ENOMEM
		}
		t.AltStack = ns
	}
	if a[1] != 0 {
		b := make([]byte, 24)
		le := binary.LittleEndian
		flags := old.Flags
		if old.Size == 0 {
			flags = kernel.SS_DISABLE
		}
		if t.OnAltStack() {
			flags |= kernel.SS_ONSTACK
		}
		le.PutUint64(b, old.SP)
		le.PutUint32(b[8:], flags)
		le.PutUint64(b[16:], old.Size)
		if err := copyOut(t, a[1], b); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// queueInfo reads the siginfo_t a sender supplies. A process may not pretend to be the
// kernel or kill(2) when signalling another process: si_code must then be negative.
func queueInfo(t *kernel.Task, sig linux.Signal, addr uint64, self bool) (kernel.SigInfo, error) {
	b, err := copyIn(t, addr, 128)
	if err != nil {
		return kernel.SigInfo{}, err
	}
	code := int32(binary.LittleEndian.Uint32(b[8:]))
	if (code >= 0 || code == kernel.SI_TKILL) && !self {
		return kernel.SigInfo{}, linux.EPERM
	}
	return kernel.SigInfo{Signo: sig, Code: code, Raw: b}, nil
}

// RtSigqueueinfo implements rt_sigqueueinfo(2).
func RtSigqueueinfo(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	sig := linux.Signal(a[1])
	if sig <= 0 || sig >= linux.NSIG {
		return 0, linux.EINVAL
	}
	target := t.FindGroup(int(int32(a[0])))
	if o := t.FindTask(int(int32(a[0]))); target == nil && o != nil {
		target = o.TG // a thread's ID names its process, as in Linux's kill_proc_info
	}
	if target == nil || int32(a[0]) <= 0 {
		return 0, linux.ESRCH
	}
	info, err := queueInfo(t, sig, a[2], target == t.TG)
	if err != nil {
		return 0, err
	}
	return ret0(t.Queue(target, nil, info))
}

// RtTgsigqueueinfo implements rt_tgsigqueueinfo(2).
func RtTgsigqueueinfo(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	sig := linux.Signal(a[2])
	if sig <= 0 || sig >= linux.NSIG {
		return 0, linux.EINVAL
	}
	target := t.FindTask(int(int32(a[1])))
	if target == nil || t.PIDOf(target.TG) != int(int32(a[0])) {
		return 0, linux.ESRCH
	}
	info, err := queueInfo(t, sig, a[3], target.TG == t.TG)
	if err != nil {
		return 0, err
	}
	return ret0(t.Queue(target.TG, target, info))
}
