package kernel

import (
	"sync/atomic"

	"weft/internal/abi/linux"
)

// Signals from the host. weft stands where a terminal and its line discipline stand for
// a real process: Ctrl-C, SIGTERM and the like sent to weft go to the guest's foreground
// process group (pid 1's), as the tty driver sends them to the terminal's. They arrive
// on another goroutine, so the simulation only sees them through atomics, and takes them
// between time slices: a signal from the host lands at a slice boundary, which is the
// one place where a run stops being a function of its seed.
type hostSignals struct {
	flag    atomic.Bool   // something below is set: one load per slice when nothing is
	pending atomic.Uint64 // signals to forward, one bit per signal
	abort   atomic.Int32  // a signal that ends the run now, or 0
	wake    chan struct{} // wakes a kernel waiting for the host (see waitHost)
	// stopped is set while the foreground group is stopped by a signal from the host:
	// the run then waits for the host (a SIGCONT) instead of reporting a deadlock.
	stopped bool
}

// PostHostSignal forwards sig to the guest's foreground process group at the next slice
// boundary. It is safe to call from any goroutine.
func (k *Kernel) PostHostSignal(sig Signal) {
	if sig <= 0 || sig >= linux.NSIG {
		return
	}
	for {
		old := k.host.pending.Load()
		if k.host.pending.CompareAndSwap(old, old|sigBit(sig)) {
			break
		}
	}
	k.host.flag.Store(true)
	k.wakeHost()
}

// Abort ends the run at the next slice boundary as if sig had killed every process:
// Run returns Interrupted with the status 128+sig. It is safe to call from any goroutine.
func (k *Kernel) Abort(sig Signal) {
	k.host.abort.CompareAndSwap(0, int32(sig))
	k.host.flag.Store(true)
	k.wakeHost()
}

func (k *Kernel) wakeHost() {
	select {
	case k.host.wake <- struct{}{}:
	default:
	}
}

// takeHostSignals forwards the signals the host posted, or ends the run if the host
// asked for that; done reports the latter.
func (k *Kernel) takeHostSignals() (r Result, done bool) {
	k.host.flag.Store(false)
	if sig := Signal(k.host.abort.Load()); sig != 0 {
		for _, tg := range k.groups {
			if !tg.Exited {
				k.exitGroup(tg, 0, sig)
			}
		}
		return Result{Outcome: Interrupted, Status: 128 + int(sig), Signal: sig}, true
	}
	if k.debugKills != nil {
		k.takeDebugKills()
	}
	set := k.host.pending.Swap(0)
	if k.main == nil || set == 0 {
		return Result{}, false
	}
	pgid := k.main.PGID
	for s := Signal(1); s < linux.NSIG; s++ {
		if set&sigBit(s) == 0 {
			continue
		}
		switch {
		case s == linux.SIGCONT:
			k.host.stopped = false
		case isStopSignal(s):
			k.host.stopped = true
		}
		// A terminal's signals come from the kernel, not from a process: si_code
		// SI_KERNEL, as n_tty's isig() sends them.
		for _, tg := range k.groups {
			if !tg.Exited && tg.PGID == pgid {
				k.SignalProcess(tg, SigInfo{Signo: s, Code: SI_KERNEL})
			}
		}
	}
	return Result{}, false
}

// waitHost waits for the host when nothing can run because the host stopped the
// foreground group, and reports whether it waited (false: nothing to wait for, the
// guest is deadlocked). The Config.HostStopped callback runs first, once per stop, so
// that weft can stop itself as a shell's job.
func (k *Kernel) waitHost() bool {
	if !k.host.stopped || k.main == nil || !k.main.Stopped {
		return false
	}
	if f := k.cfg.HostStopped; f != nil {
		f()
	}
	for !k.host.flag.Load() {
		<-k.host.wake
	}
	return true
}

// ForegroundPgrp is the foreground process group of weft's terminal: pid 1's group,
// which the host's terminal signals go to (TIOCGPGRP).
func (k *Kernel) ForegroundPgrp() int {
	if k.main == nil {
		return 0
	}
	return k.main.PGID
}
