package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var eventfdCalls = []entry{
	call(linux.SYS_EVENTFD2, "eventfd2", Eventfd2, u, ofl),
}

// Eventfd2 implements eventfd2(2) (eventfd in glibc).
func Eventfd2(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[1]
	if flags&^(linux.EFD_SEMAPHORE|linux.EFD_NONBLOCK|linux.EFD_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	f := t.Kernel().FS.NewEventFD(uint64(uint32(a[0])), flags&linux.EFD_SEMAPHORE != 0, t.TG.Creds.EUID, t.TG.Creds.EGID)
	f.Flags |= uint32(flags) & vfs.O_NONBLOCK
	return installNew(t, f, flags&linux.EFD_CLOEXEC != 0)
}
