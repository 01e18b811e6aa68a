package syscalls

import (
	"encoding/binary"
	"math"
	pathpkg "path"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	wnet "weft/internal/net"
	"weft/internal/vfs"
)

var fileCalls = []entry{
	call(linux.SYS_READ, "read", Read, fd, bout, u).restartable(),
	call(linux.SYS_WRITE, "write", Write, fd, bin, u).restartable(),
	call(linux.SYS_READV, "readv", Readv, fd, p, i).restartable(),
	call(linux.SYS_WRITEV, "writev", Writev, fd, p, i).restartable(),
	call(linux.SYS_PREAD64, "pread64", Pread64, fd, bout, u, i),
	call(linux.SYS_PWRITE64, "pwrite64", Pwrite64, fd, bin, u, i),
	call(linux.SYS_OPENAT, "openat", Openat, fd, path, ofl, oct).restartable(), // a FIFO's open blocks
	call(linux.SYS_CLOSE, "close", Close, fd),
	call(linux.SYS_LSEEK, "lseek", Lseek, fd, i, i),
	call(linux.SYS_FSTAT, "fstat", Fstat, fd, p),
	call(linux.SYS_NEWFSTATAT, "newfstatat", Newfstatat, fd, path, p, atf),
	call(linux.SYS_IOCTL, "ioctl", Ioctl, fd, x, p).partial("FIONBIO, FIOCLEX, FIONCLEX and FIONREAD on any file; terminal queries: TCGETS, TIOCGWINSZ, TIOCGPGRP; on sockets the interface queries SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFMTU, SIOCGIFADDR"),
	call(linux.SYS_READLINKAT, "readlinkat", Readlinkat, fd, path, p, u),
	call(linux.SYS_GETCWD, "getcwd", Getcwd, p, u),
	call(linux.SYS_MKDIRAT, "mkdirat", Mkdirat, fd, path, oct),
	call(linux.SYS_UNLINKAT, "unlinkat", Unlinkat, fd, path, atf),
	call(linux.SYS_FACCESSAT, "faccessat", Faccessat, fd, path, oct),
	call(linux.SYS_FTRUNCATE, "ftruncate", Ftruncate, fd, i),
	call(linux.SYS_DUP, "dup", Dup, fd),
	call(linux.SYS_DUP3, "dup3", Dup3, fd, fd, ofl),
	call(linux.SYS_LINKAT, "linkat", Linkat, fd, path, fd, path, atf),
	call(linux.SYS_MKNODAT, "mknodat", Mknodat, fd, path, oct, x).partial("device and socket nodes are made, but have no driver: opening one is ENXIO"),
	call(linux.SYS_FCNTL, "fcntl", Fcntl, fd, fcmd, x).restartable().partial("F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL, record locks (F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ variants, with EDEADLK), F_GETPIPE_SZ and F_SETPIPE_SZ (at most 1 MiB), O_ASYNC with F_SETOWN[_EX] and F_SETSIG (pipes), leases (F_SETLEASE, F_GETLEASE, broken by open), F_CREATED_QUERY, F_DUPFD_QUERY, F_NOTIFY (dnotify); not seals"),
	call(linux.SYS_RENAMEAT2, "renameat2", Renameat2, fd, path, fd, path, x),
	call(linux.SYS_UMASK, "umask", Umask, oct),
	call(linux.SYS_PIPE2, "pipe2", Pipe2, p, ofl),
	call(linux.SYS_GETDENTS64, "getdents64", Getdents64, fd, p, u),
	call(linux.SYS_CHDIR, "chdir", Chdir, path),
	call(linux.SYS_FCHDIR, "fchdir", Fchdir, fd),
	call(linux.SYS_FCHMOD, "fchmod", Fchmod, fd, oct),
	call(linux.SYS_FCHMODAT, "fchmodat", Fchmodat, fd, path, oct),
	call(linux.SYS_FCHOWN, "fchown", Fchown, fd, i, i),
	call(linux.SYS_FCHOWNAT, "fchownat", Fchownat, fd, path, i, i, atf),
	call(linux.SYS_FACCESSAT2, "faccessat2", Faccessat2, fd, path, oct, atf),
	call(linux.SYS_SYMLINKAT, "symlinkat", Symlinkat, path, fd, path),
	call(linux.SYS_FSYNC, "fsync", Fsync, fd),
	call(linux.SYS_FDATASYNC, "fdatasync", Fsync, fd),
}

// maxIO bounds one read or write, so that a huge count cannot make weft allocate
// without bound; like Linux (which stops at 0x7ffff000), it returns a short count.
const maxIO = 16 << 20

func file(t *kernel.Task, n uint64) (*vfs.File, error) {
	return t.TG.FDs.Get(int(int32(n)))
}

// openFile is file for calls that act on the file itself: an O_PATH descriptor only
// names a file, and such calls fail on it with EBADF (open(2), O_PATH).
func openFile(t *kernel.Task, n uint64) (*vfs.File, error) {
	f, err := file(t, n)
	if err == nil && f.Flags&vfs.O_PATH != 0 {
		return nil, linux.EBADF
	}
	return f, err
}

// Read implements read(2).
func Read(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	buf := make([]byte, min(a[2], maxIO))
	n, err := f.Read(buf)
	if err != nil {
		return 0, blockOrErr(t, f, false, err)
	}
	if n > 0 {
		f.ChangedFile(vfs.DN_ACCESS)
	}
	return uint64(n), copyOut(t, a[1], buf[:n])
}

// blockOrErr turns a file's error into the syscall's: a read or write that would block
// parks the task on the file's queue (or fails with EAGAIN under O_NONBLOCK), and a
// write to a pipe with no reader raises SIGPIPE and fails with EPIPE.
func blockOrErr(t *kernel.Task, f *vfs.File, write bool, err error) error {
	switch err {
	case vfs.ErrWouldBlock:
		q := f.Queues(write)
		if f.Flags&vfs.O_NONBLOCK != 0 || q == nil {
			return linux.EAGAIN
		}
		what := "read from " + vfs.Printable(f.Path)
		if write {
			what = "write to " + vfs.Printable(f.Path)
		}
		return t.Block(what, q)
	case vfs.ErrBrokenPipe:
		// SIGPIPE goes to the thread that wrote (send_sig(SIGPIPE, current)).
		t.Kernel().SignalTask(t, kernel.SigInfo{Signo: linux.SIGPIPE, Code: kernel.SI_USER})
		return linux.EPIPE
	}
	return errno(err)
}

// Write implements write(2). A blocking write to a pipe writes everything before it
// returns, waiting for room as often as it must; Call.Value counts what is written.
func Write(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	return writeAll(t, f, func(done uint64) ([]byte, error) {
		return copyIn(t, a[1]+done, min(a[2], maxIO)-done)
	})
}

// writeAll writes what next returns (the bytes after the first done) until all is
// written or the write must stop.
func writeAll(t *kernel.Task, f *vfs.File, next func(done uint64) ([]byte, error)) (uint64, error) {
	done := t.Call.Value
	buf, err := next(done)
	if err != nil {
		return 0, err
	}
	if f.Inode.Mode&vfs.S_IFMT == vfs.S_IFREG && f.Writable() {
		pos := f.Offset
		if f.Flags&vfs.O_APPEND != 0 {
			pos = f.Inode.Size()
		}
		n, err := fsizeLimit(t, pos, len(buf))
		if err != nil {
			return 0, err
		}
		buf = buf[:n]
	}
	for len(buf) > 0 {
		n, err := f.Write(buf)
		done += uint64(n)
		buf = buf[n:]
		if err == nil {
			if !vfs.WritesAll(f) {
				break // only pipes insist on writing everything
			}
			continue
		}
		if err == vfs.ErrWouldBlock && f.Flags&vfs.O_NONBLOCK == 0 {
			t.Call.Value = done
			return 0, blockOrErr(t, f, true, err)
		}
		if done > 0 {
			f.ChangedFile(vfs.DN_MODIFY)
			return done, nil
		}
		return 0, blockOrErr(t, f, true, err)
	}
	if done > 0 {
		f.ChangedFile(vfs.DN_MODIFY) // vfs_write's fsnotify_modify
	}
	return done, nil
}

// Pread64 implements pread64(2).
func Pread64(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	if !f.Readable() {
		return 0, linux.EBADF
	}
	buf := make([]byte, min(a[2], maxIO))
	n, err := f.PRead(buf, int64(a[3]))
	if err != nil {
		return 0, errno(err)
	}
	if n > 0 {
		f.ChangedFile(vfs.DN_ACCESS)
	}
	return uint64(n), copyOut(t, a[1], buf[:n])
}

// Pwrite64 implements pwrite64(2).
func Pwrite64(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	if !f.Writable() {
		return 0, linux.EBADF
	}
	buf, err := copyIn(t, a[1], min(a[2], maxIO))
	if err != nil {
		return 0, err
	}
	if f.Inode.Mode&vfs.S_IFMT == vfs.S_IFREG {
		n, err := fsizeLimit(t, int64(a[3]), len(buf))
		if err != nil {
			return 0, err
		}
		buf = buf[:n]
	}
	n, err := f.PWrite(buf, int64(a[3]))
	if n > 0 {
		f.ChangedFile(vfs.DN_MODIFY)
	}
	return uint64(n), errno(err)
}

// fsizeLimit applies RLIMIT_FSIZE (setrlimit(2)) to a write of n bytes at pos in a
// regular file: a write that starts at or past the limit fails with EFBIG and sends
// the writer SIGXFSZ; one that crosses it is cut short at the limit.
func fsizeLimit(t *kernel.Task, pos int64, n int) (int, error) {
	lim := t.TG.Rlimits[kernel.RLIMIT_FSIZE].Cur
	if lim == kernel.RLIM_INFINITY || n == 0 || pos < 0 {
		return n, nil
	}
	if uint64(pos) >= lim {
		t.Kernel().SignalTask(t, kernel.SigInfo{Signo: linux.SIGXFSZ, Code: kernel.SI_USER})
		return 0, linux.EFBIG
	}
	return int(min(uint64(n), lim-uint64(pos))), nil
}

const iovMax = 1024 // UIO_MAXIOV

type iovec struct{ base, len uint64 }

func iovecs(t *kernel.Task, addr, count uint64) ([]iovec, error) {
	if count > iovMax {
		return nil, linux.EINVAL
	}
	raw, err := copyIn(t, addr, 16*count)
	if err != nil {
		return nil, err
	}
	v := make([]iovec, count)
	var total uint64
	for i := range v {
		v[i] = iovec{binary.LittleEndian.Uint64(raw[16*i:]), binary.LittleEndian.Uint64(raw[16*i+8:])}
		if int64(v[i].len) < 0 || total+v[i].len < total {
			return nil, linux.EINVAL
		}
		total += v[i].len
	}
	return v, nil
}

// Readv implements readv(2): one read, scattered over the buffers.
func Readv(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	v, err := iovecs(t, a[1], a[2])
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, io := range v {
		total += io.len
	}
	buf := make([]byte, min(total, maxIO))
	n, err := f.Read(buf)
	if err != nil {
		return 0, blockOrErr(t, f, false, err)
	}
	if n > 0 {
		f.ChangedFile(vfs.DN_ACCESS)
	}
	rest := buf[:n]
	for _, io := range v {
		c := min(uint64(len(rest)), io.len)
		if err := copyOut(t, io.base, rest[:c]); err != nil {
			return 0, err
		}
		rest = rest[c:]
	}
	return uint64(n), nil
}

// Writev implements writev(2): the buffers are gathered into one write.
func Writev(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	v, err := iovecs(t, a[1], a[2])
	if err != nil {
		return 0, err
	}
	return writeAll(t, f, func(done uint64) ([]byte, error) {
		var buf []byte
		for _, io := range v {
			// At most maxIO bytes in all: a larger request is a short write, as on
			// Linux, even when its first buffer alone is larger.
			n := min(io.len, maxIO-uint64(len(buf)))
			b, err := copyIn(t, io.base, n)
			if err != nil {
				return nil, err
			}
			buf = append(buf, b...)
			if uint64(len(buf)) == maxIO {
				break
			}
		}
		return buf[min(done, uint64(len(buf))):], nil
	})
}

// dirFor returns the directory a *at call resolves path from.
func dirFor(t *kernel.Task, dirfd uint64, path string) (*vfs.Inode, error) {
	if strings.HasPrefix(path, "/") || int32(dirfd) == kernel.AT_FDCWD {
		return t.TG.Cwd, nil
	}
	f, err := file(t, dirfd)
	if err != nil {
		return nil, err
	}
	if !f.Inode.IsDir() {
		return nil, linux.ENOTDIR
	}
	return f.Inode, nil
}

// lookup resolves a path argument of a *at call.
func lookup(t *kernel.Task, dirfd, addr uint64, follow bool) (*vfs.Inode, string, error) {
	path, err := pathArg(t, addr)
	if err != nil {
		return nil, "", err
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return nil, path, err
	}
	n, err := t.Kernel().FS.Lookup(t.TG.FSCred(), dir, path, follow)
	return n, path, err
}

// parentOf resolves all but the last component of a path argument of a *at call: the
// directory, the last name, and the path as the guest gave it.
func parentOf(t *kernel.Task, dirfd, addr uint64) (*vfs.Inode, string, string, error) {
	path, err := pathArg(t, addr)
	if err != nil {
		return nil, "", "", err
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return nil, "", path, err
	}
	parent, name, err := t.Kernel().FS.LookupParent(t.TG.FSCred(), dir, path)
	return parent, name, path, err
}

// O_TMPFILE's own bit (it is always given with O_DIRECTORY).
const oTmpfileBit = 0o20000000

// Openat implements openat(2).
func Openat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := uint32(a[2])
	if flags&oTmpfileBit != 0 {
		// build_open_flags: O_TMPFILE needs O_DIRECTORY, no O_CREAT, and writing.
		if flags&(oTmpfileBit|vfs.O_DIRECTORY|vfs.O_CREAT) != oTmpfileBit|vfs.O_DIRECTORY ||
			flags&vfs.O_ACCMODE == vfs.O_RDONLY || flags&vfs.O_PATH != 0 {
			return 0, linux.EINVAL
		}
		return openTmpfile(t, a, flags)
	}
	if flags&vfs.O_PATH != 0 {
		// An O_PATH descriptor only names a file: open(2) ignores every other flag
		// (no creation, no truncation) and checks no permission on the file itself.
		flags &= vfs.O_PATH | vfs.O_CLOEXEC | vfs.O_DIRECTORY | vfs.O_NOFOLLOW
	}
	path, err := pathArg(t, a[1])
	if err != nil {
		return 0, err
	}
	dir, err := dirFor(t, a[0], path)
	if err != nil {
		return 0, err
	}
	fs := t.Kernel().FS
	cred := t.TG.FSCred()
	trailing := strings.HasSuffix(path, "/")
	follow := flags&vfs.O_NOFOLLOW == 0 || trailing
	var n *vfs.Inode
	var in *vfs.Inode // the directory n is in (f.Dir)
	created := false
	if flags&vfs.O_CREAT != 0 {
		// O_EXCL never follows a final symbolic link: the link itself exists.
		parent, name, existing, err := fs.LookupCreate(cred, dir, path, follow && flags&vfs.O_EXCL == 0)
		switch {
		case err != nil:
			return 0, err
		case existing == nil:
			if trailing || name == "." || name == ".." {
				return 0, linux.EISDIR
			}
			if n, err = fs.Create(cred, parent, name, vfs.S_IFREG|newPerm(t, cred, parent, vfs.S_IFREG|uint32(a[3]))); err != nil {
				return 0, err
			}
			n.Touch()
			created = true
		case flags&vfs.O_EXCL != 0:
			return 0, linux.EEXIST
		default:
			n = existing
		}
		in = parent
		if existing != nil {
			if err := openCheck(cred, n, flags); err != nil {
				return 0, err
			}
		}
	} else {
		if n, in, err = fs.LookupIn(cred, dir, path, follow); err != nil {
			return 0, err
		}
		if err := openCheck(cred, n, flags); err != nil {
			return 0, err
		}
		// O_EXCL without O_CREAT opens a block device exclusively: not while a file
		// system on it is mounted (open(2)).
		if flags&vfs.O_EXCL != 0 && flags&vfs.O_PATH == 0 && fs.DeviceMounted(n) {
			return 0, linux.EBUSY
		}
	}
	if trailing && !n.IsDir() {
		return 0, linux.ENOTDIR
	}
	if flags&vfs.O_DIRECTORY != 0 && !n.IsDir() {
		return 0, linux.ENOTDIR
	}
	if n.IsDir() && (flags&vfs.O_ACCMODE != vfs.O_RDONLY || flags&vfs.O_CREAT != 0) && flags&vfs.O_PATH == 0 {
		return 0, linux.EISDIR
	}
	if flags&vfs.O_PATH == 0 {
		if n.NoDevice() {
			return 0, linux.ENXIO // a device node with no driver behind it
		}
		if p := n.FIFO(); p != nil {
			f, err := fifoOpen(t, n, p, flags, absPath(t, a[0], path))
			if err != nil {
				return 0, err
			}
			newfd, err := t.TG.FDs.Install(f, flags&vfs.O_CLOEXEC != 0, 0, t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur)
			if err != nil {
				f.DecRef()
			}
			return uint64(newfd), err
		}
	}
	if flags&vfs.O_PATH == 0 && n.Mode&vfs.S_IFMT == vfs.S_IFREG {
		if err := breakLeases(t, n, flags); err != nil {
			return 0, err
		}
	}
	// O_TRUNC truncates even with O_RDONLY on Linux (open(2)); openCheck asked for
	// write permission.
	if flags&vfs.O_TRUNC != 0 && n.Mode&vfs.S_IFMT == vfs.S_IFREG {
		if err := n.Truncate(0); err != nil {
			return 0, err
		}
		n.Touch()
		if !created {
			fs.Changed(n, in, vfs.DN_MODIFY) // do_truncate's notify_change
		}
	}
	f := vfs.Open(n, flags, absPath(t, a[0], path))
	f.Created = created
	f.Dir = in
	if f.OverCap {
		f.DecRef()
		return 0, linux.ENOMEM
	}
	if flags&vfs.O_PATH == 0 {
		if err := f.OpenHost(); err != nil {
			f.DecRef()
			return 0, err
		}
	}
	newfd, err := t.TG.FDs.Install(f, flags&vfs.O_CLOEXEC != 0, 0, t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur)
	if err != nil {
		f.DecRef()
	}
	return uint64(newfd), err
}

// openTmpfile opens a new unnamed file in the directory a[1] names (O_TMPFILE).
func openTmpfile(t *kernel.Task, a *kernel.SyscallArgs, flags uint32) (uint64, error) {
	path, err := pathArg(t, a[1])
	if err != nil {
		return 0, err
	}
	dir, err := dirFor(t, a[0], path)
	if err != nil {
		return 0, err
	}
	fs := t.Kernel().FS
	cred := t.TG.FSCred()
	d, err := fs.Lookup(cred, dir, path, flags&vfs.O_NOFOLLOW == 0)
	if err != nil {
		return 0, err
	}
	n, err := fs.NewTmpFile(cred, d, newPerm(t, cred, d, vfs.S_IFREG|uint32(a[3])), flags&vfs.O_EXCL == 0)
	if err != nil {
		return 0, err
	}
	n.Touch()
	f := vfs.Open(n, flags&^(oTmpfileBit|vfs.O_DIRECTORY), absPath(t, a[0], path)+"/#"+strconv.FormatUint(n.Ino, 10)+" (deleted)")
	f.Created = true
	newfd, err := t.TG.FDs.Install(f, flags&vfs.O_CLOEXEC != 0, 0, t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur)
	if err != nil {
		f.DecRef()
	}
	return uint64(newfd), err
}

// openCheck checks that cred may open the existing file n as flags ask: a final
// symbolic link only with O_PATH (else O_NOFOLLOW met it: ELOOP), a read-only file
// system refuses writers before permissions are checked, and the access mode and
// O_TRUNC need read or write permission. An O_PATH open checks nothing on the file.
func openCheck(cred vfs.Cred, n *vfs.Inode, flags uint32) error {
	if flags&vfs.O_PATH != 0 {
		return nil
	}
	if n.Mode&vfs.S_IFMT == vfs.S_IFLNK {
		return linux.ELOOP
	}
	var mask uint32
	switch flags & vfs.O_ACCMODE {
	case vfs.O_RDONLY:
		mask = vfs.MayRead
	case vfs.O_WRONLY:
		mask = vfs.MayWrite
	default:
		mask = vfs.MayRead | vfs.MayWrite
	}
	if flags&vfs.O_TRUNC != 0 {
		mask |= vfs.MayWrite
	}
	if mask&vfs.MayWrite != 0 && n.Mode&vfs.S_IFMT == vfs.S_IFREG {
		if err := n.Writable(); err != nil {
			return err
		}
	}
	// may_open: an append-only file opens for writing only to append, never to
	// truncate.
	if n.AppendOnly() && ((flags&vfs.O_ACCMODE != vfs.O_RDONLY && flags&vfs.O_APPEND == 0) || flags&vfs.O_TRUNC != 0) {
		return linux.EPERM
	}
	if !vfs.Check(cred, n, mask) {
		return linux.EACCES
	}
	return nil
}

// absPath is the absolute, cleaned name of path opened relative to dirfd, for
// /proc/PID/fd and traces.
func absPath(t *kernel.Task, dirfd uint64, path string) string {
	if strings.HasPrefix(path, "/") {
		return pathpkg.Clean(path)
	}
	base := t.TG.CwdPath
	if int32(dirfd) != kernel.AT_FDCWD {
		if f, err := file(t, dirfd); err == nil {
			base = f.Path
		}
	}
	return pathpkg.Clean(base + "/" + path)
}

// Close implements close(2).
func Close(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return ret0(t.TG.FDs.Close(int(int32(a[0]))))
}

// Lseek implements lseek(2).
func Lseek(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	off, err := f.Seek(int64(a[1]), int(a[2]))
	return uint64(off), errno(err)
}

// Fstat implements fstat(2).
func Fstat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	return ret0(copyOut(t, a[1], vfs.Stat(f.Inode)))
}

const (
	AT_SYMLINK_NOFOLLOW = 0x100
	AT_REMOVEDIR        = 0x200
	AT_EACCESS          = 0x200
	AT_EMPTY_PATH       = 0x1000
)

// Newfstatat implements newfstatat(2) (fstatat).
func Newfstatat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[3]
	if flags&^(AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH|0x800 /* AT_NO_AUTOMOUNT */) != 0 {
		return 0, linux.EINVAL
	}
	if flags&AT_EMPTY_PATH != 0 {
		if s, _, err := t.TG.MM.ReadString(a[1], 1); err == nil && s == "" {
			if int32(a[0]) == kernel.AT_FDCWD {
				return ret0(copyOut(t, a[2], vfs.Stat(t.TG.Cwd)))
			}
			return Fstat(t, &kernel.SyscallArgs{a[0], a[2]})
		}
	}
	n, _, err := lookup(t, a[0], a[1], flags&AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return 0, err
	}
	return ret0(copyOut(t, a[2], vfs.Stat(n)))
}

// Terminal ioctls (asm-generic/ioctls.h).
const (
	TCGETS     = 0x5401
	TIOCGPGRP  = 0x540f
	TIOCGWINSZ = 0x5413
)

// Ioctl implements ioctl(2) for the terminal queries that C libraries make.
func Ioctl(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	if r, ok, err := fileIoctl(t, f, a); ok {
		return r, err
	}
	if r, ok, err := loopIoctl(t, f, a[1], a[2]); ok {
		return r, err
	}
	if s, ok := f.Device().(*wnet.Socket); ok {
		return socketIoctl(t, s, a[1], a[2])
	}
	switch a[1] {
	case TCGETS, TIOCGWINSZ, TIOCGPGRP:
		if !f.IsTTY() {
			return 0, linux.ENOTTY
		}
		if a[1] == TIOCGPGRP {
			var pg [4]byte
			binary.LittleEndian.PutUint32(pg[:], uint32(t.Kernel().ForegroundPgrp()))
			return ret0(copyOut(t, a[2], pg[:]))
		}
		if a[1] == TIOCGWINSZ {
			var ws [8]byte // 24 rows, 80 columns
			binary.LittleEndian.PutUint16(ws[0:], 24)
			binary.LittleEndian.PutUint16(ws[2:], 80)
			return ret0(copyOut(t, a[2], ws[:]))
		}
		// struct termios: a cooked terminal at 38400 baud (c_iflag ICRNL|IXON,
		// c_oflag OPOST|ONLCR, c_cflag B38400|CS8|CREAD, c_lflag ISIG|ICANON|ECHO...).
		var tio [36]byte
		binary.LittleEndian.PutUint32(tio[0:], 0o2400)
		binary.LittleEndian.PutUint32(tio[4:], 0o5)
		binary.LittleEndian.PutUint32(tio[8:], 0o277)
		binary.LittleEndian.PutUint32(tio[12:], 0o105073)
		copy(tio[17:], []byte{3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22})
		return ret0(copyOut(t, a[2], tio[:]))
	}
	if f.IsTTY() {
		return 0, linux.EINVAL
	}
	return 0, linux.ENOTTY
}

// Readlinkat implements readlinkat(2), including /proc/self/exe.
func Readlinkat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if int64(a[3]) <= 0 {
		return 0, linux.EINVAL
	}
	path, err := pathArg(t, a[1])
	if err != nil {
		return 0, err
	}
	var target string
	if path == "/proc/self/exe" || path == "/proc/"+strconv.Itoa(t.PIDOf(t.TG))+"/exe" {
		target = t.TG.Exe
	} else {
		n, _, err := lookup(t, a[0], a[1], false)
		if err != nil {
			return 0, err
		}
		if target, err = n.Readlink(); err != nil {
			return 0, err
		}
	}
	b := []byte(target)
	if uint64(len(b)) > a[3] {
		b = b[:a[3]]
	}
	return uint64(len(b)), copyOut(t, a[2], b)
}

// Getcwd implements getcwd(2).
func Getcwd(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if t.TG.CwdPath == "" {
		return 0, linux.ENAMETOOLONG // deeper than PATH_MAX (vfs.PathOf)
	}
	b := append([]byte(t.TG.CwdPath), 0)
	if uint64(len(b)) > a[1] {
		return 0, linux.ERANGE
	}
	return uint64(len(b)), copyOut(t, a[0], b)
}

// Mkdirat implements mkdirat(2).
func Mkdirat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	parent, name, _, err := parentOf(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	n, err := t.Kernel().FS.Create(t.TG.FSCred(), parent, name, vfs.S_IFDIR|uint32(a[2])&0o7777&^t.TG.Umask)
	if err == nil {
		n.Touch()
	}
	return ret0(err)
}

// Unlinkat implements unlinkat(2).
func Unlinkat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[2]&^AT_REMOVEDIR != 0 {
		return 0, linux.EINVAL
	}
	parent, name, _, err := parentOf(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	return ret0(t.Kernel().FS.Unlink(t.TG.FSCred(), parent, name, a[2]&AT_REMOVEDIR != 0))
}

// Faccessat implements faccessat(2): the check uses the real IDs.
func Faccessat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	n, _, err := lookup(t, a[0], a[1], true)
	if err != nil {
		return 0, err
	}
	return ret0(access(t, n, uint32(a[2]), false))
}

// Ftruncate implements ftruncate(2).
func Ftruncate(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	if !f.Writable() {
		return 0, linux.EINVAL
	}
	if err := f.Inode.Truncate(int64(a[1])); err != nil {
		return 0, err
	}
	f.ChangedFile(vfs.DN_MODIFY)
	return 0, nil
}

// newPerm is the permission bits of a file that t makes in dir, asked for with mode
// (its type and permissions): the set-group-ID bit stripped where mode_strip_sgid
// strips it, then the umask applied, in that order as Linux's vfs_prepare_mode.
func newPerm(t *kernel.Task, cred vfs.Cred, dir *vfs.Inode, mode uint32) uint32 {
	return vfs.StripSGID(cred, dir, mode&(vfs.S_IFMT|0o7777)) & 0o7777 &^ t.TG.Umask
}

// Fsync implements fsync(2) and fdatasync(2): memory is durable enough, but a file of
// an ext2 file system is written back to its device.
func Fsync(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, t.Kernel().FS.Sync(f.Inode)
}

// Dup implements dup(2).
func Dup(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	f.IncRef()
	n, err := t.TG.FDs.Install(f, false, 0, t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur)
	if err != nil {
		f.DecRef()
	}
	return uint64(n), err
}

// Dup3 implements dup3(2).
func Dup3(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[2]&^vfs.O_CLOEXEC != 0 || a[0] == a[1] {
		return 0, linux.EINVAL // checked before the descriptor, as Linux's ksys_dup3 does
	}
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	newfd := int(int32(a[1]))
	switch {
	case newfd < 0 || uint64(newfd) >= t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur:
		return 0, linux.EBADF
	}
	f.IncRef()
	if err := t.TG.FDs.InstallAt(newfd, f, a[2]&vfs.O_CLOEXEC != 0); err != nil {
		f.DecRef()
		return 0, err
	}
	return uint64(newfd), nil
}

// fcntl commands.
const (
	F_DUPFD         = 0
	F_GETFD         = 1
	F_SETFD         = 2
	F_GETFL         = 3
	F_SETFL         = 4
	F_DUPFD_CLOEXEC = 1030
	FD_CLOEXEC      = 1
)

// Fcntl implements fcntl(2) for descriptor duplication and flags.
func Fcntl(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	fdn := int(int32(a[0]))
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	fds := t.TG.FDs
	switch a[1] {
	case F_DUPFD, F_DUPFD_CLOEXEC:
		limit := t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur
		if a[2] >= limit || int64(a[2]) < 0 {
			return 0, linux.EINVAL
		}
		f.IncRef()
		n, err := fds.Install(f, a[1] == F_DUPFD_CLOEXEC, int(a[2]), limit)
		if err != nil {
			f.DecRef()
		}
		return uint64(n), err
	case F_GETFD:
		if fds.CloseOnExec(fdn) {
			return FD_CLOEXEC, nil
		}
		return 0, nil
	case F_SETFD:
		fds.SetCloseOnExec(fdn, a[2]&FD_CLOEXEC != 0)
		return 0, nil
	case F_GETFL:
		return uint64(f.Flags), nil
	case F_SETFL:
		const settable = vfs.O_APPEND | vfs.O_NONBLOCK | vfs.O_ASYNC
		if a[2]&vfs.O_ASYNC != 0 && f.Flags&vfs.O_ASYNC == 0 {
			f.Async.FD = fdn // siginfo's si_fd names the descriptor O_ASYNC came through
		}
		if (uint32(a[2])^f.Flags)&vfs.O_APPEND != 0 && f.Inode.AppendOnly() {
			return 0, linux.EPERM // setfl: O_APPEND stays on an append-only file
		}
		f.Flags = f.Flags&^settable | uint32(a[2])&settable
		return 0, nil
	case F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW:
		return 0, fcntlLock(t, f, a[1], a[2])
	case F_GETPIPE_SZ:
		n, err := f.PipeSize()
		return uint64(n), err
	case F_SETPIPE_SZ:
		n, err := f.SetPipeSize(uint64(uint32(a[2])), pipePriv(t))
		return uint64(n), err
	}
	return fcntlMore(t, fdn, f, a)
}

// Record-lock commands of fcntl(2).
const (
	F_GETLK      = 5
	F_SETLK      = 6
	F_SETLKW     = 7
	F_OFD_GETLK  = 36
	F_OFD_SETLK  = 37
	F_OFD_SETLKW = 38

	F_SETPIPE_SZ = 1031
	F_GETPIPE_SZ = 1032
)

// fcntlLock implements fcntl's record locks on struct flock at addr (riscv64: short
// l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid; 32 bytes).
func fcntlLock(t *kernel.Task, f *vfs.File, cmd, addr uint64) error {
	b, err := copyIn(t, addr, 32)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	typ, whence := int16(le.Uint16(b)), int16(le.Uint16(b[2:]))
	start, length, pid := int64(le.Uint64(b[8:])), int64(le.Uint64(b[16:])), int32(le.Uint32(b[24:]))
	ofd := cmd >= F_OFD_GETLK
	if typ < kernel.F_RDLCK || typ > kernel.F_UNLCK || (ofd && pid != 0) {
		return linux.EINVAL
	}
	lo, hi, err := kernel.LockRange(f, whence, start, length)
	if err != nil {
		return err
	}
	l := kernel.Lock{Type: typ, Start: lo, End: hi}
	if cmd == F_GETLK || cmd == F_OFD_GETLK {
		if typ == kernel.F_UNLCK {
			return linux.EINVAL
		}
		got := t.GetLock(f, l, ofd)
		le.PutUint16(b, uint16(got.Type))
		if got.Type != kernel.F_UNLCK {
			le.PutUint16(b[2:], vfs.SEEK_SET)
			le.PutUint64(b[8:], got.Start)
			n := uint64(0)
			if got.End != math.MaxUint64 {
				n = got.End - got.Start
			}
			le.PutUint64(b[16:], n)
			le.PutUint32(b[24:], uint32(int32(t.NR(got.PID))))
		}
		return copyOut(t, addr, b)
	}
	// A read lock needs the file open for reading, a write lock for writing.
	if (typ == kernel.F_RDLCK && !f.Readable()) || (typ == kernel.F_WRLCK && !f.Writable()) {
		return linux.EBADF
	}
	return t.SetLock(f, l, ofd, cmd == F_SETLKW || cmd == F_OFD_SETLKW)
}

// Renameat2 implements renameat2(2).
func Renameat2(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	oldDir, oldName, _, err := parentOf(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	newDir, newName, _, err := parentOf(t, a[2], a[3])
	if err != nil {
		return 0, err
	}
	return ret0(t.Kernel().FS.Rename(t.TG.FSCred(), oldDir, oldName, newDir, newName, uint32(a[4])))
}

// Umask implements umask(2).
func Umask(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	old := t.TG.Umask
	t.TG.Umask = uint32(a[0]) & 0o777
	return uint64(old), nil
}

// Pipe2 implements pipe2(2).
func Pipe2(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := uint32(a[1])
	if flags&^(vfs.O_CLOEXEC|vfs.O_NONBLOCK|0o40000 /* O_DIRECT */) != 0 {
		return 0, linux.EINVAL
	}
	r, w, err := t.Kernel().FS.NewPipeFor(t.TG.Creds.UID, t.TG.Creds.EGID, pipePriv(t)) // counted against the real user (get_current_user)
	if err != nil {
		return 0, err
	}
	r.Flags |= flags & vfs.O_NONBLOCK
	w.Flags |= flags & vfs.O_NONBLOCK
	limit := t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur
	cloexec := flags&vfs.O_CLOEXEC != 0
	rfd, err := t.TG.FDs.Install(r, cloexec, 0, limit)
	if err != nil {
		r.DecRef()
		w.DecRef()
		return 0, err
	}
	wfd, err := t.TG.FDs.Install(w, cloexec, 0, limit)
	if err != nil {
		t.TG.FDs.Close(rfd)
		w.DecRef()
		return 0, err
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(rfd))
	binary.LittleEndian.PutUint32(b[4:], uint32(wfd))
	if err := copyOut(t, a[0], b[:]); err != nil {
		t.TG.FDs.Close(rfd)
		t.TG.FDs.Close(wfd)
		return 0, err
	}
	return 0, nil
}

// Getdents64 implements getdents64(2). The file offset counts entries returned, so
// successive calls continue where the last stopped.
func Getdents64(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	dir := f.Inode
	names, err := f.DirNames()
	if err != nil {
		return 0, err
	}
	f.ChangedFile(vfs.DN_ACCESS) // iterate_dir's fsnotify_access, whatever it lists
	var out []byte
	for i := int(f.Offset); i < len(names); i++ {
		name := names[i]
		var n *vfs.Inode
		switch name {
		case ".":
			n = dir
		case "..":
			n = dir.Parent()
		default:
			n = dir.Child(name)
		}
		if n == nil {
			continue
		}
		// struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, name.
		reclen := (19 + len(name) + 1 + 7) &^ 7
		if len(out)+reclen > int(a[2]) {
			if len(out) == 0 {
				return 0, linux.EINVAL
			}
			break
		}
		e := make([]byte, reclen)
		binary.LittleEndian.PutUint64(e[0:], n.Ino)
		binary.LittleEndian.PutUint64(e[8:], uint64(i+1))
		binary.LittleEndian.PutUint16(e[16:], uint16(reclen))
		e[18] = byte(n.Mode >> 12 & 0xf) // DT_* is the S_IFMT type >> 12
		copy(e[19:], name)
		out = append(out, e...)
		f.Offset = int64(i + 1)
	}
	return uint64(len(out)), copyOut(t, a[1], out)
}

// Chdir implements chdir(2).
func Chdir(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	path, err := pathArg(t, a[0])
	if err != nil {
		return 0, err
	}
	n, err := t.Kernel().FS.Lookup(t.TG.FSCred(), t.TG.Cwd, path, true)
	if err != nil {
		return 0, err
	}
	return ret0(setCwd(t, n))
}

// Fchdir implements fchdir(2).
func Fchdir(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	return ret0(setCwd(t, f.Inode))
}

func setCwd(t *kernel.Task, n *vfs.Inode) error {
	if !n.IsDir() {
		return linux.ENOTDIR
	}
	if !vfs.Check(t.TG.FSCred(), n, vfs.MayExec) {
		return linux.EACCES
	}
	t.TG.Cwd = n
	t.TG.CwdPath = t.Kernel().FS.PathIn(t.TG.FSCred(), n)
	return nil
}

// chmod changes a mode: only the owner or root may, and a non-root owner outside the
// file's group loses the set-group-ID bit (chmod(2)).
func chmod(t *kernel.Task, n *vfs.Inode, mode uint32) error {
	if err := n.Writable(); err != nil {
		return err
	}
	// A symbolic link's mode means nothing; Linux 6.6+ refuses to change it
	// (notify_change), before checking who asks.
	if n.Mode&vfs.S_IFMT == vfs.S_IFLNK {
		return linux.EOPNOTSUPP
	}
	c := &t.TG.Creds
	if !ownerOrCapable(c, n) {
		return linux.EPERM
	}
	mode &= 0o7777
	if n.GID != c.FSGID && !inGroups(c.Groups, n.GID) && !c.CapableWrt(kernel.CAP_FSETID, n.UID, n.GID) {
		mode &^= 0o2000
	}
	return n.SetMode(mode)
}

// ownerOrCapable reports whether c owns n (its file system user ID) or has CAP_FOWNER
// over it (inode_owner_or_capable).
func ownerOrCapable(c *kernel.Creds, n *vfs.Inode) bool {
	return c.FSUID == n.UID || c.CapableWrt(kernel.CAP_FOWNER, n.UID, n.GID)
}

func inGroups(gs []uint32, g uint32) bool {
	for _, x := range gs {
		if x == g {
			return true
		}
	}
	return false
}

// chown changes ownership: only root may change the owner; the owner may change the
// group to one it belongs to (chown(2)). -1 leaves an ID alone. A non-root chown clears
// the set-user-ID and set-group-ID bits of an executable.
func chown(t *kernel.Task, n *vfs.Inode, uid, gid uint32) error {
	if err := n.Writable(); err != nil {
		return err
	}
	if n.Pinned() {
		return linux.EPERM // notify_change: no owner change on an append-only file
	}
	c := &t.TG.Creds
	if !c.CapableWrt(kernel.CAP_CHOWN, n.UID, n.GID) {
		// chown_ok and chgrp_ok in fs/attr.c: without CAP_CHOWN, only the owner may
		// "change" the owner to itself, and may change the group to one it belongs to.
		if uid != noChange && (c.FSUID != n.UID || uid != n.UID) {
			return linux.EPERM
		}
		if gid != noChange && (c.FSUID != n.UID || (gid != n.GID && gid != c.FSGID && !inGroups(c.Groups, gid))) {
			return linux.EPERM
		}
	}
	if err := n.CopyUp(); err != nil { // a guest root's file: change the guest's copy
		return err
	}
	if uid != noChange {
		n.UID = uid
	}
	if gid != noChange {
		n.GID = gid
	}
	// chown(2) on a file that is not a directory clears set-user-ID, and set-group-ID
	// when group execution is allowed (without it the bit marks mandatory locking and
	// stays, as in Linux's setattr_should_drop_sgid).
	if (uid != noChange || gid != noChange) && !n.IsDir() {
		n.Mode &^= 0o4000
		if n.Mode&0o010 != 0 {
			n.Mode &^= 0o2000
		}
	}
	return nil
}

// Fchmod implements fchmod(2).
func Fchmod(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	if err := chmod(t, f.Inode, uint32(a[1])); err != nil {
		return 0, err
	}
	f.ChangedFile(vfs.DN_ATTRIB)
	return 0, nil
}

// Fchmodat implements fchmodat(2).
func Fchmodat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	n, _, err := lookup(t, a[0], a[1], true)
	if err != nil {
		return 0, err
	}
	if err := chmod(t, n, uint32(a[2])); err != nil {
		return 0, err
	}
	changedAt(t, a[0], a[1], n, true, vfs.DN_ATTRIB)
	return 0, nil
}

// Fchown implements fchown(2).
func Fchown(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	if err := chown(t, f.Inode, id(a[1]), id(a[2])); err != nil {
		return 0, err
	}
	if id(a[1]) != noChange || id(a[2]) != noChange { // ATTR_UID, ATTR_GID: FS_ATTRIB
		f.ChangedFile(vfs.DN_ATTRIB)
	}
	return 0, nil
}

// Fchownat implements fchownat(2).
func Fchownat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[4]&^(AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	n, _, err := lookup(t, a[0], a[1], a[4]&AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return 0, err
	}
	if err := chown(t, n, id(a[2]), id(a[3])); err != nil {
		return 0, err
	}
	if id(a[2]) != noChange || id(a[3]) != noChange {
		changedAt(t, a[0], a[1], n, a[4]&AT_SYMLINK_NOFOLLOW == 0, vfs.DN_ATTRIB)
	}
	return 0, nil
}

// Faccessat2 implements faccessat2(2).
func Faccessat2(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[3]&^(AT_EACCESS|AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	n, _, err := lookup(t, a[0], a[1], a[3]&AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return 0, err
	}
	return ret0(access(t, n, uint32(a[2]), a[3]&AT_EACCESS != 0))
}

// access checks mode (R_OK 4, W_OK 2, X_OK 1, or F_OK 0) against the real IDs, or the
// effective ones with AT_EACCESS.
func access(t *kernel.Task, n *vfs.Inode, mode uint32, effective bool) error {
	if mode&^7 != 0 {
		return linux.EINVAL
	}
	c := t.TG.Creds
	cred := c.VFSReal()
	if effective {
		cred = c.VFS()
	}
	if mode&vfs.MayWrite != 0 {
		if err := n.Writable(); err != nil {
			return err
		}
	}
	if !vfs.Check(cred, n, mode) {
		return linux.EACCES
	}
	return nil
}

// fifoOpen opens a named pipe as fifo(7) says: opening for reading waits for a writer,
// opening for writing for a reader (ENXIO without one under O_NONBLOCK), and O_RDWR
// never waits. As on Linux, the waiting end is open, and counted, while it waits: a
// writer may write to a reader still waiting in open, and that reader then reads it.
// The file is held in t.Call across the wait, and dropped if the call is abandoned.
func fifoOpen(t *kernel.Task, n *vfs.Inode, p *vfs.Pipe, flags uint32, path string) (*vfs.File, error) {
	acc := flags & vfs.O_ACCMODE
	write := acc == vfs.O_WRONLY
	f, _ := t.Call.Held.(*vfs.File)
	if f == nil {
		wait := p.OpenWait(write)
		if wait && write && flags&vfs.O_NONBLOCK != 0 {
			return nil, linux.ENXIO
		}
		f = vfs.Open(n, flags, path)
		if f.OverCap {
			f.DecRef()
			return nil, linux.ENOMEM
		}
		if acc == vfs.O_RDWR || flags&vfs.O_NONBLOCK != 0 || !wait {
			return f, nil
		}
		t.Call.Held = f
		t.Call.Value = p.Opens(!write) // the other side's opens when this one began
	}
	if p.Peer(write, t.Call.Value) {
		t.Call.Held = nil
		return f, nil
	}
	what := "open of a FIFO for reading"
	if write {
		what = "open of a FIFO for writing"
	}
	return nil, t.Block(what, p.OpenQueue(write))
}

// Mknodat implements mknodat(2): regular files, FIFOs, and (for root) device and socket
// nodes, which weft has no driver for.
func Mknodat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	mode := uint32(a[2])
	switch mode & vfs.S_IFMT {
	case vfs.S_IFCHR, vfs.S_IFBLK:
		if !t.TG.Creds.Capable(kernel.CAP_MKNOD) {
			return 0, linux.EPERM
		}
	}
	parent, name, path, err := parentOf(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	if strings.HasSuffix(path, "/") {
		return 0, linux.ENOENT
	}
	mode = mode&vfs.S_IFMT | newPerm(t, t.TG.FSCred(), parent, mode)
	if _, err := t.Kernel().FS.Mknod(t.TG.FSCred(), parent, name, mode, a[3]); err != nil {
		return 0, err
	}
	parent.Touch()
	return 0, nil
}

// Linkat implements linkat(2): a final symbolic link of oldpath is followed only with
// AT_SYMLINK_FOLLOW; AT_EMPTY_PATH links the file olddirfd refers to.
func Linkat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	const AT_SYMLINK_FOLLOW = 0x400
	flags := a[4]
	if flags&^(AT_SYMLINK_FOLLOW|AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	var n *vfs.Inode
	if s, _, err := t.TG.MM.ReadString(a[1], 1); flags&AT_EMPTY_PATH != 0 && err == nil && s == "" {
		f, err := file(t, a[0])
		if err != nil {
			return 0, err
		}
		n = f.Inode
	} else {
		var err error
		if n, _, err = lookup(t, a[0], a[1], flags&AT_SYMLINK_FOLLOW != 0); err != nil {
			return 0, err
		}
	}
	parent, name, path, err := parentOf(t, a[2], a[3])
	if err != nil {
		return 0, err
	}
	if strings.HasSuffix(path, "/") {
		return 0, linux.ENOENT
	}
	return ret0(t.Kernel().FS.Link(t.TG.FSCred(), n, parent, name))
}

// Symlinkat implements symlinkat(2).
func Symlinkat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	target, err := pathArg(t, a[0])
	if err != nil {
		return 0, err
	}
	parent, name, _, err := parentOf(t, a[1], a[2])
	if err != nil {
		return 0, err
	}
	return ret0(t.Kernel().FS.Symlink(t.TG.FSCred(), parent, name, target))
}

// pipePriv is what t's capabilities let it do past the pipe limits.
func pipePriv(t *kernel.Task) vfs.PipePriv {
	return vfs.PipePriv{Resource: t.TG.Creds.Capable(kernel.CAP_SYS_RESOURCE), Admin: t.TG.Creds.Capable(kernel.CAP_SYS_ADMIN)}
}
