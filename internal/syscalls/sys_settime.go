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
	call(linux.SYS_CLOCK_ADJTIME, "clock_adjtime", ClockAdjtime, clk, p),
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

// timexSize is sizeof(struct timex) on riscv64.
const timexSize = 208

// ClockAdjtime implements clock_adjtime(2) (and so glibc's adjtimex and ntp_adjtime):
// CLOCK_REALTIME's NTP state, leap seconds included (kernel.Adjtimex). The other
// clocks cannot be adjusted (EOPNOTSUPP); an unknown clock is EINVAL.
func ClockAdjtime(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[0] != CLOCK_REALTIME {
		if _, err := clockNow(t, a[0]); err != nil {
			return 0, err
		}
		return 0, linux.EOPNOTSUPP
	}
	b, err := copyIn(t, a[1], timexSize)
	if err != nil {
		return 0, err
	}
	le := binary.LittleEndian
	i64 := func(off int) int64 { return int64(le.Uint64(b[off:])) }
	tx := kernel.Timex{Modes: le.Uint32(b), Offset: i64(8), Freq: i64(16), Maxerror: i64(24), Esterror: i64(32),
		Status: int32(le.Uint32(b[40:])), Constant: i64(48), Sec: i64(72), Usec: i64(80), Tick: i64(88)}
	state, err := t.Kernel().Adjtimex(t.Now(), &tx, t.TG.Creds.Capable(kernel.CAP_SYS_TIME))
	if err != nil {
		return 0, err
	}
	out := make([]byte, timexSize)
	put := func(off int, v int64) { le.PutUint64(out[off:], uint64(v)) }
	le.PutUint32(out, tx.Modes)
	put(8, tx.Offset)
	put(16, tx.Freq)
	put(24, tx.Maxerror)
	put(32, tx.Esterror)
	le.PutUint32(out[40:], uint32(tx.Status))
	put(48, tx.Constant)
	put(56, tx.Precision)
	put(64, tx.Tolerance)
	put(72, tx.Sec)
	put(80, tx.Usec)
	put(88, tx.Tick)
	put(96, tx.Ppsfreq)
	put(104, tx.Jitter)
	le.PutUint32(out[112:], uint32(tx.Shift))
	put(120, tx.Stabil)
	put(128, tx.Jitcnt)
	put(136, tx.Calcnt)
	put(144, tx.Errcnt)
	put(152, tx.Stbcnt)
	le.PutUint32(out[160:], uint32(tx.Tai))
	if err := copyOut(t, a[1], out); err != nil {
		return 0, err
	}
	return uint64(state), nil
}
