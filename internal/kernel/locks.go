package kernel

import (
	"math"
	"slices"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// Record locks (fcntl(2), "Advisory record locking" and "Open file description locks").
//
// A POSIX lock belongs to the file-descriptor table that took it (Linux's fl_owner is
// current->files): a process, or processes sharing a table. Any close of a descriptor
// for the file through that table drops them all, and so does the table's end. An
// open-file-description (OFD) lock belongs to the open file description and goes with
// its last descriptor. A lock of one owner conflicts with another owner's lock on an
// overlapping range when either is a write lock. F_SETLKW waits on the file's queue;
// a POSIX waiter that would wait, through a chain of owners each waiting for the next,
// for a lock of its own fails with EDEADLK instead.

// Lock is a record lock request or answer (struct flock, resolved to a byte range).
type Lock struct {
	Type       int16  // F_RDLCK, F_WRLCK or F_UNLCK
	Start, End uint64 // [Start, End); End is math.MaxUint64 for "to the end of the file"
	PID        int    // the holder's process (F_GETLK), -1 for an OFD lock
}

// Lock types (asm-generic/fcntl.h).
const (
	F_RDLCK = 0
	F_WRLCK = 1
	F_UNLCK = 2
)

type recordLock struct {
	owner any // *FDTable (POSIX) or *vfs.File (OFD)
	Lock
}

// fileLocks are the locks on one file and the tasks waiting to take one.
type fileLocks struct {
	locks   []recordLock // in the order they were taken
	waiters WaitQueue
}

func (l *Lock) overlaps(o *Lock) bool { return l.Start < o.End && o.Start < l.End }

func conflicts(a, b *recordLock) bool {
	return a.owner != b.owner && a.overlaps(&b.Lock) && (a.Type == F_WRLCK || b.Type == F_WRLCK)
}

// conflict returns the first lock on n that conflicts with req, or nil.
func (k *Kernel) conflict(n *vfs.Inode, req *recordLock) *recordLock {
	fl := k.fileLocks[n]
	if fl == nil {
		return nil
	}
	for i := range fl.locks {
		if conflicts(&fl.locks[i], req) {
			return &fl.locks[i]
		}
	}
	return nil
}

// owner is the lock owner for a request through f: its OFD, or the task's table.
func owner(t *Task, f *vfs.File, ofd bool) any {
	if ofd {
		return f
	}
	return t.TG.FDs
}

// GetLock implements F_GETLK and F_OFD_GETLK: the first lock that would block l, or l
// with Type F_UNLCK when none would.
func (t *Task) GetLock(f *vfs.File, l Lock, ofd bool) Lock {
	req := recordLock{owner: owner(t, f, ofd), Lock: l}
	if c := t.k.conflict(f.Inode, &req); c != nil {
		return c.Lock
	}
	l.Type = F_UNLCK
	return l
}

// SetLock implements F_SETLK and F_SETLKW (and the OFD variants): it takes, changes or
// (F_UNLCK) releases the owner's locks on l's range. Without wait a conflict is EAGAIN;
// with it the task waits, unless waiting would deadlock (EDEADLK, POSIX locks only).
func (t *Task) SetLock(f *vfs.File, l Lock, ofd, wait bool) error {
	k := t.k
	req := recordLock{owner: owner(t, f, ofd), Lock: l}
	req.PID = t.TG.PID
	if ofd {
		req.PID = -1
	}
	if l.Type != F_UNLCK {
		if c := k.conflict(f.Inode, &req); c != nil {
			switch {
			case !wait:
				return linux.EAGAIN
			case !ofd && k.lockCycle(req.owner, c.owner):
				return linux.EDEADLK
			}
			fl := k.fileLocks[f.Inode]
			t.lockWait = &req
			t.lockInode = f.Inode
			return t.Block("lock on "+vfs.Printable(f.Path), &fl.waiters)
		}
	}
	t.lockWait, t.lockInode = nil, nil
	k.replaceLocks(f.Inode, &req)
	return nil
}

// lockCycle reports whether owner waits, through a chain of POSIX lock waiters, for a
// lock that holder holds: then holder waiting for owner would never end.
func (k *Kernel) lockCycle(waiter, holder any) bool {
	seen := map[any]bool{}
	for holder != nil && !seen[holder] {
		if holder == waiter {
			return true
		}
		seen[holder] = true
		next := any(nil)
		// What is the holder waiting for? Any of its tasks blocked on a lock.
		for _, t := range k.tasks {
			if t.State == TaskBlocked && t.lockWait != nil && t.lockWait.owner == holder && t.waitingOn(k.fileLocks[t.lockInode]) {
				if c := k.conflict(t.lockInode, t.lockWait); c != nil {
					next = c.owner
					break
				}
			}
		}
		holder = next
	}
	return false
}

// replaceLocks removes the owner's locks on req's range (splitting those that reach
// past it) and, unless req unlocks, adds req. Waiters on the file get to try again.
func (k *Kernel) replaceLocks(n *vfs.Inode, req *recordLock) {
	fl := k.fileLocks[n]
	if fl == nil {
		if req.Type == F_UNLCK {
			return
		}
		fl = &fileLocks{}
		k.fileLocks[n] = fl
	}
	var kept []recordLock
	for _, l := range fl.locks {
		if l.owner != req.owner || !l.overlaps(&req.Lock) {
			kept = append(kept, l)
			continue
		}
		if l.Start < req.Start {
			left := l
			left.End = req.Start
			kept = append(kept, left)
		}
		if l.End > req.End {
			right := l
			right.Start = req.End
			kept = append(kept, right)
		}
	}
	if req.Type != F_UNLCK {
		kept = insertLock(kept, *req)
	}
	fl.locks = kept
	k.lockChanged(n, fl)
}

// insertLock adds l to locks (none of which l's owner holds over l's range) as Linux's
// posix_lock_inode does: it absorbs the owner's locks of the same type that touch it,
// and goes among the owner's locks in order of their start, so that F_GETLK reports the
// lowest conflicting range of an owner first.
func insertLock(locks []recordLock, l recordLock) []recordLock {
	kept := locks[:0:0]
	for _, o := range locks {
		if o.owner == l.owner && o.Type == l.Type && (o.End == l.Start || l.End == o.Start) {
			l.Start, l.End = min(l.Start, o.Start), max(l.End, o.End)
			continue
		}
		kept = append(kept, o)
	}
	at, last := len(kept), -1
	for i, o := range kept {
		if o.owner != l.owner {
			continue
		}
		if o.Start > l.Start {
			at = i
			break
		}
		last = i
	}
	if at == len(kept) && last >= 0 {
		at = last + 1
	}
	return slices.Insert(kept, at, l)
}

// lockChanged wakes the file's lock waiters (they check again) and forgets a file with
// no locks and no waiters.
func (k *Kernel) lockChanged(n *vfs.Inode, fl *fileLocks) {
	fl.waiters.WakeAll()
	if len(fl.locks) == 0 && fl.waiters.Len() == 0 {
		delete(k.fileLocks, n)
	}
}

// releaseLocks drops every lock owner holds on n (close(2) of a descriptor for n through
// a table, or the last descriptor of an OFD).
func (k *Kernel) releaseLocks(n *vfs.Inode, owner any) {
	fl := k.fileLocks[n]
	if fl == nil {
		return
	}
	kept := fl.locks[:0]
	dropped := false
	for _, l := range fl.locks {
		if l.owner == owner {
			dropped = true
			continue
		}
		kept = append(kept, l)
	}
	fl.locks = kept
	if dropped {
		k.lockChanged(n, fl)
	}
}

// LockRange resolves struct flock's l_whence, l_start and l_len against f (fcntl(2)):
// a negative length locks the bytes before start, 0 locks to the end of the file
// however it grows. It fails with EINVAL for a range that starts before 0 or
// overflows.
func LockRange(f *vfs.File, whence int16, start, length int64) (uint64, uint64, error) {
	var base int64
	switch whence {
	case vfs.SEEK_SET:
	case vfs.SEEK_CUR:
		base = f.Offset
	case vfs.SEEK_END:
		base = f.Inode.Size()
	default:
		return 0, 0, linux.EINVAL
	}
	if (start > 0 && base > math.MaxInt64-start) || base+start < 0 {
		return 0, 0, linux.EINVAL
	}
	s := base + start
	switch {
	case length == 0:
		return uint64(s), math.MaxUint64, nil
	case length < 0:
		if s+length < 0 {
			return 0, 0, linux.EINVAL
		}
		return uint64(s + length), uint64(s), nil
	case s > math.MaxInt64-length:
		return 0, 0, linux.EOVERFLOW
	}
	return uint64(s), uint64(s + length), nil
}

// waitingOn reports whether t is blocked on fl's queue (and not, after an interrupted
// F_SETLKW, on something else).
func (t *Task) waitingOn(fl *fileLocks) bool {
	return fl != nil && len(t.waitQueues) == 1 && t.waitQueues[0] == &fl.waiters
}

// fileClosed drops the locks a close of f through table ends: the table's POSIX locks
// on the file, and f's OFD locks with f's last descriptor; and the table's F_NOTIFY
// registration on f.
func (k *Kernel) fileClosed(table *FDTable, f *vfs.File) {
	f.DropNotify(table) // dnotify_flush: the table's F_NOTIFY registration on f
	if f.Refs() == 1 && k.flocks[f.Inode] != nil {
		k.dropFlock(f.Inode, f) // flock(2): the description's last descriptor
	}
	if len(k.fileLocks) == 0 {
		return
	}
	k.releaseLocks(f.Inode, table)
	if f.Refs() == 1 {
		k.releaseLocks(f.Inode, f)
	}
}
