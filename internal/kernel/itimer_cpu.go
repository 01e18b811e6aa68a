package kernel

import "weft/internal/abi/linux"

// ITIMER_VIRTUAL and ITIMER_PROF (setitimer(2)) count down the process's CPU time:
// user time (instructions retired, one virtual nanosecond each) for ITIMER_VIRTUAL,
// user and system time (instructions and the modelled work of the kernel) for
// ITIMER_PROF. When one runs out the process gets SIGVTALRM or SIGPROF, and it starts
// again with its interval. The kernel checks them whenever it charges a task's time,
// so a timer fires at the end of the time slice or system call in which it expired, as
// Linux's fire at the next tick. A child does not inherit them; execve keeps them.

// Interval timer kinds (setitimer(2)).
const (
	ITIMER_REAL    = 0
	ITIMER_VIRTUAL = 1
	ITIMER_PROF    = 2
)

// cpuTimer is an armed CPU-time timer: it fires when the process's clock reaches at.
type cpuTimer struct {
	at, interval uint64
}

// cpuClock is the process CPU time an ITIMER_VIRTUAL or ITIMER_PROF timer counts.
func (tg *ThreadGroup) cpuClock(which int) uint64 {
	if which == ITIMER_PROF {
		return tg.cpuTime
	}
	return tg.Stats().Insns
}

// SetCPUTimer arms (value > 0) or disarms the process's ITIMER_VIRTUAL or ITIMER_PROF
// timer and returns what was left of the old one and its interval, in nanoseconds.
func (t *Task) SetCPUTimer(which int, value, interval uint64) (oldValue, oldInterval uint64) {
	tg := t.TG
	oldValue, oldInterval = t.CPUTimer(which)
	tg.cpuTimers[which-1] = cpuTimer{}
	if value > 0 {
		tg.cpuTimers[which-1] = cpuTimer{at: tg.cpuClock(which) + value, interval: interval}
	}
	return oldValue, oldInterval
}

// CPUTimer reports the CPU time left on the process's ITIMER_VIRTUAL or ITIMER_PROF
// timer (0: disarmed) and its interval.
func (t *Task) CPUTimer(which int) (value, interval uint64) {
	tm := t.TG.cpuTimers[which-1]
	if tm.at == 0 {
		return 0, tm.interval
	}
	return max(tm.at-min(t.TG.cpuClock(which), tm.at), 1), tm.interval
}

// checkCPUTimers fires tg's CPU-time timers that have run out.
func (k *Kernel) checkCPUTimers(tg *ThreadGroup) {
	for i := range tg.cpuTimers {
		tm := &tg.cpuTimers[i]
		if tm.at == 0 || tg.Exited {
			continue
		}
		which := i + 1
		now := tg.cpuClock(which)
		if now < tm.at {
			continue
		}
		sig := linux.SIGVTALRM
		if which == ITIMER_PROF {
			sig = linux.SIGPROF
		}
		k.SignalProcess(tg, SigInfo{Signo: sig, Code: SI_KERNEL})
		if tm.interval == 0 {
			tm.at = 0
		} else {
			// One signal however many intervals passed, as a timer that expires
			// again while its signal is pending does (the overruns are lost).
			tm.at += (now-tm.at)/tm.interval*tm.interval + tm.interval
		}
	}
}
