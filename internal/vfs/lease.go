package vfs

import "weft/internal/abi/linux"

// File leases (fcntl(2) F_SETLEASE, F_GETLEASE). A lease belongs to an open file
// description of a regular file. A read lease is refused (EAGAIN) while the file is
// open for writing, a write lease while anyone else has the file open. An open that
// conflicts with a lease (any open with a write lease, one for writing with a read
// lease) breaks it: the holder is told (the kernel signals it), and the opener waits
// until the holder gives the lease up or downgrades it, or the lease-break time
// passes and the kernel takes it away.

// Lease types are the record lock types.
const (
	F_RDLCK = 0
	F_WRLCK = 1
	F_UNLCK = 2
)

// DefaultLeaseBreakTime is /proc/sys/fs/lease-break-time (seconds) at boot: how long
// an opener waits for a lease holder.
const DefaultLeaseBreakTime = 45

// LeaseBreakTime is /proc/sys/fs/lease-break-time, in seconds.
func (fs *FS) LeaseBreakTime() int {
	if fs.leaseBreakSet {
		return fs.leaseBreak
	}
	return DefaultLeaseBreakTime
}

// SetLeaseBreakTime sets /proc/sys/fs/lease-break-time (seconds, 0 or more: with 0 a
// lease is taken away as soon as it is broken).
func (fs *FS) SetLeaseBreakTime(sec int) { fs.leaseBreak, fs.leaseBreakSet = sec, true }

// Lease is the lease f holds (F_UNLCK for none); while it is being broken, the type it
// is being broken to, as F_GETLEASE reports it.
func (f *File) Lease() int {
	if f.lease == 0 {
		return F_UNLCK
	}
	if f.leaseBreaking {
		return f.leaseBreakTo
	}
	return int(f.lease - 1)
}

// SetLease implements F_SETLEASE for a caller with credentials c (privileged: CAP_LEASE).
func (f *File) SetLease(c Cred, typ int, privileged bool) error {
	n := f.Inode
	switch typ {
	case F_RDLCK, F_WRLCK, F_UNLCK:
	default:
		return linux.EINVAL
	}
	if typ != F_UNLCK && c.UID != n.UID && !privileged {
		return linux.EACCES
	}
	if n.Mode&S_IFMT != S_IFREG {
		return linux.EINVAL
	}
	if typ == F_UNLCK {
		if f.lease == 0 {
			return linux.EAGAIN // no lease to give up (generic_delete_lease)
		}
		f.dropLease()
		return nil
	}
	// What the file is open for, besides through f.
	otherOpens, otherWriters := n.opens-1, n.writers
	if f.Writable() {
		otherWriters--
	}
	switch {
	case typ == F_RDLCK && (f.Writable() || otherWriters > 0):
		return linux.EAGAIN
	case typ == F_WRLCK && otherOpens > 0:
		return linux.EAGAIN
	}
	for _, o := range n.leases {
		if o != f && (typ == F_WRLCK || o.lease-1 == F_WRLCK) {
			return linux.EAGAIN
		}
		// An opener waiting on a break already holds the file open as Linux counts
		// it (for writing, when the break is to F_UNLCK): no write lease while any
		// break is pending, and no read lease while a writer waits, f's own lease
		// included (a holder told to give up its write lease for a writer cannot
		// keep a read lease instead).
		if o.leaseBreaking && (typ == F_WRLCK || o.leaseBreakTo == F_UNLCK) {
			return linux.EAGAIN
		}
	}
	if f.lease == 0 {
		n.leases = append(n.leases, f)
	}
	f.lease = int16(typ + 1)
	if f.leaseBreaking && typ <= f.leaseBreakTo {
		f.leaseBreaking = false // downgraded as far as the break asked
	}
	n.LeaseWaiters.WakeAll()
	return nil
}

// dropLease gives up f's lease.
func (f *File) dropLease() {
	n := f.Inode
	for i, o := range n.leases {
		if o == f {
			n.leases = append(n.leases[:i], n.leases[i+1:]...)
			break
		}
	}
	f.lease, f.leaseBreaking = 0, false
	n.LeaseWaiters.WakeAll()
}

// LeaseConflicts returns the leases on n that an open (for writing, or not) must break,
// in the order they were taken.
func (n *Inode) LeaseConflicts(write bool) []*File {
	var out []*File
	for _, f := range n.leases {
		if write || f.lease-1 == F_WRLCK {
			out = append(out, f)
		}
	}
	return out
}

// StartBreak marks f's lease as being broken to typ (F_UNLCK, or F_RDLCK for a write
// lease that a reader breaks) with the deadline (virtual ns) at which it is taken away.
// It reports whether the break is new (the holder has not been told yet).
func (f *File) StartBreak(typ int, deadline uint64) bool {
	if f.leaseBreaking {
		if typ < f.leaseBreakTo {
			f.leaseBreakTo = typ
		}
		return false
	}
	f.leaseBreaking, f.leaseBreakTo, f.leaseDeadline = true, typ, deadline
	return true
}

// LeaseBreaking reports whether an open is breaking f's lease.
func (f *File) LeaseBreaking() bool { return f.leaseBreaking }

// BreakDeadline is when f's lease, being broken, is taken away.
func (f *File) BreakDeadline() uint64 { return f.leaseDeadline }

// ExpireLease ends the break of f's lease when the holder did not act in time: the
// lease becomes what the break asked for.
func (f *File) ExpireLease() {
	if f.leaseBreakTo == F_UNLCK {
		f.dropLease()
		return
	}
	f.lease, f.leaseBreaking = int16(f.leaseBreakTo+1), false
	f.Inode.LeaseWaiters.WakeAll()
}
