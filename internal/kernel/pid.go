package kernel

import "weft/internal/abi/linux"

// PID allocation, as Linux's alloc_pid does it: IDs are handed out in increasing
// order from 1 up to pid_max - 1; past that the search starts again from
// reservedPIDs, skipping every ID still in use. An ID is in use while a task has it as
// its TID (a zombie's too, until it is reaped) or a process has it as its process
// group or session ID.

// reservedPIDs is where the search starts again once it has passed pid_max (Linux's
// RESERVED_PIDS: the low IDs are left to daemons started at boot).
const reservedPIDs = 300

// allocPID hands out the next free PID, or fails with EAGAIN when none is free
// (alloc_pid turns the IDR's ENOSPC into EAGAIN).
func (k *Kernel) allocPID() (int, error) {
	lo := 1
	if k.pidCursor > reservedPIDs {
		lo = reservedPIDs
	}
	start := max(k.pidCursor, lo)
	pid := k.freePID(start, k.pidMax)
	if pid == 0 && start > lo {
		k.pidWrapped = true
		pid = k.freePID(lo, k.pidMax)
	}
	if pid == 0 {
		return 0, linux.EAGAIN
	}
	k.pidCursor, k.lastPID = pid+1, pid
	k.forks++
	return pid, nil
}

// freePID returns the first ID in [from, to) that is not in use, or 0.
func (k *Kernel) freePID(from, to int) int {
	for id := from; id < to; id++ {
		// Until the search has wrapped, every ID from the cursor on is new.
		if !k.pidWrapped || !k.pidInUse(id) {
			return id
		}
	}
	return 0
}

// pidInUse reports whether id is a living or zombie task's TID, or a process group or
// session ID of a process not yet reaped.
func (k *Kernel) pidInUse(id int) bool {
	if k.live[id] != nil || k.procs[id] != nil {
		return true
	}
	for _, tg := range k.procs { // any order: only whether one matches
		if tg.PGID == id || tg.SID == id {
			return true
		}
	}
	return false
}

// setPIDMax sets /proc/sys/kernel/pid_max: from reservedPIDs+1 to PIDMax (Linux's
// pid_max_min and pid_max_max on 64-bit machines), EINVAL otherwise.
func (k *Kernel) setPIDMax(s string) error {
	v, err := sysctlInt(s, reservedPIDs+1, PIDMax)
	if err != nil {
		return err
	}
	k.pidMax = int(v)
	return nil
}
