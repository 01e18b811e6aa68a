package linux

// riscv_hwprobe(2) (Documentation/arch/riscv/hwprobe.rst, <asm/hwprobe.h>). Linux 6.4
// added the call; Debian 12's riscv64 headers (6.1) predate it, so its number and
// constants are written here from the kernel's documentation rather than generated.
const SYS_RISCV_HWPROBE = 258

func init() { SyscallNames[SYS_RISCV_HWPROBE] = "riscv_hwprobe" }

// Keys and values of struct riscv_hwprobe { __s64 key; __u64 value; }.
const (
	RISCV_HWPROBE_KEY_MVENDORID            = 0
	RISCV_HWPROBE_KEY_MARCHID              = 1
	RISCV_HWPROBE_KEY_MIMPID               = 2
	RISCV_HWPROBE_KEY_BASE_BEHAVIOR        = 3
	RISCV_HWPROBE_BASE_BEHAVIOR_IMA        = 1 << 0 // rv64ima with the Linux user ABI
	RISCV_HWPROBE_KEY_IMA_EXT_0            = 4
	RISCV_HWPROBE_IMA_FD                   = 1 << 0 // F and D
	RISCV_HWPROBE_IMA_C                    = 1 << 1 // C
	RISCV_HWPROBE_KEY_CPUPERF_0            = 5
	RISCV_HWPROBE_MISALIGNED_UNKNOWN       = 0
	RISCV_HWPROBE_KEY_HIGHEST_VIRT_ADDRESS = 7
)
