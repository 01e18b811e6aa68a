package kernel

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// Signal-driven I/O (fcntl(2) O_ASYNC, F_SETOWN, F_SETSIG): the file system reports
// that I/O is possible on an open file description, and the kernel signals the
// description's owner. With F_SETSIG's signal the siginfo says which descriptor and
// what is possible (si_fd, si_band, si_code POLL_IN ...); the default, SIGIO, says
// nothing more (Linux's send_sigio_to_task).

// si_codes of SIGPOLL (asm-generic/siginfo.h).
const (
	POLL_IN  = 1
	POLL_OUT = 2
	POLL_MSG = 3
)

// sendIO signals f's owner that I/O (band: vfs.POLLIN or POLLOUT) is possible.
func (k *Kernel) sendIO(f *vfs.File, band uint32) { k.sendIOFD(f, band, f.Async.FD) }

// sendDirNotify signals f's owner that the directory f is open on changed (dnotify):
// as for I/O with si_code POLL_MSG, with si_fd the descriptor of the registration
// (Linux's dnotify_handle_event calls send_sigio with dn_fd).
func (k *Kernel) sendDirNotify(f *vfs.File, fd int) { k.sendIOFD(f, pollMsg, fd) }

// sendIOFD is sendIO with si_fd fd.
func (k *Kernel) sendIOFD(f *vfs.File, band uint32, fd int) {
	a := f.Async
	if a.Owner.ID == 0 {
		return
	}
	info := SigInfo{Signo: linux.SIGIO, Code: SI_KERNEL}
	if a.Sig != 0 {
		// si_band is the poll events of the band (band_table in fs/fcntl.c).
		code, events := int32(POLL_IN), uint64(vfs.POLLIN|0x40) // POLLRDNORM
		switch band {
		case vfs.POLLOUT:
			code, events = POLL_OUT, uint64(vfs.POLLOUT|0x100|0x200) // POLLWRNORM, POLLWRBAND
		case pollMsg:
			code, events = POLL_MSG, uint64(vfs.POLLIN|0x40|0x400) // POLLRDNORM, POLLMSG
		}
		raw := make([]byte, 32)
		binary.LittleEndian.PutUint32(raw[8:], uint32(code))
		binary.LittleEndian.PutUint64(raw[16:], events)
		binary.LittleEndian.PutUint32(raw[24:], uint32(fd))
		info = SigInfo{Signo: Signal(a.Sig), Code: code, Raw: raw}
	}
	sender := Creds{UID: a.Owner.UID, EUID: a.Owner.EUID}
	send := func(tg *ThreadGroup, t *Task) {
		if !mayKill(sender, tg.Creds) {
			return
		}
		if t != nil {
			k.SignalTask(t, info)
		} else {
			k.SignalProcess(tg, info)
		}
	}
	switch a.Owner.Type {
	case vfs.F_OWNER_TID:
		if t := k.FindTask(a.Owner.ID); t != nil {
			send(t.TG, t)
		}
	case vfs.F_OWNER_PID:
		if tg := k.FindGroup(a.Owner.ID); tg != nil && !tg.Exited {
			send(tg, nil)
		}
	case vfs.F_OWNER_PGRP:
		for _, tg := range k.groups {
			if tg.PGID == a.Owner.ID && !tg.Exited {
				send(tg, nil)
			}
		}
	}
}

// SetOwner implements F_SETOWN and F_SETOWN_EX: the owner must exist (ESRCH), except
// 0, which stops the signals.
func (t *Task) SetOwner(f *vfs.File, typ int32, id int) error {
	k := t.k
	if id < 0 {
		return linux.EINVAL
	}
	if id != 0 {
		found := false
		switch typ {
		case vfs.F_OWNER_TID:
			found = k.FindTask(id) != nil
		case vfs.F_OWNER_PID:
			tg := k.FindGroup(id)
			found = tg != nil && !tg.Exited
		case vfs.F_OWNER_PGRP:
			for _, tg := range k.groups {
				found = found || (tg.PGID == id && !tg.Exited)
			}
		default:
			return linux.EINVAL
		}
		if !found {
			return linux.ESRCH
		}
	}
	c := t.TG.Creds
	f.Async.Owner = vfs.Owner{Type: typ, ID: id, UID: c.UID, EUID: c.EUID}
	return nil
}

// NotifyLeaseBreak tells the holder of the lease f that an open is breaking it: the
// lease's signal (F_SETSIG, else SIGIO) goes to f's owner, as for I/O with si_code
// POLL_MSG.
func (k *Kernel) NotifyLeaseBreak(f *vfs.File) { k.sendIO(f, pollMsg) }

// pollMsg is the band of a lease break (POLL_MSG in fasync terms).
const pollMsg = 0x400
