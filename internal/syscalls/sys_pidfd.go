package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var pidfdCalls = []entry{
	call(linux.SYS_PIDFD_OPEN, "pidfd_open", PidfdOpen, i, ofl),
	call(linux.SYS_PIDFD_SEND_SIGNAL, "pidfd_send_signal", PidfdSendSignal, fd, sig, p, x),
}

// PidfdOpen implements pidfd_open(2). The descriptor is close-on-exec, as Linux makes
// every pidfd.
func PidfdOpen(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := uint32(a[1])
	if flags&^linux.PIDFD_NONBLOCK != 0 || int32(a[0]) <= 0 {
		return 0, linux.EINVAL
	}
	f, err := t.OpenPidFD(int(int32(a[0])), flags)
	if err != nil {
		return 0, err
	}
	return installNew(t, f, true)
}

// pidfdTarget returns the process behind pidfd n (EBADF if n is not a pidfd).
func pidfdTarget(t *kernel.Task, n uint64) (*kernel.ThreadGroup, *vfs.File, error) {
	f, err := file(t, n)
	if err != nil {
		return nil, nil, err
	}
	tg := kernel.PidFDProcess(f)
	if tg == nil {
		return nil, nil, linux.EBADF
	}
	return tg, f, nil
}

// pidfd_send_signal's flags (Linux 6.9): whom to signal, the process by default.
const (
	PIDFD_SIGNAL_THREAD        = 1
	PIDFD_SIGNAL_THREAD_GROUP  = 2
	PIDFD_SIGNAL_PROCESS_GROUP = 4
)

// PidfdSendSignal implements pidfd_send_signal(2): kill(2), or rt_sigqueueinfo(2) when
// info is given, aimed at the process the pidfd refers to (or, by the flags, at its
// main thread or its process group).
func PidfdSendSignal(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	scope := a[3]
	switch scope {
	case 0, PIDFD_SIGNAL_THREAD, PIDFD_SIGNAL_THREAD_GROUP, PIDFD_SIGNAL_PROCESS_GROUP:
	default:
		return 0, linux.EINVAL
	}
	tg, _, err := pidfdTarget(t, a[0])
	if err == linux.EBADF {
		// A descriptor of a /proc/PID directory names its process too.
		if f, ferr := file(t, a[0]); ferr == nil {
			if tg = kernel.ProcDirProcess(f); tg != nil {
				err = nil
			}
		}
	}
	if err != nil {
		return 0, err
	}
	sig := linux.Signal(int32(a[1]))
	if sig < 0 || sig >= linux.NSIG {
		return 0, linux.EINVAL
	}
	var info kernel.SigInfo
	if a[2] != 0 {
		raw, err := copyIn(t, a[2], 128)
		if err != nil {
			return 0, err
		}
		if linux.Signal(int32(binary.LittleEndian.Uint32(raw))) != sig {
			return 0, linux.EINVAL // the info must be for the signal sent
		}
		// Only a process signalling itself may claim to be the kernel or kill(2).
		if info, err = queueInfo(t, sig, a[2], tg == t.TG && scope != PIDFD_SIGNAL_PROCESS_GROUP); err != nil {
			return 0, err
		}
	}
	if tg.Reaped {
		return 0, linux.ESRCH
	}
	switch scope {
	case PIDFD_SIGNAL_THREAD:
		main := t.Kernel().FindTask(tg.PID)
		if main == nil {
			return 0, linux.ESRCH
		}
		if a[2] == 0 || sig == 0 {
			return ret0(t.KillTask(main, sig))
		}
		return ret0(t.Queue(tg, main, info))
	case PIDFD_SIGNAL_PROCESS_GROUP:
		var first error
		sent := false
		for _, g := range t.Kernel().Groups() {
			if g.PGID != tg.PGID || g.Exited {
				continue
			}
			var err error
			if a[2] == 0 || sig == 0 {
				err = t.Kill(g, sig)
			} else {
				err = t.Queue(g, nil, info)
			}
			if err == nil {
				sent = true
			} else if first == nil {
				first = err
			}
		}
		if sent {
			return 0, nil
		}
		if first == nil {
			first = linux.ESRCH
		}
		return 0, first
	}
	if a[2] == 0 || sig == 0 {
		return ret0(t.Kill(tg, sig))
	}
	return ret0(t.Queue(tg, nil, info))
}

// checkPidfdAddr makes sure a CLONE_PIDFD clone can store the pidfd before the child
// is made: a bad address fails the clone with EFAULT and no child, as on Linux.
func checkPidfdAddr(t *kernel.Task, addr uint64) error {
	return copyOut(t, addr, make([]byte, 4))
}

// clonePidfd gives the parent of a CLONE_PIDFD clone a pidfd for the child and stores
// its number as an int at addr.
func clonePidfd(t *kernel.Task, child *kernel.Task, addr uint64) error {
	f := t.Kernel().NewPidFD(child.TG, t.TG.Creds.EUID, t.TG.Creds.EGID, 0)
	fd, err := installNew(t, f, true)
	if err != nil {
		return err
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(fd))
	return copyOut(t, addr, b[:])
}
