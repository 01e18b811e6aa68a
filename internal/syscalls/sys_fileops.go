package syscalls

import (
	"encoding/binary"
	"math"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/mm"
	"weft/internal/vfs"
)

var fileOpCalls = []entry{
	call(linux.SYS_TRUNCATE, "truncate", Truncate, path, i),
	call(linux.SYS_SENDFILE, "sendfile", Sendfile, fd, fd, p, u).partial("the input must be a regular file (as before Linux 5.12)"),
	call(linux.SYS_COPY_FILE_RANGE, "copy_file_range", CopyFileRange, fd, p, fd, p, u, x),
	call(linux.SYS_MEMFD_CREATE, "memfd_create", MemfdCreate, path, x).partial("no file seals: MFD_ALLOW_SEALING is accepted, F_ADD_SEALS fails with EINVAL"),
	call(linux.SYS_GETCPU, "getcpu", Getcpu, p, p, p),
	call(linux.SYS_SYNC, "sync", Sync),
	call(linux.SYS_SYNCFS, "syncfs", Syncfs, fd),
	call(linux.SYS_FLOCK, "flock", Flock, fd, x).restartable(),
	call(linux.SYS_CHROOT, "chroot", Chroot, path),
	call(linux.SYS_FALLOCATE, "fallocate", Fallocate, fd, x, i, i).partial("tmpfs modes: allocate, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE; files on host mounts EOPNOTSUPP"),
}

// Truncate implements truncate(2): the file named by path, which the caller must be
// allowed to write.
func Truncate(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if int64(a[1]) < 0 {
		return 0, linux.EINVAL
	}
	n, _, err := lookup(t, atFDCWD, a[0], true)
	if err != nil {
		return 0, err
	}
	switch {
	case n.IsDir():
		return 0, linux.EISDIR
	case n.Mode&vfs.S_IFMT != vfs.S_IFREG:
		return 0, linux.EINVAL
	}
	if err := n.Writable(); err != nil {
		return 0, err
	}
	if !vfs.Check(t.TG.FSCred(), n, vfs.MayWrite) {
		return 0, linux.EACCES
	}
	// truncate(2) breaks leases as an open for writing does (vfs_truncate), and waits
	// for them; ftruncate's descriptor broke them when it was opened.
	if err := breakLeases(t, n, vfs.O_WRONLY); err != nil {
		return 0, err
	}
	if err := n.Truncate(int64(a[1])); err != nil {
		return 0, err
	}
	n.Touch()
	changedAt(t, atFDCWD, a[0], n, true, vfs.DN_MODIFY)
	return 0, nil
}

// readOffset reads the loff_t an offset argument points at (nil: use the file's own
// offset, reported as ok false).
func readOffset(t *kernel.Task, addr uint64) (off int64, ok bool, err error) {
	if addr == 0 {
		return 0, false, nil
	}
	b, err := copyIn(t, addr, 8)
	if err != nil {
		return 0, false, err
	}
	off = int64(binary.LittleEndian.Uint64(b))
	if off < 0 {
		return 0, false, linux.EINVAL
	}
	return off, true, nil
}

func writeOffset(t *kernel.Task, addr uint64, off int64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(off))
	return copyOut(t, addr, b[:])
}

// Sendfile implements sendfile(2): up to count bytes from in_fd (a regular file, from
// *offset or its file offset) to out_fd. It moves one chunk per call and returns what
// it wrote, as Linux may; a full pipe makes it wait.
func Sendfile(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	out, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	in, err := openFile(t, a[1])
	if err != nil {
		return 0, err
	}
	switch {
	case !in.Readable() || !out.Writable():
		return 0, linux.EBADF
	case in.Inode.Mode&vfs.S_IFMT != vfs.S_IFREG || out.Flags&vfs.O_APPEND != 0:
		return 0, linux.EINVAL
	}
	pos, explicit, err := readOffset(t, a[2])
	if err != nil {
		return 0, err
	}
	if !explicit {
		pos = in.Offset
	}
	buf := make([]byte, min(a[3], maxIO))
	n, err := in.PRead(buf, pos)
	if err != nil || n == 0 {
		return 0, errno(err)
	}
	w, err := out.Write(buf[:n])
	if w == 0 && err != nil {
		return 0, blockOrErr(t, out, true, err)
	}
	if w > 0 { // do_sendfile
		in.ChangedFile(vfs.DN_ACCESS)
		out.ChangedFile(vfs.DN_MODIFY)
	}
	if explicit {
		return uint64(w), writeOffset(t, a[2], pos+int64(w))
	}
	in.Offset += int64(w)
	return uint64(w), nil
}

// CopyFileRange implements copy_file_range(2) between regular files: one chunk per
// call, from and to the given offsets or the files' own.
func CopyFileRange(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[5] != 0 {
		return 0, linux.EINVAL
	}
	in, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	out, err := openFile(t, a[2])
	if err != nil {
		return 0, err
	}
	switch {
	case !in.Readable() || !out.Writable() || out.Flags&vfs.O_APPEND != 0:
		return 0, linux.EBADF
	case in.Inode.IsDir() || out.Inode.IsDir():
		return 0, linux.EISDIR
	case in.Inode.Mode&vfs.S_IFMT != vfs.S_IFREG || out.Inode.Mode&vfs.S_IFMT != vfs.S_IFREG:
		return 0, linux.EINVAL
	}
	inPos, inExplicit, err := readOffset(t, a[1])
	if err != nil {
		return 0, err
	}
	if !inExplicit {
		inPos = in.Offset
	}
	outPos, outExplicit, err := readOffset(t, a[3])
	if err != nil {
		return 0, err
	}
	if !outExplicit {
		outPos = out.Offset
	}
	length := min(a[4], maxIO)
	if uint64(inPos) > math.MaxInt64-length || uint64(outPos) > math.MaxInt64-length {
		return 0, linux.EOVERFLOW
	}
	if in.Inode == out.Inode && inPos < outPos+int64(length) && outPos < inPos+int64(length) {
		return 0, linux.EINVAL // overlapping ranges of one file
	}
	buf := make([]byte, length)
	n, err := in.PRead(buf, inPos)
	if err != nil || n == 0 {
		return 0, errno(err)
	}
	w, err := out.PWrite(buf[:n], outPos)
	if w == 0 && err != nil {
		return 0, errno(err)
	}
	if w > 0 {
		out.Inode.Touch()
		in.ChangedFile(vfs.DN_ACCESS)
		out.ChangedFile(vfs.DN_MODIFY)
	}
	if inExplicit {
		if err := writeOffset(t, a[1], inPos+int64(w)); err != nil {
			return 0, err
		}
	} else {
		in.Offset += int64(w)
	}
	if outExplicit {
		if err := writeOffset(t, a[3], outPos+int64(w)); err != nil {
			return 0, err
		}
	} else {
		out.Offset += int64(w)
	}
	return uint64(w), nil
}

// memfd_create(2) flags.
const (
	MFD_CLOEXEC       = 0x1
	MFD_ALLOW_SEALING = 0x2
	MFD_HUGETLB       = 0x4
	MFD_NOEXEC_SEAL   = 0x8
	MFD_EXEC          = 0x10
)

// MemfdCreate implements memfd_create(2): an anonymous in-memory file, named
// "/memfd:NAME (deleted)" in /proc/PID/fd.
func MemfdCreate(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[1]
	known := uint64(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC | MFD_HUGETLB)
	if flags&MFD_HUGETLB != 0 {
		known |= MAP_HUGE_MASK << MAP_HUGE_SHIFT // a huge page size may be asked for
	}
	if flags&^known != 0 || flags&(MFD_NOEXEC_SEAL|MFD_EXEC) == MFD_NOEXEC_SEAL|MFD_EXEC {
		return 0, linux.EINVAL
	}
	if size := flags >> MAP_HUGE_SHIFT & MAP_HUGE_MASK; size != 0 && size != mm.HugeShift {
		return 0, linux.ENODEV // no pool of that size (hugetlb_file_setup)
	}
	name, ok, err := t.TG.MM.ReadString(a[0], 250)
	switch {
	case err != nil:
		return 0, linux.EFAULT
	case !ok:
		return 0, linux.EINVAL // longer than 249 bytes (MFD_NAME_MAX_LEN)
	}
	perm := uint32(0o777)
	if flags&MFD_NOEXEC_SEAL != 0 {
		perm = 0o666
	}
	var n *vfs.Inode
	if flags&MFD_HUGETLB != 0 {
		n, err = t.Kernel().FS.NewHugeAnonFile(t.TG.FSCred(), perm)
	} else {
		n, err = t.Kernel().FS.NewAnonFile(t.TG.FSCred(), perm)
	}
	if err != nil {
		return 0, err
	}
	f := vfs.Open(n, vfs.O_RDWR, "/memfd:"+name+" (deleted)")
	fd, err := t.TG.FDs.Install(f, flags&MFD_CLOEXEC != 0, 0, t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur)
	if err != nil {
		f.DecRef()
		return 0, err
	}
	return uint64(fd), nil
}

// Getcpu implements getcpu(2): the simulated CPU the caller runs on, and node 0.
func Getcpu(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	var b [4]byte
	if a[0] != 0 {
		binary.LittleEndian.PutUint32(b[:], uint32(t.CPUID()))
		if err := copyOut(t, a[0], b[:]); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		binary.LittleEndian.PutUint32(b[:], 0)
		if err := copyOut(t, a[1], b[:]); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Sync implements sync(2): the ext2 file systems mounted for writing are written back
// to their devices; weft's other files are in memory, or the host's, which the host
// writes back.
func Sync(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.Kernel().FS.SyncAll()
	return 0, nil
}

// Syncfs implements syncfs(2): the file system of the file is written back.
func Syncfs(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, t.Kernel().FS.Sync(f.Inode)
}

// Flock implements flock(2).
func Flock(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	return ret0(t.Flock(f, int(int32(a[1]))))
}

// Chroot implements chroot(2): the caller's root directory becomes path's, for it and
// the children it makes from now on. Only root may (CAP_SYS_CHROOT); the working
// directory stays where it is, and getcwd then reports it "(unreachable)" if it lies
// outside the new root.
func Chroot(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	n, _, err := lookup(t, atFDCWD, a[0], true)
	switch {
	case err != nil:
		return 0, err
	case !n.IsDir():
		return 0, linux.ENOTDIR
	case !vfs.Check(t.TG.FSCred(), n, vfs.MayExec):
		return 0, linux.EACCES
	case !t.TG.Creds.CapableOwn(kernel.CAP_SYS_CHROOT):
		return 0, linux.EPERM
	}
	t.TG.Root = n
	t.TG.CwdPath = t.Kernel().FS.PathIn(t.TG.FSCred(), t.TG.Cwd)
	return 0, nil
}

// fallocate(2) modes.
const (
	FALLOC_FL_KEEP_SIZE  = 0x01
	FALLOC_FL_PUNCH_HOLE = 0x02
)

// Fallocate implements fallocate(2) as tmpfs does: allocation (with or without
// FALLOC_FL_KEEP_SIZE) and FALLOC_FL_PUNCH_HOLE (which needs KEEP_SIZE); the other
// modes are EOPNOTSUPP, as on tmpfs.
func Fallocate(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	mode, off, length := a[1], int64(a[2]), int64(a[3])
	f, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	switch {
	case off < 0 || length <= 0:
		return 0, linux.EINVAL
	case mode&FALLOC_FL_PUNCH_HOLE != 0 && mode&FALLOC_FL_KEEP_SIZE == 0:
		return 0, linux.EOPNOTSUPP
	case !f.Writable():
		return 0, linux.EBADF
	}
	switch typ := f.Inode.Mode & vfs.S_IFMT; {
	case typ == vfs.S_IFIFO:
		return 0, linux.ESPIPE
	case typ == vfs.S_IFDIR:
		return 0, linux.EISDIR
	case typ != vfs.S_IFREG:
		return 0, linux.ENODEV
	case off > vfs.MaxFileSize-length:
		return 0, linux.EFBIG
	}
	switch mode {
	case 0, FALLOC_FL_KEEP_SIZE:
		err = f.Inode.Allocate(off, length, mode != 0)
	case FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE:
		err = f.Inode.PunchHole(off, length)
	default:
		return 0, linux.EOPNOTSUPP
	}
	if err != nil {
		return 0, err
	}
	f.ChangedFile(vfs.DN_MODIFY) // vfs_fallocate
	return 0, nil
}
