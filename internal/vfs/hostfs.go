package vfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// Host directories are mounted into the guest tree with MountHost. Every host
// operation goes through an os.Root opened on the mounted directory, with a path
// relative to it that weft builds from the guest tree's own names, so that nothing the
// guest does — "..", symbolic links, renaming a directory and putting a symbolic link in
// its place — can reach a host file outside the mount: os.Root refuses any path that
// would leave it. "." and ".." never reach the host (they follow the guest tree), and
// host symbolic links are never followed on the host's behalf: they become guest
// symbolic links, resolved in the guest's namespace. An open file keeps its host file
// open, so it goes on naming the same file after the path changes, as on Linux.

// hostMount is one mounted host directory.
type hostMount struct {
	root *os.Root
	rw   bool
	// overlay: the lower layer of a guest root, whose changes live in memory
	// (overlay.go); rw is then false.
	overlay bool
	top     *Inode // the mount point's inode
	ids     *IDMap // nil: the host's IDs as they are
}

// IDMap maps owners between the host and the guest as an idmapped mount does
// (mount_setattr(2), MOUNT_ATTR_IDMAP): the host user and group that run weft appear
// as the guest's user and group, so that a guest can use the files of the person who
// mounted them whatever IDs each side has; any other host ID appears as the overflow
// ID, 65534 (nobody), as an unmapped ID does on Linux. Files the guest creates belong
// on the host to the user running weft, as any file weft writes does.
type IDMap struct {
	HostUID, HostGID   uint32
	GuestUID, GuestGID uint32
}

// overflowID is what an ID with no mapping shows as (/proc/sys/kernel/overflowuid).
const overflowID = 65534

func (m *IDMap) uid(host uint32) uint32 {
	if m == nil {
		return host
	}
	if host == m.HostUID {
		return m.GuestUID
	}
	return overflowID
}

func (m *IDMap) gid(host uint32) uint32 {
	if m == nil {
		return host
	}
	if host == m.HostGID {
		return m.GuestGID
	}
	return overflowID
}

// MountHost mounts the host directory hostDir at the absolute guest path with the
// host's IDs as they are; writable allows the guest to change it.
func (fs *FS) MountHost(hostDir, guestPath string, writable bool) error {
	return fs.MountHostMapped(hostDir, guestPath, writable, nil)
}

// MountHostMapped is MountHost with owners mapped by ids (nil: as they are).
func (fs *FS) MountHostMapped(hostDir, guestPath string, writable bool, ids *IDMap) error {
	root, err := os.OpenRoot(hostDir)
	if err != nil {
		return err
	}
	st, err := root.Stat(".")
	if err != nil {
		root.Close()
		return err
	}
	if !st.IsDir() {
		root.Close()
		return fmt.Errorf("%s is not a directory", quote(hostDir))
	}
	hm := &hostMount{root: root, rw: writable, ids: ids}
	n := fs.hostInode(hm, nil, "", st)
	hm.top = n
	if err := fs.Mount(guestPath, n); err != nil {
		root.Close()
		return err
	}
	return nil
}

func (fs *FS) hostInode(hm *hostMount, parent *Inode, name string, st os.FileInfo) *Inode {
	mode := uint32(st.Mode().Perm())
	switch {
	case st.IsDir():
		mode |= S_IFDIR
	case st.Mode()&os.ModeSymlink != 0:
		mode |= S_IFLNK
	case st.Mode().IsRegular():
		mode |= S_IFREG
	default:
		mode |= S_IFIFO // devices, sockets and fifos on the host cannot be opened
	}
	n := fs.newInode(mode, 0, 0)
	n.Atime, n.Mtime, n.Ctime = st.ModTime().UnixNano(), st.ModTime().UnixNano(), st.ModTime().UnixNano()
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		n.UID, n.GID = hm.ids.uid(sys.Uid), hm.ids.gid(sys.Gid)
		n.Atime, n.Ctime = sys.Atim.Nano(), sys.Ctim.Nano()
	}
	n.hm, n.hostParent, n.hostName, n.fs = hm, parent, name, fs
	if st.Mode()&os.ModeSymlink != 0 {
		n.target, _ = hm.root.Readlink(n.rel())
	}
	return n
}

// rel is the inode's path relative to its mount, from the guest tree's names. It walks
// up in a loop: a guest can nest directories as deep as it likes.
func (n *Inode) rel() string {
	var names []string
	for ; n.hostParent != nil; n = n.hostParent {
		names = append(names, n.hostName)
	}
	if len(names) == 0 {
		return "."
	}
	slices.Reverse(names)
	return strings.Join(names, "/")
}

// hostChild looks name up in the host directory behind n and caches the result.
func (n *Inode) hostChild(name string) *Inode {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name || n.whiteouts[name] {
		return nil
	}
	st, err := n.hm.root.Lstat(filepath.Join(n.rel(), name))
	if err != nil {
		return nil
	}
	c := n.fs.hostInode(n.hm, n, name, st)
	// The inode stays in the tree as a cache of the host file, charged to the memory
	// cap; past the cap it is not kept (the next lookup asks the host again), so a
	// guest creating files without end on a :rw mount cannot grow weft without bound.
	cost := int64(inodeCost + len(name))
	if !n.fs.charge(cost) {
		return c
	}
	c.charged = cost
	n.fs.link(n, name, c)
	return c
}

// hostFill loads every entry of a host directory (for getdents).
func (n *Inode) hostFill() {
	d, err := n.hm.root.Open(n.rel())
	if err != nil {
		return
	}
	ents, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		if n.children[name] == nil {
			n.hostChild(name)
		}
	}
}

func hostErr(err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return linux.Errno(errno)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return linux.ENOENT
	}
	return linux.EACCES // os.Root's refusal of a path that would leave the mount
}

// OpenHost opens the host file behind f, for a file on a host mount, when the guest
// opens it: from then on f names that file whatever happens to its path.
func (f *File) OpenHost() error {
	if f.Inode.hm == nil || f.Inode.Mode&S_IFMT != S_IFREG {
		return nil
	}
	if f.Inode.overlay() && f.Writable() {
		return f.Inode.CopyUp() // opened for writing: the guest's copy from now on
	}
	_, err := f.hostFile()
	return err
}

// hostFile opens (once per open file description) the host file behind f.
func (f *File) hostFile() (*os.File, error) {
	if f.host != nil {
		return f.host, nil
	}
	n := f.Inode
	flag := os.O_RDONLY
	if f.Writable() {
		flag = os.O_RDWR
	}
	h, err := n.hm.root.OpenFile(n.rel(), flag, 0)
	if err != nil {
		return nil, hostErr(err)
	}
	f.host = h
	return h, nil
}

func (f *File) hostRead(p []byte, off int64) (int, error) {
	h, err := f.hostFile()
	if err != nil {
		return 0, err
	}
	c, err := h.ReadAt(p, off)
	if err != nil && c == 0 && !errors.Is(err, io.EOF) {
		return 0, hostErr(err)
	}
	return c, nil
}

func (f *File) hostWrite(p []byte, off int64) (int, error) {
	if !f.Inode.hm.rw {
		return 0, linux.EROFS
	}
	h, err := f.hostFile()
	if err != nil {
		return 0, err
	}
	c, err := h.WriteAt(p, off)
	if err != nil {
		return c, hostErr(err)
	}
	return c, nil
}

func (n *Inode) hostSize() int64 {
	st, err := n.hm.root.Lstat(n.rel())
	if err != nil {
		return 0
	}
	return st.Size()
}

func (n *Inode) hostTruncate(size int64) error {
	h, err := n.hm.root.OpenFile(n.rel(), os.O_WRONLY, 0)
	if err != nil {
		return hostErr(err)
	}
	defer h.Close()
	return hostErr(h.Truncate(size))
}

// Contents returns a regular file's whole contents (execve reads programs with it), or
// ENOMEM if it holds more than limit bytes: a host file is read through a limited
// reader, so one that grows meanwhile cannot make weft read more.
func (n *Inode) Contents(limit int64) ([]byte, error) {
	switch {
	case n.Mode&S_IFMT != S_IFREG:
		return nil, linux.EACCES
	case n.Size() > limit:
		return nil, linux.ENOMEM
	case n.hm != nil:
		h, err := n.hm.root.Open(n.rel())
		if err != nil {
			return nil, hostErr(err)
		}
		defer h.Close()
		b, err := io.ReadAll(io.LimitReader(h, limit+1))
		if err != nil {
			return nil, hostErr(err)
		}
		if int64(len(b)) > limit {
			return nil, linux.ENOMEM
		}
		return b, nil
	case n.gen != nil:
		return n.gen(), nil
	}
	return n.pagedContents(), nil
}

// renameat2's number on the hosts weft builds for (the syscall package lacks it on
// amd64).
var sysRenameat2 = map[string]uintptr{"amd64": 316, "arm64": 276, "riscv64": 276, "loong64": 276}

// hostExchange swaps two names in host directories of one mount atomically
// (renameat2(RENAME_EXCHANGE)), so the host sees what the guest sees. Both directories
// are opened through the mount's os.Root, and the names are single components that
// name entries in them, never followed: nothing outside the mount is reached.
func hostExchange(oldDir *Inode, oldName string, newDir *Inode, newName string) error {
	nr, ok := sysRenameat2[runtime.GOARCH]
	if !ok {
		return linux.EINVAL // this host cannot do it atomically: refuse, do not fake it
	}
	for _, name := range []string{oldName, newName} {
		if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
			return linux.EINVAL
		}
	}
	od, err := oldDir.hm.root.Open(oldDir.rel())
	if err != nil {
		return hostErr(err)
	}
	defer od.Close()
	nd, err := newDir.hm.root.Open(newDir.rel())
	if err != nil {
		return hostErr(err)
	}
	defer nd.Close()
	op, err := syscall.BytePtrFromString(oldName)
	if err != nil {
		return linux.EINVAL
	}
	np, err := syscall.BytePtrFromString(newName)
	if err != nil {
		return linux.EINVAL
	}
	const renameExchange = 2
	_, _, e := syscall.Syscall6(nr, od.Fd(), uintptr(unsafe.Pointer(op)), nd.Fd(), uintptr(unsafe.Pointer(np)), renameExchange, 0)
	runtime.KeepAlive(op)
	runtime.KeepAlive(np)
	if e != 0 {
		return linux.Errno(e)
	}
	return nil
}

// SetMode changes the permission bits of n (chmod(2)); on a host mount it changes the
// host file first, and the guest's view only if that worked.
func (n *Inode) SetMode(perm uint32) error {
	if err := n.Writable(); err != nil {
		return err
	}
	if n.Pinned() {
		return linux.EPERM // notify_change: no mode change on an append-only file
	}
	if err := n.CopyUp(); err != nil {
		return err
	}
	if n.onHost() && n.Mode&S_IFMT != S_IFLNK {
		mode := os.FileMode(perm & 0o777)
		if perm&0o4000 != 0 {
			mode |= os.ModeSetuid
		}
		if perm&0o2000 != 0 {
			mode |= os.ModeSetgid
		}
		if perm&0o1000 != 0 {
			mode |= os.ModeSticky
		}
		if err := n.hm.root.Chmod(n.rel(), mode); err != nil {
			return hostErr(err)
		}
	}
	n.Mode = n.Mode&S_IFMT | perm&0o7777
	return nil
}

// maxMapHandles bounds the host files weft keeps open for mappings.
const maxMapHandles = 1024

// hostPager reads the pages of a private mapping of a host file on first touch, from
// a read-only handle that the inode keeps (so the mapping goes on reading the file it
// mapped after the guest closes its descriptor or the path changes, as on Linux).
type hostPager struct{ h *os.File }

func (p hostPager) ReadPage(off uint64, b []byte) {
	k, _ := p.h.ReadAt(b, int64(off))
	clear(b[k:]) // past the end of the file, or a read error: zeros
}

// HostPager returns the pager for a private mapping of a regular file on a host mount,
// or nil for any other file. It fails with ENFILE when weft already holds
// maxMapHandles host files open for mappings.
func (n *Inode) HostPager() (mm.Pager, error) {
	if n.hm == nil || n.Mode&S_IFMT != S_IFREG {
		return nil, nil
	}
	if n.mapHost == nil {
		if n.fs.mapHandles >= maxMapHandles {
			return nil, linux.ENFILE
		}
		h, err := n.hm.root.OpenFile(n.rel(), os.O_RDONLY, 0)
		if err != nil {
			return nil, hostErr(err)
		}
		n.mapHost = h
		n.fs.mapHandles++
	}
	return hostPager{n.mapHost}, nil
}

// SetTimes sets n's access and modification times (Unix nanoseconds) where set says,
// and its status-change time to now (utimensat(2)); on a host mount the host file's
// times change too.
func (n *Inode) SetTimes(atime, mtime int64, setA, setM bool) error {
	if err := n.Writable(); err != nil {
		return err
	}
	if n.Pinned() {
		return linux.EPERM
	}
	if !setA {
		atime = n.Atime
	}
	if !setM {
		mtime = n.Mtime
	}
	if err := n.CopyUp(); err != nil {
		return err
	}
	if n.onHost() && n.Mode&S_IFMT != S_IFLNK {
		if err := n.hm.root.Chtimes(n.rel(), time.Unix(0, atime), time.Unix(0, mtime)); err != nil {
			return hostErr(err)
		}
	}
	n.Atime, n.Mtime = atime, mtime
	if n.fs != nil {
		n.Ctime = n.fs.now()
	}
	return nil
}
