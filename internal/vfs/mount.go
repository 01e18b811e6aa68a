package vfs

import (
	"slices"

	"weft/internal/abi/linux"
)

// File systems the guest mounts itself with mount(2). weft has no block devices, so the
// only kind the guest can make is tmpfs: a fresh in-memory directory tree that hides
// the directory it is mounted on until umount2(2) puts that back. Its files are weft's
// own in-memory inodes (they count against the memory cap like any other), marked with
// the mount so that a read-only mount refuses writes with EROFS and links and renames
// across its edge fail with EXDEV, as between two file systems on Linux.

// Mount namespaces (mount_namespaces(7)): each guest mount is in the namespaces that
// were copies of the one it was made in (MemMount.nss), and a path walk in a namespace
// crosses only those (visibleIn): where a mount of another namespace sits in the tree,
// the walk sees what it covers. A new namespace starts with every mount of the one it
// copies; a mount made or unmounted in one namespace changes no other. What weft mounts
// itself (/proc, host directories) is in every namespace and cannot be unmounted.

// MountNS is a mount namespace. nil is the first one.
type MountNS struct {
	ID uint64
	// Owner is the user namespace the namespace belongs to, Users counts the
	// processes in it and Charged is what it took from the memory cap (the
	// kernel's; vfs does not look at them).
	Owner   any
	Users   int
	Charged int64
}

// DropMountNS takes every mount out of namespace ns, which no process is in any more
// (as Linux's put_mnt_ns): a mount of no other namespace is unmounted, lazily.
func (fs *FS) DropMountNS(ns *MountNS) {
	ms := fs.MemMountsIn(ns)
	for i := len(ms) - 1; i >= 0; i-- { // the newest first: they may sit on older ones
		if ms[i].In(ns) { // not gone with a mount it was under
			fs.UnmountIn(ns, ms[i], true, nil)
		}
	}
}

// In reports whether m is in mount namespace ns.
func (m *MemMount) In(ns *MountNS) bool { return slices.Contains(m.nss, ns) }

// CopyMounts puts every mount of namespace from into the new namespace to as well
// (unshare(2) and clone(2) with CLONE_NEWNS).
func (fs *FS) CopyMounts(from, to *MountNS) {
	for _, m := range fs.memMounts {
		if m.In(from) {
			m.nss = append(m.nss, to)
		}
	}
}

// MemMountsIn returns the guest's tmpfs mounts in namespace ns, oldest first.
func (fs *FS) MemMountsIn(ns *MountNS) []*MemMount {
	var out []*MemMount
	for _, m := range fs.memMounts {
		if m.In(ns) {
			out = append(out, m)
		}
	}
	return out
}

// visibleIn is what a walk in namespace ns finds where the tree has n: n, or, if n is
// the root of mounts of other namespaces, the first thing below them that ns sees.
func visibleIn(ns *MountNS, n *Inode) *Inode {
	for n != nil && n.mnt != nil && n.mnt.root == n && !n.mnt.In(ns) {
		n = n.mnt.covered
	}
	return n
}

// mount(2) flags (linux/mount.h).
const (
	MS_RDONLY      = 0x1
	MS_NOSUID      = 0x2
	MS_NODEV       = 0x4
	MS_NOEXEC      = 0x8
	MS_SYNCHRONOUS = 0x10
	MS_REMOUNT     = 0x20
	MS_MANDLOCK    = 0x40
	MS_DIRSYNC     = 0x80
	MS_NOSYMFOLLOW = 0x100
	MS_NOATIME     = 0x400
	MS_NODIRATIME  = 0x800
	MS_BIND        = 0x1000
	MS_MOVE        = 0x2000
	MS_REC         = 0x4000
	MS_SILENT      = 0x8000
	MS_UNBINDABLE  = 1 << 17
	MS_PRIVATE     = 1 << 18
	MS_SLAVE       = 1 << 19
	MS_SHARED      = 1 << 20
	MS_RELATIME    = 1 << 21
	MS_STRICTATIME = 1 << 24
	MS_LAZYTIME    = 1 << 25

	// MS_MGC_VAL in the top half of flags is the magic of kernels before 2.4, which
	// mount(2) still accepts and ignores.
	MS_MGC_MSK = 0xffff0000
	MS_MGC_VAL = 0xc0ed0000
)

// umount2(2) flags.
const (
	MNT_FORCE       = 1
	MNT_DETACH      = 2
	MNT_EXPIRE      = 4
	UMOUNT_NOFOLLOW = 8
)

// mountOptionFlags are the per-mount flags weft keeps and reports in /proc/PID/mounts
// and statfs(2)'s f_flags; the rest of what a mount call may carry is accepted and has
// no effect on an in-memory file system (sync, atime updates).
const mountOptionFlags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOSYMFOLLOW

// MemMount is a file system the guest mounted: a tmpfs, an ext2 file system read from a
// block device into weft's inodes (ext2.go), or a synthetic tree the kernel made (a
// cgroup2 hierarchy: MountTree).
type MemMount struct {
	Source string // mount(2)'s source argument, as /proc/PID/mounts shows it
	// Type is the file system type ("tmpfs", "ext2", "cgroup2"), Options the options
	// of its own that /proc/PID/mounts lists after the generic ones ("" for none).
	Type, Options string
	Flags         uint64 // the MS_* flags of mountOptionFlags that hold now
	id            uint64 // statfs(2)'s f_fsid: one per mount
	// Expired is set by a first umount2(MNT_EXPIRE), which a second one completes.
	Expired bool

	ext2 *ext2FS    // an ext2 mount's file system
	huge *hugeMount // a hugetlbfs mount's limits (hugetlbfs.go)
	dev  uint64     // an ext2 mount's device number (st_dev)

	root    *Inode     // the mounted tree's root directory
	covered *Inode     // the directory (or the root of an earlier mount) it hides
	nss     []*MountNS // the mount namespaces it is in
	parent  *Inode     // the directory that has the mount point as an entry
	name    string
}

// ReadOnly reports whether the mount refuses changes.
func (m *MemMount) ReadOnly() bool { return m.Flags&MS_RDONLY != 0 }

// Path is where the mount is in the tree now.
func (m *MemMount) Path(fs *FS) string { return fs.PathOf(m.root) }

// MemMounts returns the guest's tmpfs mounts in the order they were made.
func (fs *FS) MemMounts() []*MemMount { return fs.memMounts }

// MountOf returns the tmpfs mount whose root n is (nil if n is no mount's root).
func (fs *FS) MountOf(n *Inode) *MemMount {
	if n.mnt != nil && n.mnt.root == n {
		return n.mnt
	}
	return nil
}

// MountRoot returns the root directory of m.
func (fs *FS) MountRoot(m *MemMount) *Inode { return m.root }

// IsFixedMount reports whether n is the root of a file system the guest did not mount
// and cannot unmount: weft's own root, /proc, or a host directory the user mounted.
func (fs *FS) IsFixedMount(n *Inode) bool {
	return n == fs.Root || (fs.mounts[n] && n.mnt == nil)
}

// MountTmpfs mounts a new, empty tmpfs on the directory at, which must be a directory
// of weft's own tree (not / itself, a host mount or /proc). The new root is owned by
// root with mode 1777, tmpfs's default (tmpfs(5)).
func (fs *FS) MountTmpfs(at *Inode, source string, flags uint64) (*MemMount, error) {
	return fs.MountTmpfsIn(nil, at, source, flags)
}

// MountTmpfsIn is MountTmpfs in mount namespace ns: the mount is in ns only. Mounts of
// other namespaces on top of at stay on top of it (each namespace sees its own).
func (fs *FS) MountTmpfsIn(ns *MountNS, at *Inode, source string, flags uint64) (*MemMount, error) {
	return fs.MountTree(ns, at, source, flags, "tmpfs", "", nil)
}

// checkMountPoint reports whether a file system may be mounted on at.
func (fs *FS) checkMountPoint(at *Inode) error {
	switch {
	case !at.IsDir():
		return linux.ENOTDIR
	case at == fs.Root || at.parent == nil || at.hm != nil || at.lookupFn != nil || at.fsMagic != 0:
		return linux.EINVAL
	case at.unlinked:
		return linux.ENOENT
	}
	if _, ok := mountAbove(at.parent.children[at.name], at); !ok {
		return linux.EINVAL // not reachable by its name (a synthetic tree's view)
	}
	return nil
}

// MountTree mounts root, a synthetic directory the kernel made (nil: a new, empty
// directory, as a tmpfs or an ext2 file system starts), on the directory at in mount
// namespace ns, as a file system of type fstype with options opts.
func (fs *FS) MountTree(ns *MountNS, at *Inode, source string, flags uint64, fstype, opts string, root *Inode) (*MemMount, error) {
	if err := fs.checkMountPoint(at); err != nil {
		return nil, err
	}
	parent, name := at.parent, at.name
	above, _ := mountAbove(parent.children[name], at)
	if root == nil {
		if !fs.charge(inodeCost) {
			return nil, linux.ENOMEM
		}
		root = fs.newInode(S_IFDIR|0o1777, 0, 0)
		root.charged = inodeCost
	}
	fs.nextMountID++
	m := &MemMount{Source: source, Type: fstype, Options: opts, Flags: flags & mountOptionFlags, id: fs.nextMountID,
		covered: at, parent: parent, name: name, nss: []*MountNS{ns}}
	root.mnt = m
	m.root = root
	if above != nil {
		above.covered = root
	} else {
		parent.children[name] = root
	}
	root.parent, root.name = parent, name
	if fs.mounts == nil {
		fs.mounts = map[*Inode]bool{}
	}
	fs.mounts[root] = true
	fs.memMounts = append(fs.memMounts, m)
	return m, nil
}

// Remount changes a mount's flags (mount(2) with MS_REMOUNT). Making it read-only while
// a file on it is open for writing fails with EBUSY, as on Linux.
func (fs *FS) Remount(m *MemMount, flags uint64) error {
	flags &= mountOptionFlags
	if flags&MS_RDONLY != 0 && !m.ReadOnly() && m.openForWrite() {
		return linux.EBUSY
	}
	if e := m.ext2; e != nil {
		switch {
		case flags&MS_RDONLY == 0 && e.forcedRO:
			return linux.EROFS // ext2_remount: unsupported optional features
		case flags&MS_RDONLY != 0 && !m.ReadOnly():
			if err := e.sync(true); err != nil {
				return err
			}
		case flags&MS_RDONLY == 0 && m.ReadOnly():
			if err := e.markMounted(); err != nil {
				return err
			}
		}
	}
	m.Flags = flags
	return nil
}

// Unmount takes m out of the tree and puts back the directory it hid. Unless detach
// (MNT_DETACH) is set, a mount with an open file, or one below which another mount
// sits, is busy (EBUSY), as is one in which busy (the kernel's check of working
// directories) finds something. Files still open after a detach go when they are
// closed; everything else is freed now.
func (fs *FS) Unmount(m *MemMount, detach bool, busy func(*Inode) bool) error {
	return fs.UnmountIn(nil, m, detach, busy)
}

// UnmountIn is Unmount in mount namespace ns. A mount that other namespaces have too
// only leaves ns; the tree keeps it for them.
func (fs *FS) UnmountIn(ns *MountNS, m *MemMount, detach bool, busy func(*Inode) bool) error {
	above, _ := mountAbove(m.parent.children[m.name], m.root)
	for a := above; a != nil; a, _ = mountAbove(m.parent.children[m.name], a.root) {
		if a.In(ns) {
			return linux.EBUSY // something is mounted on top of it
		}
	}
	var nested []*MemMount
	for _, o := range fs.memMounts {
		if o != m && o.parent.mnt == m && o.In(ns) {
			nested = append(nested, o)
		}
	}
	if !detach {
		inUse := len(nested) > 0
		m.walk(func(n *Inode) {
			if n.opens > 0 || (n.IsDir() && busy != nil && busy(n)) {
				inUse = true
			}
		})
		if inUse {
			return linux.EBUSY
		}
	}
	// A lazy unmount takes what is mounted below it along (umount2(2): MNT_DETACH
	// detaches the mount and its children).
	for i := len(nested) - 1; i >= 0; i-- {
		fs.UnmountIn(ns, nested[i], true, nil)
	}
	if len(m.nss) > 1 {
		m.nss = slices.DeleteFunc(m.nss, func(o *MountNS) bool { return o == ns })
		return nil
	}
	if e := m.ext2; e != nil && !m.ReadOnly() {
		// The last write-back, which marks the file system clean, once no namespace
		// has the mount any more. A device that fails it loses what was not
		// written, as on Linux.
		e.sync(true)
	}
	if above != nil {
		above.covered = m.covered
	} else {
		m.parent.children[m.name] = m.covered
	}
	delete(fs.mounts, m.root)
	for i, o := range fs.memMounts {
		if o == m {
			fs.memMounts = append(fs.memMounts[:i], fs.memMounts[i+1:]...)
			break
		}
	}
	m.walk(func(n *Inode) {
		if n.IsDir() {
			n.unlinked = true
		}
		n.Nlink = 0
		n.maybeFree()
	})
	if m.huge != nil {
		m.huge.spool.Release() // its minimum reservation; files still open keep their pages
	}
	if e := m.ext2; e != nil {
		fs.uncharge(e.charged)
		e.charged = 0
		if h, ok := e.dev.(deviceHolder); ok && e.ready {
			h.Release(nil)
		}
	}
	return nil
}

// mountAbove finds n in the stack of mounts whose top is top: ok if n is in it, with
// the mount directly on top of n (nil if n is the top).
func mountAbove(top, n *Inode) (*MemMount, bool) {
	var above *MemMount
	for top != n {
		if top == nil || top.mnt == nil || top.mnt.root != top {
			return nil, false
		}
		above, top = top.mnt, top.mnt.covered
	}
	return above, true
}

// walk calls f on every inode of the mount (each once, however many names it has).
func (m *MemMount) walk(f func(*Inode)) {
	seen := map[*Inode]bool{}
	var visit func(n *Inode)
	visit = func(n *Inode) {
		if seen[n] {
			return
		}
		seen[n] = true
		f(n)
		for _, name := range n.Names() {
			if c := n.children[name]; c != nil && c.mnt == m {
				visit(c)
			}
		}
	}
	visit(m.root)
}

// openForWrite reports whether a file of the mount is open for writing.
func (m *MemMount) openForWrite() bool {
	found := false
	m.walk(func(n *Inode) {
		if n.writers > 0 {
			found = true
		}
	})
	return found
}
