package vfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"weft/internal/abi/linux"
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
	top  *Inode // the mount point's inode
	ids  *IDMap // nil: the host's IDs as they are
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
	hm := &hostMount{root: root, rw: writable, ids: ids}
	n := fs.hostInode(hm, nil, "", st)
	hm.top = n
	fs.Mount(guestPath, n)
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
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		n.UID, n.GID = hm.ids.uid(sys.Uid), hm.ids.gid(sys.Gid)
	}
	n.Mtime = st.ModTime().UnixNano()
	n.hm, n.hostParent, n.hostName, n.fs = hm, parent, name, fs
	if st.Mode()&os.ModeSymlink != 0 {
		n.target, _ = hm.root.Readlink(n.rel())
	}
	return n
}

// rel is the inode's path relative to its mount, from the guest tree's names.
func (n *Inode) rel() string {
	if n.hostParent == nil {
		return "."
	}
	return filepath.Join(n.hostParent.rel(), n.hostName)
}

// hostChild looks name up in the host directory behind n and caches the result.
func (n *Inode) hostChild(name string) *Inode {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name {
		return nil
	}
	st, err := n.hm.root.Lstat(filepath.Join(n.rel(), name))
	if err != nil {
		return nil
	}
	c := n.fs.hostInode(n.hm, n, name, st)
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

// Contents returns a regular file's whole contents (execve reads programs with it).
func (n *Inode) Contents() ([]byte, error) {
	switch {
	case n.Mode&S_IFMT != S_IFREG:
		return nil, linux.EACCES
	case n.hm != nil:
		if n.hostSize() > MaxFileSize {
			return nil, linux.EFBIG
		}
		b, err := n.hm.root.ReadFile(n.rel())
		if err != nil {
			return nil, hostErr(err)
		}
		return b, nil
	case n.gen != nil:
		return n.gen(), nil
	case n.pages != nil:
		return n.pagedContents(), nil
	}
	return n.data, nil
}
