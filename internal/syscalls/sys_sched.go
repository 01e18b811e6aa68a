package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/mm"
)

var schedCalls = []entry{
	call(linux.SYS_GETRUSAGE, "getrusage", Getrusage, i, p),
	call(linux.SYS_TIMES, "times", Times, p),
	call(linux.SYS_SCHED_GETAFFINITY, "sched_getaffinity", SchedGetaffinity, i, u, p),
	call(linux.SYS_SCHED_SETAFFINITY, "sched_setaffinity", SchedSetaffinity, i, u, p),
	call(linux.SYS_GETPRIORITY, "getpriority", Getpriority, i, i),
	call(linux.SYS_SETPRIORITY, "setpriority", Setpriority, i, i, i),
	call(linux.SYS_SCHED_GETSCHEDULER, "sched_getscheduler", SchedGetscheduler, i),
	call(linux.SYS_SCHED_GET_PRIORITY_MAX, "sched_get_priority_max", SchedGetPriorityMax, i),
	call(linux.SYS_SCHED_GET_PRIORITY_MIN, "sched_get_priority_min", SchedGetPriorityMin, i),
}

// rusage encodes struct rusage: user time is the instructions retired (one virtual
// nanosecond each), system time the modelled kernel costs.
func rusage(s, children kernel.TaskStats, m mm.Stats, withChildren bool) []byte {
	if withChildren {
		s.Insns += children.Insns
		s.CPUTime += children.CPUTime
		s.VolSwitches += children.VolSwitches
		s.InvolSwitches += children.InvolSwitches
	}
	b := make([]byte, 144)
	le := binary.LittleEndian
	utime, stime := s.Insns, s.CPUTime-min(s.Insns, s.CPUTime)
	le.PutUint64(b[0:], utime/1e9)
	le.PutUint64(b[8:], utime%1e9/1e3)
	le.PutUint64(b[16:], stime/1e9)
	le.PutUint64(b[24:], stime%1e9/1e3)
	le.PutUint64(b[32:], m.PeakResident*mm.PageSize/1024) // ru_maxrss in KiB
	le.PutUint64(b[64:], m.PageFaults)                    // ru_minflt
	le.PutUint64(b[128:], s.VolSwitches)
	le.PutUint64(b[136:], s.InvolSwitches)
	return b
}

const (
	RUSAGE_SELF     = 0
	RUSAGE_CHILDREN = ^uint64(0) // -1
	RUSAGE_THREAD   = 1
)

// Getrusage implements getrusage(2).
func Getrusage(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	var b []byte
	switch a[0] {
	case RUSAGE_SELF:
		b = rusage(t.TG.Stats(), kernel.TaskStats{}, t.TG.MemStats(), false)
	case RUSAGE_CHILDREN:
		b = rusage(t.TG.ChildStats, kernel.TaskStats{}, t.TG.ChildMem, false)
	case RUSAGE_THREAD:
		b = rusage(t.Stats, kernel.TaskStats{}, mm.Stats{}, false)
	default:
		return 0, linux.EINVAL
	}
	return ret0(copyOut(t, a[1], b))
}

// Times implements times(2), in clock ticks of 10 ms (AT_CLKTCK is 100).
func Times(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	const tick = 10_000_000
	s, c := t.TG.Stats(), t.TG.ChildStats
	if a[0] != 0 {
		b := make([]byte, 32)
		le := binary.LittleEndian
		le.PutUint64(b[0:], s.Insns/tick)
		le.PutUint64(b[8:], (s.CPUTime-s.Insns)/tick)
		le.PutUint64(b[16:], c.Insns/tick)
		le.PutUint64(b[24:], (c.CPUTime-c.Insns)/tick)
		if err := copyOut(t, a[0], b); err != nil {
			return 0, err
		}
	}
	return t.Now() / tick, nil
}

// affinityTarget is the task a sched_*affinity call names (0: the caller).
func affinityTarget(t *kernel.Task, tid uint64) (*kernel.Task, error) {
	if int32(tid) == 0 {
		return t, nil
	}
	if o := t.FindTask(int(int32(tid))); o != nil {
		return o, nil
	}
	return nil, linux.ESRCH
}

// allCPUs is the mask of every simulated CPU.
func allCPUs(t *kernel.Task) uint64 {
	n := len(t.Kernel().CPUs)
	if n >= 64 {
		return ^uint64(0)
	}
	return 1<<n - 1
}

// SchedGetaffinity implements sched_getaffinity(2): the task's CPU set, as the
// kernel's cpumask (8-byte words), returning its size in bytes.
func SchedGetaffinity(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	n := len(t.Kernel().CPUs)
	size := a[1]
	if size*8 < uint64(n) || size&7 != 0 {
		return 0, linux.EINVAL
	}
	o, err := affinityTarget(t, a[0])
	if err != nil {
		return 0, err
	}
	set := o.Affinity
	if set == 0 {
		set = allCPUs(t)
	}
	mask := make([]byte, (n+63)/64*8)
	binary.LittleEndian.PutUint64(mask, set)
	return uint64(len(mask)), copyOut(t, a[2], mask)
}

// SchedSetaffinity implements sched_setaffinity(2): the task's CPU set becomes the
// mask's CPUs that exist (EINVAL if none does). Only the task's owner or root may.
func SchedSetaffinity(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	// Linux's order: the mask is copied in (EFAULT), the task found (ESRCH), the
	// caller's right checked (EPERM), and the mask checked against the CPUs (EINVAL).
	b, err := copyIn(t, a[2], min(a[1], 128))
	if err != nil {
		return 0, err
	}
	o, err := affinityTarget(t, a[0])
	if err != nil {
		return 0, err
	}
	// Another user's thread needs CAP_SYS_NICE (check_same_owner: the caller's euid
	// is the target's uid or euid).
	c, oc := t.TG.Creds, o.TG.Creds
	if c.EUID != oc.UID && c.EUID != oc.EUID && !c.Capable(kernel.CAP_SYS_NICE) {
		return 0, linux.EPERM
	}
	var word [8]byte
	copy(word[:], b)
	set := binary.LittleEndian.Uint64(word[:]) & allCPUs(t)
	if set == 0 {
		return 0, linux.EINVAL
	}
	if set == allCPUs(t) {
		set = 0
	}
	o.SetAffinity(set)
	return 0, nil
}

const (
	PRIO_PROCESS = 0
	PRIO_PGRP    = 1
	PRIO_USER    = 2
)

// priorityTargets returns the tasks a getpriority/setpriority call names.
func priorityTargets(t *kernel.Task, which uint64, who int) ([]*kernel.Task, error) {
	k := t.Kernel()
	var out []*kernel.Task
	switch which {
	case PRIO_PROCESS:
		if who == 0 {
			return []*kernel.Task{t}, nil
		}
		if o := t.FindTask(who); o != nil {
			out = append(out, o)
		}
	case PRIO_PGRP, PRIO_USER:
		switch {
		case who == 0 && which == PRIO_USER:
			who = int(t.TG.Creds.UID)
		case who == 0:
			who = t.TG.PGID
		case which == PRIO_USER: // a user of the caller's user namespace
			if kid, ok := t.TG.Creds.UserNS.KUID(uint32(who)); ok {
				who = int(kid)
			} else {
				return nil, linux.ESRCH // no process has it
			}
		default: // a process group the caller's PID namespace numbers
			who = t.GlobalPID(who)
		}
		for _, o := range k.Tasks() {
			if o.State == kernel.TaskDead {
				continue
			}
			if (which == PRIO_PGRP && o.TG.PGID == who) || (which == PRIO_USER && int(o.TG.Creds.UID) == who) {
				out = append(out, o)
			}
		}
	default:
		return nil, linux.EINVAL
	}
	if len(out) == 0 {
		return nil, linux.ESRCH
	}
	return out, nil
}

// Getpriority implements getpriority(2); the kernel returns 20-nice (1..40).
func Getpriority(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	ts, err := priorityTargets(t, a[0], int(int32(a[1])))
	if err != nil {
		return 0, err
	}
	best := 19
	for _, o := range ts {
		best = min(best, o.Nice)
	}
	return uint64(20 - best), nil
}

// Setpriority implements setpriority(2). Only root may lower a nice value; the nice
// value weights the task's time slices.
func Setpriority(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	ts, err := priorityTargets(t, a[0], int(int32(a[1])))
	if err != nil {
		return 0, err
	}
	nice := max(-20, min(19, int(int32(a[2]))))
	c := t.TG.Creds
	for _, o := range ts {
		oc := o.TG.Creds
		if c.EUID != oc.UID && c.EUID != oc.EUID && !c.CapableIn(oc.UserNS, kernel.CAP_SYS_NICE) {
			return 0, linux.EPERM // set_one_prio_perm
		}
		// Lowering the nice value needs CAP_SYS_NICE, or RLIMIT_NICE: 20-nice may
		// not exceed its soft limit (getrlimit(2), can_nice).
		if nice < o.Nice && !c.Capable(kernel.CAP_SYS_NICE) && uint64(20-nice) > t.TG.Rlimits[kernel.RLIMIT_NICE].Cur {
			return 0, linux.EACCES
		}
	}
	for _, o := range ts {
		o.Nice = nice
	}
	return 0, nil
}

// SchedGetscheduler implements sched_getscheduler(2): everything is SCHED_OTHER.
func SchedGetscheduler(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[0] != 0 && t.FindTask(int(int32(a[0]))) == nil {
		return 0, linux.ESRCH
	}
	return 0, nil
}

// SchedGetPriorityMax implements sched_get_priority_max(2).
func SchedGetPriorityMax(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	switch a[0] {
	case 1, 2: // SCHED_FIFO, SCHED_RR
		return 99, nil
	case 0, 3, 5: // SCHED_OTHER, SCHED_BATCH, SCHED_IDLE
		return 0, nil
	}
	return 0, linux.EINVAL
}

// SchedGetPriorityMin implements sched_get_priority_min(2).
func SchedGetPriorityMin(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	switch a[0] {
	case 1, 2:
		return 1, nil
	case 0, 3, 5:
		return 0, nil
	}
	return 0, linux.EINVAL
}
