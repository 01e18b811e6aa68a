// Package vfs is weft's file system: inodes in memory (the guest's root file system),
// devices, host streams for standard input and output, path resolution and open file
// descriptions.
//
// The guest never sees a host path unless the user mounted it. Everything here is owned
// by the kernel's simulation goroutine.
package vfs

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// File type bits and permission bits of a mode (inode(7)).
const (
	S_IFMT   = 0o170000
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000
)

// Open flags (asm-generic/fcntl.h).
const (
	O_ACCMODE   = 0o3
	O_RDONLY    = 0o0
	O_WRONLY    = 0o1
	O_RDWR      = 0o2
	O_CREAT     = 0o100
	O_EXCL      = 0o200
	O_NOCTTY    = 0o400
	O_TRUNC     = 0o1000
	O_APPEND    = 0o2000
	O_NONBLOCK  = 0o4000
	O_DIRECTORY = 0o200000
	O_NOFOLLOW  = 0o400000
	O_CLOEXEC   = 0o2000000
	O_PATH      = 0o10000000
)

// Device is the behaviour of a character device or host stream.
type Device interface {
	Read(f *File, p []byte) (int, error)
	Write(f *File, p []byte) (int, error)
	// IsTTY reports whether the device is a terminal (TCGETS succeeds).
	IsTTY() bool
}

// Inode is a file, directory, symbolic link or device.
type Inode struct {
	Ino      uint64
	Mode     uint32 // type and permission bits
	UID, GID uint32
	Nlink    uint32
	Rdev     uint64
	// Access, modification and status-change times, in Unix nanoseconds: the guest's
	// CLOCK_REALTIME (FS.Now) for weft's own files, the host's for host files.
	Atime, Mtime, Ctime int64

	children map[string]*Inode // directory entries
	parent   *Inode            // directory's parent (the root is its own)
	name     string            // directory's name in its parent
	target   string            // symbolic link target
	magic    *Inode            // a /proc/PID/fd/N link: following it opens this inode
	dev      Device

	lookupFn func(string) *Inode // synthetic directory: computes its entries
	namesFn  func() []string
	// mkdirFn and rmdirFn, on a synthetic directory whose maker lets the guest add
	// and remove directories in it (a cgroup's), do mkdir(2) and rmdir(2) there
	// once the path walk and the permission checks have passed (SetDirOps).
	mkdirFn func(name string, mode uint32, c Cred) error
	rmdirFn func(name string) error
	gen     func() []byte      // synthetic file: computes its contents at open
	set     func([]byte) error // a synthetic file that takes writes (NewSetting)
	// readAt, for a synthetic file too large to snapshot (/proc/PID/pagemap), reads
	// at an offset when asked (NewReader).
	readAt func(p []byte, off int64) (int, error)

	pages pageTree // an in-memory file's contents, by page (pages.go, paged.go)
	// holes are, on an ext2 file system whose blocks are smaller than a page, the
	// blocks of a page that no write has given a block yet (bit k: the page's block
	// k), by page (ext2_holes.go).
	holes map[int64]uint8
	// huge, for a regular file on hugetlbfs, holds its contents instead (hugetlbfs.go).
	huge *mm.HugeFile
	// thawed is fs.frozen when n last made its pages its own (freeze.go).
	thawed uint64
	// mappings counts the shared mappings (VMAs) of the file (Hold).
	mappings int
	size     int64 // an in-memory file's size

	// What the file system charged to the memory cap for this inode itself (not its
	// pages), how many open file descriptions refer to it, and whether it is gone
	// (unlinked; freed: its memory given back). See paged.go.
	charged int64
	opens   int32
	writers int32 // of opens, those open for writing (a read-only remount is EBUSY)
	// leases are the open descriptions holding a lease on the file, in the order they
	// took it; LeaseWaiters the opens waiting for leases to be broken (lease.go).
	leases       []*File
	LeaseWaiters Queue
	unlinked     bool
	linkable     bool // an O_TMPFILE file linkat(2) may still name (I_LINKABLE)
	// AttrFlags are the inode flags of FS_IOC_GETFLAGS/SETFLAGS (ioctl_iflags(2));
	// tmpfs keeps FS_IMMUTABLE_FL, FS_APPEND_FL, FS_NODUMP_FL and FS_NOATIME_FL.
	AttrFlags uint32
	freed     bool

	// Below a host mount: the mount, and the parent and name the inode has there.
	hm         *hostMount
	hostParent *Inode
	hostName   string
	fs         *FS
	mapHost    *os.File // a host file's handle for its private mappings (HostPager)
	// mnt is the tmpfs the guest mounted that the inode belongs to (nil: weft's own
	// tree); see mount.go.
	mnt *MemMount
	// fsMagic, on the root of a synthetic tree (/proc), is the file system type
	// statfs(2) reports for the inodes below it.
	fsMagic uint64
	// whiteouts, on a directory of a guest root's lower layer, are the host entries
	// the guest removed (overlay.go).
	whiteouts map[string]bool
	xattrs    map[string][]byte // extended attributes (xattr.go)
	// dnotify are a directory's F_NOTIFY registrations, oldest first (dnotify.go).
	dnotify []dnWatch
	// Owner is what a synthetic inode stands for, for its maker: the process of a
	// /proc/PID directory.
	Owner any
}

// IsDir reports whether the inode is a directory.
func (n *Inode) IsDir() bool { return n.Mode&S_IFMT == S_IFDIR }

// Size is the file size stat(2) reports.
func (n *Inode) Size() int64 {
	switch n.Mode & S_IFMT {
	case S_IFREG:
		if n.hm != nil {
			return n.hostSize()
		}
		if n.huge != nil {
			return n.huge.Size
		}
		return n.size
	case S_IFLNK:
		return int64(len(n.target))
	case S_IFDIR:
		if e := n.ext2Of(); e != nil {
			return int64(len(e.dirBlocks(n))) * e.bs
		}
		return 4096
	}
	return 0
}

// Names returns a directory's entries in sorted order (never map order: the guest
// must see the same listing every run).
func (n *Inode) Names() []string {
	names := make([]string, 0, len(n.children))
	for k := range n.children {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// FS is an in-memory file system tree.
type FS struct {
	Root    *Inode
	nextIno uint64

	// Huge is the kernel's huge page pool, which hugetlbfs files draw on.
	Huge *mm.HugePool

	// WalkSteps counts the path components looked up since the file system was made
	// (symbolic links expanded included). A guest can make weft walk a long path or
	// a chain of links again and again without retiring instructions; the kernel
	// charges the steps a system call took (the difference across it) as kernel work,
	// so that such loops still use up --max-insns and virtual time.
	WalkSteps uint64
	// EventOps counts epoll's work: callbacks that queued an item, items examined on
	// a ready list (the kernel prices them as queue operations).
	EventOps uint64

	// Mem is the kernel's memory pool, against whose cap the file system's own
	// memory counts (nil: no accounting); bytes is what it holds, reserved the pages
	// it took from Mem for that (see paged.go).
	Mem      *mm.Pool
	bytes    int64
	reserved int64

	mapHandles int // host files held open for mappings (HostPager)

	// frozen counts the checkpoints taken: pages of files not thawed since the last
	// may be shared with it (freeze.go).
	frozen uint64

	mounts map[*Inode]bool // the roots of what Mount put in the tree (EBUSY to move)

	memMounts []*MemMount // the tmpfs mounts the guest made, oldest first
	loops     *loops      // the loop block devices (loop.go)
	pipeMax   int         // /proc/sys/fs/pipe-max-size; 0 for PipeMaxSize
	// leaseBreak is /proc/sys/fs/lease-break-time once set (LeaseBreakTime).
	leaseBreak    int
	leaseBreakSet bool
	// pipe-user-pages-soft (once set: pipeSoftSet) and -hard, and the pages of
	// pipe buffers each user has (pipe.go).
	pipeSoft    int64
	pipeSoftSet bool
	pipeHard    int64
	pipePages   map[uint32]int64
	nextMountID uint64

	// Notify, if set, is the kernel's signal-driven I/O: it signals f's owner that
	// I/O is possible (band) on f (async.go).
	Notify func(f *File, band uint32)
	// DirNotify, if set, is the kernel's dnotify: it signals f's owner that the
	// directory f is open on changed, with si_fd fd (dnotify.go).
	DirNotify func(f *File, fd int)
	// dnWatches counts the F_NOTIFY registrations on the file system's directories.
	dnWatches int

	// Now, if set, is the guest's CLOCK_REALTIME in Unix nanoseconds: new inodes and
	// changes take their times from it.
	Now func() int64
}

// now is the time for a new or changed inode.
func (fs *FS) now() int64 {
	if fs.Now == nil {
		return 0
	}
	return fs.Now()
}

// Touch sets n's modification and status-change times to now (a write, a truncation,
// a new entry in a directory).
func (n *Inode) Touch() {
	if n.fs != nil {
		n.Mtime = n.fs.now()
		n.Ctime = n.Mtime
	}
}

// New returns a file system with the standard layout: /tmp (sticky, world-writable),
// /home/user owned by uid/gid, /dev with null, zero, urandom and tty.
func New(uid, gid uint32, urandom func([]byte)) *FS {
	fs := &FS{nextIno: 1}
	fs.Root = fs.newInode(S_IFDIR|0o755, 0, 0)
	fs.Root.parent = fs.Root
	for _, d := range []string{"bin", "dev", "etc", "home", "proc", "tmp", "usr", "usr/bin", "var"} {
		fs.mkdirAll(d, 0o755, 0, 0)
	}
	fs.lookupPlain("tmp").Mode = S_IFDIR | 0o1777
	fs.mkdirAll("home/user", 0o755, uid, gid)
	fs.addDevices(fs.lookupPlain("dev"), urandom)
	return fs
}

// addDevices fills weft's /dev: null, zero, urandom, random, the loop devices and the
// shm directory.
func (fs *FS) addDevices(dev *Inode, urandom func([]byte)) {
	if dev.children["shm"] == nil {
		shm := fs.newInode(S_IFDIR|0o1777, 0, 0) // shm_open(3)'s directory, a tmpfs like /tmp
		fs.link(dev, "shm", shm)
	}
	fs.link(dev, "null", fs.NewDevice(nullDev{}, 0o666, 1<<8|3))
	fs.link(dev, "zero", fs.NewDevice(zeroDev{}, 0o666, 1<<8|5))
	fs.link(dev, "urandom", fs.NewDevice(randomDev{urandom}, 0o666, 1<<8|9))
	fs.link(dev, "random", fs.NewDevice(randomDev{urandom}, 0o666, 1<<8|8))
	fs.addLoopDevices(dev)
}

func (fs *FS) newInode(mode uint32, uid, gid uint32) *Inode {
	t := fs.now()
	n := &Inode{Ino: fs.nextIno, Mode: mode, UID: uid, GID: gid, Nlink: 1, fs: fs, Atime: t, Mtime: t, Ctime: t}
	fs.nextIno++
	if mode&S_IFMT == S_IFDIR {
		n.children = map[string]*Inode{}
		n.Nlink = 2
	}
	return n
}

// NewDevice returns a character device inode.
func (fs *FS) NewDevice(d Device, perm uint32, rdev uint64) *Inode {
	n := fs.newInode(S_IFCHR|perm, 0, 0)
	n.dev, n.Rdev = d, rdev
	return n
}

// NewStream returns the inode for a host stream: a terminal (a character device of the
// Unix98 pty major, 136, as glibc's isatty heuristics expect) or, when the host end is
// not a terminal, a pipe. The guest sees what the host really has, so buffering
// decisions match a native run.
func (fs *FS) NewStream(s *Stream) *Inode {
	if s.TTY {
		return fs.NewDevice(s, 0o620, 136<<8)
	}
	n := fs.newInode(S_IFIFO|0o600, 0, 0)
	n.dev = s
	return n
}

// NewFile returns a regular file inode holding data (not linked anywhere). Its pages
// count against the memory cap when they fit; weft's own files (the program) are made
// before the guest runs.
func (fs *FS) NewFile(data []byte, perm uint32, uid, gid uint32) *Inode {
	n := fs.newInode(S_IFREG|perm, uid, gid)
	n.pagedWrite(data, 0)
	return n
}

func (fs *FS) link(dir *Inode, name string, n *Inode) {
	if n.mnt == nil {
		n.mnt = dir.mnt // a new file is on the file system of its directory
	}
	dir.children[name] = n
	if n.IsDir() {
		n.parent, n.name = dir, name
		dir.Nlink++
	}
}

// AddFile links a new regular file at an absolute path, creating directories.
func (fs *FS) AddFile(path string, data []byte, perm uint32) *Inode {
	dir, name := splitPath(path)
	d := fs.mkdirAll(dir, 0o755, 0, 0)
	n := fs.NewFile(data, perm, 0, 0)
	fs.link(d, name, n)
	return n
}

// AddNode links the inode n at an absolute path, creating directories.
func (fs *FS) AddNode(path string, n *Inode) {
	dir, name := splitPath(path)
	fs.link(fs.mkdirAll(dir, 0o755, 0, 0), name, n)
}

// AddSymlink links a symbolic link at an absolute path.
func (fs *FS) AddSymlink(path, target string) {
	dir, name := splitPath(path)
	d := fs.mkdirAll(dir, 0o755, 0, 0)
	n := fs.newInode(S_IFLNK|0o777, 0, 0)
	n.target = target
	fs.link(d, name, n)
}

func splitPath(path string) (dir, name string) {
	path = strings.Trim(path, "/")
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

func (fs *FS) lookupPlain(path string) *Inode {
	n := fs.Root
	for _, c := range strings.Split(strings.Trim(path, "/"), "/") {
		if c == "" {
			continue
		}
		n = n.child(c)
		if n == nil {
			return nil
		}
	}
	return n
}

func (fs *FS) mkdirAll(path string, perm, uid, gid uint32) *Inode {
	n := fs.Root
	for _, c := range strings.Split(strings.Trim(path, "/"), "/") {
		if c == "" {
			continue
		}
		k := n.child(c)
		if k == nil {
			k = fs.newInode(S_IFDIR|perm, uid, gid)
			fs.link(n, c, k)
		}
		n = k
	}
	return n
}

// Cred is who is asking, for permission checks, and from where: the root directory
// its paths resolve in (chroot(2); nil for the file system's root).
type Cred struct {
	UID, GID uint32
	Groups   []uint32
	// Priv holds the file privileges of the credentials' effective capabilities, each
	// good only over files whose owner and group Maps maps (nil: every ID; Linux's
	// capable_wrt_inode_uidgid).
	Priv Priv
	Maps func(uid, gid uint32) bool
	Root *Inode
	// MntNS is the mount namespace the paths resolve in (nil: the first one), which
	// decides which of the guest's tmpfs mounts they cross (mount.go).
	MntNS *MountNS
}

// Priv is a set of file privileges: the capabilities (capabilities(7)) that file
// permission checks ask for.
type Priv uint8

const (
	PrivDACOverride   Priv = 1 << iota // CAP_DAC_OVERRIDE: read, write, search, execute
	PrivDACReadSearch                  // CAP_DAC_READ_SEARCH: read files, read and search directories
	PrivFowner                         // CAP_FOWNER: act as the owner (sticky directories, times, modes)
	PrivFsetid                         // CAP_FSETID: keep the set-group-ID bit
	// PrivSysAdmin is CAP_SYS_ADMIN in the first user namespace (trusted and
	// security extended attributes), over every file.
	PrivSysAdmin
)

// Has reports whether c holds privilege p over n.
func (c Cred) Has(p Priv, n *Inode) bool {
	return c.Priv&p != 0 && (p == PrivSysAdmin || c.Maps == nil || c.Maps(n.UID, n.GID))
}

// root is where c's absolute paths start.
func (fs *FS) root(c Cred) *Inode {
	if c.Root != nil {
		return c.Root
	}
	return fs.Root
}

// Permission checks (path_resolution(7), "Permission"; Linux's generic_permission).
const (
	MayExec  = 1
	MayWrite = 2
	MayRead  = 4
)

// Check reports whether c may access n as mask asks: by the mode's owner, group or
// other bits, else by privilege. CAP_DAC_OVERRIDE passes every check but execution of
// a file without an execute bit; CAP_DAC_READ_SEARCH passes reading a file and reading
// or searching a directory.
func Check(c Cred, n *Inode, mask uint32) bool {
	var bits uint32
	switch {
	case c.UID == n.UID:
		bits = n.Mode >> 6
	case c.GID == n.GID || contains(c.Groups, n.GID):
		bits = n.Mode >> 3
	default:
		bits = n.Mode
	}
	if bits&mask == mask {
		return true
	}
	if n.IsDir() {
		return mask&MayWrite == 0 && c.Has(PrivDACReadSearch, n) || c.Has(PrivDACOverride, n)
	}
	if (mask&MayExec == 0 || n.Mode&0o111 != 0) && c.Has(PrivDACOverride, n) {
		return true
	}
	return mask == MayRead && c.Has(PrivDACReadSearch, n)
}

func contains(list []uint32, v uint32) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

const maxSymlinks = 40 // ELOOP past this many, as Linux (path_resolution(7))

const maxName = 255 // NAME_MAX: longer names are ENAMETOOLONG

// A path walk is a loop over a list of components, never a recursion: a symbolic link
// is expanded by putting its target's components in front of the ones still to walk,
// and one counter of links followed covers the whole resolution, so that a loop
// ("l" -> "l/x", or one a host made inside a mount) ends in ELOOP after 40 links
// however it nests.

// walk is the state of one path resolution.
type walk struct {
	fs    *FS
	c     Cred
	links int
}

// Lookup resolves path relative to cwd (or the root for an absolute path). With follow
// set, a symbolic link in the last component is followed too.
func (fs *FS) Lookup(c Cred, cwd *Inode, path string, follow bool) (*Inode, error) {
	n, _, err := fs.LookupIn(c, cwd, path, follow)
	return n, err
}

// LookupIn is Lookup that also returns the directory the inode was found in (after
// any symbolic link), the one a change to it notifies (dnotify.go).
func (fs *FS) LookupIn(c Cred, cwd *Inode, path string, follow bool) (*Inode, *Inode, error) {
	w := walk{fs: fs, c: c}
	dir, name, err := w.parent(cwd, path)
	if err != nil {
		return nil, nil, err
	}
	// A trailing slash asks for a directory, following a final symbolic link
	// (path_resolution(7)).
	trailing := strings.HasSuffix(path, "/")
	n, dir, err := w.last(dir, name, follow || trailing)
	if err == nil && trailing && !n.IsDir() {
		return nil, nil, linux.ENOTDIR
	}
	return n, dir, err
}

// LookupParent resolves all but the last component of path and returns the directory
// and the last name ("." for a path that names a directory, like "/" or "a/").
func (fs *FS) LookupParent(c Cred, cwd *Inode, path string) (*Inode, string, error) {
	w := walk{fs: fs, c: c}
	return w.parent(cwd, path)
}

// LookupCreate resolves path for a call that may create its last component (open with
// O_CREAT): like LookupParent, but a final symbolic link is followed to the name it
// points at, even when that name does not exist yet (a dangling link creates its
// target, as open(2) does). It returns the directory and name to create in, and the
// existing inode there, if any.
func (fs *FS) LookupCreate(c Cred, cwd *Inode, path string, follow bool) (*Inode, string, *Inode, error) {
	w := walk{fs: fs, c: c}
	dir, name, err := w.parent(cwd, path)
	for err == nil {
		var n *Inode
		n, err = w.one(dir, name)
		switch {
		case err == linux.ENOENT:
			return dir, name, nil, nil
		case err != nil:
		case !follow || n.Mode&S_IFMT != S_IFLNK:
			return dir, name, n, nil
		case n.magic != nil:
			return dir, name, n.magic, nil // a magic link opens the file itself
		case w.links >= maxSymlinks:
			err = linux.ELOOP
		default:
			w.links++
			if n.target == "" {
				return nil, "", nil, linux.ENOENT
			}
			dir, name, err = w.parent(dir, n.target)
			if err == nil && strings.HasSuffix(n.target, "/") {
				return nil, "", nil, linux.EISDIR // a link to "dir/" names a directory
			}
		}
	}
	return nil, "", nil, err
}

// parent walks every component of path but the last, from dir (or the root).
func (w *walk) parent(dir *Inode, path string) (*Inode, string, error) {
	if path == "" {
		return nil, "", linux.ENOENT
	}
	if len(path) >= 4096 {
		return nil, "", linux.ENAMETOOLONG
	}
	if path[0] == '/' {
		dir = w.fs.root(w.c)
	}
	todo := splitNames(path)
	last := "."
	if len(todo) > 0 {
		last, todo = todo[len(todo)-1], todo[:len(todo)-1]
	}
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		n, err := w.one(dir, name)
		if err != nil {
			return nil, "", err
		}
		if n.Mode&S_IFMT == S_IFLNK && n.magic != nil {
			n = n.magic // proc(5): a magic link leads to the file itself
		} else if n.Mode&S_IFMT == S_IFLNK {
			if w.links >= maxSymlinks {
				return nil, "", linux.ELOOP
			}
			w.links++
			if n.target == "" {
				return nil, "", linux.ENOENT
			}
			if n.target[0] == '/' {
				dir = w.fs.root(w.c)
			}
			// At most 40 targets of under 4096 bytes each: the list stays bounded.
			todo = append(splitNames(n.target), todo...)
			continue
		}
		if !n.IsDir() {
			return nil, "", linux.ENOTDIR
		}
		dir = n
	}
	if !dir.IsDir() {
		return nil, "", linux.ENOTDIR
	}
	return dir, last, nil
}

// last looks up the final component name in dir, following symbolic links when follow
// is set (through the same link count as the walk that found dir). It returns the
// inode and the directory it was found in (nil for the file behind a magic link).
func (w *walk) last(dir *Inode, name string, follow bool) (*Inode, *Inode, error) {
	for {
		n, err := w.one(dir, name)
		if err != nil {
			return nil, nil, err
		}
		if !follow || n.Mode&S_IFMT != S_IFLNK {
			return n, dir, nil
		}
		if n.magic != nil {
			return n.magic, nil, nil // proc(5): "a symbolic link ... opening it opens the file"
		}
		if w.links >= maxSymlinks {
			return nil, nil, linux.ELOOP
		}
		w.links++
		dir, name, err = w.parent(dir, n.target)
		if err != nil {
			return nil, nil, err
		}
	}
}

// one looks up a single name in dir (no symbolic link followed) and counts the step
// in WalkSteps.
func (w *walk) one(dir *Inode, name string) (*Inode, error) {
	w.fs.WalkSteps++
	if !dir.IsDir() {
		return nil, linux.ENOTDIR
	}
	if !Check(w.c, dir, MayExec) {
		return nil, linux.EACCES
	}
	if len(name) > maxName {
		return nil, linux.ENAMETOOLONG
	}
	var n *Inode
	switch name {
	case ".":
		n = dir
	case "..":
		if n = dir.Parent(); dir == w.c.Root {
			n = dir // ".." in a process's root stays there (chroot(2))
		}
	default:
		n = visibleIn(w.c.MntNS, dir.child(name))
	}
	if n == nil {
		return nil, linux.ENOENT
	}
	return n, nil
}

// Create makes a regular file or directory name in dir, owned by c.
func (fs *FS) Create(c Cred, dir *Inode, name string, mode uint32) (*Inode, error) {
	if name == "." || name == ".." {
		return nil, linux.EEXIST
	}
	if len(name) > maxName {
		return nil, linux.ENAMETOOLONG
	}
	if dir.child(name) != nil {
		return nil, linux.EEXIST
	}
	if dir.mkdirFn != nil {
		// A directory whose maker creates its subdirectories; a regular file cannot
		// be made there (kernfs has no create: may_o_create's EACCES).
		if mode&S_IFMT != S_IFDIR || !Check(c, dir, MayWrite|MayExec) {
			return nil, linux.EACCES
		}
		if err := dir.mkdirFn(name, mode&0o7777, c); err != nil {
			return nil, err
		}
		if n := dir.child(name); n != nil {
			return n, nil
		}
		return nil, linux.ENOENT
	}
	// A read-only file system refuses before permissions are checked.
	if err := dir.Writable(); err != nil {
		return nil, err
	}
	if !Check(c, dir, MayWrite|MayExec) {
		return nil, linux.EACCES
	}
	if dir.onHost() {
		root, p := dir.hm.root, filepath.Join(dir.rel(), name)
		var err error
		if mode&S_IFMT == S_IFDIR {
			err = root.Mkdir(p, os.FileMode(mode&0o777))
		} else {
			var f *os.File
			if f, err = root.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, os.FileMode(mode&0o777)); err == nil {
				f.Close()
			}
		}
		if err != nil {
			return nil, hostErr(err)
		}
		root.Chmod(p, os.FileMode(mode&0o777)) // as asked, whatever weft's own umask
		n := dir.hostChild(name)
		if n == nil {
			return nil, linux.EIO
		}
		// The guest sees its own files as its own; the host file belongs to weft's
		// user.
		n.UID, n.GID = c.UID, c.GID
		fs.dirEvent(dir, DN_CREATE)
		return n, nil
	}
	if max := dir.maxLinks(); max != 0 && mode&S_IFMT == S_IFDIR && dir.Nlink >= max {
		return nil, linux.EMLINK // vfs_mkdir: s_max_links
	}
	cost := int64(inodeCost + len(name))
	if !fs.charge(cost) {
		return nil, linux.ENOSPC
	}
	gid, mode := newOwnership(c, dir, mode)
	n := fs.newInode(mode, c.UID, gid)
	n.charged = cost
	if err := fs.joinFS(dir, n); err != nil {
		fs.uncharge(cost)
		return nil, err
	}
	fs.link(dir, name, n)
	fs.dirEvent(dir, DN_CREATE)
	return n, nil
}

// sticky reports whether dir's sticky bit keeps c from removing or replacing its entry
// n: only n's owner, dir's owner or a holder of CAP_FOWNER over n may (check_sticky).
func (c Cred) sticky(dir, n *Inode) bool {
	return dir.Mode&0o1000 != 0 && c.UID != n.UID && c.UID != dir.UID && !c.Has(PrivFowner, n)
}

// StripSGID is mode_strip_sgid: a new non-directory asked for with both the
// set-group-ID and group-execute bits, in a set-group-ID directory whose group the
// creator is not in (and not CAP_FSETID), loses the set-group-ID bit. Linux applies
// it before the umask (vfs_prepare_mode), so that a umask that takes the
// group-execute bit away does not keep the set-group-ID bit.
func StripSGID(c Cred, dir *Inode, mode uint32) uint32 {
	if mode&0o2010 != 0o2010 || mode&S_IFMT == S_IFDIR || dir == nil || dir.Mode&0o2000 == 0 {
		return mode
	}
	if c.GID == dir.GID || contains(c.Groups, dir.GID) || c.Has(PrivFsetid, dir) {
		return mode
	}
	return mode &^ 0o2000
}

// newOwnership is the group and mode of a new file in dir (Linux's inode_init_owner):
// in a set-group-ID directory a new file takes the directory's group, and a new
// directory the set-group-ID bit too; a new group-executable set-group-ID file made
// there by someone outside that group loses the bit. Elsewhere the file takes the
// creator's group.
func newOwnership(c Cred, dir *Inode, mode uint32) (uint32, uint32) {
	if dir.Mode&0o2000 == 0 {
		return c.GID, mode
	}
	if mode&S_IFMT == S_IFDIR {
		mode |= 0o2000
	} else {
		mode = StripSGID(c, dir, mode)
	}
	return dir.GID, mode
}

// Unlink removes name from dir; rmdir selects directories (which must be empty).
func (fs *FS) Unlink(c Cred, dir *Inode, name string, rmdir bool) error {
	n := dir.child(name)
	switch {
	case name == "." && rmdir:
		return linux.EINVAL
	case name == ".." && rmdir:
		return linux.ENOTEMPTY // rmdir(2): ".." as the final component
	case name == "." || name == "..":
		return linux.EISDIR
	}
	if n == nil {
		return linux.ENOENT
	}
	if dir.rmdirFn != nil && rmdir && n.IsDir() {
		if !Check(c, dir, MayWrite|MayExec) {
			return linux.EACCES
		}
		return dir.rmdirFn(name)
	}
	if err := dir.Writable(); err != nil {
		return err
	}
	if !Check(c, dir, MayWrite|MayExec) {
		return linux.EACCES
	}
	// Sticky directories: only the owner of the file or the directory may remove it.
	if c.sticky(dir, n) {
		return linux.EPERM
	}
	if dir.AppendOnly() || n.Pinned() { // may_delete
		return linux.EPERM
	}
	switch {
	case rmdir && !n.IsDir():
		return linux.ENOTDIR
	case !rmdir && n.IsDir():
		return linux.EISDIR
	case fs.mounts[n]:
		return linux.EBUSY // rmdir(2): a mount point
	case rmdir && len(n.List()) > 0:
		return linux.ENOTEMPTY
	case dir.lookupFn != nil:
		return linux.EACCES
	}
	if n.onHost() {
		if err := n.hm.root.Remove(n.rel()); err != nil {
			return hostErr(err)
		}
	}
	if err := dir.whiteout(name); err != nil {
		return err
	}
	delete(dir.children, name)
	if n.IsDir() {
		dir.Nlink--
		n.unlinked = true
	}
	n.Nlink--
	n.maybeFree()
	fs.dirEvent(dir, DN_DELETE)
	return nil
}

// Readlink returns a symbolic link's target.
func (n *Inode) Readlink() (string, error) {
	if n.Mode&S_IFMT != S_IFLNK {
		return "", linux.EINVAL
	}
	return n.target, nil
}

// Flags of renameat2(2).
const (
	RENAME_NOREPLACE = 1
	RENAME_EXCHANGE  = 2
)

// Rename moves oldDir/oldName to newDir/newName as renameat2(2) does.
func (fs *FS) Rename(c Cred, oldDir *Inode, oldName string, newDir *Inode, newName string, flags uint32) error {
	if flags&^(RENAME_NOREPLACE|RENAME_EXCHANGE) != 0 || flags == RENAME_NOREPLACE|RENAME_EXCHANGE {
		return linux.EINVAL
	}
	for _, name := range []string{oldName, newName} {
		if name == "." || name == ".." {
			return linux.EBUSY
		}
		if len(name) > maxName {
			return linux.ENAMETOOLONG
		}
	}
	n := oldDir.child(oldName)
	if n == nil {
		return linux.ENOENT
	}
	if oldDir.layer() != newDir.layer() || oldDir.mnt != newDir.mnt || oldDir.lookupFn != nil || newDir.lookupFn != nil {
		return linux.EXDEV
	}
	if err := oldDir.Writable(); err != nil {
		return err
	}
	if err := newDir.Writable(); err != nil {
		return err
	}
	if !Check(c, oldDir, MayWrite|MayExec) || !Check(c, newDir, MayWrite|MayExec) {
		return linux.EACCES
	}
	target := newDir.child(newName)
	exchange := flags&RENAME_EXCHANGE != 0
	switch {
	case c.sticky(oldDir, n) || (target != nil && c.sticky(newDir, target)):
		return linux.EPERM
	case oldDir.AppendOnly() || n.Pinned() || (target != nil && (newDir.AppendOnly() || target.Pinned())):
		return linux.EPERM // may_delete of the source and of what it replaces
	case exchange && target == nil:
		return linux.ENOENT
	case fs.mounts[n] || (target != nil && fs.mounts[target]):
		return linux.EBUSY
	}
	// A directory cannot move below itself, nor, in an exchange, trade places with an
	// ancestor of its new place: either would cut a subtree off the tree into a cycle.
	if n.IsDir() && fs.isAncestor(n, newDir) {
		return linux.EINVAL
	}
	if exchange && target.IsDir() && fs.isAncestor(target, oldDir) {
		return linux.EINVAL
	}
	// Moving a directory to another parent rewrites its ".." entry, which needs write
	// permission on it (rename(2), EACCES).
	if oldDir != newDir {
		if (n.IsDir() && !Check(c, n, MayWrite)) || (exchange && target.IsDir() && !Check(c, target, MayWrite)) {
			return linux.EACCES
		}
		// vfs_rename: a directory's new parent gains a link unless it replaces one.
		max := newDir.maxLinks()
		if max != 0 && n.IsDir() && (exchange && !target.IsDir() || !exchange && target == nil) && newDir.Nlink >= max {
			return linux.EMLINK
		}
		if max != 0 && exchange && target.IsDir() && !n.IsDir() && oldDir.Nlink >= max {
			return linux.EMLINK
		}
	}
	if exchange {
		if n == target {
			return nil
		}
		if err := copyUpMoved(n, target); err != nil {
			return err
		}
		if n.onHost() {
			if err := hostExchange(oldDir, oldName, newDir, newName); err != nil {
				return err
			}
			n.hostParent, n.hostName, target.hostParent, target.hostName = newDir, newName, oldDir, oldName
		}
		oldDir.children[oldName], newDir.children[newName] = target, n
		if n.IsDir() != target.IsDir() {
			if n.IsDir() {
				oldDir.Nlink--
				newDir.Nlink++
			} else {
				oldDir.Nlink++
				newDir.Nlink--
			}
		}
		if n.IsDir() {
			n.parent, n.name = newDir, newName
		}
		if target.IsDir() {
			target.parent, target.name = oldDir, oldName
		}
		fs.moved(oldDir, newDir)
		fs.moved(newDir, oldDir)
		return nil
	}
	switch {
	case target == n:
		return nil
	case target != nil && flags&RENAME_NOREPLACE != 0:
		return linux.EEXIST
	case target != nil && target.IsDir() && !n.IsDir():
		return linux.EISDIR
	case target != nil && !target.IsDir() && n.IsDir():
		return linux.ENOTDIR
	case target != nil && target.IsDir() && len(target.List()) > 0:
		return linux.ENOTEMPTY
	}
	if err := copyUpMoved(n, nil); err != nil {
		return err
	}
	if n.onHost() {
		if err := n.hm.root.Rename(n.rel(), filepath.Join(newDir.rel(), newName)); err != nil {
			return hostErr(err)
		}
		n.hostParent, n.hostName = newDir, newName
	}
	if err := oldDir.whiteout(oldName); err != nil {
		return err
	}
	delete(oldDir.children, oldName)
	newDir.children[newName] = n
	if n.IsDir() {
		oldDir.Nlink--
		newDir.Nlink++
		n.parent, n.name = newDir, newName
	}
	if target != nil {
		target.Nlink--
		if target.IsDir() {
			newDir.Nlink--
			target.unlinked = true
		}
		target.maybeFree()
	}
	fs.moved(oldDir, newDir)
	return nil
}

// moved tells the watchers of from and to that an entry moved from one to the other
// (fsnotify_move): FS_RENAME, which dnotify reports only within one directory, then
// FS_MOVED_FROM (DN_DELETE) and FS_MOVED_TO (DN_CREATE).
func (fs *FS) moved(from, to *Inode) {
	if !fs.Watched() {
		return
	}
	if from == to {
		fs.dirEvent(from, DN_RENAME)
	}
	fs.dirEvent(from, DN_DELETE)
	fs.dirEvent(to, DN_CREATE)
}

// isAncestor reports whether a is d or a directory above it. The walk up is bounded
// by the number of inodes ever made, so even a broken tree cannot make it spin.
func (fs *FS) isAncestor(a, d *Inode) bool {
	for i := uint64(0); i <= fs.nextIno; i++ {
		fs.WalkSteps++
		if d == a {
			return true
		}
		if d == fs.Root || d.parent == nil || d.parent == d {
			return false
		}
		d = d.parent
	}
	panic("vfs: the directory tree has a cycle")
}

// Parent returns a directory's parent (the root is its own).
func (n *Inode) Parent() *Inode {
	if n.parent == nil {
		return n
	}
	return n.parent
}

// Child looks up one entry of a directory (nil if absent).
func (n *Inode) Child(name string) *Inode { return n.child(name) }

// Writable reports EROFS for inodes on a read-only host or tmpfs mount or in a
// synthetic tree. A guest root's lower layer is writable: changes go to memory
// (overlay.go).
func (n *Inode) Writable() error {
	if (n.hm != nil && !n.hm.rw && !n.hm.overlay) || (n.gen != nil && n.set == nil) || n.readAt != nil || n.lookupFn != nil || (n.mnt != nil && n.mnt.ReadOnly()) {
		return linux.EROFS
	}
	if n.AttrFlags&FS_IMMUTABLE_FL != 0 {
		return linux.EPERM // inode_permission: nothing writes an immutable inode
	}
	return nil
}

// Inode flags (linux/fs.h) that tmpfs keeps.
const (
	FS_IMMUTABLE_FL = 0x10
	FS_APPEND_FL    = 0x20
	FS_NODUMP_FL    = 0x40
	FS_NOATIME_FL   = 0x80
	// TmpfsSettableFlags is SHMEM_FL_USER_MODIFIABLE.
	TmpfsSettableFlags = FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL
)

// Pinned reports whether n is immutable or append-only: no one may delete, rename,
// link, truncate it, or change its mode, owner or times (EPERM).
func (n *Inode) Pinned() bool { return n.AttrFlags&(FS_IMMUTABLE_FL|FS_APPEND_FL) != 0 }

// SetAttrFlags sets n's inode flags (FS_IOC_SETFLAGS, after the caller's permission
// checks): EROFS on a read-only mount, EOPNOTSUPP for a flag tmpfs does not keep.
func (n *Inode) SetAttrFlags(flags uint32) error {
	if n.mnt != nil && n.mnt.ReadOnly() {
		return linux.EROFS
	}
	if flags&^TmpfsSettableFlags != 0 {
		return linux.EOPNOTSUPP
	}
	n.AttrFlags = flags
	n.Ctime = n.fs.now()
	return nil
}

// AppendOnly reports whether n is append-only (FS_APPEND_FL).
func (n *Inode) AppendOnly() bool { return n.AttrFlags&FS_APPEND_FL != 0 }

// HasAttrFlags reports whether n keeps inode flags (a tmpfs inode of weft's own; a host
// file's would be the host file system's business).
func (n *Inode) HasAttrFlags() bool {
	return n.hm == nil && n.gen == nil && n.readAt == nil && n.lookupFn == nil && n.fsMagic == 0 &&
		(n.IsDir() || n.Mode&S_IFMT == S_IFREG)
}

// PathOf returns the absolute path of a directory, by walking up its parents, or ""
// when that is longer than PATH_MAX (4096 bytes), which getcwd(2) reports as
// ENAMETOOLONG. The walk stops there, so however deep a guest nests directories, a
// chdir costs at most that much; the steps count in WalkSteps.
func (fs *FS) PathOf(n *Inode) string { return fs.PathIn(Cred{}, n) }

// PathIn is PathOf as a process with c's root directory sees it: a directory outside
// that root is "(unreachable)" and its path from the file system's root (getcwd(2)).
func (fs *FS) PathIn(c Cred, n *Inode) string {
	var names []string
	size := 0
	root := fs.root(c)
	for n != root && n.parent != nil && n.parent != n {
		fs.WalkSteps++
		if size += len(n.name) + 1; size >= 4096 {
			return ""
		}
		names = append(names, n.name)
		n = n.parent
	}
	prefix := ""
	if n != root {
		prefix = "(unreachable)" // the walk ended at the file system's root
	}
	if len(names) == 0 {
		return prefix + "/"
	}
	slices.Reverse(names)
	return prefix + "/" + strings.Join(names, "/")
}

// Symlink creates a symbolic link name in dir pointing at target.
func (fs *FS) Symlink(c Cred, dir *Inode, name, target string) error {
	if len(name) > maxName {
		return linux.ENAMETOOLONG
	}
	if dir.child(name) != nil {
		return linux.EEXIST
	}
	if err := dir.Writable(); err != nil {
		return err
	}
	if !Check(c, dir, MayWrite|MayExec) {
		return linux.EACCES
	}
	if dir.onHost() {
		if err := dir.hm.root.Symlink(target, filepath.Join(dir.rel(), name)); err != nil {
			return hostErr(err)
		}
		if n := dir.hostChild(name); n != nil {
			n.UID, n.GID = c.UID, c.GID
		}
		fs.dirEvent(dir, DN_CREATE)
		return nil
	}
	if e := dir.ext2Of(); e != nil && int64(len(target)) >= e.bs {
		return linux.ENAMETOOLONG // ext2_symlink: the target and its NUL in one block
	}
	cost := int64(inodeCost + len(name) + len(target))
	if !fs.charge(cost) {
		return linux.ENOSPC
	}
	gid, _ := newOwnership(c, dir, S_IFLNK|0o777)
	n := fs.newInode(S_IFLNK|0o777, c.UID, gid)
	n.target = target
	n.charged = cost
	if err := fs.joinFS(dir, n); err != nil {
		fs.uncharge(cost)
		return err
	}
	fs.link(dir, name, n)
	fs.dirEvent(dir, DN_CREATE)
	return nil
}

// Realpath resolves path like Lookup (following every symbolic link) and also returns
// the canonical absolute path of the result, as realpath(3) would. cwdPath is the
// absolute path of cwd.
func (fs *FS) Realpath(c Cred, cwd *Inode, cwdPath, path string) (*Inode, string, error) {
	if path == "" {
		return nil, "", linux.ENOENT
	}
	var parts []string // the canonical path so far, as components
	dir := cwd
	if path[0] == '/' {
		dir = fs.root(c)
	} else {
		parts = splitClean(cwdPath)
	}
	todo := strings.Split(path, "/")
	links := 0
	n := dir
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			if n = dir.Parent(); dir == c.Root {
				n = dir
			}
			dir = n
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
			continue
		}
		w := walk{fs: fs, c: c}
		k, err := w.one(dir, name)
		if err != nil {
			return nil, "", err
		}
		if k.Mode&S_IFMT == S_IFLNK {
			links++
			if links > maxSymlinks {
				return nil, "", linux.ELOOP
			}
			t := strings.Split(k.target, "/")
			if strings.HasPrefix(k.target, "/") {
				dir, parts = fs.root(c), nil
			}
			todo = append(t, todo...)
			continue
		}
		if len(todo) > 0 && !k.IsDir() {
			return nil, "", linux.ENOTDIR
		}
		parts = append(parts, name)
		n = k
		if k.IsDir() {
			dir = k
		}
	}
	return n, "/" + strings.Join(parts, "/"), nil
}

// splitNames splits a path into its names, dropping the empty ones that repeated and
// trailing slashes make.
func splitNames(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func splitClean(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

// Link makes dir/name another name of n (link(2)): n must not be a directory (EPERM)
// and must be on the same file system as dir (EXDEV): both in weft's own tree, or both
// in one host mount, where the host file gets the new name too.
func (fs *FS) Link(c Cred, n, dir *Inode, name string) error {
	switch {
	case len(name) > maxName:
		return linux.ENAMETOOLONG
	case name == "." || name == ".." || dir.child(name) != nil:
		return linux.EEXIST
	case n.IsDir() || n.Pinned():
		return linux.EPERM
	case n.Nlink == 0 && !n.linkable:
		return linux.ENOENT // a file already deleted (linkat(2) of an open fd)
	case n.layer() != dir.layer() || n.mnt != dir.mnt || n.gen != nil || n.lookupFn != nil || dir.lookupFn != nil:
		return linux.EXDEV
	}
	if err := dir.Writable(); err != nil {
		return err
	}
	if !Check(c, dir, MayWrite|MayExec) {
		return linux.EACCES
	}
	if max := n.maxLinks(); max != 0 && n.Nlink >= max {
		return linux.EMLINK // vfs_link: s_max_links
	}
	if dir.onHost() {
		if err := dir.hm.root.Link(n.rel(), filepath.Join(dir.rel(), name)); err != nil {
			return hostErr(err)
		}
		fs.dirEvent(dir, DN_CREATE)
		return nil
	}
	if err := n.CopyUp(); err != nil { // a file in two directories must be weft's own
		return err
	}
	cost := int64(len(name) + slotCost)
	if !fs.charge(cost) {
		return linux.ENOSPC
	}
	n.charged += cost
	fs.link(dir, name, n)
	n.Nlink++
	n.linkable = false
	n.Ctime = fs.now()
	dir.Touch()
	fs.dirEvent(dir, DN_CREATE)
	return nil
}

// copyUpMoved copies up the files of a guest root's lower layer that a rename moves
// (overlay.go); a directory of the lower layer cannot move (EXDEV, as overlayfs
// without redirect_dir).
func copyUpMoved(ns ...*Inode) error {
	for _, n := range ns {
		if n == nil || !n.overlay() {
			continue
		}
		if n.IsDir() {
			return linux.EXDEV
		}
		if err := n.CopyUp(); err != nil {
			return err
		}
	}
	return nil
}
