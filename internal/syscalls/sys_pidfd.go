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

// PidfdSendSignal implements pidfd_send_signal(2): kill(2), or rt_sigqueueinfo(2) when
// info is given, aimed at the process the pidfd refers to.
func PidfdSendSignal(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[3] != 0 {
		return 0, linux.EINVAL
	}
	tg, _, err := pidfdTarget(t, a[0])
	if err != nil {
		return 0, err
	}
	sig := linux.Signal(int32(a[1]))
	if sig < 0 || sig >= linux.NSIG {
		return 0, linux.EINVAL
	}
	if tg.Reaped {
		return 0, linux.ESRCH
	}
	if a[2] == 0 || sig == 0 {
		return ret0(t.Kill(tg, sig))
	}
	info, err := queueInfo(t, sig, a[2], tg == t.TG)
	if err != nil {
		return 0, err
	}
	return ret0(t.Queue(tg, nil, info))
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
