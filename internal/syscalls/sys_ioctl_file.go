package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

// Generic file ioctls (asm-generic/ioctls.h), which work on any descriptor, and the
// inode-flag ioctls (linux/fs.h).
const (
	FS_IOC_GETFLAGS = 0x80086601
	FS_IOC_SETFLAGS = 0x40086602

	FIONREAD = 0x541b
	FIONBIO  = 0x5421
	FIONCLEX = 0x5450
	FIOCLEX  = 0x5451
)

// fileIoctl handles the ioctls every file answers, whatever its type; ok is false for
// any other request.
func fileIoctl(t *kernel.Task, f *vfs.File, a *kernel.SyscallArgs) (r uint64, ok bool, err error) {
	switch a[1] {
	case FS_IOC_GETFLAGS, FS_IOC_SETFLAGS:
		n := f.Inode
		if !n.HasAttrFlags() {
			return 0, false, nil // ENOTTY: a file system without inode flags
		}
		if a[1] == FS_IOC_GETFLAGS {
			var b [4]byte
			binary.LittleEndian.PutUint32(b[:], n.AttrFlags)
			return 0, true, copyOut(t, a[2], b[:])
		}
		b, err := copyIn(t, a[2], 4)
		if err != nil {
			return 0, true, err
		}
		flags := binary.LittleEndian.Uint32(b)
		c := t.TG.Creds
		if c.FSUID != n.UID && !c.Capable(kernel.CAP_FOWNER) {
			return 0, true, linux.EPERM // inode_owner_or_capable
		}
		if (flags^n.AttrFlags)&(vfs.FS_APPEND_FL|vfs.FS_IMMUTABLE_FL) != 0 && !c.Capable(kernel.CAP_LINUX_IMMUTABLE) {
			return 0, true, linux.EPERM // fileattr_set_prepare
		}
		return 0, true, n.SetAttrFlags(flags)
	case FIOCLEX, FIONCLEX:
		t.TG.FDs.SetCloseOnExec(int(int32(a[0])), a[1] == FIOCLEX)
		return 0, true, nil
	case FIONBIO:
		b, err := copyIn(t, a[2], 4)
		if err != nil {
			return 0, true, err
		}
		if binary.LittleEndian.Uint32(b) != 0 {
			f.Flags |= vfs.O_NONBLOCK
		} else {
			f.Flags &^= vfs.O_NONBLOCK
		}
		return 0, true, nil
	case FIONREAD:
		// Bytes ready to read: a pipe's fill, a regular file's bytes past the offset.
		var n int64
		switch {
		case f.PipeFill() >= 0:
			n = int64(f.PipeFill())
		case f.Inode.Mode&vfs.S_IFMT == vfs.S_IFREG:
			n = max(f.Inode.Size()-f.Offset, 0)
		case f.Inode.IsDir():
			return 0, true, linux.EINVAL
		default:
			return 0, false, nil // a device's own answer, if any
		}
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(min(n, 1<<31-1)))
		return 0, true, copyOut(t, a[2], b[:])
	}
	return 0, false, nil
}
