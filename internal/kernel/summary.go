package kernel

import (
	"strconv"

	"weft/internal/mm"
	"weft/internal/trace"
)

// Summary returns one row per process that ever existed, in PID order.
func (k *Kernel) Summary() []trace.ProcessRow {
	rows := make([]trace.ProcessRow, 0, len(k.groups))
	for _, tg := range k.groups {
		st := tg.Stats()
		mem := tg.MM.Stats
		if tg.Exited {
			mem = tg.MemAtExit
		}
		r := trace.ProcessRow{
			PID: tg.PID, Command: tg.Comm, Threads: len(tg.Tasks),
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
		rows = append(rows, r)
	}
	return rows
}
