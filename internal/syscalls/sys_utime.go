package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var utimeCalls = []entry{
	call(linux.SYS_UTIMENSAT, "utimensat", Utimensat, fd, path, p, atf),
}

// utimensat(2)'s special tv_nsec values.
const (
	UTIME_NOW  = (1 << 30) - 1
	UTIME_OMIT = (1 << 30) - 2
)

// Utimensat implements utimensat(2) and futimens(3) (a NULL path names dirfd itself).
func Utimensat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[3]
	if flags&^(AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	now := t.Kernel().FS.Now()
	atime, mtime := now, now
	setA, setM, explicit := true, true, false
	if a[2] != 0 {
		b, err := copyIn(t, a[2], 32)
		if err != nil {
			return 0, err
		}
		le := binary.LittleEndian
		read := func(off int) (ns int64, set, expl bool, err error) {
			sec, nsec := int64(le.Uint64(b[off:])), int64(le.Uint64(b[off+8:]))
			switch {
			case nsec == UTIME_NOW:
				return now, true, false, nil
			case nsec == UTIME_OMIT:
				return 0, false, false, nil
			case nsec < 0 || nsec >= 1e9:
				return 0, false, false, linux.EINVAL
			}
			return sec*1e9 + nsec, true, true, nil
		}
		var explA, explM bool
		if atime, setA, explA, err = read(0); err != nil {
			return 0, err
		}
		if mtime, setM, explM, err = read(16); err != nil {
			return 0, err
		}
		explicit = explA || explM
	}
	var n *vfs.Inode
	var f *vfs.File
	if a[1] == 0 {
		// futimens: the descriptor itself (a NULL path with AT_FDCWD is EFAULT).
		if int32(a[0]) == kernel.AT_FDCWD {
			return 0, linux.EFAULT
		}
		var err error
		if f, err = file(t, a[0]); err != nil {
			return 0, err
		}
		n = f.Inode
	} else {
		var err error
		if n, _, err = lookup(t, a[0], a[1], flags&AT_SYMLINK_NOFOLLOW == 0); err != nil {
			return 0, err
		}
	}
	if !setA && !setM {
		return 0, nil // both UTIME_OMIT: nothing to do, nothing to check
	}
	// Setting explicit times needs ownership (or CAP_FOWNER); setting them to now
	// also allows anyone who may write the file.
	c := &t.TG.Creds
	owner := ownerOrCapable(c, n)
	switch {
	case explicit && !owner:
		return 0, linux.EPERM
	case !explicit && !owner && !vfs.Check(c.VFS(), n, vfs.MayWrite):
		return 0, linux.EACCES
	}
	if err := n.SetTimes(atime, mtime, setA, setM); err != nil {
		return 0, err
	}
	if f != nil {
		f.ChangedFile(timesEvent(setA, setM))
	} else {
		changedAt(t, a[0], a[1], n, flags&AT_SYMLINK_NOFOLLOW == 0, timesEvent(setA, setM))
	}
	return 0, nil
}
