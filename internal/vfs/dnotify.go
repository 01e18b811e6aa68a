package vfs

import (
	"unsafe"

	"weft/internal/abi/linux"
)

// Directory change notification (fcntl(2) F_NOTIFY, "dnotify"; Linux
// Documentation/filesystems/dnotify.rst). A process asks, through a descriptor of a
// directory, to be signalled when entries of that directory are read, written,
// created, deleted, renamed or have their attributes changed. The registration belongs
// to the pair (open file description, descriptor table): a close of any descriptor of
// the description through that table ends it (Linux's dnotify_flush). It fires once
// unless DN_MULTISHOT is given. The kernel (FS.DirNotify) sends the description's
// owner the F_SETSIG signal (else SIGIO) with si_fd the registering descriptor and
// si_code POLL_MSG.
//
// Which directories hear an event follows fsnotify: a change to an entry notifies the
// directory the entry is in; a change to a directory itself (its attributes, reading
// it) also notifies its own watchers. A rename within one directory is DN_RENAME to
// that directory (then DN_DELETE and DN_CREATE, as FS_MOVED_FROM and FS_MOVED_TO); a
// rename across directories is DN_DELETE on the old and DN_CREATE on the new.

// fcntl(2) F_NOTIFY events (linux/fcntl.h).
const (
	DN_ACCESS    = 0x1
	DN_MODIFY    = 0x2
	DN_CREATE    = 0x4
	DN_DELETE    = 0x8
	DN_RENAME    = 0x10
	DN_ATTRIB    = 0x20
	DN_MULTISHOT = 0x80000000
)

// dnWatch is one F_NOTIFY registration on a directory.
type dnWatch struct {
	file  *File
	fd    int    // the descriptor it was made through (si_fd)
	owner any    // the descriptor table it was made through
	mask  uint32 // DN_ events, with DN_MULTISHOT
}

// dnWatchCost is what a registration charges to the memory cap.
const dnWatchCost = int64(unsafe.Sizeof(dnWatch{}))

// SetNotify implements F_NOTIFY on f, registered through descriptor fd of the
// descriptor table owner. A mask with no events removes the registration; otherwise
// the mask is added to that of the registration (f, owner), which now names fd, or
// makes a new one (Linux's attach_dn), ENOMEM if the memory cap does not allow it. It
// reports whether a registration now exists.
func (f *File) SetNotify(owner any, fd int, mask uint32) (bool, error) {
	n := f.Inode
	if mask&^DN_MULTISHOT == 0 {
		n.dropNotify(owner, f)
		return false, nil
	}
	if !n.IsDir() {
		return false, linux.ENOTDIR
	}
	if i := n.findNotify(owner, f); i >= 0 {
		w := &n.dnotify[i]
		w.fd, w.mask = fd, w.mask|mask
		return true, nil
	}
	if n.fs == nil || !n.fs.charge(dnWatchCost) {
		return false, linux.ENOMEM
	}
	n.dnotify = append(n.dnotify, dnWatch{file: f, fd: fd, owner: owner, mask: mask})
	n.fs.dnWatches++
	return true, nil
}

// findNotify returns the index of the registration (f, owner) on n, or -1. The scan
// counts as path steps: a guest that piles up registrations on one directory pays for
// searching them.
func (n *Inode) findNotify(owner any, f *File) int {
	if n.fs != nil {
		n.fs.WalkSteps += uint64(len(n.dnotify))
	}
	for i, w := range n.dnotify {
		if w.file == f && w.owner == owner {
			return i
		}
	}
	return -1
}

// DropNotify ends the F_NOTIFY registration f has through the descriptor table owner,
// if any: a descriptor of f is being closed through owner.
func (f *File) DropNotify(owner any) {
	if len(f.Inode.dnotify) > 0 {
		f.Inode.dropNotify(owner, f)
	}
}

func (n *Inode) dropNotify(owner any, f *File) {
	if i := n.findNotify(owner, f); i >= 0 {
		last := len(n.dnotify) - 1
		copy(n.dnotify[i:], n.dnotify[i+1:])
		n.dnotify[last] = dnWatch{} // let the description go
		n.dnotify = n.dnotify[:last]
		n.fs.dnWatches--
		n.fs.uncharge(dnWatchCost)
	}
}

// Watched reports whether any directory has an F_NOTIFY registration: callers skip
// the work of finding whom an event concerns when none does.
func (fs *FS) Watched() bool { return fs != nil && fs.dnWatches > 0 }

// dirEvent tells dir's watchers of event (a DN_ constant): each one that asked for it
// is signalled, newest first (Linux keeps a directory's list newest first), and
// loses its registration unless it is DN_MULTISHOT.
func (fs *FS) dirEvent(dir *Inode, event uint32) {
	if dir == nil || len(dir.dnotify) == 0 || fs.DirNotify == nil {
		return
	}
	fs.WalkSteps += uint64(len(dir.dnotify))
	var fire []dnWatch
	kept := 0
	for _, w := range dir.dnotify {
		if w.mask&event != 0 {
			fire = append(fire, w)
			if w.mask&DN_MULTISHOT == 0 {
				fs.dnWatches--
				fs.uncharge(dnWatchCost)
				continue
			}
		}
		dir.dnotify[kept] = w
		kept++
	}
	clear(dir.dnotify[kept:])
	dir.dnotify = dir.dnotify[:kept]
	for i := len(fire) - 1; i >= 0; i-- {
		fs.DirNotify(fire[i].file, fire[i].fd)
	}
}

// Changed reports event (DN_ACCESS, DN_MODIFY or DN_ATTRIB) on n: to the watchers of
// dir, the directory n was reached through (nil if unknown; a directory's own parent
// is always known), and, when n is a directory, to its own watchers.
func (fs *FS) Changed(n, dir *Inode, event uint32) {
	if !fs.Watched() || n == nil {
		return
	}
	if n.IsDir() {
		if p := n.Parent(); p != nil && p != n {
			dir = p
		}
		if dir == n {
			dir = nil // the root is its own parent
		}
	}
	fs.dirEvent(dir, event)
	if n.IsDir() {
		fs.dirEvent(n, event)
	}
}

// ChangedFile reports event on the file f is open on (Changed, with the directory f
// was opened in).
func (f *File) ChangedFile(event uint32) {
	if fs := f.Inode.fs; fs.Watched() {
		fs.Changed(f.Inode, f.Dir, event)
	}
}
