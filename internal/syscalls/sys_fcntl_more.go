package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

// The fcntl(2) commands beyond descriptors, flags and record locks: signal-driven
// I/O's owner and signal, leases, directory notification, and the queries of Linux
// 6.12.

// fcntl commands (asm-generic/fcntl.h, linux/fcntl.h).
const (
	F_SETOWN        = 8
	F_GETOWN        = 9
	F_SETSIG        = 10
	F_GETSIG        = 11
	F_SETOWN_EX     = 15
	F_GETOWN_EX     = 16
	F_SETLEASE      = 1024
	F_GETLEASE      = 1025
	F_NOTIFY        = 1026
	F_DUPFD_QUERY   = 1027
	F_CREATED_QUERY = 1028
)

// fcntlMore implements the commands Fcntl does not.
func fcntlMore(t *kernel.Task, fdn int, f *vfs.File, a *kernel.SyscallArgs) (uint64, error) {
	switch a[1] {
	case F_GETOWN:
		// F_GETOWN reports a process group as a negative number. Owners are kept as
		// global IDs, and shown as the caller's PID namespace numbers them.
		o := f.Async.Owner
		if o.Type == vfs.F_OWNER_PGRP {
			return uint64(-int64(t.NR(o.ID))), nil
		}
		return uint64(t.NR(o.ID)), nil
	case F_SETOWN:
		id := int32(a[2])
		switch {
		case id == -1<<31:
			return 0, linux.EINVAL
		case id < 0:
			return 0, t.SetOwner(f, vfs.F_OWNER_PGRP, t.GlobalPID(int(-id)))
		}
		return 0, t.SetOwner(f, vfs.F_OWNER_PID, t.GlobalPID(int(id)))
	case F_GETOWN_EX:
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(f.Async.Owner.Type))
		binary.LittleEndian.PutUint32(b[4:], uint32(t.NR(f.Async.Owner.ID)))
		return 0, copyOut(t, a[2], b)
	case F_SETOWN_EX:
		b, err := copyIn(t, a[2], 8)
		if err != nil {
			return 0, err
		}
		typ, id := int32(binary.LittleEndian.Uint32(b)), int32(binary.LittleEndian.Uint32(b[4:]))
		return 0, t.SetOwner(f, typ, t.GlobalPID(int(id)))
	case F_GETSIG:
		return uint64(f.Async.Sig), nil
	case F_SETSIG:
		if a[2] > uint64(linux.NSIG-1) {
			return 0, linux.EINVAL
		}
		f.Async.Sig = int(a[2])
		return 0, nil
	case F_GETLEASE:
		return uint64(f.Lease()), nil
	case F_SETLEASE:
		typ := int(int32(a[2]))
		c := t.TG.Creds
		// fcntl(2): the lease holder is signalled; the process that takes a lease
		// becomes the file's owner unless it has one.
		if err := f.SetLease(c.VFS(), typ, c.Capable(kernel.CAP_LEASE)); err != nil {
			return 0, err
		}
		if typ != vfs.F_UNLCK && f.Async.Owner.ID == 0 {
			t.SetOwner(f, vfs.F_OWNER_PID, t.TG.PID)
			f.Async.FD = fdn
		}
		return 0, nil
	case F_NOTIFY:
		on, err := f.SetNotify(t.TG.FDs, fdn, uint32(a[2]))
		if err != nil {
			return 0, err
		}
		// fcntl_dirnotify: the registering process becomes the owner of a description
		// that has none, so that the signal has somewhere to go.
		if on && f.Async.Owner.ID == 0 {
			t.SetOwner(f, vfs.F_OWNER_PID, t.TG.PID)
		}
		return 0, nil
	case F_DUPFD_QUERY:
		g, err := file(t, a[2])
		if err != nil {
			return 0, err
		}
		if g == f {
			return 1, nil
		}
		return 0, nil
	case F_CREATED_QUERY:
		if f.Created {
			return 1, nil
		}
		return 0, nil
	}
	return 0, linux.EINVAL
}

// breakLeases breaks the leases that an open of n with flags conflicts with: each
// holder is signalled once, and the open waits until they are gone or downgraded, or
// until the lease-break time passes and they are taken away. With O_NONBLOCK the open
// fails with EWOULDBLOCK instead of waiting (open(2), fcntl(2) "Leases").
func breakLeases(t *kernel.Task, n *vfs.Inode, flags uint32) error {
	write := flags&vfs.O_ACCMODE != vfs.O_RDONLY || flags&vfs.O_TRUNC != 0
	conflicts := n.LeaseConflicts(write)
	if len(conflicts) == 0 {
		return nil
	}
	to := vfs.F_RDLCK
	if write {
		to = vfs.F_UNLCK
	}
	now := t.Now()
	deadline := uint64(0)
	for _, l := range conflicts {
		if l.LeaseBreaking() && now >= l.BreakDeadline() {
			l.ExpireLease()
			continue
		}
		if l.StartBreak(to, now+uint64(t.Kernel().FS.LeaseBreakTime())*1e9) {
			t.Kernel().NotifyLeaseBreak(l)
		}
		if deadline == 0 || l.BreakDeadline() < deadline {
			deadline = l.BreakDeadline()
		}
	}
	if len(n.LeaseConflicts(write)) == 0 {
		return nil
	}
	if flags&vfs.O_NONBLOCK != 0 {
		return linux.EAGAIN
	}
	t.Call.Deadline = deadline
	return t.Block("a lease to be broken", &n.LeaseWaiters)
}
