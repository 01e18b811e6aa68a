package vfs

import (
	"fmt"
	"strings"
)

// Synthetic inodes: directories whose entries are computed when looked up, and files
// whose contents are computed when opened. The kernel builds /proc from them.

// NewDynamicDir returns a directory owned by uid and gid whose entries come from lookup
// and names.
func (fs *FS) NewDynamicDir(perm, uid, gid uint32, lookup func(name string) *Inode, names func() []string) *Inode {
	n := fs.newInode(S_IFDIR|perm, uid, gid)
	n.lookupFn, n.namesFn = lookup, names
	return n
}

// SetDirOps lets the guest make and remove directories in the synthetic directory n:
// mkdir(2) calls mkdir with the new name, its mode (umask applied) and the caller's
// credentials, after the caller's write and search permission on n was checked; rmdir(2)
// of a subdirectory calls rmdir with its name (a cgroup's directory, whose entries are
// otherwise computed).
func (n *Inode) SetDirOps(mkdir func(name string, mode uint32, c Cred) error, rmdir func(name string) error) {
	n.mkdirFn, n.rmdirFn = mkdir, rmdir
}

// NewGenerated returns a read-only file whose contents gen computes at each open.
func (fs *FS) NewGenerated(perm uint32, uid, gid uint32, gen func() []byte) *Inode {
	n := fs.newInode(S_IFREG|perm, uid, gid)
	n.gen = gen
	return n
}

// NewSetting returns a file whose contents gen computes at each open and that set
// takes writes to (a writable /proc/sys entry): each write(2) is handed to set whole,
// as the kernel's sysctl handlers parse a write from its start. Truncation on open
// (fopen's "w") does nothing, as on Linux's /proc.
func (fs *FS) NewSetting(perm uint32, gen func() []byte, set func(p []byte) error) *Inode {
	n := fs.NewGenerated(perm, 0, 0, gen)
	n.set = set
	return n
}

// NewReader returns a read-only file whose bytes readAt computes for each read, at the
// offset asked: a file too large to compute at open (/proc/PID/pagemap). Its size is 0.
func (fs *FS) NewReader(perm uint32, uid, gid uint32, readAt func(p []byte, off int64) (int, error)) *Inode {
	n := fs.newInode(S_IFREG|perm, uid, gid)
	n.readAt = readAt
	return n
}

// NewAttribute returns a regular file whose reads and writes d serves, as a debugfs
// attribute's file operations do. Its size is 0.
func (fs *FS) NewAttribute(d Device, perm uint32) *Inode {
	n := fs.newInode(S_IFREG|perm, 0, 0)
	n.dev = d
	return n
}

// NewDir returns an unlinked, empty directory of weft's own tree.
func (fs *FS) NewDir(perm, uid, gid uint32) *Inode { return fs.newInode(S_IFDIR|perm, uid, gid) }

// AddChild adds n to the directory dir as name.
func (fs *FS) AddChild(dir *Inode, name string, n *Inode) { fs.link(dir, name, n) }

// NewSymlink returns an unlinked symbolic link.
func (fs *FS) NewSymlink(target string, uid, gid uint32) *Inode {
	n := fs.newInode(S_IFLNK|0o777, uid, gid)
	n.target = target
	return n
}

// NewMagicLink returns a symbolic link that reads as target but that path lookup
// follows straight to the inode to, as Linux's /proc/PID/fd/N links: a pipe, a terminal
// or a deleted file can be reopened through them although target names no path.
func (fs *FS) NewMagicLink(target string, to *Inode, uid, gid uint32) *Inode {
	n := fs.NewSymlink(target, uid, gid)
	n.magic = to
	return n
}

// Mount makes n appear at the absolute guest path, which must name a directory of the
// in-memory tree or a new name in one; the directories above it are created. The path
// must be clean: a "." or ".." component would otherwise become a literal entry.
func (fs *FS) Mount(path string, n *Inode) error {
	names := splitNames(path)
	if !strings.HasPrefix(path, "/") || len(names) == 0 {
		return fmt.Errorf("mount point %s: not an absolute path below /", quote(path))
	}
	d := fs.Root
	for i, c := range names {
		if c == "." || c == ".." || len(c) > 255 {
			return fmt.Errorf("mount point %s: %s is not a directory name", quote(path), quote(c))
		}
		if i == len(names)-1 {
			break
		}
		k := d.child(c)
		if k == nil {
			k = fs.newInode(S_IFDIR|0o755, 0, 0)
			fs.link(d, c, k)
		}
		if !k.IsDir() || k.layer() != nil || k.lookupFn != nil {
			return fmt.Errorf("mount point %s: %s is not a directory of weft's own tree", quote(path), quote(c))
		}
		d = k
	}
	name := names[len(names)-1]
	if old := d.children[name]; old != nil && old.IsDir() {
		d.Nlink--
		delete(fs.mounts, old)
	}
	d.children[name] = n
	n.parent, n.name = d, name
	d.Nlink++
	if fs.mounts == nil {
		fs.mounts = map[*Inode]bool{}
	}
	fs.mounts[n] = true
	return nil
}

// child looks a name up in a directory, consulting its source for synthetic and host
// directories.
func (n *Inode) child(name string) *Inode {
	if n.lookupFn != nil {
		c := n.lookupFn(name)
		if c != nil && c.IsDir() {
			c.parent, c.name = n, name
		} else if c != nil && c.parent == nil {
			c.parent = n // a synthetic file: statfs finds its file system through it
		}
		return c
	}
	if c := n.children[name]; c != nil {
		return c
	}
	if n.hm != nil {
		return n.hostChild(name)
	}
	return nil
}

// List returns a directory's entry names, sorted.
func (n *Inode) List() []string {
	if n.namesFn != nil {
		return n.namesFn()
	}
	if n.hm != nil {
		n.hostFill()
	}
	return n.Names()
}

// Exists reports whether the absolute path names an entry, without following a final
// symbolic link or checking permissions (for weft's own set-up of the tree).
func (fs *FS) Exists(path string) bool { return fs.lookupPlain(path) != nil }

// OnHost reports whether the absolute path names a file of a host directory (a
// mounted one, or a guest root's lower layer) rather than one weft holds in memory.
func (fs *FS) OnHost(path string) bool {
	n := fs.lookupPlain(path)
	return n != nil && n.hm != nil
}

// SetDynamic replaces a synthetic directory's entry functions (NewDynamicDir): a
// restored checkpoint binds them to its own kernel.
func (n *Inode) SetDynamic(lookup func(name string) *Inode, names func() []string) {
	n.lookupFn, n.namesFn = lookup, names
}
