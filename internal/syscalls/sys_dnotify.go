package syscalls

import (
	"weft/internal/kernel"
	"weft/internal/vfs"
)

// Reporting changes to dnotify (fcntl(2) F_NOTIFY; vfs/dnotify.go): the calls that read,
// write or change the attributes of a file say so here, with the directory the file
// was reached through. Creation, removal and renaming are reported by vfs itself.

// changedAt reports event (vfs.DN_ACCESS, DN_MODIFY, DN_ATTRIB) on n, which the path at
// addr of a *at call named (following a final symbolic link or not, as the call did).
// A file's directory is the one its last name is in (after links); it is looked up
// again only when some directory is watched, and not at all for a directory, which
// knows its parent.
func changedAt(t *kernel.Task, dirfd, addr uint64, n *vfs.Inode, follow bool, event uint32) {
	fs := t.Kernel().FS
	if !fs.Watched() {
		return
	}
	var dir *vfs.Inode
	if !n.IsDir() && addr != 0 {
		if path, err := pathArg(t, addr); err == nil && path != "" {
			if from, err := dirFor(t, dirfd, path); err == nil {
				if m, in, err := fs.LookupIn(t.TG.FSCred(), from, path, follow); err == nil && m == n {
					dir = in
				}
			}
		}
	}
	fs.Changed(n, dir, event)
}

// timesEvent is what a change of times reports (Linux's fsnotify_change): both times
// are an attribute change; the access time alone an access, the modification time
// alone a modification.
func timesEvent(setA, setM bool) uint32 {
	switch {
	case setA && setM:
		return vfs.DN_ATTRIB
	case setA:
		return vfs.DN_ACCESS
	}
	return vfs.DN_MODIFY
}
