package kernel

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// expiry is an interval timer on virtual time, shared by timerfds and POSIX timers:
// the next expiry (0: disarmed) and the period (0: one-shot). Expirations are counted
// lazily from the clock, so a timer nobody watches costs nothing while time passes.
type expiry struct {
	next, interval uint64
}

// advance counts the expirations due by now and moves next past them.
func (e *expiry) advance(now uint64) uint64 {
	if e.next == 0 || now < e.next {
		return 0
	}
	if e.interval == 0 {
		e.next = 0
		return 1
	}
	n := 1 + (now-e.next)/e.interval
	e.next += n * e.interval
	return n
}

// start arms e for a setting of value (nanoseconds on a clock whose value at virtual
// time 0 is offset, when abs; else from now) and returns the expirations that fell
// before virtual time 0: an absolute time on CLOCK_REALTIME may be long before the
// guest's machine booted. A timer already due is left due at now (or before), for the
// caller's next advance to count.
func (e *expiry) start(value, interval, offset, now uint64, abs bool) uint64 {
	*e = expiry{interval: interval}
	if value == 0 {
		return 0
	}
	if !abs {
		e.next = now + value
		return 0
	}
	if value > offset {
		e.next = value - offset
		return 0
	}
	before := offset - value // how long before boot the first expiry was
	if interval == 0 {
		e.next = max(now, 1)
		return 0
	}
	n := before/interval + 1 // expirations up to and including virtual time 0
	e.next = value + n*interval - offset
	return n
}

// left is the time to the next expiry (at least 1 ns while armed, so that an armed
// timer never reads as disarmed).
func (e *expiry) left(now uint64) uint64 {
	if e.next == 0 {
		return 0
	}
	if e.next <= now {
		return 1
	}
	return e.next - now
}

// TimerFD is a timerfd (timerfd_create(2)): a timer on one of the virtual clocks whose
// expirations a read returns. offset is the clock's value at virtual time 0 (the epoch
// for CLOCK_REALTIME, 0 for the others).
type TimerFD struct {
	k      *Kernel
	clock  uint64 // the clock ID
	offset uint64
	exp    expiry
	ticks  uint64 // expirations not yet read
	kt     uint64 // the kernel timer armed for exp.next, or 0
	Queue  vfs.Queue
}

type timerfdDev struct{ tf *TimerFD }

// NewTimerFD returns the open file description of a new, disarmed timerfd on clock,
// whose value at virtual time 0 is offset.
func (k *Kernel) NewTimerFD(clock, offset uint64, uid, gid uint32) *vfs.File {
	tf := &TimerFD{k: k, clock: clock, offset: offset}
	return k.FS.NewAnon(timerfdDev{tf}, "[timerfd]", uid, gid, vfs.O_RDWR)
}

// Clock is the ID of the clock the timer runs on.
func (tf *TimerFD) Clock() uint64 { return tf.clock }

// TimerFDOf returns the timerfd f is, or nil.
func TimerFDOf(f *vfs.File) *TimerFD {
	if d, ok := f.Inode.Device().(timerfdDev); ok {
		return d.tf
	}
	return nil
}

// update counts expirations up to now; it wakes the readers when there are new ones.
func (tf *TimerFD) update(now uint64) {
	if n := tf.exp.advance(now); n > 0 {
		tf.ticks += n
		tf.Queue.WakeAll()
	}
}

// arm keeps a kernel timer at the next expiry. After an expiry it is re-armed only
// while a task waits on the timerfd, directly or through epoll (vfs.Queue.Live), so
// that a periodic timerfd no one looks at does not make virtual time crawl forward
// from one expiry to the next, and a deadlock elsewhere is still reported; reads and
// polls count what they missed, and re-arm it (as epoll_wait does, vfs.Lazy).
func (tf *TimerFD) arm() {
	if tf.kt != 0 || tf.exp.next == 0 {
		return
	}
	tf.kt = tf.k.AddTimer(tf.exp.next, tf)
}

func (tf *TimerFD) fire(at uint64) {
	tf.kt = 0
	tf.update(at)
	if tf.Queue.Live() {
		tf.arm()
	}
}

// Rearm implements vfs.Lazy: a task is about to wait on the timerfd, through epoll.
func (d timerfdDev) Rearm(*vfs.File) {
	d.tf.update(d.tf.k.Now())
	d.tf.arm()
}

func (tf *TimerFD) disarm() {
	if tf.kt != 0 {
		tf.k.CancelTimer(tf.kt)
		tf.kt = 0
	}
}

// Set arms the timer (value > 0) at value on its clock (abs) or value from now, with
// the given period, or disarms it (value 0); it returns what was left of the old
// setting and its period (timerfd_settime(2)). Unread expirations are dropped.
func (tf *TimerFD) Set(value, interval uint64, abs bool) (oldValue, oldInterval uint64) {
	now := tf.k.Now()
	tf.update(now)
	oldValue, oldInterval = tf.exp.left(now), tf.exp.interval
	tf.disarm()
	tf.ticks = tf.exp.start(value, interval, tf.offset, now, abs)
	if tf.exp.next != 0 {
		tf.update(now) // an absolute time already past expires at once
		tf.arm()
	}
	if tf.ticks > 0 {
		tf.Queue.WakeAll()
	}
	return oldValue, oldInterval
}

// Get reports the time left and the period (timerfd_gettime(2)).
func (tf *TimerFD) Get() (value, interval uint64) {
	now := tf.k.Now()
	tf.update(now)
	return tf.exp.left(now), tf.exp.interval
}

// Read returns the number of expirations since the last read, as 8 bytes.
func (d timerfdDev) Read(_ *vfs.File, p []byte) (int, error) {
	tf := d.tf
	if len(p) < 8 {
		return 0, linux.EINVAL
	}
	tf.update(tf.k.Now())
	if tf.ticks == 0 {
		tf.arm()
		return 0, vfs.ErrWouldBlock
	}
	binary.LittleEndian.PutUint64(p, tf.ticks)
	tf.ticks = 0
	return 8, nil
}

func (timerfdDev) Write(*vfs.File, []byte) (int, error) { return 0, linux.EINVAL }
func (timerfdDev) IsTTY() bool                          { return false }

// Poll implements vfs.Pollable: readable once it has expired.
func (d timerfdDev) Poll(_ *vfs.File, want int16) int16 {
	tf := d.tf
	tf.update(tf.k.Now())
	if tf.ticks > 0 {
		return vfs.POLLIN & want
	}
	tf.arm()
	return 0
}

// Queues implements vfs.Pollable.
func (d timerfdDev) Queues(_ *vfs.File, write bool) *vfs.Queue {
	if write {
		return nil
	}
	return &d.tf.Queue
}

// Release stops the timer when the last descriptor closes.
func (d timerfdDev) Release(*vfs.File) { d.tf.disarm() }
