package syscalls

import (
	"encoding/binary"
	"math"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var timeCalls = []entry{
	call(linux.SYS_CLOCK_GETTIME, "clock_gettime", ClockGettime, clk, p),
	call(linux.SYS_CLOCK_GETRES, "clock_getres", ClockGetres, clk, p),
	call(linux.SYS_GETTIMEOFDAY, "gettimeofday", Gettimeofday, p, p),
	// nanosleep_copyout: an unwritable rem turns EINTR into EFAULT.
	call(linux.SYS_NANOSLEEP, "nanosleep", Nanosleep, p, p).interrupted(func(t *kernel.Task, a *kernel.SyscallArgs) error {
		return writeRemaining(t, a[1])
	}).timedRestart(),
	call(linux.SYS_CLOCK_NANOSLEEP, "clock_nanosleep", ClockNanosleep, clk, x, p, p).interrupted(func(t *kernel.Task, a *kernel.SyscallArgs) error {
		if a[1]&TIMER_ABSTIME == 0 {
			return writeRemaining(t, a[3])
		}
		return nil
	}).timedRestart(),
	call(linux.SYS_SETITIMER, "setitimer", Setitimer, i, p, p),
	call(linux.SYS_GETITIMER, "getitimer", Getitimer, i, p),
}

// Clock IDs (time.h).
const (
	CLOCK_REALTIME           = 0
	CLOCK_MONOTONIC          = 1
	CLOCK_PROCESS_CPUTIME_ID = 2
	CLOCK_THREAD_CPUTIME_ID  = 3
	CLOCK_MONOTONIC_RAW      = 4
	CLOCK_REALTIME_COARSE    = 5
	CLOCK_MONOTONIC_COARSE   = 6
	CLOCK_BOOTTIME           = 7
	CLOCK_TAI                = 11

	TIMER_ABSTIME = 1
)

// epoch is the wall-clock time (CLOCK_REALTIME, in Unix nanoseconds) at which the
// guest's machine booted: kernel.DefaultClockStart unless --clock-start says otherwise.
// The guest's clocks are virtual, so runs repeat.
func epoch(t *kernel.Task) uint64 { return t.Kernel().ClockStart() }

// clockNow reads a clock in virtual nanoseconds.
func clockNow(t *kernel.Task, id uint64) (uint64, error) {
	switch id {
	case CLOCK_REALTIME, CLOCK_REALTIME_COARSE:
		return t.Kernel().Realtime(t.Now()), nil
	case CLOCK_TAI:
		return t.Kernel().TAI(t.Now()), nil
	case CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME:
		return t.ClockNow(id, t.Now()), nil // moved by the task's time namespace
	case CLOCK_PROCESS_CPUTIME_ID:
		return t.TG.Stats().CPUTime, nil
	case CLOCK_THREAD_CPUTIME_ID:
		return t.Stats.CPUTime, nil
	}
	return 0, linux.EINVAL
}

func timespec(ns uint64) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, ns/1e9)
	binary.LittleEndian.PutUint64(b[8:], ns%1e9)
	return b
}

// readTimespec reads a struct timespec, checking it as nanosleep(2) does.
func readTimespec(t *kernel.Task, addr uint64) (uint64, error) {
	b, err := copyIn(t, addr, 16)
	if err != nil {
		return 0, err
	}
	sec, nsec := int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, linux.EINVAL
	}
	if sec > 1<<33 { // far enough in the future to be forever
		sec = 1 << 33
	}
	return uint64(sec)*1e9 + uint64(nsec), nil
}

// maxTime is the latest virtual time a deadline may name: past it CLOCK_REALTIME (the
// virtual time plus the epoch) would no longer fit in a signed 64-bit count of
// nanoseconds, so a very long sleep saturates there instead of wrapping.
func maxTime(t *kernel.Task) uint64 { return math.MaxInt64 - min(epoch(t), math.MaxInt64/2) }

// deadlineIn returns the virtual time d nanoseconds after t's now (at least 1 ns later,
// so that a zero timeout still yields), saturated at maxTime.
func deadlineIn(t *kernel.Task, d uint64) uint64 {
	now, end := t.Now(), maxTime(t)
	if d >= end || now >= end-d {
		return max(now+1, end)
	}
	return now + max(d, 1)
}

// ClockGettime implements clock_gettime(2) on the virtual clocks.
func ClockGettime(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	ns, err := clockNow(t, a[0])
	if err != nil {
		return 0, err
	}
	return ret0(copyOut(t, a[1], timespec(ns)))
}

// ClockGetres implements clock_getres(2): virtual clocks tick every nanosecond.
func ClockGetres(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if _, err := clockNow(t, a[0]); err != nil {
		return 0, err
	}
	if a[1] == 0 {
		return 0, nil
	}
	return ret0(copyOut(t, a[1], timespec(1)))
}

// Gettimeofday implements gettimeofday(2).
func Gettimeofday(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	ns := t.Kernel().Realtime(t.Now())
	if a[0] != 0 {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint64(b, ns/1e9)
		binary.LittleEndian.PutUint64(b[8:], ns%1e9/1e3)
		if err := copyOut(t, a[0], b); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		if err := copyOut(t, a[1], make([]byte, 8)); err != nil { // UTC, no DST
			return 0, err
		}
	}
	return 0, nil
}

// Nanosleep implements nanosleep(2) on virtual time: the task blocks and time moves on
// without it.
func Nanosleep(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if t.Call.Deadline == 0 { // not yet read, nor kept by restart_syscall
		d, err := readTimespec(t, a[0])
		if err != nil {
			return 0, err
		}
		t.Call.Deadline = deadlineIn(t, d)
	}
	return sleep(t)
}

// sleep blocks until Call.Deadline.
func sleep(t *kernel.Task) (uint64, error) {
	if t.Now() >= t.Call.Deadline {
		return 0, nil
	}
	return 0, t.Block("sleep")
}

// ClockNanosleep implements clock_nanosleep(2) on virtual time.
func ClockNanosleep(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if t.Call.Deadline == 0 { // not yet read, nor kept by restart_syscall
		if a[0] == CLOCK_THREAD_CPUTIME_ID || a[0] == CLOCK_PROCESS_CPUTIME_ID {
			return 0, linux.EOPNOTSUPP // the kernel's CPU-time clocks have no nsleep here
		}
		now, err := clockNow(t, a[0])
		if err != nil {
			return 0, linux.EINVAL
		}
		d, err := readTimespec(t, a[2])
		if err != nil {
			return 0, err
		}
		if a[1]&TIMER_ABSTIME != 0 {
			if d <= now {
				return 0, nil
			}
			d -= now
		}
		t.Call.Deadline = deadlineIn(t, d)
	}
	return sleep(t)
}

// readTimeval reads a struct timeval (seconds, microseconds) as nanoseconds.
func readTimeval(t *kernel.Task, addr uint64) (uint64, error) {
	b, err := copyIn(t, addr, 16)
	if err != nil {
		return 0, err
	}
	sec, usec := int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || usec < 0 || usec >= 1e6 {
		return 0, linux.EINVAL
	}
	return uint64(min(sec, 1<<33))*1e9 + uint64(usec)*1e3, nil
}

func itimerval(interval, value uint64) []byte {
	b := make([]byte, 32)
	le := binary.LittleEndian
	// Round up, so that a pending timer never reads as zero (disarmed).
	value = (value + 999) / 1000 * 1000
	le.PutUint64(b[0:], interval/1e9)
	le.PutUint64(b[8:], interval%1e9/1e3)
	le.PutUint64(b[16:], value/1e9)
	le.PutUint64(b[24:], value%1e9/1e3)
	return b
}

// Setitimer implements setitimer(2): ITIMER_REAL (which alarm(2) uses) on the
// virtual clock, ITIMER_VIRTUAL and ITIMER_PROF on the process's CPU time.
func Setitimer(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	which := int(int32(a[0]))
	if which != kernel.ITIMER_REAL && which != kernel.ITIMER_VIRTUAL && which != kernel.ITIMER_PROF {
		return 0, linux.EINVAL
	}
	var value, interval uint64
	if a[1] != 0 {
		var err error
		if interval, err = readTimeval(t, a[1]); err != nil {
			return 0, err
		}
		if value, err = readTimeval(t, a[1]+16); err != nil {
			return 0, err
		}
	}
	var oldValue, oldInterval uint64
	if which == kernel.ITIMER_REAL {
		oldValue, oldInterval = t.SetAlarm(value, interval)
	} else {
		oldValue, oldInterval = t.SetCPUTimer(which, value, interval)
	}
	if a[2] != 0 {
		return ret0(copyOut(t, a[2], itimerval(oldInterval, oldValue)))
	}
	return 0, nil
}

// Getitimer implements getitimer(2).
func Getitimer(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	var value, interval uint64
	switch which := int(int32(a[0])); which {
	case kernel.ITIMER_REAL:
		value, interval = t.Alarm()
	case kernel.ITIMER_VIRTUAL, kernel.ITIMER_PROF:
		value, interval = t.CPUTimer(which)
	default:
		return 0, linux.EINVAL
	}
	return ret0(copyOut(t, a[1], itimerval(interval, value)))
}

// writeRemaining tells an interrupted sleep how long it had left (nanosleep(2)).
func writeRemaining(t *kernel.Task, addr uint64) error {
	if addr == 0 {
		return nil
	}
	left := uint64(0)
	if now := t.Now(); t.Call.Deadline > now {
		left = t.Call.Deadline - now
	}
	return copyOut(t, addr, timespec(left))
}
