package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

// maxSettableSec bounds the seconds a clock may be set to (Linux's KTIME_SEC_MAX is of
// the same order): the nanoseconds must fit in an int64 with room to run.
const maxSettableSec = (1 << 62) / 1_000_000_000

var settimeCalls = []entry{
	call(linux.SYS_CLOCK_SETTIME, "clock_settime", ClockSettime, clk, p),
	call(linux.SYS_SETTIMEOFDAY, "settimeofday", Settimeofday, p, p),
}

// ClockSettime implements clock_settime(2): only CLOCK_REALTIME can be set, and only by
// a privileged process (CAP_SYS_TIME). Every reader of the clock, file
// times included, sees the new time; CLOCK_MONOTONIC does not move.
func ClockSettime(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[0] != CLOCK_REALTIME {
		return 0, linux.EINVAL // no other clock can be set, or there is no such clock
	}
	b, err := copyIn(t, a[1], 16)
	if err != nil {
		return 0, err
	}
	sec, nsec := int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 || sec >= maxSettableSec {
		return 0, linux.EINVAL
	}
	if !t.TG.Creds.Capable(kernel.CAP_SYS_TIME) {
		return 0, linux.EPERM
	}
	return 0, t.Kernel().SetRealtime(uint64(sec)*1e9 + uint64(nsec))
}

// Settimeofday implements settimeofday(2). The time zone is accepted and has no effect
// (the kernel's time zone only matters to FAT file systems and the RTC).
func Settimeofday(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	var sec, usec int64
	if a[0] != 0 {
		b, err := copyIn(t, a[0], 16)
		if err != nil {
			return 0, err
		}
		sec, usec = int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))
	}
	if a[1] != 0 {
		if _, err := copyIn(t, a[1], 8); err != nil {
			return 0, err
		}
	}
	if !t.TG.Creds.Capable(kernel.CAP_SYS_TIME) {
		return 0, linux.EPERM
	}
	if a[0] == 0 {
		return 0, nil
	}
	if sec < 0 || usec < 0 || usec >= 1e6 || sec >= maxSettableSec {
		return 0, linux.EINVAL
	}
	return 0, t.Kernel().SetRealtime(uint64(sec)*1e9 + uint64(usec)*1e3)
}
