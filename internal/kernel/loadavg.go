package kernel

import "fmt"

// The load average (/proc/loadavg, sysinfo(2), uptime, top) is Linux's calc_load
// (kernel/sched/loadavg.c) on virtual time: every 5 seconds the number of tasks that
// are running or ready to run is folded into three exponentially decaying averages,
// over 1, 5 and 15 minutes, in 11-bit fixed point with Linux's constants.

const (
	loadFreq = 5_000_000_000 // LOAD_FREQ: 5 s of virtual time between samples
	fshift   = 11            // FSHIFT: bits of fraction
	fixed1   = 1 << fshift   // FIXED_1
)

// loadExp are EXP_1, EXP_5 and EXP_15: 1/exp(5s/1min), 1/exp(5s/5min) and
// 1/exp(5s/15min) in fixed point.
var loadExp = [3]uint64{1884, 2014, 2037}

// calcLoad takes the samples due up to virtual time now. Each counts the tasks ready
// or running then (the count at the moment the kernel passes the sample's time, which
// it does in order, so the averages are a function of the run).
func (k *Kernel) calcLoad(now uint64) {
	if now < k.loadNext {
		return
	}
	active := uint64(0)
	for _, t := range k.tasks {
		if t.State == TaskRunnable {
			active++
		}
	}
	for ; k.loadNext <= now; k.loadNext += loadFreq {
		for i, e := range loadExp {
			load := k.avenrun[i]*e + active*fixed1*(fixed1-e)
			if active*fixed1 >= k.avenrun[i] {
				load += fixed1 - 1 // round up while rising, as calc_load does
			}
			k.avenrun[i] = load / fixed1
		}
	}
}

// LoadAverages returns the 1-, 5- and 15-minute load averages in 11-bit fixed point.
func (k *Kernel) LoadAverages() [3]uint64 { return k.avenrun }

// loadString writes the averages as /proc/loadavg does: two decimals, rounded.
func (k *Kernel) loadString() string {
	s := ""
	for i, a := range k.avenrun {
		a += fixed1 / 200 // round to the nearest hundredth
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%d.%02d", a>>fshift, (a&(fixed1-1))*100>>fshift)
	}
	return s
}
