package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

// Kernel modules. weft's kernel has module support (CONFIG_MODULES, so that programs
// find /proc/modules and /lib/modules/RELEASE/modules.builtin) with every driver it
// has built in, and loading disabled for good, as kernel.modules_disabled=1 leaves a
// Linux system: no module can be loaded or removed.
var moduleCalls = []entry{
	call(linux.SYS_INIT_MODULE, "init_module", InitModule, p, u, path),
	call(linux.SYS_DELETE_MODULE, "delete_module", DeleteModule, path, i),
	call(linux.SYS_FINIT_MODULE, "finit_module", FinitModule, fd, path, i),
}

// InitModule implements init_module(2): may_init_module refuses every caller while
// modules_disabled is set (EPERM), before it looks at the arguments.
func InitModule(*kernel.Task, *kernel.SyscallArgs) (uint64, error) { return 0, linux.EPERM }

// FinitModule implements finit_module(2), refused as init_module is.
func FinitModule(*kernel.Task, *kernel.SyscallArgs) (uint64, error) { return 0, linux.EPERM }

// DeleteModule implements delete_module(2): with modules_disabled set it is EPERM
// for every caller, before the name is read.
func DeleteModule(*kernel.Task, *kernel.SyscallArgs) (uint64, error) { return 0, linux.EPERM }
