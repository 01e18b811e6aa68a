package demo

import (
	"fmt"
	"strconv"

	"weft/internal/kernel/cost"
	"weft/internal/trace"
)

var forkCOW = Lesson{
	Name:     "fork-cow",
	Title:    "fork gives the child a copy, lazily; exec replaces the program; wait reaps",
	Programs: []string{"fork_cow"},
	measure:  measureForkCOW,
}

// forkSizes are the two sizes of memory the parent fills before it forks, in MiB.
var forkSizes = [2]int{2, 32}

// forkCOWEvidence is what lesson 3 measured: one forkRun per size.
type forkCOWEvidence struct {
	runs [2]forkRun
}

type forkRun struct {
	run      *guestRun
	mib      int
	resident uint64 // the parent's resident pages when it forked
	shared   uint64 // how many of them were shared with the child right after fork
	forkTime uint64 // virtual ns of the parent's clone call
	// forkWork is what the kernel counted inside that call.
	forkWork cost.Work
	// The child's copy-on-write copies: during its single write (between its two
	// getppid markers), and in all before it called exec.
	writeCopies, preExecCopies uint64
	execPath                   string // what the child exec'd
	childStatus                string // its end, as the kernel recorded it
	reaped                     bool   // its parent waited for it
}

func measureForkCOW(e *env) (evidence, error) {
	ev := &forkCOWEvidence{}
	for i, mib := range forkSizes {
		r, err := e.runGuest(spec{prog: "fork_cow", args: []string{strconv.Itoa(mib)}, seed: e.opts.Seed})
		if err != nil {
			return nil, err
		}
		fr, err := forkFacts(r)
		if err != nil {
			return nil, err
		}
		fr.mib = mib
		ev.runs[i] = fr
	}
	return ev, nil
}

func forkFacts(r *guestRun) (forkRun, error) {
	fr := forkRun{run: r}
	gs := r.k.Groups()
	if len(gs) != 2 {
		return fr, fmt.Errorf("want 2 processes, got %d", len(gs))
	}
	parent, child := gs[0], gs[1]
	fr.childStatus, fr.reaped = status(child), child.Reaped
	forked := false
	markers := 0
	execd := false
	for _, x := range r.events {
		switch {
		case x.PID == parent.PID && x.Kind == trace.Syscall && x.Name == "clone":
			fr.forkTime = x.Dur
		case x.PID == parent.PID && x.Kind == trace.Fork && x.Child == child.PID:
			forked = true
		case x.PID == parent.PID && x.Kind == trace.Memory && forked && fr.resident == 0:
			// The kernel reports the parent's memory right after each fork.
			fr.resident, fr.shared = x.Arg, x.Arg2
		case x.PID == child.PID && x.Kind == trace.Syscall && x.Name == "getppid":
			markers++
		case x.PID == child.PID && x.Kind == trace.COWCopies && !execd:
			fr.preExecCopies += x.Arg
			if markers == 1 {
				fr.writeCopies += x.Arg
			}
		case x.PID == child.PID && x.Kind == trace.Exec:
			execd = true
			fr.execPath = x.Name
		}
	}
	for _, cw := range r.clones {
		if cw.pid == parent.PID {
			fr.forkWork = cw.work
		}
	}
	if !forked || markers != 2 || !execd {
		return fr, fmt.Errorf("the trace lacks the fork (%v), the child's two markers (%d) or its exec (%v)", forked, markers, execd)
	}
	return fr, nil
}

func (ev *forkCOWEvidence) write(p *printer) {
	for i, fr := range ev.runs {
		if i > 0 {
			p.blank()
		}
		p.output(fr.run, nil)
	}
	a, b := ev.runs[0], ev.runs[1]
	p.section("What weft measured (from the trace, for each size):")
	row := func(label string, f func(forkRun) string) []string {
		return []string{label, f(a), f(b)}
	}
	num := func(f func(forkRun) uint64) func(forkRun) string {
		return func(fr forkRun) string { return strconv.FormatUint(f(fr), 10) }
	}
	work := func(u cost.Unit) func(forkRun) string {
		return num(func(fr forkRun) uint64 { return fr.forkWork[u] })
	}
	p.table([][]string{
		{"", fmt.Sprintf("%d MiB", a.mib), fmt.Sprintf("%d MiB", b.mib)},
		row("parent's resident pages when it forked", num(func(fr forkRun) uint64 { return fr.resident })),
		row("  still shared with the child after fork", num(func(fr forkRun) uint64 { return fr.shared })),
		row("  so pages fork copied", num(func(fr forkRun) uint64 { return fr.resident - fr.shared })),
		row("virtual time of the fork (clone call)", func(fr forkRun) string { return vt(fr.forkTime) }),
		row("  page-table nodes it copied", work(cost.PTNodeCopy)),
		row("  references it took or dropped", work(cost.PTRef)),
		row("  VMAs / fd entries / signal actions it copied", func(fr forkRun) string {
			w := fr.forkWork
			return fmt.Sprintf("%d / %d / %d", w[cost.VMACopy], w[cost.FDCopy], w[cost.SigActionCopy])
		}),
		row("  pages it copied", work(cost.PageCopied)),
		row("child: pages copied by its one write", num(func(fr forkRun) uint64 { return fr.writeCopies })),
		row("child: pages copied in all before exec", num(func(fr forkRun) uint64 { return fr.preExecCopies })),
		row("child: how it ended", func(fr forkRun) string { return fr.childStatus }),
		row("child: reaped by its parent's wait", func(fr forkRun) string { return fmt.Sprint(fr.reaped) }),
	})
	p.blank()
	p.note("Before it ended, the child exec'd %s (its own program, found through /proc/self/exe).", b.execPath)
	w := b.forkWork
	p.why("fork does not copy the parent's memory. It copies only the top of the page table and "+
		"shares everything below it, page tables and pages, between the two processes: weft's kernel "+
		"counted the same work inside the fork whether the parent had %d or %d pages resident (%s; "+
		"%s; %s; %s; %s), so the fork took the same %s of virtual time. The page it copied, and the "+
		"page-table nodes on the way down to it, are where the kernel wrote the child's thread ID into "+
		"the child's memory, because glibc's fork asks for that (CLONE_CHILD_SETTID). "+
		"Only when one of the processes writes to a shared page does the kernel copy that page for "+
		"the writer (copy-on-write): the child's single store to the buffer copied exactly %d page, "+
		"and the rest of the buffer stayed shared. (Its other copies before exec are pages of its "+
		"stack and of the C library that it wrote on its way back from fork.) exec then threw the "+
		"child's address space away and loaded a program into a new one; the parent's wait "+
		"collected the status that program exited with, and removed the dead child from the "+
		"process table. Virtual time is that counted work at the %s cost model's prices "+
		"(internal/kernel/cost/model.go), plus 1 ns per guest instruction.",
		a.resident, b.resident, cost.PTNodeCopy.Phrase(float64(w[cost.PTNodeCopy])),
		cost.VMACopy.Phrase(float64(w[cost.VMACopy])), cost.FDCopy.Phrase(float64(w[cost.FDCopy])),
		cost.SigActionCopy.Phrase(float64(w[cost.SigActionCopy])), cost.PageCopied.Phrase(float64(w[cost.PageCopied])),
		vt(a.forkTime), b.writeCopies, b.run.k.CostModel().Name)
}
