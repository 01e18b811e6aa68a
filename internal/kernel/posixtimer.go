package kernel

import (
	"encoding/binary"
	"math"

	"weft/internal/abi/linux"
)

// posixTimer is one of a process's POSIX timers (timer_create(2)) on a virtual clock.
// At expiry it sends its signal to the process (SIGEV_SIGNAL) or to one thread
// (SIGEV_THREAD_ID), or does nothing (SIGEV_NONE, read with timer_gettime). Like
// Linux's, a timer has one signal: while it is pending, further expirations only add
// to its overrun count, which the signal carries when it is taken.
type posixTimer struct {
	k      *Kernel
	tg     *ThreadGroup
	ID     int32
	clock  uint64 // the clock ID
	offset uint64 // the clock's value at virtual time 0 (the epoch for CLOCK_REALTIME)
	notify int32
	signo  Signal
	value  uint64 // sigev_value
	target *Task  // SIGEV_THREAD_ID
	exp    expiry
	kt     uint64 // kernel timer armed for exp.next, or 0
	// queued says the timer's signal is pending; overrun counts the expirations since
	// it was queued, and overrunLast is what the last delivery carried
	// (timer_getoverrun(2)).
	queued      bool
	overrun     uint64
	overrunLast int32
}

// TimerSpec is how timer_create(2) asks to be told of expiries.
type TimerSpec struct {
	Notify int32 // SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD_ID
	Signo  Signal
	Value  uint64
	TID    int
}

// CreateTimer makes a POSIX timer on clock, whose value at virtual time 0 is offset,
// and returns its id; EINVAL for a bad notification, EAGAIN past the per-process limit.
func (t *Task) CreateTimer(clock, offset uint64, spec TimerSpec, defaultValue bool) (int32, error) {
	tg := t.TG
	pt := &posixTimer{k: t.k, tg: tg, clock: clock, offset: offset, notify: spec.Notify, signo: spec.Signo, value: spec.Value}
	switch spec.Notify {
	case linux.SIGEV_NONE:
	case linux.SIGEV_SIGNAL, linux.SIGEV_SIGNAL | linux.SIGEV_THREAD_ID:
		if spec.Signo <= 0 || spec.Signo >= linux.NSIG {
			return 0, linux.EINVAL
		}
		if spec.Notify&linux.SIGEV_THREAD_ID != 0 {
			target := t.FindTask(spec.TID)
			if target == nil || target.TG != tg {
				return 0, linux.EINVAL
			}
			pt.target = target
		}
	default:
		return 0, linux.EINVAL
	}
	if len(tg.timers) >= linux.POSIX_TIMER_MAX_PER_PROC {
		return 0, linux.EAGAIN
	}
	// Ids count up from 0 in each process, as Linux hands them out.
	id := int32(0)
	if n := len(tg.timers); n > 0 {
		id = tg.timers[n-1].ID + 1
	}
	if id < 0 {
		return 0, linux.EAGAIN
	}
	pt.ID = id
	if defaultValue {
		pt.value = uint64(id) // sigev_value defaults to the timer's id
	}
	tg.timers = append(tg.timers, pt)
	return id, nil
}

// Timer returns the process's timer id (EINVAL if there is none).
func (t *Task) Timer(id int32) (*posixTimer, error) {
	for _, pt := range t.TG.timers {
		if pt.ID == id {
			return pt, nil
		}
	}
	return nil, linux.EINVAL
}

// DeleteTimer disarms and removes timer id (timer_delete(2)). A signal it sent that is
// still pending stays pending.
func (t *Task) DeleteTimer(id int32) error {
	tg := t.TG
	for i, pt := range tg.timers {
		if pt.ID == id {
			pt.disarm()
			tg.timers = append(tg.timers[:i], tg.timers[i+1:]...)
			return nil
		}
	}
	return linux.EINVAL
}

// deleteTimers removes every POSIX timer of tg (exit, execve).
func (k *Kernel) deleteTimers(tg *ThreadGroup) {
	for _, pt := range tg.timers {
		pt.disarm()
	}
	tg.timers = nil
}

func (pt *posixTimer) disarm() {
	if pt.kt != 0 {
		pt.k.CancelTimer(pt.kt)
		pt.kt = 0
	}
}

// arm keeps a kernel timer at the next expiry while the timer has a signal to send and
// none pending. SIGEV_NONE timers, and timers whose signal waits to be taken, need
// none: their expirations are counted from the clock when someone asks.
func (pt *posixTimer) arm() {
	if pt.kt != 0 || pt.exp.next == 0 || pt.notify == linux.SIGEV_NONE || pt.queued {
		return
	}
	pt.kt = pt.k.AddTimer(pt.exp.next, pt)
}

func (pt *posixTimer) fire(at uint64) {
	pt.kt = 0
	n := pt.exp.advance(at)
	if n == 0 {
		pt.arm()
		return
	}
	pt.overrun += n - 1
	pt.send()
	// A pending signal re-arms the timer when it is taken (delivered); one that was
	// not queued (ignored) parks the timer, as Linux does, so that an ignored periodic
	// timer does not keep virtual time moving.
}

// send queues the timer's signal, noting whether it is now pending (an ignored signal
// is not: the timer then stays parked until someone sets it again).
func (pt *posixTimer) send() {
	k := pt.k
	info := SigInfo{Signo: pt.signo, Code: int32(linux.SI_TIMER), timer: pt}
	target := pt.target
	if target != nil && target.State == TaskDead {
		target = nil
	}
	var q *sigQueue
	if target != nil {
		k.SignalTask(target, info)
		q = &target.sigPending
	} else {
		k.SignalProcess(pt.tg, info)
		q = &pt.tg.sigPending
	}
	if q.info != nil {
		for _, i := range q.info[pt.signo] {
			if i.timer == pt {
				pt.queued = true
			}
		}
	}
}

// delivered completes the timer's signal as it is taken: the overruns since it was
// queued, counted up to now, go into its siginfo, and the timer runs on.
func (pt *posixTimer) delivered(info SigInfo) SigInfo {
	pt.queued = false
	pt.overrun += pt.exp.advance(pt.k.Now())
	pt.overrunLast = int32(min(pt.overrun, math.MaxInt32))
	pt.overrun = 0
	raw := make([]byte, 128)
	le := binary.LittleEndian
	le.PutUint32(raw[0:], uint32(pt.signo))
	code := int32(linux.SI_TIMER)
	le.PutUint32(raw[8:], uint32(code))
	le.PutUint32(raw[16:], uint32(pt.ID))
	le.PutUint32(raw[20:], uint32(pt.overrunLast))
	le.PutUint64(raw[24:], pt.value)
	info.Raw = raw
	info.timer = nil
	if !pt.tg.Exited && pt.tg.timerLive(pt) {
		pt.arm()
	}
	return info
}

func (tg *ThreadGroup) timerLive(pt *posixTimer) bool {
	for _, x := range tg.timers {
		if x == pt {
			return true
		}
	}
	return false
}

// Set arms the timer at value on its clock (abs) or value from now, with the given
// period, or disarms it (value 0), and returns the old setting (timer_settime(2)).
func (pt *posixTimer) Set(value, interval uint64, abs bool) (oldValue, oldInterval uint64) {
	now := pt.k.Now()
	oldValue, oldInterval = pt.Get()
	pt.disarm()
	pt.overrun = 0
	if early := pt.exp.start(value, interval, pt.offset, now, abs); early > 0 {
		// Expirations before boot: the first sends the signal, the rest are overruns.
		pt.overrun = early - 1 + pt.exp.advance(now)
		if pt.notify != linux.SIGEV_NONE {
			pt.send()
		}
		return oldValue, oldInterval
	}
	if pt.exp.next != 0 && pt.exp.next <= now {
		pt.fire(now) // an absolute time already past expires at once
	} else {
		pt.arm()
	}
	return oldValue, oldInterval
}

// Get reports the time to the next expiry and the period (timer_gettime(2)).
func (pt *posixTimer) Get() (value, interval uint64) {
	now := pt.k.Now()
	if pt.kt == 0 {
		// No kernel timer fires this one (SIGEV_NONE, a pending or ignored signal):
		// count the expirations that passed.
		if n := pt.exp.advance(now); n > 0 && pt.queued {
			pt.overrun += n
		}
	}
	return pt.exp.left(now), pt.exp.interval
}

// Clock is the ID of the clock the timer runs on.
func (pt *posixTimer) Clock() uint64 { return pt.clock }

// Overrun is timer_getoverrun(2): the overrun count of the last expiry delivered.
func (pt *posixTimer) Overrun() int32 { return pt.overrunLast }
