package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var statfsCalls = []entry{
	call(linux.SYS_STATFS, "statfs", Statfs, path, p),
	call(linux.SYS_FSTATFS, "fstatfs", Fstatfs, fd, p),
}

// statfsBuf encodes struct statfs as riscv64 has it (asm-generic/statfs.h with 64-bit
// words): f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid (two
// ints), f_namelen, f_frsize, f_flags, f_spare[4]: 120 bytes.
func statfsBuf(i vfs.FSInfo) []byte {
	b := make([]byte, 120)
	le := binary.LittleEndian
	for j, v := range []uint64{i.Type, i.BlockSize, i.Blocks, i.Free, i.Avail, i.Files, i.FreeFiles, i.ID, i.NameLen, i.FragSize, i.Flags} {
		le.PutUint64(b[8*j:], v)
	}
	return b
}

// atFDCWD is AT_FDCWD as an argument register holds it.
var atFDCWD = func() uint64 { v := int32(kernel.AT_FDCWD); return uint64(uint32(v)) }()

// Statfs implements statfs(2).
func Statfs(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	n, _, err := lookup(t, atFDCWD, a[0], true)
	if err != nil {
		return 0, err
	}
	return ret0(copyOut(t, a[1], statfsBuf(t.Kernel().FS.StatFS(n))))
}

// Fstatfs implements fstatfs(2).
func Fstatfs(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	return ret0(copyOut(t, a[1], statfsBuf(t.Kernel().FS.StatFS(f.Inode))))
}
