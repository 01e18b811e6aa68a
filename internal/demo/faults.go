package demo

import (
	"fmt"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/trace"
)

var faults = Lesson{
	Name:     "faults",
	Title:    "A fault kills its own process, all of its threads, and nothing else",
	Programs: []string{"faults"},
	measure:  measureFaults,
}

// faultsEvidence is what lesson 8 measured.
type faultsEvidence struct {
	run                      *guestRun
	parent, crasher, sibling procEnd
	fault                    string // the kernel's description of the fault
	faultTID                 int
	crashTime                uint64 // virtual ns of the fault
}

// procEnd is how a process ended, as the kernel recorded it.
type procEnd struct {
	pid     int
	status  string
	signal  linux.Signal
	code    int
	threads []threadEnd
	exit    uint64 // virtual ns of its exit
}

type threadEnd struct {
	tid  int
	dead bool
	// withFault says its Exit event came after the fault and before any guest
	// instruction ran again: the kernel ended it as part of handling the fault.
	withFault bool
}

func measureFaults(e *env) (evidence, error) {
	r, err := e.runGuest(spec{prog: "faults", seed: e.opts.Seed})
	if err != nil {
		return nil, err
	}
	gs := r.k.Groups()
	if len(gs) != 3 {
		return nil, fmt.Errorf("want 3 processes, got %d", len(gs))
	}
	ev := &faultsEvidence{run: r}
	ends := make([]procEnd, 3)
	for i, g := range gs {
		ends[i] = procEndOf(r, g)
	}
	ev.parent, ev.crasher, ev.sibling = ends[0], ends[1], ends[2]
	faulted := false
	for _, x := range r.events {
		switch {
		case x.Kind == trace.Fault:
			ev.fault, ev.faultTID, ev.crashTime = x.Name, x.TID, x.Time
			faulted = true
		case x.Kind == trace.Slice:
			faulted = false
		case x.Kind == trace.Exit && faulted:
			for i := range ev.crasher.threads {
				if th := &ev.crasher.threads[i]; th.tid == x.TID {
					th.withFault = true
				}
			}
		}
	}
	if ev.fault == "" {
		return nil, fmt.Errorf("no fault in the trace")
	}
	return ev, nil
}

func procEndOf(r *guestRun, g *kernel.ThreadGroup) procEnd {
	pe := procEnd{pid: g.PID, status: status(g), signal: g.KillSignal, code: g.ExitCode, exit: g.ExitTime}
	for _, t := range g.AllTasks() {
		pe.threads = append(pe.threads, threadEnd{tid: t.TID, dead: t.State == kernel.TaskDead})
	}
	return pe
}

func (ev *faultsEvidence) write(p *printer) {
	p.output(ev.run, nil)
	p.section("What weft measured (the kernel's process table after the run, and the trace):")
	rows := [][]string{{"process", "end", "ended at", "threads", "alive after the run"}}
	for _, x := range []struct {
		name string
		pe   procEnd
	}{{"parent", ev.parent}, {"crasher", ev.crasher}, {"sibling", ev.sibling}} {
		var tids []string
		alive := 0
		for _, t := range x.pe.threads {
			tids = append(tids, fmt.Sprint(t.tid))
			if !t.dead {
				alive++
			}
		}
		rows = append(rows, []string{fmt.Sprintf("pid %d %s", x.pe.pid, x.name), x.pe.status, vt(x.pe.exit),
			fmt.Sprintf("%d (tid %s)", len(tids), strings.Join(tids, ", ")), fmt.Sprint(alive)})
	}
	p.table(rows)
	p.blank()
	p.note("The fault, at %s in thread %d: %s.", vt(ev.crashTime), ev.faultTID, ev.fault)
	var ended []string
	for _, t := range ev.crasher.threads {
		if t.withFault {
			ended = append(ended, fmt.Sprint(t.tid))
		}
	}
	p.note("The trace shows the kernel ending threads %s of pid %d right after the fault, before "+
		"any instruction ran again.", strings.Join(ended, ", "), ev.crasher.pid)
	if ev.sibling.exit > ev.crashTime {
		p.note("The sibling went on for %s after the crash and exited normally.", vt(ev.sibling.exit-ev.crashTime))
	}
	p.why("The store to address 0 trapped into the kernel: nothing is mapped there. The kernel "+
		"turned the trap into SIGSEGV for the thread that caused it, and since the process had no "+
		"handler for it, the default action applied: terminate the process. A signal's default action "+
		"acts on the whole process, so the kernel ended all %d of its threads at the same moment, "+
		"including the three that were only sleeping. The sibling is another process, with its own "+
		"address space: nothing it owned was touched, it finished its work, and its parent learned "+
		"from wait how each child ended.", len(ev.crasher.threads))
}
