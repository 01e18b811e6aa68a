package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var timerfdCalls = []entry{
	call(linux.SYS_TIMERFD_CREATE, "timerfd_create", TimerfdCreate, clk, ofl).partial("CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (and the _ALARM ones for root); the clocks are never set, so TFD_TIMER_CANCEL_ON_SET never cancels"),
	call(linux.SYS_TIMERFD_SETTIME, "timerfd_settime", TimerfdSettime, fd, x, p, p),
	call(linux.SYS_TIMERFD_GETTIME, "timerfd_gettime", TimerfdGettime, fd, p),
}

const (
	CLOCK_REALTIME_ALARM = 8
	CLOCK_BOOTTIME_ALARM = 9
)

// timerClock checks a clock a timer may run on and returns its value at virtual time 0
// (the epoch for the real-time clocks). alarm says an _ALARM clock may be used (root
// only: CAP_WAKE_ALARM).
func timerClock(t *kernel.Task, id uint64, alarm bool) (uint64, error) {
	switch id {
	case CLOCK_REALTIME:
		return epoch(t), nil
	case CLOCK_MONOTONIC, CLOCK_BOOTTIME:
		return 0, nil
	case CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM:
		if !alarm {
			return 0, linux.EINVAL
		}
		if !t.TG.Creds.Capable(kernel.CAP_WAKE_ALARM) {
			return 0, linux.EPERM
		}
		if id == CLOCK_REALTIME_ALARM {
			return epoch(t), nil
		}
		return 0, nil
	}
	return 0, linux.EINVAL
}

// TimerfdCreate implements timerfd_create(2).
func TimerfdCreate(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[1]
	if flags&^(linux.TFD_NONBLOCK|linux.TFD_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	offset, err := timerClock(t, a[0], true)
	if err != nil {
		return 0, err
	}
	f := t.Kernel().NewTimerFD(a[0], offset, t.TG.Creds.EUID, t.TG.Creds.EGID)
	f.Flags |= uint32(flags) & vfs.O_NONBLOCK
	return installNew(t, f, flags&linux.TFD_CLOEXEC != 0)
}

// readItimerspec reads a struct itimerspec {it_interval, it_value}, EINVAL for a
// timespec out of range.
func readItimerspec(t *kernel.Task, addr uint64) (value, interval uint64, err error) {
	if _, err = copyIn(t, addr, linux.ItimerspecSize); err != nil {
		return 0, 0, err
	}
	if interval, err = readTimespec(t, addr); err != nil {
		return 0, 0, err
	}
	if value, err = readTimespec(t, addr+16); err != nil {
		return 0, 0, err
	}
	return value, interval, nil
}

func itimerspec(value, interval uint64) []byte {
	return append(timespec(interval), timespec(value)...)
}

func timerfdOf(t *kernel.Task, n uint64) (*kernel.TimerFD, error) {
	f, err := file(t, n)
	if err != nil {
		return nil, err
	}
	tf := kernel.TimerFDOf(f)
	if tf == nil {
		return nil, linux.EINVAL
	}
	return tf, nil
}

// TimerfdSettime implements timerfd_settime(2).
func TimerfdSettime(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[1]
	value, interval, err := readItimerspec(t, a[2])
	if err != nil {
		return 0, err
	}
	if flags&^(linux.TFD_TIMER_ABSTIME|linux.TFD_TIMER_CANCEL_ON_SET) != 0 {
		return 0, linux.EINVAL
	}
	tf, err := timerfdOf(t, a[0])
	if err != nil {
		return 0, err
	}
	abs := flags&linux.TFD_TIMER_ABSTIME != 0
	if abs {
		value = t.ClockToVirtual(tf.Clock(), value)
	}
	oldValue, oldInterval := tf.Set(value, interval, abs)
	if a[3] != 0 {
		return ret0(copyOut(t, a[3], itimerspec(oldValue, oldInterval)))
	}
	return 0, nil
}

// TimerfdGettime implements timerfd_gettime(2).
func TimerfdGettime(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	tf, err := timerfdOf(t, a[0])
	if err != nil {
		return 0, err
	}
	value, interval := tf.Get()
	return ret0(copyOut(t, a[1], itimerspec(value, interval)))
}

var signalfdCalls = []entry{
	call(linux.SYS_SIGNALFD4, "signalfd4", Signalfd4, fd, sset, u, ofl),
}

// Signalfd4 implements signalfd4(2) (signalfd in glibc): a new signalfd for fd -1, or
// a new mask for an existing one.
func Signalfd4(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[3]
	if flags&^(linux.SFD_NONBLOCK|linux.SFD_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	mask, err := readSigset(t, a[1], a[2])
	if err != nil {
		return 0, err
	}
	if int32(a[0]) != -1 {
		f, err := file(t, a[0])
		if err != nil {
			return 0, err
		}
		sf := kernel.SignalFDOf(f)
		if sf == nil {
			return 0, linux.EINVAL
		}
		sf.SetMask(mask)
		return uint64(int32(a[0])), nil
	}
	f := t.Kernel().NewSignalFD(mask, t.TG.Creds.EUID, t.TG.Creds.EGID)
	f.Flags |= uint32(flags) & vfs.O_NONBLOCK
	return installNew(t, f, flags&linux.SFD_CLOEXEC != 0)
}

var posixTimerCalls = []entry{
	call(linux.SYS_TIMER_CREATE, "timer_create", TimerCreate, clk, p, p).partial("CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME; no CPU-time clocks"),
	call(linux.SYS_TIMER_SETTIME, "timer_settime", TimerSettime, i, x, p, p),
	call(linux.SYS_TIMER_GETTIME, "timer_gettime", TimerGettime, i, p),
	call(linux.SYS_TIMER_GETOVERRUN, "timer_getoverrun", TimerGetoverrun, i),
	call(linux.SYS_TIMER_DELETE, "timer_delete", TimerDelete, i),
}

// TimerCreate implements timer_create(2). struct sigevent is {sigval value; int signo;
// int notify; int tid (SIGEV_THREAD_ID)}; a NULL one means SIGALRM to the process with
// the timer's id as its value.
func TimerCreate(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	spec := kernel.TimerSpec{Notify: linux.SIGEV_SIGNAL, Signo: linux.SIGALRM}
	if a[1] != 0 {
		b, err := copyIn(t, a[1], linux.SigeventSize)
		if err != nil {
			return 0, err
		}
		le := binary.LittleEndian
		spec = kernel.TimerSpec{
			Value:  le.Uint64(b),
			Signo:  linux.Signal(int32(le.Uint32(b[8:]))),
			Notify: int32(le.Uint32(b[12:])),
			TID:    int(int32(le.Uint32(b[16:]))),
		}
	}
	offset, err := timerClock(t, a[0], true)
	if err != nil {
		return 0, err
	}
	id, err := t.CreateTimer(a[0], offset, spec, a[1] == 0)
	if err != nil {
		return 0, err
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(id))
	if err := copyOut(t, a[2], b[:]); err != nil {
		t.DeleteTimer(id)
		return 0, err
	}
	return 0, nil
}

// TimerSettime implements timer_settime(2).
func TimerSettime(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	value, interval, err := readItimerspec(t, a[2])
	if err != nil {
		return 0, err
	}
	pt, err := t.Timer(int32(a[0]))
	if err != nil {
		return 0, err
	}
	abs := a[1]&linux.TIMER_ABSTIME != 0
	if abs {
		value = t.ClockToVirtual(pt.Clock(), value)
	}
	oldValue, oldInterval := pt.Set(value, interval, abs)
	if a[3] != 0 {
		return ret0(copyOut(t, a[3], itimerspec(oldValue, oldInterval)))
	}
	return 0, nil
}

// TimerGettime implements timer_gettime(2).
func TimerGettime(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	pt, err := t.Timer(int32(a[0]))
	if err != nil {
		return 0, err
	}
	value, interval := pt.Get()
	return ret0(copyOut(t, a[1], itimerspec(value, interval)))
}

// TimerGetoverrun implements timer_getoverrun(2).
func TimerGetoverrun(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	pt, err := t.Timer(int32(a[0]))
	if err != nil {
		return 0, err
	}
	return uint64(pt.Overrun()), nil
}

// TimerDelete implements timer_delete(2).
func TimerDelete(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return ret0(t.DeleteTimer(int32(a[0])))
}
