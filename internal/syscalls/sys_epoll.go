package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var epollCalls = []entry{
	call(linux.SYS_EPOLL_CREATE1, "epoll_create1", EpollCreate1, ofl),
	call(linux.SYS_EPOLL_CTL, "epoll_ctl", EpollCtl, fd, i, fd, p).partial("regular files and directories are refused with EPERM, as on Linux; EPOLLWAKEUP is dropped"),
	call(linux.SYS_EPOLL_PWAIT, "epoll_pwait", EpollPwait, fd, p, i, i, sset, u),
	call(linux.SYS_EPOLL_PWAIT2, "epoll_pwait2", EpollPwait2, fd, p, i, p, sset, u),
}

// EpollCreate1 implements epoll_create1(2).
func EpollCreate1(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[0]&^linux.EPOLL_CLOEXEC != 0 {
		return 0, linux.EINVAL
	}
	f := t.Kernel().FS.NewEpoll(t.TG.Creds.EUID, t.TG.Creds.EGID)
	return installNew(t, f, a[0]&linux.EPOLL_CLOEXEC != 0)
}

// installNew puts a new description at the lowest free descriptor, dropping it if
// there is none.
func installNew(t *kernel.Task, f *vfs.File, cloexec bool) (uint64, error) {
	fd, err := t.TG.FDs.Install(f, cloexec, 0, t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur)
	if err != nil {
		f.DecRef()
		return 0, err
	}
	return uint64(fd), nil
}

// epollOf returns the epoll instance behind descriptor n: EBADF if n is not open,
// EINVAL if it is not an epoll instance.
func epollOf(t *kernel.Task, n uint64) (*vfs.Epoll, *vfs.File, error) {
	f, err := file(t, n)
	if err != nil {
		return nil, nil, err
	}
	ep := vfs.EpollOf(f)
	if ep == nil {
		return nil, nil, linux.EINVAL
	}
	return ep, f, nil
}

// EpollCtl implements epoll_ctl(2), checking its arguments in Linux's order.
func EpollCtl(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	op := a[1]
	var events uint32
	var data uint64
	hasEvent := op != linux.EPOLL_CTL_DEL
	if hasEvent {
		b, err := copyIn(t, a[3], linux.EpollEventSize)
		if err != nil {
			return 0, err
		}
		events, data = binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint64(b[8:])
	}
	epf, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	tf, err := file(t, a[2])
	if err != nil {
		return 0, err
	}
	if !vfs.EpollCanWatch(tf) {
		return 0, linux.EPERM
	}
	ep := vfs.EpollOf(epf)
	if ep == nil || epf == tf {
		return 0, linux.EINVAL
	}
	target := vfs.EpollOf(tf)
	if hasEvent && events&linux.EPOLLEXCLUSIVE != 0 {
		if op == linux.EPOLL_CTL_MOD {
			return 0, linux.EINVAL
		}
		if op == linux.EPOLL_CTL_ADD && (target != nil || events&^linux.EPOLL_EXCLUSIVE_OK_BITS != 0) {
			return 0, linux.EINVAL
		}
	}
	fd := int32(a[2])
	it := ep.Find(tf, fd)
	switch op {
	case linux.EPOLL_CTL_ADD:
		if it != nil {
			return 0, linux.EEXIST
		}
		if target != nil && ep.LoopCheck(target) {
			return 0, linux.ELOOP
		}
		if err := ep.Add(tf, fd, events, data); err != nil {
			return 0, err
		}
	case linux.EPOLL_CTL_DEL:
		if it == nil {
			return 0, linux.ENOENT
		}
		ep.Delete(it)
	case linux.EPOLL_CTL_MOD:
		if it == nil {
			return 0, linux.ENOENT
		}
		if it.Exclusive() {
			return 0, linux.EINVAL
		}
		ep.Modify(it, events, data)
	default:
		return 0, linux.EINVAL
	}
	return 0, nil
}

// EpollPwait implements epoll_pwait(2) (and epoll_wait, which glibc builds on it): the
// timeout is in milliseconds, negative for none.
func EpollPwait(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if !t.Call.Started && t.Call.Deadline == 0 {
		if ms := int32(a[3]); ms >= 0 {
			t.Call.Deadline = deadlineIn(t, uint64(ms)*1e6)
			if ms == 0 {
				t.Call.Value = 1 // poll once, never block
			}
		}
	}
	return epollWait(t, a)
}

// EpollPwait2 implements epoll_pwait2(2): as epoll_pwait, with a struct timespec
// timeout (NULL for none).
func EpollPwait2(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if !t.Call.Started && t.Call.Deadline == 0 && a[3] != 0 {
		d, err := readTimespec(t, a[3])
		if err != nil {
			return 0, err
		}
		t.Call.Deadline = deadlineIn(t, d)
		if d == 0 {
			t.Call.Value = 1
		}
	}
	return epollWait(t, a)
}

// epollWait is the body of epoll_pwait and epoll_pwait2 after the timeout is known.
func epollWait(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	maxEvents := int32(a[2])
	if maxEvents <= 0 || maxEvents > linux.EP_MAX_EVENTS {
		return 0, linux.EINVAL
	}
	ep, epf, err := epollOf(t, a[0])
	if err != nil {
		return 0, err
	}
	if !t.Call.Started {
		t.Call.Started = true
		if a[4] != 0 {
			m, err := readSigset(t, a[4], a[5])
			if err != nil {
				return 0, err
			}
			t.SwapMask(m)
		}
	}
	evs := ep.Wait(int(maxEvents))
	if len(evs) > 0 {
		b := make([]byte, linux.EpollEventSize*len(evs))
		for i, e := range evs {
			binary.LittleEndian.PutUint32(b[16*i:], e.Events)
			binary.LittleEndian.PutUint64(b[16*i+8:], e.Data)
		}
		t.RestoreMask()
		if err := copyOut(t, a[1], b); err != nil {
			return 0, err
		}
		return uint64(len(evs)), nil
	}
	if t.Call.Value == 1 || (t.Call.Deadline != 0 && t.Now() >= t.Call.Deadline) {
		t.RestoreMask()
		return 0, nil
	}
	if t.Interrupted() {
		return 0, linux.EINTR
	}
	ep.PrepareWait()
	return 0, t.Block("epoll_wait on "+vfs.Printable(epf.Path), &ep.Queue)
}
