package vfs

import (
	"encoding/binary"
	"io"
	"math"
	"os"

	"weft/internal/abi/linux"
)

// File is an open file description: what open(2) creates and dup(2) and fork share.
type File struct {
	Inode  *Inode
	Flags  uint32 // status flags (O_APPEND, O_NONBLOCK) and access mode; not O_CLOEXEC
	Offset int64
	// Path is the name the file was opened by, for /proc/PID/fd and traces.
	Path string
	// Dir is the directory the file was opened in, if known: the one a change to the
	// file through this description notifies (dnotify.go).
	Dir  *Inode
	refs int
	// snap holds a synthetic file's contents, computed when it was opened.
	snap []byte
	// host is the open host file behind a file on a host mount.
	host *os.File
	// dirNames is a directory's listing (".", "..", then its entries), taken when
	// getdents reads from offset 0 and kept until the description closes, so that
	// reading a large directory in many small calls does not list it again each
	// time.
	dirNames []string
	// Async is who O_ASYNC signals, and how (async.go); the lease is a lease the
	// description holds (F_SETLEASE: F_RDLCK, F_WRLCK; 0 for none, see lease.go).
	Async Async
	// Created is set when the open that made the description created the file
	// (F_CREATED_QUERY).
	Created bool
	lease   int16
	// leaseBreaking is set while an open breaks the lease, to leaseBreakTo, until
	// leaseDeadline (virtual ns).
	leaseBreaking bool
	leaseBreakTo  int
	leaseDeadline uint64
	// OverCap says Open could not charge the synthetic file's snapshot to the memory
	// cap: the caller fails the open (ENOMEM) and drops the description.
	OverCap bool
	// epItems are the epoll interest-list entries that watch this description.
	epItems []*EpollItem
}

// Open returns a new open file description for n.
func Open(n *Inode, flags uint32, path string) *File {
	f := &File{Inode: n, Flags: flags &^ (O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | O_NOCTTY), Path: path, refs: 1}
	n.opens++
	if f.Writable() {
		n.writers++
	}
	if n.gen != nil {
		f.snap = n.gen()
		// A snapshot (/proc/PID/maps of a process with many mappings) is host memory
		// the guest makes weft hold for as long as it keeps the file open: it
		// counts against the cap, and the open fails if the cap cannot take it.
		if n.fs != nil && !n.fs.charge(int64(len(f.snap))) {
			f.snap, f.OverCap = nil, true
		}
	}
	if o, ok := n.dev.(opener); ok {
		o.Opened(f)
	}
	return f
}

// opener is a device that counts its open file descriptions (pipes: a pipe reopened
// through /proc/self/fd/N is one more reader or writer).
type opener interface{ Opened(f *File) }

// OpenForWriting reports whether an open file description may write to n (execve(2)
// of such a file fails with ETXTBSY).
func (n *Inode) OpenForWriting() bool { return n.writers > 0 }

// Refs reports how many descriptors (and other holders) refer to f.
func (f *File) Refs() int { return f.refs }

// IncRef takes another reference (dup, fork).
func (f *File) IncRef() { f.refs++ }

// DecRef drops a reference; the description is closed with the last one.
func (f *File) DecRef() {
	f.refs--
	if f.refs == 0 {
		f.dropEpollItems()
		if r, ok := f.Inode.dev.(releaser); ok {
			r.Release(f)
		}
		if f.host != nil {
			f.host.Close()
			f.host = nil
		}
		if f.snap != nil && f.Inode.fs != nil {
			f.Inode.fs.uncharge(int64(len(f.snap)))
			f.snap = nil
		}
		f.dropDirNames()
		if f.lease != 0 {
			f.dropLease()
		}
		f.Inode.opens--
		if f.Writable() {
			f.Inode.writers--
		}
		f.Inode.maybeFree()
	}
}

// releaser is a device that cares when an open file description closes (pipes).
type releaser interface{ Release(f *File) }

// Readable and Writable check the access mode.
func (f *File) Readable() bool { return f.Flags&O_ACCMODE != O_WRONLY && f.Flags&O_PATH == 0 }
func (f *File) Writable() bool {
	a := f.Flags & O_ACCMODE
	return (a == O_WRONLY || a == O_RDWR) && f.Flags&O_PATH == 0
}

// Read reads at the file offset.
func (f *File) Read(p []byte) (int, error) {
	if !f.Readable() {
		return 0, linux.EBADF
	}
	n := f.Inode
	switch {
	case n.dev != nil:
		return n.dev.Read(f, p)
	case n.IsDir():
		return 0, linux.EISDIR
	}
	c, err := f.PRead(p, f.Offset)
	f.Offset += int64(c)
	return c, err
}

// PRead reads at off without moving the offset.
func (f *File) PRead(p []byte, off int64) (int, error) {
	n := f.Inode
	if l, ok := n.dev.(*Loop); ok {
		return l.PRead(p, off)
	}
	if n.Mode&S_IFMT != S_IFREG {
		return 0, linux.ESPIPE
	}
	if off < 0 {
		return 0, linux.EINVAL
	}
	if n.hm != nil {
		return f.hostRead(p, off)
	}
	if n.readAt != nil {
		return n.readAt(p, off)
	}
	if n.gen != nil {
		if off >= int64(len(f.snap)) {
			return 0, nil
		}
		return copy(p, f.snap[off:]), nil
	}
	if n.huge != nil {
		return n.hugeRead(p, off), nil
	}
	return n.pagedRead(p, off), nil
}

// Write writes at the file offset (at the end with O_APPEND).
func (f *File) Write(p []byte) (int, error) {
	if !f.Writable() {
		return 0, linux.EBADF
	}
	n := f.Inode
	switch {
	case n.dev != nil:
		return n.dev.Write(f, p)
	case n.IsDir():
		return 0, linux.EISDIR
	}
	if f.Flags&O_APPEND != 0 {
		f.Offset = n.Size()
	}
	c, err := f.PWrite(p, f.Offset)
	f.Offset += int64(c)
	return c, err
}

// MaxFileSize is the largest size of a file in memory, as tmpfs's (MAX_LFS_FILESIZE):
// a sparse file holds only the pages written, which the memory cap bounds (paged.go).
const MaxFileSize = math.MaxInt64

// PWrite writes at off without moving the offset.
func (f *File) PWrite(p []byte, off int64) (int, error) {
	n := f.Inode
	if l, ok := n.dev.(*Loop); ok {
		return l.PWrite(p, off)
	}
	if n.Mode&S_IFMT != S_IFREG {
		return 0, linux.ESPIPE
	}
	switch {
	case off < 0 || off > math.MaxInt64-int64(len(p)): // rw_verify_area: the end overflows
		return 0, linux.EINVAL
	case off+int64(len(p)) > MaxFileSize:
		return 0, linux.EFBIG
	}
	if n.readAt != nil {
		return 0, linux.EACCES
	}
	if n.set != nil {
		if err := n.set(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if n.gen != nil {
		return 0, linux.EACCES
	}
	if n.hm != nil {
		return f.hostWrite(p, off)
	}
	if n.huge != nil {
		return 0, linux.EINVAL // hugetlbfs has no write(2): its files are mapped
	}
	c, err := n.pagedWrite(p, off)
	if c > 0 {
		n.Touch()
	}
	return c, err
}

// Truncate sets a regular file's size.
func (n *Inode) Truncate(size int64) error {
	if n.Mode&S_IFMT != S_IFREG {
		return linux.EINVAL
	}
	if size < 0 || size > MaxFileSize {
		return linux.EINVAL
	}
	if n.set != nil {
		return nil // a /proc/sys setting: only a write changes it
	}
	if n.Pinned() {
		return linux.EPERM
	}
	if n.overlay() {
		if err := n.copyUp(size != 0); err != nil {
			return err
		}
	}
	if n.hm != nil {
		if !n.hm.rw {
			return linux.EROFS
		}
		return n.hostTruncate(size)
	}
	if n.gen != nil {
		return linux.EACCES
	}
	if n.huge != nil {
		if err := n.hugeTruncate(size); err != nil {
			return err
		}
	} else {
		n.pagedTruncate(size)
	}
	n.Touch()
	return nil
}

// Seek whence values.
const (
	SEEK_SET  = 0
	SEEK_CUR  = 1
	SEEK_END  = 2
	SEEK_DATA = 3
	SEEK_HOLE = 4
)

// Seek moves the offset as lseek(2) does.
func (f *File) Seek(off int64, whence int) (int64, error) {
	switch f.Inode.Mode & S_IFMT {
	case S_IFCHR:
		if d, ok := f.Inode.dev.(Seeker); ok {
			return d.Seek(f, off, whence)
		}
		if _, ok := f.Inode.dev.(*Stream); ok {
			return 0, linux.ESPIPE // a terminal
		}
		return 0, nil // character devices ignore seeks
	case S_IFIFO, S_IFSOCK:
		return 0, linux.ESPIPE
	}
	var base int64
	switch whence {
	case SEEK_DATA, SEEK_HOLE:
		if f.Inode.Mode&S_IFMT != S_IFREG {
			return 0, linux.EINVAL
		}
		pos, err := f.Inode.seekHole(off, whence == SEEK_HOLE)
		if err == nil {
			f.Offset = pos
		}
		return pos, err
	case SEEK_SET:
	case SEEK_CUR:
		base = f.Offset
	case SEEK_END:
		base = f.Inode.Size()
		if l, ok := f.Inode.dev.(*Loop); ok {
			base = l.Size() // a block device's st_size is 0, its end is its size
		}
	default:
		return 0, linux.EINVAL
	}
	if base+off < 0 {
		return 0, linux.EINVAL
	}
	f.Offset = base + off
	return f.Offset, nil
}

// Seeker is a character device with its own lseek(2) (/dev/kmsg).
type Seeker interface {
	Seek(f *File, off int64, whence int) (int64, error)
}

// IsTTY reports whether the file is a terminal.
func (f *File) IsTTY() bool {
	return f.Inode.dev != nil && f.Inode.dev.IsTTY()
}

// Stat encodes n as the asm-generic struct stat that riscv64 uses (128 bytes).
func Stat(n *Inode) []byte {
	b := make([]byte, 128)
	le := binary.LittleEndian
	le.PutUint64(b[0:], n.DevNumber())
	le.PutUint64(b[8:], n.Ino)
	le.PutUint32(b[16:], n.Mode)
	le.PutUint32(b[20:], n.Nlink)
	le.PutUint32(b[24:], n.UID)
	le.PutUint32(b[28:], n.GID)
	le.PutUint64(b[32:], n.Rdev)
	le.PutUint64(b[48:], uint64(n.Size()))
	le.PutUint32(b[56:], n.BlockSize())
	le.PutUint64(b[64:], uint64(n.Blocks()))
	for i, t := range []int64{n.Atime, n.Mtime, n.Ctime} {
		off := 72 + 16*i
		le.PutUint64(b[off:], uint64(t/1e9))
		le.PutUint64(b[off+8:], uint64(t%1e9))
	}
	return b
}

type nullDev struct{}

func (nullDev) Read(*File, []byte) (int, error)      { return 0, nil }
func (nullDev) Write(_ *File, p []byte) (int, error) { return len(p), nil }
func (nullDev) IsTTY() bool                          { return false }

type zeroDev struct{}

// IsZeroDevice reports whether n is /dev/zero, whose mappings are anonymous memory.
func (n *Inode) IsZeroDevice() bool {
	_, ok := n.dev.(zeroDev)
	return ok
}

func (zeroDev) Read(_ *File, p []byte) (int, error)  { clear(p); return len(p), nil }
func (zeroDev) Write(_ *File, p []byte) (int, error) { return len(p), nil }
func (zeroDev) IsTTY() bool                          { return false }

type randomDev struct{ fill func([]byte) }

func (d randomDev) Read(_ *File, p []byte) (int, error) { d.fill(p); return len(p), nil }
func (randomDev) Write(_ *File, p []byte) (int, error)  { return len(p), nil }
func (randomDev) IsTTY() bool                           { return false }

// Stream connects a guest file to a host reader or writer: weft's own standard input,
// output and error.
type Stream struct {
	R   io.Reader
	W   io.Writer
	TTY bool
}

func (s *Stream) Read(_ *File, p []byte) (int, error) {
	if s.R == nil {
		return 0, linux.EBADF
	}
	n, err := s.R.Read(p)
	if err != nil && err != io.EOF && n == 0 {
		if e, ok := err.(linux.Errno); ok {
			return 0, e // weft's host reader, interrupted (EINTR)
		}
		return 0, linux.EIO
	}
	return n, nil
}

func (s *Stream) Write(_ *File, p []byte) (int, error) {
	if s.W == nil {
		return 0, linux.EBADF
	}
	n, err := s.W.Write(p)
	if err != nil && n == 0 {
		return 0, linux.EIO
	}
	return n, nil
}

// IsTTY reports whether the host end is a terminal.
func (s *Stream) IsTTY() bool { return s.TTY }

// nameCost is what a listing holds per name (a string header; the bytes are the
// directory's own).
const nameCost = 16

// DirNames returns the listing getdents reads from: ".", "..", then the directory's
// entries in sorted order. It is taken afresh when reading starts over (offset 0) and
// kept in the open file description otherwise; it counts against the memory cap (ENOMEM
// when the cap cannot hold it), and listing it counts one walk step per name.
func (f *File) DirNames() ([]string, error) {
	n := f.Inode
	if !n.IsDir() {
		return nil, linux.ENOTDIR
	}
	if f.dirNames != nil && f.Offset != 0 {
		return f.dirNames, nil
	}
	f.dropDirNames()
	names := append([]string{".", ".."}, n.List()...)
	if n.fs != nil {
		n.fs.WalkSteps += uint64(len(names))
		if !n.fs.charge(int64(len(names)) * nameCost) {
			return nil, linux.ENOMEM
		}
	}
	f.dirNames = names
	return names, nil
}

func (f *File) dropDirNames() {
	if f.dirNames != nil && f.Inode.fs != nil {
		f.Inode.fs.uncharge(int64(len(f.dirNames)) * nameCost)
	}
	f.dirNames = nil
}
