package kernel

import (
	"errors"
	"fmt"
	"sort"

	"weft/internal/abi/linux"
	"weft/internal/kernel/cost"
	"weft/internal/vfs"
)

// ErrBlocked is returned by a syscall handler that parked its task (Task.Block). When
// the task is woken, the kernel calls the handler again with the same arguments; the
// handler re-checks its condition and completes, or blocks again. Per-call state that
// must survive (a deadline) lives in Task.Call, which the kernel clears when the call
// completes.
var ErrBlocked = errors.New("task blocked")

// CallState is what a blocking syscall keeps between its attempts.
type CallState struct {
	// Deadline is the virtual time at which a timed wait ends (0: none yet).
	Deadline uint64
	// Started marks that the first attempt has run.
	Started bool
	// Value is a result the first attempt computed (a vfork child's TID).
	Value uint64
	// Held is a reference the first attempt took and a later one hands on (a named
	// pipe's open file, waiting for the other side); it is dropped if the call is
	// abandoned (interrupted, restarted, or its task ends).
	Held interface{ DecRef() }
}

// drop gives back what a call that will not finish holds.
func (c *CallState) drop() {
	if c.Held != nil {
		c.Held.DecRef()
		c.Held = nil
	}
}

// WaitQueue is a set of tasks waiting for something (a child's exit, a pipe, a futex).
type WaitQueue = vfs.Queue

// Wake makes a blocked task runnable again; it implements vfs.Waiter.
func (t *Task) Wake() {
	if t.State != TaskBlocked {
		return
	}
	k := t.k
	for _, q := range t.waitQueues {
		q.Remove(t)
	}
	k.work[cost.QueueOp] += uint64(len(t.waitQueues))
	t.waitQueues = nil
	k.cancelTimer(t)
	// The waker's clock is the moment the task becomes runnable.
	k.makeRunnable(t, k.now())
}

// Block parks the task until one of the queues wakes it (or its deadline passes, if
// Call.Deadline is set). why names what it waits for, for deadlock reports and traces.
// The handler must return the ErrBlocked that Block returns.
func (t *Task) Block(why string, queues ...*WaitQueue) error {
	k := t.k
	t.Stats.VolSwitches++
	// Charge the work of the call so far while the task still holds its CPU: that is
	// when the CPU did it.
	k.work[cost.QueueOp] += uint64(len(queues))
	k.settle(t)
	k.deschedule(t)
	t.State = TaskBlocked
	t.waitingFor = why
	for _, q := range queues {
		q.Add(t)
	}
	t.waitQueues = queues
	if t.Call.Deadline != 0 {
		k.addTimer(t, t.Call.Deadline)
	}
	return ErrBlocked
}

// WaitingFor describes what a blocked task waits for.
func (t *Task) WaitingFor() string { return t.waitingFor }

// timer is a task's wake-up, or a process's interval timer (ITIMER_REAL), at a virtual
// time.
type timer struct {
	at   uint64
	seq  uint64 // creation order, to break ties deterministically
	task *Task
	proc *ThreadGroup // ITIMER_REAL of this process: SIGALRM at expiry
	fn   firer        // a kernel timer (AddTimer): timerfds, POSIX timers
}

func (k *Kernel) addTimer(t *Task, at uint64) {
	k.insertTimer(timer{at: at, task: t})
}

func (k *Kernel) insertTimer(tm timer) uint64 {
	k.timerSeq++
	tm.seq = k.timerSeq
	k.timers = append(k.timers, tm)
	sort.Slice(k.timers, func(i, j int) bool {
		a, b := k.timers[i], k.timers[j]
		return a.at < b.at || (a.at == b.at && a.seq < b.seq)
	})
	return tm.seq
}

func (k *Kernel) cancelTimer(t *Task) {
	for i, tm := range k.timers {
		if tm.task == t && t != nil {
			k.timers = append(k.timers[:i], k.timers[i+1:]...)
			return
		}
	}
}

// fireTimers wakes every task whose deadline is at or before now.
func (k *Kernel) fireTimers(now uint64) {
	for len(k.timers) > 0 && k.timers[0].at <= now {
		tm := k.timers[0]
		k.timers = k.timers[1:]
		if tm.fn != nil {
			k.current = nil
			k.firing = tm.at
			tm.fn.fire(tm.at)
			k.firing = 0
			continue
		}
		if tg := tm.proc; tg != nil {
			tg.itimer.armed = false
			if !tg.Exited {
				if tg.itimer.interval > 0 {
					tg.itimer.armed = true
					k.insertTimer(timer{at: tm.at + tg.itimer.interval, proc: tg})
				}
				k.current = nil
				// The signal is sent at the timer's time: a task it wakes runs from
				// then, even when every CPU was idle and no clock had got there.
				k.firing = tm.at
				k.SignalProcess(tg, SigInfo{Signo: linux.SIGALRM, Code: SI_KERNEL})
				k.firing = 0
			}
			continue
		}
		t := tm.task
		if t.State != TaskBlocked {
			continue
		}
		for _, q := range t.waitQueues {
			q.Remove(t)
		}
		t.waitQueues = nil
		k.makeRunnable(t, tm.at)
	}
}

// now is the current virtual time: the clock of the CPU running kernel code, or the
// earliest busy CPU's, and no earlier than a timer that is firing.
func (k *Kernel) now() uint64 {
	if k.current != nil && k.current.cpu != nil {
		return k.current.cpu.Clock
	}
	var now uint64
	first := true
	for _, c := range k.CPUs {
		if c.cur != nil && (first || c.Clock < now) {
			now, first = c.Clock, false
		}
	}
	return max(now, k.firing)
}

func (t *Task) String() string {
	// The guest names its tasks (prctl PR_SET_NAME, exec): quoted when not plain.
	return fmt.Sprintf("pid %d tid %d (%s)", t.TG.PID, t.TID, vfs.Printable(t.TG.Comm))
}

// itimer is a process's ITIMER_REAL.
type itimer struct {
	armed    bool
	interval uint64 // nanoseconds; 0 for a one-shot timer
}

// SetAlarm arms (value > 0) or disarms the process's real-time interval timer
// (setitimer(ITIMER_REAL), alarm) and returns what was left of the old one.
func (t *Task) SetAlarm(value, interval uint64) (oldValue, oldInterval uint64) {
	k, tg := t.k, t.TG
	oldValue, oldInterval = t.Alarm()
	for i, tm := range k.timers {
		if tm.proc == tg {
			k.timers = append(k.timers[:i], k.timers[i+1:]...)
			break
		}
	}
	tg.itimer = itimer{}
	if value > 0 {
		tg.itimer = itimer{armed: true, interval: interval}
		k.insertTimer(timer{at: t.Now() + value, proc: tg})
	}
	return oldValue, oldInterval
}

// Alarm reports the time left on the process's ITIMER_REAL and its interval.
func (t *Task) Alarm() (value, interval uint64) {
	tg := t.TG
	if !tg.itimer.armed {
		return 0, tg.itimer.interval
	}
	for _, tm := range t.k.timers {
		if tm.proc == tg {
			now := t.Now()
			if tm.at > now {
				value = tm.at - now
			} else {
				value = 1
			}
			break
		}
	}
	return value, tg.itimer.interval
}
