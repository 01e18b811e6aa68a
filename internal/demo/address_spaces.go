package demo

import (
	"fmt"

	"weft/internal/mm"
)

var addressSpaces = Lesson{
	Name:     "address-spaces",
	Title:    "A process has its own address space",
	Programs: []string{"address_spaces"},
	measure:  measureAddressSpaces,
}

// addressSpacesEvidence is what lesson 1 measured. parent and child are the two
// processes as the probe saw them when the child exited.
type addressSpacesEvidence struct {
	run                 *guestRun
	addr, code          uint64 // &value and &main
	parent, child       procView
	parentMem, childMem mm.Stats // the kernel's counters at each one's exit
	sameValuePage       bool     // value's page is one physical page in both
	sameCodePage        bool     // main's code page is one physical page in both
}

func measureAddressSpaces(e *env) (evidence, error) {
	r, err := e.runGuest(spec{prog: "address_spaces", seed: e.opts.Seed, watch: []string{"value", "main"}})
	if err != nil {
		return nil, err
	}
	ev := &addressSpacesEvidence{run: r}
	var ok1, ok2 bool
	ev.addr, ok1 = r.symbolAddr("value")
	ev.code, ok2 = r.symbolAddr("main")
	gs := r.k.Groups()
	if !ok1 || !ok2 || len(gs) != 2 {
		return nil, fmt.Errorf("want 2 processes and the symbols value and main; got %d processes", len(gs))
	}
	parent, child := gs[0], gs[1]
	snap := r.exits[child.PID]
	if snap == nil {
		return nil, fmt.Errorf("no snapshot of pid %d at its exit", child.PID)
	}
	var okp, okc bool
	ev.parent, okp = snap.byPID[parent.PID]
	ev.child, okc = snap.byPID[child.PID]
	if !okp || !okc {
		return nil, fmt.Errorf("pid %d exited after pid %d: want the parent alive at the child's exit", parent.PID, child.PID)
	}
	ev.parentMem, ev.childMem = parent.MemAtExit, child.MemAtExit
	ev.sameValuePage = ev.parent.frames["value"] == ev.child.frames["value"]
	ev.sameCodePage = ev.parent.frames["main"] == ev.child.frames["main"]
	return ev, nil
}

func (ev *addressSpacesEvidence) write(p *printer) {
	r := ev.run
	p.output(r, nil)
	p.section("What weft measured:")
	p.note("The symbol table puts `value` at %#x and main's code at %#x. When pid %d exited, "+
		"the kernel looked at both addresses in both processes' page tables:", ev.addr, ev.code, ev.child.pid)
	pages := pageNames{}
	rows := [][]string{{"process", "address space", "value", "page holding value", "page holding main"}}
	for _, v := range []procView{ev.parent, ev.child} {
		rows = append(rows, []string{
			fmt.Sprintf("pid %d", v.pid), fmt.Sprintf("#%d", v.mmID), fmt.Sprint(v.values["value"]),
			pages.name(v.frames["value"]), pages.name(v.frames["main"]),
		})
	}
	p.table(rows)
	p.blank()
	p.note("The kernel's memory counters (resident and shared pages when pid %d exited; faults and "+
		"copies over each process's life):", ev.child.pid)
	rows = [][]string{{"process", "resident pages", "shared", "page faults", "COW copies"}}
	for _, x := range []struct {
		v   procView
		mem mm.Stats
	}{{ev.parent, ev.parentMem}, {ev.child, ev.childMem}} {
		rows = append(rows, []string{fmt.Sprintf("pid %d", x.v.pid), fmt.Sprint(x.v.resident),
			fmt.Sprint(x.v.shared), fmt.Sprint(x.mem.PageFaults), fmt.Sprint(x.mem.COWCopies)})
	}
	p.table(rows)
	p.why("fork gave the child its own address space (#%d), a copy of the parent's (#%d). Both use "+
		"the same virtual address %#x for `value`, but each process's page table maps it to a "+
		"physical page of its own (%s and %s), so each reads back the number it wrote and never sees "+
		"the other's. The copy is lazy: right after fork every page is shared, and the first write to "+
		"a shared page makes the kernel copy it for the writer (a COW copy; the other copies are "+
		"pages of the stack and the C library that fork's return path wrote). Pages that neither "+
		"process writes, like the code, stay one physical page in both (%s), which is safe because "+
		"a write to it would be copied first.",
		ev.child.mmID, ev.parent.mmID, ev.addr, pages.name(ev.parent.frames["value"]),
		pages.name(ev.child.frames["value"]), pages.name(ev.parent.frames["main"]))
}

// pageNames names physical pages A, B, C ... in the order the text mentions them:
// the pages' host addresses mean nothing to a reader and change from run to run.
type pageNames map[*mm.Frame]string

func (n pageNames) name(f *mm.Frame) string {
	if f == nil {
		return "-"
	}
	s, ok := n[f]
	if !ok {
		s = "frame " + string(rune('A'+len(n)))
		n[f] = s
	}
	return s
}
