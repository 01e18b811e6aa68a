package kernel

import (
	"unsafe"

	"weft/internal/abi/linux"
	"weft/internal/kernel/cost"
	"weft/internal/mm"
	"weft/internal/vfs"
)

type fdEntry struct {
	file    *vfs.File
	cloexec bool
}

// FDTable maps a process's file descriptors to open file descriptions. Descriptions are
// shared between tables by dup and fork; the table itself is per process.
type FDTable struct {
	fds []fdEntry
	// users counts the extra processes sharing this table (CLONE_FILES).
	users int
	// pool is charged for the table's slots: a guest may open descriptors up to
	// RLIMIT_NOFILE (a million) in each of thousands of processes.
	pool *mm.Pool
	// copied counts the entries Fork copied into this table, for the cost model.
	copied uint64
	// k, if set, is told of each close, to drop the record locks it ends.
	k *Kernel
}

const fdEntryBytes = int64(unsafe.Sizeof(fdEntry{}))

// grow makes fd a valid index, charging the pool for the new slots (ENOMEM if the cap
// does not allow them).
func (t *FDTable) grow(fd int) error {
	if fd < len(t.fds) {
		return nil
	}
	n := max(fd+1, 2*len(t.fds), 8)
	if !t.pool.Charge(int64(n-len(t.fds)) * fdEntryBytes) {
		return linux.ENOMEM
	}
	t.fds = append(t.fds, make([]fdEntry, n-len(t.fds))...)
	return nil
}

// Get returns the description behind fd, or EBADF.
func (t *FDTable) Get(fd int) (*vfs.File, error) {
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].file == nil {
		return nil, linux.EBADF
	}
	return t.fds[fd].file, nil
}

// Install puts f at the lowest free descriptor >= min, below limit (EMFILE otherwise).
// The table takes over the caller's reference to f.
func (t *FDTable) Install(f *vfs.File, cloexec bool, min int, limit uint64) (int, error) {
	if min < 0 {
		return -1, linux.EINVAL
	}
	for fd := min; uint64(fd) < limit; fd++ {
		if err := t.grow(fd); err != nil {
			return -1, err
		}
		if t.fds[fd].file == nil {
			t.fds[fd] = fdEntry{file: f, cloexec: cloexec}
			return fd, nil
		}
	}
	return -1, linux.EMFILE
}

// InstallAt puts f at exactly fd, closing what was there (dup2). It fails with ENOMEM
// when the table cannot grow to fd under the memory cap.
func (t *FDTable) InstallAt(fd int, f *vfs.File, cloexec bool) error {
	if err := t.grow(fd); err != nil {
		return err
	}
	if old := t.fds[fd].file; old != nil {
		t.closing(old)
		old.DecRef()
	}
	t.fds[fd] = fdEntry{file: f, cloexec: cloexec}
	return nil
}

// Close releases fd.
func (t *FDTable) Close(fd int) error {
	f, err := t.Get(fd)
	if err != nil {
		return err
	}
	t.closing(f)
	f.DecRef()
	t.fds[fd] = fdEntry{}
	return nil
}

// closing tells the kernel that a descriptor for f is being closed through t.
func (t *FDTable) closing(f *vfs.File) {
	if t.k != nil {
		t.k.fileClosed(t, f)
	}
}

// CloseOnExec reports fd's FD_CLOEXEC flag.
func (t *FDTable) CloseOnExec(fd int) bool { return t.fds[fd].cloexec }

// SetCloseOnExec sets fd's FD_CLOEXEC flag; fd must be open.
func (t *FDTable) SetCloseOnExec(fd int, v bool) { t.fds[fd].cloexec = v }

// Fork returns a copy of the table sharing every description (fork(2)). The copy is
// trimmed after the highest open descriptor; it fails with ENOMEM if the cap does not
// allow it.
func (t *FDTable) Fork() (*FDTable, error) {
	n := len(t.fds)
	for n > 0 && t.fds[n-1].file == nil {
		n--
	}
	if !t.pool.Charge(int64(n) * fdEntryBytes) {
		return nil, linux.ENOMEM
	}
	c := &FDTable{fds: make([]fdEntry, n), pool: t.pool, k: t.k}
	copy(c.fds, t.fds)
	for _, e := range c.fds {
		if e.file != nil {
			e.file.IncRef()
			c.copied++
		}
	}
	return c, nil
}

// CloseAll closes every descriptor and frees the table (process exit).
func (t *FDTable) CloseAll() {
	for fd := range t.fds {
		if t.fds[fd].file != nil {
			t.Close(fd)
		}
	}
	t.pool.Uncharge(int64(len(t.fds)) * fdEntryBytes)
	t.fds = nil
}

// Open returns the open descriptors in ascending order.
func (t *FDTable) Open() []int {
	var fds []int
	for fd, e := range t.fds {
		if e.file != nil {
			fds = append(fds, fd)
		}
	}
	return fds
}

// closeOnExec closes the descriptors marked FD_CLOEXEC (execve(2)).
func (t *FDTable) closeOnExec() {
	for fd, e := range t.fds {
		if e.file != nil && e.cloexec {
			t.Close(fd)
		}
	}
}

// UnshareFDTable gives tg its own copy of a descriptor table it shares with other
// processes (CLONE_FILES): execve(2), close_range(CLOSE_RANGE_UNSHARE). It fails with
// ENOMEM if the copy does not fit under the cap.
func (tg *ThreadGroup) UnshareFDTable() error {
	old := tg.FDs
	if old.users == 0 {
		return nil
	}
	fds, err := old.Fork()
	if err != nil {
		return err
	}
	old.users--
	tg.FDs = fds
	if old.k != nil {
		old.k.work[cost.FDCopy] += fds.copied
	}
	return nil
}

// CloseRange closes the open descriptors from first to last, or with cloexec marks
// them close-on-exec (close_range(2)).
func (t *FDTable) CloseRange(first, last uint64, cloexec bool) {
	for fd := first; fd <= last && fd < uint64(len(t.fds)); fd++ {
		switch {
		case t.fds[fd].file == nil:
		case cloexec:
			t.fds[fd].cloexec = true
		default:
			t.Close(int(fd))
		}
	}
}
