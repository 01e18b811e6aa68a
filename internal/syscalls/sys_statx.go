package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var statxCalls = []entry{
	call(linux.SYS_STATX, "statx", Statx, fd, path, atf, x, p),
}

// statx(2) masks and flags (include/uapi/linux/stat.h, fcntl.h).
const (
	STATX_BASIC_STATS  = 0x7ff // type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks
	STATX_MNT_ID       = 0x1000
	STATX__RESERVED    = 0x80000000
	AT_NO_AUTOMOUNT    = 0x800
	AT_STATX_SYNC_TYPE = 0x6000
)

// Statx implements statx(2): the basic stats and the mount ID. Birth time is not
// recorded, so STATX_BTIME is never in the returned mask, as on file systems without it.
func Statx(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags, mask := a[2], a[3]
	switch {
	case flags&^(AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH|AT_NO_AUTOMOUNT|AT_STATX_SYNC_TYPE) != 0,
		flags&AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE, mask&STATX__RESERVED != 0:
		return 0, linux.EINVAL
	}
	var n *vfs.Inode
	if flags&AT_EMPTY_PATH != 0 {
		if s, _, err := t.TG.MM.ReadString(a[1], 1); err == nil && s == "" {
			if int32(a[0]) == kernel.AT_FDCWD {
				n = t.TG.Cwd
			} else {
				f, err := file(t, a[0])
				if err != nil {
					return 0, err
				}
				n = f.Inode
			}
		}
	}
	if n == nil {
		var err error
		if n, _, err = lookup(t, a[0], a[1], flags&AT_SYMLINK_NOFOLLOW == 0); err != nil {
			return 0, err
		}
	}
	return ret0(copyOut(t, a[4], statxBuf(n)))
}

// statxBuf lays out struct statx for n, with the same values stat(2) reports.
func statxBuf(n *vfs.Inode) []byte {
	b := make([]byte, 256)
	le := binary.LittleEndian
	size := n.Size()
	le.PutUint32(b[0:], STATX_BASIC_STATS|STATX_MNT_ID)
	le.PutUint32(b[4:], n.BlockSize())
	le.PutUint32(b[16:], n.Nlink)
	le.PutUint32(b[20:], n.UID)
	le.PutUint32(b[24:], n.GID)
	le.PutUint16(b[28:], uint16(n.Mode))
	le.PutUint64(b[32:], n.Ino)
	le.PutUint64(b[40:], uint64(size))
	le.PutUint64(b[48:], uint64(n.Blocks()))
	for off, t := range map[int]int64{64: n.Atime, 96: n.Ctime, 112: n.Mtime} {
		le.PutUint64(b[off:], uint64(t/1e9))
		le.PutUint32(b[off+8:], uint32(t%1e9))
	}
	// Device numbers as new_encode_dev splits them: major above bit 8, minor below.
	le.PutUint32(b[128:], uint32(n.Rdev>>8&0xfff))
	le.PutUint32(b[132:], uint32(n.Rdev&0xff|n.Rdev>>12&0xfff00))
	dev := n.DevNumber() // as stat(2) reports it
	le.PutUint32(b[136:], uint32(dev>>8&0xfff))
	le.PutUint32(b[140:], uint32(dev&0xff|dev>>12&0xfff00))
	le.PutUint64(b[144:], 1) // stx_mnt_id
	return b
}
