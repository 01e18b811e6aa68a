package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var xattrCalls = []entry{
	call(linux.SYS_SETXATTR, "setxattr", Setxattr, path, path, p, u, i),
	call(linux.SYS_LSETXATTR, "lsetxattr", Lsetxattr, path, path, p, u, i),
	call(linux.SYS_FSETXATTR, "fsetxattr", Fsetxattr, fd, path, p, u, i),
	call(linux.SYS_GETXATTR, "getxattr", Getxattr, path, path, p, u),
	call(linux.SYS_LGETXATTR, "lgetxattr", Lgetxattr, path, path, p, u),
	call(linux.SYS_FGETXATTR, "fgetxattr", Fgetxattr, fd, path, p, u),
	call(linux.SYS_LISTXATTR, "listxattr", Listxattr, path, p, u),
	call(linux.SYS_LLISTXATTR, "llistxattr", Llistxattr, path, p, u),
	call(linux.SYS_FLISTXATTR, "flistxattr", Flistxattr, fd, p, u),
	call(linux.SYS_REMOVEXATTR, "removexattr", Removexattr, path, path),
	call(linux.SYS_LREMOVEXATTR, "lremovexattr", Lremovexattr, path, path),
	call(linux.SYS_FREMOVEXATTR, "fremovexattr", Fremovexattr, fd, path),
}

// xattrTarget finds the inode an xattr call names: by path (following a final
// symbolic link unless it is an l* call) or by descriptor (fd set).
func xattrTarget(t *kernel.Task, arg uint64, byFD, follow bool) (*vfs.Inode, error) {
	if byFD {
		f, err := openFile(t, arg)
		if err != nil {
			return nil, err
		}
		return f.Inode, nil
	}
	n, _, err := lookup(t, atFDCWD, arg, follow)
	return n, err
}

func xattrName(t *kernel.Task, addr uint64) (string, error) {
	s, ok, err := t.TG.MM.ReadString(addr, vfs.XattrNameMax+1)
	switch {
	case err != nil:
		return "", linux.EFAULT
	case !ok:
		return "", linux.ERANGE
	}
	return s, nil
}

func setxattr(t *kernel.Task, a *kernel.SyscallArgs, byFD, follow bool) (uint64, error) {
	name, err := xattrName(t, a[1])
	if err != nil {
		return 0, err
	}
	if a[3] > vfs.XattrSizeMax {
		return 0, linux.E2BIG
	}
	value, err := copyIn(t, a[2], a[3])
	if err != nil {
		return 0, err
	}
	if value == nil {
		value = []byte{} // an empty value, not a removal
	}
	n, err := xattrTarget(t, a[0], byFD, follow)
	if err != nil {
		return 0, err
	}
	if err := n.SetXattr(t.TG.FSCred(), name, value, int(int32(a[4]))); err != nil {
		return 0, err
	}
	xattrChanged(t, a[0], byFD, follow, n)
	return 0, nil
}

// xattrChanged reports a changed extended attribute of n to dnotify (fsnotify_xattr:
// FS_ATTRIB).
func xattrChanged(t *kernel.Task, arg uint64, byFD, follow bool, n *vfs.Inode) {
	if !byFD {
		changedAt(t, atFDCWD, arg, n, follow, vfs.DN_ATTRIB)
	} else if f, err := openFile(t, arg); err == nil {
		f.ChangedFile(vfs.DN_ATTRIB)
	}
}

func getxattr(t *kernel.Task, a *kernel.SyscallArgs, byFD, follow bool) (uint64, error) {
	name, n, err := xattrNamed(t, a, byFD, follow)
	if err != nil {
		return 0, err
	}
	v, err := n.GetXattr(t.TG.FSCred(), name)
	if err != nil {
		return 0, err
	}
	return sizedOut(t, a[2], a[3], v)
}

// xattrNamed reads the attribute name (a[1]) and finds the inode (a[0]) of a getxattr
// or removexattr call.
func xattrNamed(t *kernel.Task, a *kernel.SyscallArgs, byFD, follow bool) (string, *vfs.Inode, error) {
	name, err := xattrName(t, a[1])
	if err != nil {
		return "", nil, err
	}
	n, err := xattrTarget(t, a[0], byFD, follow)
	return name, n, err
}

// sizedOut copies a value out the way getxattr and listxattr do: a size of 0 asks for
// the size only, and a buffer too small for the value is ERANGE.
func sizedOut(t *kernel.Task, addr, size uint64, v []byte) (uint64, error) {
	if size == 0 {
		return uint64(len(v)), nil
	}
	if uint64(len(v)) > size {
		return 0, linux.ERANGE
	}
	return uint64(len(v)), copyOut(t, addr, v)
}

func listxattr(t *kernel.Task, a *kernel.SyscallArgs, byFD, follow bool) (uint64, error) {
	n, err := xattrTarget(t, a[0], byFD, follow)
	if err != nil {
		return 0, err
	}
	return sizedOut(t, a[1], a[2], n.ListXattr(t.TG.FSCred()))
}

func removexattr(t *kernel.Task, a *kernel.SyscallArgs, byFD, follow bool) (uint64, error) {
	name, n, err := xattrNamed(t, a, byFD, follow)
	if err != nil {
		return 0, err
	}
	if err := n.SetXattr(t.TG.FSCred(), name, nil, 0); err != nil {
		return 0, err
	}
	xattrChanged(t, a[0], byFD, follow, n)
	return 0, nil
}

// Setxattr implements setxattr(2).
func Setxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return setxattr(t, a, false, true)
}

// Lsetxattr implements lsetxattr(2).
func Lsetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return setxattr(t, a, false, false)
}

// Fsetxattr implements fsetxattr(2).
func Fsetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return setxattr(t, a, true, false)
}

// Getxattr implements getxattr(2).
func Getxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return getxattr(t, a, false, true)
}

// Lgetxattr implements lgetxattr(2).
func Lgetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return getxattr(t, a, false, false)
}

// Fgetxattr implements fgetxattr(2).
func Fgetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return getxattr(t, a, true, false)
}

// Listxattr implements listxattr(2).
func Listxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return listxattr(t, a, false, true)
}

// Llistxattr implements llistxattr(2).
func Llistxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return listxattr(t, a, false, false)
}

// Flistxattr implements flistxattr(2).
func Flistxattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return listxattr(t, a, true, false)
}

// Removexattr implements removexattr(2).
func Removexattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return removexattr(t, a, false, true)
}

// Lremovexattr implements lremovexattr(2).
func Lremovexattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return removexattr(t, a, false, false)
}

// Fremovexattr implements fremovexattr(2).
func Fremovexattr(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return removexattr(t, a, true, false)
}
