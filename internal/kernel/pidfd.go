package kernel

import (
	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// A pidfd (pidfd_open(2), clone's CLONE_PIDFD) refers to a process: it does not keep
// the process alive or unreaped, it is readable once the process has exited, and it
// names the process to pidfd_send_signal(2) and waitid(P_PIDFD) however its PID is
// reused later (weft never reuses PIDs, but the reference is to the process itself).
type pidfdDev struct{ tg *ThreadGroup }

// NewPidFD returns an open file description that refers to tg.
func (k *Kernel) NewPidFD(tg *ThreadGroup, uid, gid uint32, flags uint32) *vfs.File {
	return k.FS.NewAnon(pidfdDev{tg}, "[pidfd]", uid, gid, vfs.O_RDWR|flags&vfs.O_NONBLOCK)
}

// ProcDirProcess returns the process of a /proc/PID directory open at f, or nil:
// pidfd_send_signal(2) accepts such a descriptor as a pidfd.
func ProcDirProcess(f *vfs.File) *ThreadGroup {
	tg, _ := f.Inode.Owner.(*ThreadGroup)
	return tg
}

// PidFDProcess returns the process f refers to, or nil if f is not a pidfd.
func PidFDProcess(f *vfs.File) *ThreadGroup {
	if d, ok := f.Inode.Device().(pidfdDev); ok {
		return d.tg
	}
	return nil
}

func (pidfdDev) Read(*vfs.File, []byte) (int, error)  { return 0, linux.EINVAL }
func (pidfdDev) Write(*vfs.File, []byte) (int, error) { return 0, linux.EINVAL }
func (pidfdDev) IsTTY() bool                          { return false }

// Poll implements vfs.Pollable (pidfd_poll): readable once the process has exited,
// hung up once it has been reaped.
func (d pidfdDev) Poll(_ *vfs.File, want int16) int16 {
	var r int16
	if d.tg.Exited {
		r |= vfs.POLLIN
	}
	if d.tg.Reaped {
		r |= vfs.POLLHUP
	}
	return r & (want | vfs.POLLHUP | vfs.POLLERR)
}

// Queues implements vfs.Pollable.
func (d pidfdDev) Queues(_ *vfs.File, write bool) *vfs.Queue {
	if write {
		return nil
	}
	return &d.tg.PidfdEvents
}

// OpenPidFD makes a pidfd for process pid (pidfd_open(2)): ESRCH if there is no such
// process or it has been reaped, EINVAL if pid is a thread but not a process.
func (t *Task) OpenPidFD(pid int, flags uint32) (*vfs.File, error) {
	k := t.k
	tg := t.FindGroup(pid)
	if tg == nil || tg.Reaped {
		if t.FindTask(pid) != nil {
			return nil, linux.EINVAL
		}
		return nil, linux.ESRCH
	}
	return k.NewPidFD(tg, t.TG.Creds.EUID, t.TG.Creds.EGID, flags), nil
}
