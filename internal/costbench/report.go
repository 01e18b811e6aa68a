package costbench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// machine describes the host.
func machine() Machine {
	m := Machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			k = strings.TrimSpace(k)
			// x86 says "model name"; arm64 and riscv64 kernels use other keys.
			if ok && (k == "model name" || k == "Model" || k == "uarch" || k == "Hardware" || k == "cpu model") {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if m.CPU == "" {
		m.CPU = "unknown CPU"
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += " (kernel " + strings.TrimSpace(string(b)) + ")"
	}
	m.LoadStart = loadAverage()
	return m
}

// loadAverage is the host's 1-minute load average, or -1.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// notes explains the report's columns, and what this run showed beyond the numbers.
func notes(r *Report) []string {
	asid := "on (each simulated CPU's TLB keeps the translations of its 4 most recent address spaces across switches, " +
		"as x86-64 PCIDs and RISC-V ASIDs let modern Linux do)"
	if !r.ASID {
		asid = "off (a switch of address space flushes the simulated CPU's TLB; a thread switch does not)"
	}
	n := []string{
		fmt.Sprintf("weft virtual: what the guest measured with clock_gettime(CLOCK_MONOTONIC). In weft that clock is "+
			"virtual: each simulated CPU's clock advances by the work the kernel counted, each unit at the %s cost "+
			"model's price (internal/kernel/cost/model.go; `weft bench --json` lists work and prices): guest "+
			"instructions at 1 ns, traps, pages zero-filled and copied on write, page-table nodes, VMAs and fd entries "+
			"copied, bytes copied, run/wait-queue operations, registers saved on a switch, address-space switches, "+
			"TLB misses. No operation "+
			"has a price of its own. It is deterministic: seed %d gives these numbers every time. --asid %s.",
			r.CostModel, r.Seed, asid),
		"zero model: the same runs priced with --cost-model zero, guest instructions only: the part of the weft " +
			"virtual figure that is the guest's own code (glibc's fork, pthread_create, the loops) rather than the " +
			"kernel's work.",
		fmt.Sprintf("weft host: host time per operation between the guest's two marker writes around its loop (weft "+
			"writes the guest's output through synchronously), so loading, start-up and teardown are not in it; "+
			"median of %d runs, ±%% is half the distance from the fastest to the slowest run. It is the price of "+
			"interpreting riscv64 and simulating the kernel on this machine.", hostRuns),
		fmt.Sprintf("native: the same C source built by the host compiler (-O2 -pthread) and run on this machine's "+
			"Linux; median of %d runs, ±%% as above.", hostRuns),
		"memory: weft counts guest page frames only (no page tables, no kernel task structures); the number is the " +
			"peak of frames in use with 2K idle children or threads minus that with K, per child or thread, and the " +
			"check column adds up the pages each process faulted in or copied on write (Summary). Native: the growth " +
			"of Pss (proportional set size, /proc/PID/smaps_rollup) plus page tables (VmPTE) of the parent and its " +
			"children, 2K minus K, per child or thread; kernel task structures are not visible there either.",
	}
	if !r.Native {
		n = append(n, "native columns are n/a: "+r.NativeNote+".")
	}
	// The run itself keeps about one core busy; more than that is someone else's work.
	if m := r.Machine; m.LoadStart > 0.5 || m.LoadEnd > 1.5 {
		n = append(n, fmt.Sprintf("the host was busy with other work (1-minute load average %.2f before the run, "+
			"%.2f after it, on %d cores): the weft host and native columns are slower and noisier than on an idle "+
			"machine. The weft virtual columns do not depend on the host.", m.LoadStart, m.LoadEnd, m.Cores))
	}
	for _, row := range r.Rows {
		for _, c := range []struct {
			name string
			p, t *Spread
		}{{"weft host", row.Process.WeftHostRange, row.Thread.WeftHostRange}, {"native", row.Process.NativeRange, row.Thread.NativeRange}} {
			if c.p == nil || c.t == nil {
				continue
			}
			switch {
			case c.p.Min <= c.t.Max && c.t.Min <= c.p.Max:
				n = append(n, fmt.Sprintf("%s, %s: the process runs (%s to %s) and the thread runs (%s to %s) overlap: "+
					"this run cannot tell which is cheaper.", row.Name, c.name,
					value(row.Unit, &c.p.Min), value(row.Unit, &c.p.Max), value(row.Unit, &c.t.Min), value(row.Unit, &c.t.Max)))
			case c.p.Width > tooWide || c.t.Width > tooWide:
				n = append(n, fmt.Sprintf("%s, %s: the runs spread by %.0f%% (process) and %.0f%% (thread) of their "+
					"median: too wide to trust the ratio beyond its direction.", row.Name, c.name, 100*c.p.Width, 100*c.t.Width))
			}
		}
		if row.Unit == "ns" && row.Ratio.Weft != nil && *row.Ratio.Weft < 1 {
			n = append(n, fmt.Sprintf("%s: in weft the thread side costs more than the process side (%.2fx): %s",
				row.Name, *row.Ratio.Weft, explain(r, &row)))
		}
	}
	return n
}

// item is one unit's share of the difference between a row's two sides.
type item struct {
	unit       string
	p, t, diff float64 // counts per operation, and (p - t) × price in ns
}

// difference lists the units whose priced counts differ between the process and the
// thread side, largest difference first.
func difference(r *Report, row *Row) []item {
	var items []item
	seen := map[string]bool{}
	for _, w := range []map[string]float64{row.Process.Work, row.Thread.Work} {
		for u := range w {
			if seen[u] {
				continue
			}
			seen[u] = true
			p, t := row.Process.Work[u], row.Thread.Work[u]
			// Differences under half a nanosecond round to nothing in the table.
			if d := (p - t) * r.Prices[u]; abs(d) >= 0.5 {
				items = append(items, item{u, p, t, d})
			}
		}
	}
	sort.Slice(items, func(i, j int) bool {
		if a, b := abs(items[i].diff), abs(items[j].diff); a != b {
			return a > b
		}
		return items[i].unit < items[j].unit
	})
	return items
}

// explain says which counted work makes the thread side cost more.
func explain(r *Report, row *Row) string {
	var parts []string
	for _, it := range difference(r, row) {
		if it.diff < 0 && len(parts) < 3 {
			parts = append(parts, fmt.Sprintf("%s, %s per operation against %s, %s", it.unit, num(it.t), num(it.p),
				signed(-it.diff)))
		}
	}
	if parts == nil {
		return "no counted unit is larger on the thread side."
	}
	return "the work weft counted that the thread side does more of is " + strings.Join(parts, "; ") + "."
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for people: the side-by-side table with process/thread
// ratios, weft's accounting per operation, the machine and the notes.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	mode := ""
	if r.Quick {
		mode = ", quick"
	}
	fmt.Fprintf(bw, "weft bench: what processes cost next to threads (seed %d%s)\n\n", r.Seed, mode)

	tab := &table{left: 2, group: []string{"", "", "weft virtual (" + r.CostModel + ")", "", "", "weft virtual (zero)", "", "",
		"weft host", "", "", "native", "", ""}}
	tab.add("row", "per", "process", "thread", "p/t", "process", "thread", "p/t", "process", "thread", "p/t",
		"process", "thread", "p/t")
	for _, row := range r.Rows {
		f := func(v *float64) string { return value(row.Unit, v) }
		sp := func(v *float64, s *Spread) string {
			if v == nil || s == nil {
				return value(row.Unit, v)
			}
			return fmt.Sprintf("%s ±%.0f%%", value(row.Unit, v), 50*s.Width)
		}
		tab.add(row.Name, row.Per,
			f(&row.Process.Weft), f(&row.Thread.Weft), times(row.Ratio.Weft),
			f(row.Process.WeftZero), f(row.Thread.WeftZero), times(row.Ratio.WeftZero),
			sp(row.Process.WeftHost, row.Process.WeftHostRange), sp(row.Thread.WeftHost, row.Thread.WeftHostRange),
			times(row.Ratio.WeftHost),
			sp(row.Process.Native, row.Process.NativeRange), sp(row.Thread.Native, row.Thread.NativeRange),
			times(row.Ratio.Native))
	}
	tab.write(bw)

	fmt.Fprintf(bw, "\nwhat makes the difference in weft virtual time, process - thread, per operation (the work\n"+
		"weft's kernel counted, times the %s model's price; counts are process vs thread):\n\n", r.CostModel)
	for _, row := range r.Rows {
		items := difference(r, &row)
		if row.Unit != "ns" || len(items) == 0 {
			continue // memory's figure is bytes, not the time its loop took
		}
		var total float64
		for _, it := range items {
			total += it.diff
		}
		var parts []string
		for i, it := range items {
			if i == 4 {
				break
			}
			parts = append(parts, fmt.Sprintf("%s %s (%s vs %s)", signed(it.diff), it.unit, num(it.p), num(it.t)))
		}
		indent(bw, fmt.Sprintf("%s: %s", signed(total), strings.Join(parts, ", ")), fmt.Sprintf("  %-10s", row.Name), 13, 100)
	}

	fmt.Fprint(bw, "\nweft's kernel per operation inside the loop, process / thread (check: the kernel's own figure for\n"+
		"the weft virtual column: trace timestamps, or for memory the pages faulted in or copied):\n\n")
	acct := &table{left: 1}
	acct.add("row", "check", "instructions", "syscalls", "process sw", "thread sw", "forks", "clones", "faults", "COW copies")
	for _, row := range r.Rows {
		p, t := row.Process, row.Thread
		pair := func(a, b float64) string { return num(a) + " / " + num(b) }
		acct.add(row.Name,
			value(row.Unit, &p.WeftKernel)+" / "+value(row.Unit, &t.WeftKernel),
			pair(p.Account.Insns, t.Account.Insns), pair(p.Account.Syscalls, t.Account.Syscalls),
			pair(p.Account.ProcessSwitches, t.Account.ProcessSwitches),
			pair(p.Account.ThreadSwitches, t.Account.ThreadSwitches),
			pair(p.Account.Forks, t.Account.Forks), pair(p.Account.Clones, t.Account.Clones),
			pair(p.Account.PageFaults, t.Account.PageFaults), pair(p.Account.COWCopies, t.Account.COWCopies))
	}
	acct.write(bw)

	fmt.Fprint(bw, "\np/t is process / thread. rows:\n")
	for _, row := range r.Rows {
		nat := ""
		if row.NativeIters > 0 {
			nat = fmt.Sprintf(" (native %d)", row.NativeIters)
		}
		iters := fmt.Sprintf("%d iterations%s", row.Iters, nat)
		if row.Unit == "bytes" {
			iters = fmt.Sprintf("K = %d%s", row.Iters, strings.Replace(nat, "native", "native K =", 1))
		}
		indent(bw, fmt.Sprintf("%s: %s; %s.", row.Title, row.Setup, iters), fmt.Sprintf("  %-10s", row.Name), 13, 100)
		for _, note := range row.Notes {
			indent(bw, note, strings.Repeat(" ", 11)+"!", 15, 100)
		}
	}

	m := r.Machine
	mach := fmt.Sprintf("machine: %s, %d cores, %s, %s", m.CPU, m.Cores, m.OS, m.GoVersion)
	if m.CC != "" {
		mach += ", " + m.CC
	}
	if m.LoadStart >= 0 {
		mach += fmt.Sprintf("; load average %.2f before, %.2f after", m.LoadStart, m.LoadEnd)
	}
	fmt.Fprintln(bw)
	wrap(bw, fmt.Sprintf("%s; the run took %.1f s.", mach, r.Elapsed), 90)
	for _, note := range r.Notes {
		wrap(bw, note, 90)
	}
	return bw.Flush()
}

// value formats a measurement in unit: "16.9µs", "2.30µs", "512ns", "12KiB", or n/a.
func value(unit string, v *float64) string {
	if v == nil {
		return "n/a"
	}
	x := *v
	if unit == "bytes" {
		switch a := abs(x); {
		case a < 1024:
			return fmt.Sprintf("%.0fB", x)
		case a < 1<<20:
			return fmt.Sprintf("%.1fKiB", x/1024)
		}
		return fmt.Sprintf("%.2fMiB", x/(1<<20))
	}
	switch a := abs(x); {
	case a < 1e3:
		return fmt.Sprintf("%.0fns", x)
	case a < 1e4:
		return fmt.Sprintf("%.2fµs", x/1e3)
	case a < 1e6:
		return fmt.Sprintf("%.1fµs", x/1e3)
	case a < 1e9:
		return fmt.Sprintf("%.2fms", x/1e6)
	}
	return fmt.Sprintf("%.2fs", x/1e9)
}

// signed formats a virtual-time difference with its sign: "+20.9µs", "-1.60µs".
func signed(ns float64) string {
	if ns < 0 {
		return "-" + value("ns", ptr(-ns))
	}
	return "+" + value("ns", &ns)
}

func times(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", *v)
}

// num formats a count per operation: whole numbers without decimals.
func num(v float64) string {
	switch {
	case v == float64(int64(v)):
		return fmt.Sprintf("%d", int64(v))
	case abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// wrap writes text as a paragraph of lines of at most width, with a blank line after.
func wrap(w io.Writer, text string, width int) {
	indent(w, text, "", 2, width)
	fmt.Fprintln(w)
}

// indent writes text in lines of at most width (unless a word is longer): the first
// starts with first, the others with hang spaces.
func indent(w io.Writer, text, first string, hang, width int) {
	line := first
	empty := strings.TrimSpace(first) == ""
	for _, word := range strings.Fields(text) {
		if !empty && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width {
			fmt.Fprintln(w, line)
			line, empty = strings.Repeat(" ", hang), true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	fmt.Fprintln(w, line)
}

// table lays out cells in columns two spaces apart: the first left columns
// left-aligned, the rest right-aligned. group, if set, is a line above the header whose
// labels start where their column starts.
type table struct {
	left  int
	group []string
	rows  [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	if t.group != nil {
		line, col := "", 0
		for i, g := range t.group {
			if g != "" {
				line += strings.Repeat(" ", max(col-utf8.RuneCountInString(line), 1)) + g
			}
			if i < len(width) {
				col += width[i] + 2
			}
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	for _, r := range t.rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < t.left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
