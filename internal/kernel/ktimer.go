package kernel

// Kernel timers: a function the kernel runs at a virtual time, for the event sources
// that expire on their own (timerfds, POSIX timers). They share the run loop's timer
// list with sleeping tasks, so an armed one keeps a run that is otherwise idle from
// being a deadlock, and time jumps to it when every CPU is idle.

// firer is what a kernel timer runs. It is an object, not a func value, so that a
// checkpoint (checkpoint.go) can copy the timer with the object it fires: a closure
// would keep pointing into the kernel it was made in.
type firer interface{ fire(at uint64) }

// AddTimer arranges for fn.fire to run at virtual time at, with no task current, and
// returns an id for CancelTimer. fire is told the time it was due.
func (k *Kernel) AddTimer(at uint64, fn firer) uint64 {
	return k.insertTimer(timer{at: at, fn: fn})
}

// CancelTimer removes the kernel timer id, if it has not run.
func (k *Kernel) CancelTimer(id uint64) {
	for i, tm := range k.timers {
		if tm.seq == id && tm.fn != nil {
			k.timers = append(k.timers[:i], k.timers[i+1:]...)
			return
		}
	}
}

// Now is the current virtual time: the running task's clock during a system call,
// the due time of a kernel timer while it runs.
func (k *Kernel) Now() uint64 { return k.now() }
