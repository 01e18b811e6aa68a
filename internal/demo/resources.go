package demo

import (
	"fmt"
	"strings"

	"weft/internal/kernel"
)

var resources = Lesson{
	Name:     "resources",
	Title:    "Open files, environment and credentials belong to a process",
	Programs: []string{"resources"},
	measure:  measureResources,
}

// resourcesEvidence is what lesson 2 measured, per process (parent first).
type resourcesEvidence struct {
	run   *guestRun
	procs []resourceView
	// strace are weft's strace lines of the calls that change or check identity.
	strace []string
}

type resourceView struct {
	pid      int
	fds      []fdEntry // at its exit
	greeting string    // GREETING in its environment at its exit
	creds    kernel.Creds
	setuids  int // setuid calls that succeeded (from the strace)
	denied   int // opens refused with EACCES (from the strace)
}

func measureResources(e *env) (evidence, error) {
	root := uint32(0)
	r, err := e.runGuest(spec{prog: "resources", seed: e.opts.Seed, uid: &root, env: true, strace: true})
	if err != nil {
		return nil, err
	}
	ev := &resourcesEvidence{run: r}
	for _, g := range r.k.Groups() {
		snap := r.exits[g.PID]
		if snap == nil {
			return nil, fmt.Errorf("no snapshot of pid %d at its exit", g.PID)
		}
		v := resourceView{pid: g.PID, fds: snap.fds, creds: g.Creds}
		for _, kv := range snap.env {
			if s, ok := strings.CutPrefix(kv, "GREETING="); ok {
				v.greeting = s
			}
		}
		prefix := fmt.Sprintf("[pid %d] ", g.PID)
		for _, l := range r.strace {
			call, ok := strings.CutPrefix(l, prefix)
			if !ok {
				continue
			}
			switch {
			case strings.HasPrefix(call, "setuid(") && strings.HasSuffix(call, " = 0"):
				v.setuids++
			case strings.HasPrefix(call, "openat(") && strings.HasSuffix(call, " EACCES"):
				v.denied++
			}
		}
		ev.procs = append(ev.procs, v)
	}
	for _, l := range r.strace {
		if strings.Contains(l, "] setuid(") || strings.Contains(l, `"/tmp/secret", O_RDONLY`) {
			ev.strace = append(ev.strace, l)
		}
	}
	if len(ev.procs) != 2 {
		return nil, fmt.Errorf("want 2 processes, got %d", len(ev.procs))
	}
	return ev, nil
}

func (ev *resourcesEvidence) write(p *printer) {
	r := ev.run
	p.output(r, nil)
	p.section("What weft measured:")
	p.note("Each process as the kernel saw it when it exited, before closing its files: its " +
		"descriptor table, GREETING read from its memory, its user IDs, and how many of its " +
		"setuid calls succeeded and opens were refused with EACCES.")
	rows := [][]string{{"process", "GREETING", "uid/euid/suid", "setuid calls", "opens refused (EACCES)"}}
	for _, v := range ev.procs {
		rows = append(rows, []string{fmt.Sprintf("pid %d", v.pid), v.greeting,
			fmt.Sprintf("%d/%d/%d", v.creds.UID, v.creds.EUID, v.creds.SUID),
			fmt.Sprint(v.setuids), fmt.Sprint(v.denied)})
	}
	p.table(rows)
	for _, v := range ev.procs {
		p.line("  descriptors of pid %d: %s", v.pid, fdList(v.fds))
	}
	p.blank()
	p.note("weft's strace of the calls that changed or checked an identity:")
	for _, l := range ev.strace {
		p.line("    %s", l)
	}
	parent, child := ev.procs[0], ev.procs[1]
	p.why("fork gave pid %d copies of pid %d's descriptor table, environment and credentials. "+
		"Closing descriptor 3 and opening another file (which got the lowest free number, 3 again) "+
		"changed only the child's table; setenv changed only the child's copy of the environment, "+
		"which lives in its own memory; and setuid(%d) changed only the child's credentials. From then "+
		"on the kernel checked the child's opens against uid %d and refused it the file that only "+
		"root may read, while the parent, still uid %d, could open it.",
		child.pid, parent.pid, child.creds.UID, child.creds.EUID, parent.creds.EUID)
}
