package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var fdRangeCalls = []entry{
	call(linux.SYS_CLOSE_RANGE, "close_range", CloseRange, u, u, x),
	call(linux.SYS_FADVISE64, "fadvise64", Fadvise64, fd, i, u, i),
}

// close_range(2) flags.
const (
	CLOSE_RANGE_UNSHARE = 1 << 1
	CLOSE_RANGE_CLOEXEC = 1 << 2
)

// CloseRange implements close_range(2).
func CloseRange(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	first, last, flags := uint64(uint32(a[0])), uint64(uint32(a[1])), a[2]
	if flags&^(CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC) != 0 || first > last {
		return 0, linux.EINVAL
	}
	if flags&CLOSE_RANGE_UNSHARE != 0 {
		if err := t.TG.UnshareFDTable(); err != nil {
			return 0, err
		}
	}
	t.TG.FDs.CloseRange(first, last, flags&CLOSE_RANGE_CLOEXEC != 0)
	return 0, nil
}

// posix_fadvise(2) advice values.
const (
	POSIX_FADV_NORMAL = iota
	POSIX_FADV_RANDOM
	POSIX_FADV_SEQUENTIAL
	POSIX_FADV_WILLNEED
	POSIX_FADV_DONTNEED
	POSIX_FADV_NOREUSE
)

// Fadvise64 implements fadvise64(2) (posix_fadvise): the advice is checked and then
// has nothing to act on, as weft keeps no page cache to read ahead or drop.
func Fadvise64(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := openFile(t, a[0])
	if err != nil {
		return 0, err
	}
	switch {
	case a[3] > POSIX_FADV_NOREUSE:
		return 0, linux.EINVAL
	case int64(a[2]) < 0:
		return 0, linux.EINVAL
	case f.Inode.Mode&vfs.S_IFMT == vfs.S_IFIFO:
		return 0, linux.ESPIPE
	}
	return 0, nil
}
