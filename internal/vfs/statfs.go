package vfs

import (
	"syscall"

	"weft/internal/mm"
)

// File system magic numbers (linux/magic.h), as statfs(2) reports them in f_type.
const (
	TMPFS_MAGIC        = 0x01021994
	PROC_SUPER_MAGIC   = 0x9fa0
	DEVPTS_SUPER_MAGIC = 0x1cd1
	OVERLAYFS_MAGIC    = 0x794c7630
)

// statfs(2) f_flags (ST_* in sys/statvfs.h).
const (
	ST_RDONLY = 1
	ST_NOSUID = 2
	ST_NODEV  = 4
	ST_NOEXEC = 8

	ST_NOSYMFOLLOW = 0x2000
)

// FSInfo is what statfs(2) reports about the file system an inode is on.
type FSInfo struct {
	Type                     uint64
	BlockSize                uint64
	Blocks, Free, Avail      uint64 // in BlockSize units
	Files, FreeFiles         uint64
	ID                       uint64
	NameLen, FragSize, Flags uint64
}

// StatFS describes the file system n is on: a host mount reports the host's file system
// (its type and sizes, read-only if the mount is), a tree marked with a magic number by
// SetMagic (/proc) reports that, and everything else is weft's tmpfs, whose size is the
// memory cap and whose free space is what the cap has left.
func (fs *FS) StatFS(n *Inode) FSInfo {
	info := FSInfo{Type: TMPFS_MAGIC, BlockSize: mm.PageSize, FragSize: mm.PageSize, NameLen: 255, Flags: ST_NOSUID | ST_NODEV}
	if n.hm != nil && !n.hm.overlay {
		return n.hm.statfs(info)
	}
	if m := n.mnt; m != nil && m.ext2 != nil {
		info = m.ext2.statfs(info)
		info.Flags = m.Flags & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC)
		if m.Flags&MS_NOSYMFOLLOW != 0 {
			info.Flags |= ST_NOSYMFOLLOW
		}
		return info
	}
	if m := n.mnt; m != nil && m.huge != nil {
		info = m.hugeStatfs(info)
		info.Flags, info.ID = m.Flags&(ST_RDONLY|ST_NOSUID|ST_NODEV|ST_NOEXEC), m.id
		return info
	}
	if m := n.mnt; m != nil {
		// A tmpfs the guest mounted shares the memory cap with the rest (below), but
		// has its own flags and identity.
		info.Flags, info.ID = m.Flags&(ST_RDONLY|ST_NOSUID|ST_NODEV|ST_NOEXEC), m.id
		if m.Flags&MS_NOSYMFOLLOW != 0 {
			info.Flags |= ST_NOSYMFOLLOW
		}
	}
	for m := n; m != nil; m = m.parent {
		if m.fsMagic != 0 {
			info.Type, info.Flags = m.fsMagic, ST_RDONLY|ST_NOSUID|ST_NODEV|ST_NOEXEC
			return info
		}
		if fs.mounts[m] {
			break // a tmpfs mounted in a guest root (/tmp, /dev)
		}
		if m == fs.Root {
			if m.overlay() {
				// A guest root: an overlay whose upper layer, where the guest's
				// writes go, is memory, as sized below.
				info.Type, info.Flags = OVERLAYFS_MAGIC, 0
			}
			break
		}
	}
	if fs.Mem != nil {
		limit := fs.Mem.Limit
		if limit <= 0 {
			limit = 4 << 30
		}
		used := min(fs.Mem.Used(), limit)
		info.Blocks = uint64(limit) / mm.PageSize
		info.Free = uint64(limit-used) / mm.PageSize
		info.Avail = info.Free
		info.Files = info.Blocks / 2 // tmpfs's default nr_inodes: half the pages
		info.FreeFiles = info.Files - min(info.Files, fs.nextIno)
	}
	return info
}

// SetMagic marks n, the root of a synthetic tree, as a file system of type magic (for
// statfs(2)).
func (n *Inode) SetMagic(magic uint64) { n.fsMagic = magic }

// statfs asks the host about the mount's file system.
func (hm *hostMount) statfs(info FSInfo) FSInfo {
	f, err := hm.root.Open(".")
	if err != nil {
		return info
	}
	defer f.Close()
	var st syscall.Statfs_t
	if syscall.Fstatfs(int(f.Fd()), &st) != nil {
		return info
	}
	info = FSInfo{
		Type: uint64(st.Type), BlockSize: uint64(st.Bsize), FragSize: uint64(st.Frsize),
		Blocks: st.Blocks, Free: st.Bfree, Avail: st.Bavail, Files: st.Files, FreeFiles: st.Ffree,
		NameLen: uint64(st.Namelen), Flags: uint64(st.Flags) &^ ST_RDONLY,
	}
	if !hm.rw {
		info.Flags |= ST_RDONLY
	}
	return info
}
