package vfs

import "weft/internal/abi/linux"

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

// SetNotify implements F_NOTIFY on f, registered through descriptor fd of the
// descriptor table owner. A mask with no events removes the registration; otherwise
// the mask is added to that of the registration (f, owner), which now names fd, or
// makes a new one (Linux's attach_dn). It reports whether a registration now exists.
func (f *File) SetNotify(owner any, fd int, mask uint32) (bool, error) {
	n := f.Inode
	if mask&^DN_MULTISHOT == 0 {
		n.dropNotify(owner, f)
		return false, nil
	}
	if !n.IsDir() {
		return false, linux.ENOTDIR
	}
	for i := range n.dnotify {
		if w := &n.dnotify[i]; w.file == f && w.owner == owner {
			w.fd, w.mask = fd, w.mask|mask
			return true, nil
		}
	}
	// The newest registration is signalled first: Linux puts it at the head of the
	// directory's list.
	n.dnotify = append([]dnWatch{{file: f, fd: fd, owner: owner, mask: mask}}, n.dnotify...)
	if n.fs != nil {
		n.fs.dnWatches++
	}
	return true, nil
}

// DropNotify ends the F_NOTIFY registration f has through the descriptor table owner,
// if any: a descriptor of f is being closed through owner.
func (f *File) DropNotify(owner any) {
	if len(f.Inode.dnotify) > 0 {
		f.Inode.dropNotify(owner, f)
	}
}

func (n *Inode) dropNotify(owner any, f *File) {
	for i, w := range n.dnotify {
		if w.file == f && w.owner == owner {
			n.dnotify = append(n.dnotify[:i], n.dnotify[i+1:]...)
			if n.fs != nil {
				n.fs.dnWatches--
			}
			return
		}
	}
}

// Watched reports whether any directory has an F_NOTIFY registration: callers skip
// the work of finding whom an event concerns when none does.
func (fs *FS) Watched() bool { return fs != nil && fs.dnWatches > 0 }

// dirEvent tells dir's watchers of event (a DN_ constant): each one that asked for it
// is signalled, newest first, and loses its registration unless it
// is DN_MULTISHOT.
func (fs *FS) dirEvent(dir *Inode, event uint32) {
	if dir == nil || len(dir.dnotify) == 0 || fs.DirNotify == nil {
		return
	}
	kept := dir.dnotify[:0]
	var fire []dnWatch
	for _, w := range dir.dnotify {
		if w.mask&event != 0 {
			fire = append(fire, w)
			if w.mask&DN_MULTISHOT == 0 {
				fs.dnWatches--
				continue
			}
		}
		kept = append(kept, w)
	}
	clear(dir.dnotify[len(kept):])
	dir.dnotify = kept
	for _, w := range fire {
		fs.DirNotify(w.file, w.fd)
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
