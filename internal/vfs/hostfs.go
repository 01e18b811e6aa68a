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

// Host directories are mounted into the guest tree with MountHost. Inodes below a mount
// carry the host path they stand for; names are looked up one component at a time, "."
// and ".." never reach the host (they follow the guest tree), and host symbolic links
// are never followed on the host: they become guest symbolic links, resolved in the
// guest's namespace. So no guest path can name a host file outside the mount.

// MountHost mounts the host directory hostDir at the absolute guest path; writable
// allows the guest to change it.
func (fs *FS) MountHost(hostDir, guestPath string, writable bool) error {
	abs, err := filepath.Abs(hostDir)
	if err != nil {
		return err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return errors.New("not a directory")
	}
	n := fs.hostInode(abs, st, writable)
	fs.Mount(guestPath, n)
	return nil
}

func (fs *FS) hostInode(path string, st os.FileInfo, writable bool) *Inode {
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
		n.UID, n.GID = sys.Uid, sys.Gid
	}
	n.Mtime = st.ModTime().UnixNano()
	n.host, n.hostRW, n.fs = path, writable, fs
	if st.Mode()&os.ModeSymlink != 0 {
		n.target, _ = os.Readlink(path)
	}
	return n
}

// hostChild looks name up in the host directory behind n and caches the result.
func (n *Inode) hostChild(name string) *Inode {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name {
		return nil
	}
	p := filepath.Join(n.host, name)
	st, err := os.Lstat(p)
	if err != nil {
		return nil
	}
	c := n.fs.hostInode(p, st, n.hostRW)
	n.fs.link(n, name, c)
	return c
}

// hostFill loads every entry of a host directory (for getdents).
func (n *Inode) hostFill() {
	ents, err := os.ReadDir(n.host)
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
	return linux.EIO
}

func (n *Inode) hostRead(p []byte, off int64) (int, error) {
	f, err := os.Open(n.host)
	if err != nil {
		return 0, hostErr(err)
	}
	defer f.Close()
	c, err := f.ReadAt(p, off)
	if err != nil && c == 0 && !errors.Is(err, io.EOF) {
		return 0, hostErr(err)
	}
	return c, nil
}

func (n *Inode) hostWrite(p []byte, off int64) (int, error) {
	if !n.hostRW {
		return 0, linux.EROFS
	}
	f, err := os.OpenFile(n.host, os.O_WRONLY, 0)
	if err != nil {
		return 0, hostErr(err)
	}
	defer f.Close()
	c, err := f.WriteAt(p, off)
	if err != nil {
		return c, hostErr(err)
	}
	return c, nil
}

func (n *Inode) hostSize() int64 {
	st, err := os.Lstat(n.host)
	if err != nil {
		return 0
	}
	return st.Size()
}

// Contents returns a regular file's whole contents (execve reads programs with it).
func (n *Inode) Contents() ([]byte, error) {
	switch {
	case n.Mode&S_IFMT != S_IFREG:
		return nil, linux.EACCES
	case n.host != "":
		if n.hostSize() > MaxFileSize {
			return nil, linux.EFBIG
		}
		b, err := os.ReadFile(n.host)
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
