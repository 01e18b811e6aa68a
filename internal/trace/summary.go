package trace

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// ProcessRow is one process's line in the end-of-run summary.
type ProcessRow struct {
	PID, PPID     int
	Command       string
	Status        string // "exit 0", "SIGSEGV", or "running" if the run ended first
	Threads       int
	Insns         uint64
	CPUTime       uint64 // virtual nanoseconds
	VolSwitches   uint64
	InvolSwitches uint64
	PageFaults    uint64
	COWCopies     uint64
	PeakResident  uint64 // bytes
}

// WriteSummary prints the per-process table, a totals row and a legend. The peak
// resident sizes of processes do not add up (they peak at different times, and share
// pages), so the totals row shows peak instead: the whole guest's memory at its
// largest, shared pages counted once.
func WriteSummary(w io.Writer, rows []ProcessRow, peak uint64) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pid\tppid\tcommand\tstatus\tthreads\tinstructions\tcpu time\tvol sw\tinvol sw\tpage faults\tCOW copies\tpeak RSS\t")
	var tot ProcessRow
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%s\t\n", r.PID, r.PPID, r.Command, r.Status,
			r.Threads, r.Insns, Duration(r.CPUTime), r.VolSwitches, r.InvolSwitches, r.PageFaults, r.COWCopies, Bytes(r.PeakResident))
		tot.Threads += r.Threads
		tot.Insns += r.Insns
		tot.CPUTime += r.CPUTime
		tot.VolSwitches += r.VolSwitches
		tot.InvolSwitches += r.InvolSwitches
		tot.PageFaults += r.PageFaults
		tot.COWCopies += r.COWCopies
	}
	fmt.Fprintf(tw, "total\t\t%d processes\t\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%s\t\n", len(rows),
		tot.Threads, tot.Insns, Duration(tot.CPUTime), tot.VolSwitches, tot.InvolSwitches, tot.PageFaults, tot.COWCopies, Bytes(peak))
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, summaryLegend)
	return err
}

const summaryLegend = `cpu time: virtual time on a CPU, instructions plus modelled kernel work.
vol sw / invol sw: switches away when the task blocked or yielded / when its time slice
ran out.
page faults: pages allocated and zeroed on first touch. COW copies: pages copied on the
first write after fork left them shared. Neither counts the other.
peak RSS: most pages resident at once in the process, shared ones included; in the total
row, the whole guest's peak memory, shared pages counted once.
`

// Duration formats virtual nanoseconds for people: 950ns, 12.3µs, 4.56ms, 1.234s.
func Duration(ns uint64) string {
	switch {
	case ns < 1000:
		return fmt.Sprintf("%dns", ns)
	case ns < 1_000_000:
		return trim(fmt.Sprintf("%.1f", float64(ns)/1e3)) + "µs"
	case ns < 1_000_000_000:
		return trim(fmt.Sprintf("%.2f", float64(ns)/1e6)) + "ms"
	}
	return trim(fmt.Sprintf("%.3f", float64(ns)/1e9)) + "s"
}

// Bytes formats a size: 512B, 48KiB, 3.5MiB.
func Bytes(n uint64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%dB", n)
	case n < 1<<20:
		return trim(fmt.Sprintf("%.1f", float64(n)/1024)) + "KiB"
	case n < 1<<30:
		return trim(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + "MiB"
	}
	return trim(fmt.Sprintf("%.2f", float64(n)/(1<<30))) + "GiB"
}

func trim(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
