package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var infoCalls = []entry{
	call(linux.SYS_SYSLOG, "syslog", Syslog, i, p, i),
	call(linux.SYS_UNAME, "uname", Uname, p),
	call(linux.SYS_GETRANDOM, "getrandom", Getrandom, bout, u, x),
	call(linux.SYS_PRLIMIT64, "prlimit64", Prlimit64, i, i, p, p),
	call(linux.SYS_GETRLIMIT, "getrlimit", Getrlimit, i, p),
	call(linux.SYS_SETRLIMIT, "setrlimit", Setrlimit, i, p),
	call(linux.SYS_SYSINFO, "sysinfo", Sysinfo, p),
}

// Uname implements uname(2): weft reports the Linux release whose behaviour it
// implements (kernel.KernelRelease), on riscv64.
func Uname(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	const field = 65
	b := make([]byte, 6*field)
	for i, s := range []string{"Linux", kernel.Hostname, kernel.KernelRelease, "#1 SMP PREEMPT weft", "riscv64", "(none)"} {
		copy(b[i*field:], s)
	}
	return ret0(copyOut(t, a[0], b))
}

// Getrandom implements getrandom(2) from the run's seeded PRNG.
func Getrandom(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	const GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE = 1, 2, 4
	if a[2]&^(GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE) != 0 {
		return 0, linux.EINVAL
	}
	b := make([]byte, min(a[1], 1<<25)) // like Linux, at most 32 MiB per call
	t.Kernel().Random(b)
	return uint64(len(b)), copyOut(t, a[0], b)
}

// NR_OPEN is /proc/sys/fs/nr_open's default: the most file descriptors a process may
// have, whatever its RLIMIT_NOFILE.
const NR_OPEN = kernel.NROpen

// Prlimit64 implements prlimit64(2) for the calling process.
func Prlimit64(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[0] != 0 && a[0] != uint64(t.PIDOf(t.TG)) {
		return 0, linux.ESRCH // other processes' limits come with the process issue
	}
	return rlimit(t, a[1], a[2], a[3])
}

// Getrlimit implements getrlimit(2).
func Getrlimit(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return rlimit(t, a[0], 0, a[1])
}

// Setrlimit implements setrlimit(2).
func Setrlimit(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return rlimit(t, a[0], a[1], 0)
}

// rlimit reads the old limit into oldAddr and sets the new one from newAddr (either may
// be 0). Raising the hard limit needs root (CAP_SYS_RESOURCE).
func rlimit(t *kernel.Task, res, newAddr, oldAddr uint64) (uint64, error) {
	if res >= kernel.RLIM_NLIMITS {
		return 0, linux.EINVAL
	}
	old := t.TG.Rlimits[res]
	if newAddr != 0 {
		b, err := copyIn(t, newAddr, 16)
		if err != nil {
			return 0, err
		}
		nl := kernel.Rlimit{Cur: binary.LittleEndian.Uint64(b), Max: binary.LittleEndian.Uint64(b[8:])}
		if nl.Cur > nl.Max {
			return 0, linux.EINVAL
		}
		if res == kernel.RLIMIT_NOFILE && nl.Max > NR_OPEN {
			return 0, linux.EPERM // not even root goes past nr_open (setrlimit(2))
		}
		if nl.Max > old.Max && !t.TG.Creds.Capable(kernel.CAP_SYS_RESOURCE) {
			return 0, linux.EPERM
		}
		t.TG.SetRlimit(int(res), nl)
	}
	if oldAddr != 0 {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint64(b, old.Cur)
		binary.LittleEndian.PutUint64(b[8:], old.Max)
		if err := copyOut(t, oldAddr, b); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Sysinfo implements sysinfo(2): memory is weft's cap on guest memory.
func Sysinfo(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	k := t.Kernel()
	b := make([]byte, 112)
	le := binary.LittleEndian
	le.PutUint64(b[0:], t.ClockNow(CLOCK_BOOTTIME, t.Now())/1e9) // the uptime, in t's time namespace
	for i, l := range k.LoadAverages() {
		le.PutUint64(b[8+8*i:], l<<(16-11)) // SI_LOAD_SHIFT 16 from FSHIFT 11
	}
	inUse, _ := k.Memory()
	total := k.MemoryCap()
	le.PutUint64(b[32:], total)
	le.PutUint64(b[40:], total-min(inUse, total))
	le.PutUint16(b[80:], uint16(min(k.LiveTasks(), 0xffff)))
	le.PutUint32(b[104:], 1) // mem_unit
	return ret0(copyOut(t, a[0], b))
}

// Syslog implements syslog(2) (klogctl): the kernel log (internal/kernel/klog.go);
// SYSLOG_ACTION_READ waits for a record.
func Syslog(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	out, ret, err := t.Kernel().Syslog(t, int(int32(a[0])), a[1] != 0, int64(int32(a[2])))
	if err == kernel.ErrSyslogWait {
		return 0, t.Block("syslog", t.Kernel().SyslogQueue())
	}
	if err != nil {
		return 0, err
	}
	if len(out) > 0 {
		if err := copyOut(t, a[1], out); err != nil {
			return 0, err
		}
	}
	return uint64(ret), nil
}
