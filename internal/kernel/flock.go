package kernel

import (
	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// BSD file locks (flock(2)): a whole-file shared or exclusive lock that belongs to an
// open file description, so that it is shared by dup and fork and goes with the
// description's last descriptor. They are apart from fcntl's record locks, as on
// Linux. A lock that cannot be had waits on the file's flock queue (or fails with
// EWOULDBLOCK under LOCK_NB); converting a lock drops the old one first, as Linux
// does, so that a conversion is not atomic.

// flock(2) operations.
const (
	LOCK_SH = 1
	LOCK_EX = 2
	LOCK_NB = 4
	LOCK_UN = 8
)

// flockState is the BSD locks on one file: who holds one, and who waits.
type flockState struct {
	holders []flockHolder
	waiters WaitQueue
}

type flockHolder struct {
	f    *vfs.File
	excl bool
}

// Flock implements flock(2) on f for op.
func (t *Task) Flock(f *vfs.File, op int) error {
	k := t.k
	nb := op&LOCK_NB != 0
	op &^= LOCK_NB
	if op != LOCK_SH && op != LOCK_EX && op != LOCK_UN {
		return linux.EINVAL
	}
	n := f.Inode
	st := k.flocks[n]
	if op == LOCK_UN {
		k.dropFlock(n, f)
		return nil
	}
	excl := op == LOCK_EX
	if st != nil {
		for _, h := range st.holders {
			if h.f == f && h.excl == excl {
				return nil // already held as asked
			}
		}
	}
	k.dropFlock(n, f) // a conversion gives up the old lock first
	st = k.flocks[n]
	if st == nil {
		st = &flockState{}
		if k.flocks == nil {
			k.flocks = map[*vfs.Inode]*flockState{}
		}
		k.flocks[n] = st
	}
	for _, h := range st.holders {
		if h.excl || excl {
			if nb {
				return linux.EAGAIN // EWOULDBLOCK
			}
			return t.Block("flock on "+vfs.Printable(f.Path), &st.waiters)
		}
	}
	st.holders = append(st.holders, flockHolder{f, excl})
	return nil
}

// dropFlock releases f's BSD lock on n, if it holds one, and wakes the waiters.
func (k *Kernel) dropFlock(n *vfs.Inode, f *vfs.File) {
	st := k.flocks[n]
	if st == nil {
		return
	}
	for i, h := range st.holders {
		if h.f == f {
			st.holders = append(st.holders[:i], st.holders[i+1:]...)
			st.waiters.WakeAll()
			break
		}
	}
	if len(st.holders) == 0 && st.waiters.Len() == 0 {
		delete(k.flocks, n)
	}
}
