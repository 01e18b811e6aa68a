package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/loader"
)

var hwprobeCalls = []entry{
	call(linux.SYS_RISCV_HWPROBE, "riscv_hwprobe", RiscvHwprobe, p, u, u, p, x).
		partial("keys 0-5 and 7 (vendor, arch and implementation IDs 0, IMA, F/D and C, misaligned-access speed unknown, highest user address); flags must be 0; at most 65536 pairs"),
}

// hwprobe answers one key for weft's harts, which are all alike: RV64IMAFDC (the "G"
// extensions and C, with no vector or bit-manipulation extensions), no vendor.
func hwprobe(key int64) (uint64, bool) {
	switch key {
	case linux.RISCV_HWPROBE_KEY_MVENDORID, linux.RISCV_HWPROBE_KEY_MARCHID, linux.RISCV_HWPROBE_KEY_MIMPID:
		return 0, true // not a vendor's implementation
	case linux.RISCV_HWPROBE_KEY_BASE_BEHAVIOR:
		return linux.RISCV_HWPROBE_BASE_BEHAVIOR_IMA, true
	case linux.RISCV_HWPROBE_KEY_IMA_EXT_0:
		return linux.RISCV_HWPROBE_IMA_FD | linux.RISCV_HWPROBE_IMA_C, true
	case linux.RISCV_HWPROBE_KEY_CPUPERF_0:
		// Misaligned accesses work, at a speed that is the interpreter's, not a
		// hardware property worth tuning code for.
		return linux.RISCV_HWPROBE_MISALIGNED_UNKNOWN, true
	case linux.RISCV_HWPROBE_KEY_HIGHEST_VIRT_ADDRESS:
		return loader.StackTop - 1, true // Sv39
	}
	return 0, false
}

// RiscvHwprobe implements riscv_hwprobe(2): it fills in the value of each key in the
// pairs array, and sets unknown keys to -1 with a value of 0. A CPU set (NULL with a
// size of 0 for all CPUs) must not be empty; every weft CPU answers alike.
func RiscvHwprobe(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	pairs, count, setSize, set, flags := a[0], a[1], a[2], a[3], a[4]
	if flags != 0 {
		return 0, linux.EINVAL
	}
	if set != 0 || setSize != 0 {
		if set == 0 || setSize == 0 || setSize > 1024 {
			return 0, linux.EINVAL
		}
		b, err := copyIn(t, set, setSize)
		if err != nil {
			return 0, err
		}
		any := false
		for i, c := range b {
			// Only the bits of CPUs that exist count.
			for bit := 0; bit < 8; bit++ {
				if c&(1<<bit) != 0 && i*8+bit < len(t.Kernel().CPUs) {
					any = true
				}
			}
		}
		if !any {
			return 0, linux.EINVAL
		}
	}
	if count > 1<<16 {
		return 0, linux.EINVAL
	}
	for i := uint64(0); i < count; i++ {
		b, err := copyIn(t, pairs+16*i, 8)
		if err != nil {
			return 0, err
		}
		key := int64(binary.LittleEndian.Uint64(b))
		v, ok := hwprobe(key)
		out := make([]byte, 16)
		if !ok {
			key = -1
		}
		binary.LittleEndian.PutUint64(out, uint64(key))
		binary.LittleEndian.PutUint64(out[8:], v)
		if err := copyOut(t, pairs+16*i, out); err != nil {
			return 0, err
		}
	}
	return 0, nil
}
