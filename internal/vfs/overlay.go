package vfs

import (
	"fmt"
	"io"
	"os"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// A guest root (weft run --root DIR) is a host directory seen through an overlay, as
// overlayfs(5) shows a read-only lower layer under a writable upper one: the guest
// reads the host's files, and everything it changes lives in weft's memory. Nothing is
// ever written to DIR: the mount is not writable on the host (hm.rw is false, so every
// host-side write path refuses with EROFS), and each change goes to memory first.
//
//   - A file is copied up when it is first changed (opened for writing, truncated,
//     chmod, chown, utimes, hard-linked or renamed): its contents are read into
//     in-memory pages, charged to the memory cap, and the inode stops being a host
//     file. Descriptions already open on it see the copy, as Linux's overlayfs does
//     since 4.19.
//   - A directory is never copied: new entries are in-memory inodes linked beside the
//     cached host ones, and a removed host entry leaves a whiteout, a name that host
//     lookups and listings skip. Renaming a host directory fails with EXDEV, as on an
//     overlayfs without redirect_dir; mv falls back to copying.
//   - Changes to a directory's own attributes are kept in its cached inode.
//
// Inside the overlay, host files and weft's own in-memory files are one file system:
// rename and link work across them.

// NewRoot returns a file system whose root is the host directory hostDir, read-only on
// the host with an in-memory layer above it, with weft's own directories laid over it:
// /dev (with /dev/shm) and /tmp in memory, and /home/user for uid and gid if the root
// lacks it. mem and now are FS.Mem and FS.Now.
func NewRoot(hostDir string, uid, gid uint32, urandom func([]byte), mem *mm.Pool, now func() int64) (*FS, error) {
	root, err := os.OpenRoot(hostDir)
	if err != nil {
		return nil, err
	}
	st, err := root.Stat(".")
	if err != nil {
		root.Close()
		return nil, err
	}
	if !st.IsDir() {
		root.Close()
		return nil, fmt.Errorf("%s is not a directory", quote(hostDir))
	}
	fs := &FS{nextIno: 1, Mem: mem, Now: now}
	hm := &hostMount{root: root, overlay: true}
	n := fs.hostInode(hm, nil, "", st)
	hm.top, n.parent, fs.Root = n, n, n
	for _, d := range []struct {
		path string
		perm uint32
	}{{"/tmp", 0o1777}, {"/dev", 0o755}} {
		if err := fs.Mount(d.path, fs.newInode(S_IFDIR|d.perm, 0, 0)); err != nil {
			return nil, err
		}
	}
	fs.addDevices(fs.lookupPlain("dev"), urandom)
	if fs.lookupPlain("home/user") == nil {
		fs.mkdirAll("home/user", 0o755, uid, gid)
	}
	return fs, nil
}

// overlay reports whether n is a host inode of a guest root's lower layer.
func (n *Inode) overlay() bool { return n.hm != nil && n.hm.overlay }

// onHost reports whether changes to n go to a host file: n is on a writable host
// mount (--mount DIR:PATH:rw). A guest root's lower layer never is.
func (n *Inode) onHost() bool { return n.hm != nil && n.hm.rw }

// layer names the file system n belongs to, for rename and link (EXDEV between two):
// each host mount is its own, and weft's memory and a guest root's overlay are one.
func (n *Inode) layer() *hostMount {
	if n.hm != nil && !n.hm.overlay {
		return n.hm
	}
	return nil
}

// CopyUp makes a file of a guest root's lower layer an in-memory file with the same
// contents and attributes, before the guest changes it; it does nothing for any other
// inode. A directory is not copied (see above): its attributes change in its cached
// inode. It fails with ENOSPC when the copy does not fit under the memory cap, and with
// EFBIG for a file larger than an in-memory file may be.
func (n *Inode) CopyUp() error { return n.copyUp(true) }

// maxCopyUp is the largest guest-root file that can be copied into memory to be
// changed: the copy is read whole first.
const maxCopyUp = 1 << 30

// copyUp is CopyUp; without keep the contents are dropped (a truncation to zero).
func (n *Inode) copyUp(keep bool) error {
	if !n.overlay() || n.IsDir() {
		return n.pin()
	}
	var data []byte
	if n.Mode&S_IFMT == S_IFREG && keep {
		size := n.hostSize()
		if size > maxCopyUp {
			return linux.EFBIG
		}
		// The copy is read whole before it becomes pages: the buffer counts against
		// the cap while it is held, as execve's reading of a program does.
		if !n.fs.charge(size) {
			return linux.ENOSPC
		}
		defer n.fs.uncharge(size)
		h, err := n.hm.root.Open(n.rel())
		if err != nil {
			return hostErr(err)
		}
		data, err = io.ReadAll(io.LimitReader(h, maxCopyUp+1))
		h.Close()
		if err != nil {
			return hostErr(err)
		}
		if len(data) > maxCopyUp {
			return linux.EFBIG
		}
	}
	if err := n.pin(); err != nil {
		return err
	}
	hm := n.hm
	n.hm = nil
	if n.Mode&S_IFMT == S_IFREG {
		if _, err := n.pagedWrite(data, 0); err != nil {
			n.pagedTruncate(0)
			n.hm = hm
			return err
		}
	}
	return nil
}

// pin makes sure a host inode of the overlay is cached in its directory, so that what
// the guest changes in it is not forgotten; a lookup past the memory cap may have left
// it uncached.
func (n *Inode) pin() error {
	if !n.overlay() || n.charged != 0 || n.hostParent == nil {
		return nil
	}
	cost := int64(inodeCost + len(n.hostName))
	if !n.fs.charge(cost) {
		return linux.ENOSPC
	}
	n.charged = cost
	if n.hostParent.children[n.hostName] == nil {
		n.fs.link(n.hostParent, n.hostName, n)
	}
	return nil
}

// whiteout hides the lower layer's entry name in dir after the guest removed or
// renamed it, or does nothing if dir is not a directory of the lower layer.
func (dir *Inode) whiteout(name string) error {
	if !dir.overlay() || dir.whiteouts[name] {
		return nil
	}
	if _, err := dir.hm.root.Lstat(dir.rel() + "/" + name); err != nil {
		return nil // nothing below to hide
	}
	if !dir.fs.charge(int64(len(name) + slotCost)) {
		return linux.ENOSPC
	}
	if dir.whiteouts == nil {
		dir.whiteouts = map[string]bool{}
	}
	dir.whiteouts[name] = true
	return nil
}
