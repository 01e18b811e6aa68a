package kernel

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// SignalFD is a signalfd (signalfd(2)): a descriptor from which the task that reads
// it takes its own pending signals in a mask, as struct signalfd_siginfo. Like Linux's,
// it belongs to no task: whoever reads or polls it sees their own signals.
type SignalFD struct {
	k    *Kernel
	Mask uint64
}

type signalfdDev struct{ sf *SignalFD }

// NewSignalFD returns the open file description of a new signalfd for mask.
func (k *Kernel) NewSignalFD(mask uint64, uid, gid uint32) *vfs.File {
	sf := &SignalFD{k: k, Mask: mask &^ Unblockable}
	return k.FS.NewAnon(signalfdDev{sf}, "[signalfd]", uid, gid, vfs.O_RDWR)
}

// SignalFDOf returns the signalfd f is, or nil.
func SignalFDOf(f *vfs.File) *SignalFD {
	if d, ok := f.Inode.Device().(signalfdDev); ok {
		return d.sf
	}
	return nil
}

// SetMask replaces the mask (signalfd4 on an existing signalfd).
func (sf *SignalFD) SetMask(mask uint64) { sf.Mask = mask &^ Unblockable }

// Read takes pending signals of the reading task in the mask, as many as fit.
func (d signalfdDev) Read(_ *vfs.File, p []byte) (int, error) {
	sf := d.sf
	t := sf.k.current
	n := len(p) / linux.SignalfdSiginfoSize
	if n == 0 || t == nil {
		return 0, linux.EINVAL
	}
	got := 0
	for got < n {
		info, ok := t.TakeSignal(sf.Mask)
		if !ok {
			break
		}
		copy(p[got*linux.SignalfdSiginfoSize:], signalfdInfo(info.For(t)))
		got++
	}
	if got == 0 {
		return 0, vfs.ErrWouldBlock
	}
	return got * linux.SignalfdSiginfoSize, nil
}

// signalfdInfo lays out a signal as struct signalfd_siginfo, taking each field from
// where siginfo_t has it for the signal's kind (signalfd_copyinfo).
func signalfdInfo(info SigInfo) []byte {
	si := EncodeSigInfo(info)
	le := binary.LittleEndian
	b := make([]byte, linux.SignalfdSiginfoSize)
	le.PutUint32(b[0:], uint32(info.Signo))
	le.PutUint32(b[4:], le.Uint32(si[4:]))
	code := int32(le.Uint32(si[8:]))
	le.PutUint32(b[8:], uint32(code))
	switch {
	case code == int32(linux.SI_TIMER):
		le.PutUint32(b[24:], le.Uint32(si[16:])) // ssi_tid: the timer id
		le.PutUint32(b[32:], le.Uint32(si[20:])) // ssi_overrun
		le.PutUint64(b[48:], le.Uint64(si[24:])) // ssi_ptr
		le.PutUint32(b[44:], le.Uint32(si[24:])) // ssi_int
	case code > 0 && info.Signo == linux.SIGCHLD:
		le.PutUint32(b[12:], le.Uint32(si[16:]))
		le.PutUint32(b[16:], le.Uint32(si[20:]))
		le.PutUint32(b[40:], le.Uint32(si[24:]))
	case code > 0 && code != SI_KERNEL && isFaultSignal(info.Signo):
		le.PutUint64(b[72:], le.Uint64(si[16:]))
	default:
		le.PutUint32(b[12:], le.Uint32(si[16:])) // ssi_pid
		le.PutUint32(b[16:], le.Uint32(si[20:])) // ssi_uid
		if code < 0 {
			le.PutUint64(b[48:], le.Uint64(si[24:]))
			le.PutUint32(b[44:], le.Uint32(si[24:]))
		}
	}
	return b
}

func isFaultSignal(s Signal) bool {
	switch s {
	case linux.SIGSEGV, linux.SIGBUS, linux.SIGILL, linux.SIGTRAP, linux.SIGFPE:
		return true
	}
	return false
}

func (signalfdDev) Write(*vfs.File, []byte) (int, error) { return 0, linux.EINVAL }
func (signalfdDev) IsTTY() bool                          { return false }

// Poll implements vfs.Pollable: readable while the polling task has a signal of the
// mask pending.
func (d signalfdDev) Poll(_ *vfs.File, want int16) int16 {
	t := d.sf.k.current
	if t != nil && t.PendingSignals()&d.sf.Mask != 0 {
		return vfs.POLLIN & want
	}
	return 0
}

// Queues implements vfs.Pollable: the queue of the process of the task asking, which
// every signal sent to it or its threads wakes.
func (d signalfdDev) Queues(_ *vfs.File, write bool) *vfs.Queue {
	t := d.sf.k.current
	if write || t == nil {
		return nil
	}
	return &t.TG.sigEvents
}
