package kernel

// Kernel timers: a function the kernel runs at a virtual time, for the event sources
// that expire on their own (timerfds, POSIX timers). They share the run loop's timer
// list with sleeping tasks, so an armed one keeps a run that is otherwise idle from
// being a deadlock, and time jumps to it when every CPU is idle.

// AddTimer arranges for fn to run at virtual time at, with no task current, and
// returns an id for CancelTimer. fn is told the time it was due.
func (k *Kernel) AddTimer(at uint64, fn func(at uint64)) uint64 {
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
