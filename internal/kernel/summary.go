package kernel

import (
	"strconv"

	"weft/internal/mm"
	"weft/internal/trace"
)

// Summary returns one row per process in PID order: those in k.groups, then, if the run
// reaped more than keptReaped processes, one row that adds up the rest.
func (k *Kernel) Summary() []trace.ProcessRow {
	rows := make([]trace.ProcessRow, 0, len(k.groups)+1)
	for _, tg := range k.groups {
		rows = append(rows, k.summaryRow(tg))
	}
	if k.forgottenCount > 0 {
		r := k.forgotten
		r.Command = "(" + strconv.Itoa(k.forgottenCount) + " more)"
		r.Status = "reaped"
		rows = append(rows, r)
	}
	return rows
}

func (k *Kernel) summaryRow(tg *ThreadGroup) trace.ProcessRow {
	st := tg.Stats()
	mem := tg.MM.Stats
	if tg.Exited {
		mem = tg.MemAtExit
	}
	r := trace.ProcessRow{
		PID: tg.PID, Command: tg.Comm, Threads: tg.threads,
		Insns: st.Insns, CPUTime: st.CPUTime,
		VolSwitches: st.VolSwitches, InvolSwitches: st.InvolSwitches,
		PageFaults: mem.PageFaults, COWCopies: mem.COWCopies,
		PeakResident: mem.PeakResident * mm.PageSize,
	}
	if tg.Parent != nil {
		r.PPID = tg.Parent.PID
	}
	switch {
	case !tg.Exited:
		r.Status = "running"
	case tg.KillSignal != 0:
		r.Status = tg.KillSignal.String()
	default:
		r.Status = "exit " + strconv.Itoa(tg.ExitCode)
	}
	return r
}

// forget folds a reaped process that the kernel no longer keeps into the summary's
// aggregate row.
func (k *Kernel) forget(tg *ThreadGroup) {
	r := k.summaryRow(tg)
	f := &k.forgotten
	k.forgottenCount++
	f.Threads += r.Threads
	f.Insns += r.Insns
	f.CPUTime += r.CPUTime
	f.VolSwitches += r.VolSwitches
	f.InvolSwitches += r.InvolSwitches
	f.PageFaults += r.PageFaults
	f.COWCopies += r.COWCopies
	f.PeakResident = max(f.PeakResident, r.PeakResident)
}
