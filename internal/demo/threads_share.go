package demo

import (
	"fmt"
	"strings"

	"weft/internal/trace"
)

var threadsShare = Lesson{
	Name:     "threads-share",
	Title:    "Threads of one process share its memory and its resources",
	Programs: []string{"threads_share"},
	measure:  measureThreadsShare,
}

// threadsShareEvidence is what lesson 5 measured.
type threadsShareEvidence struct {
	run       *guestRun
	processes int   // thread groups in the run
	tids      []int // the process's threads
	forks     int   // Fork events: new processes
	clones    int   // Clone events: new threads
	spaces    int   // distinct address spaces among the threads (at exit)
	fds       []fdEntry
	shared    uint64 // `shared` read from the process's memory at exit
	addr      uint64
}

func measureThreadsShare(e *env) (evidence, error) {
	r, err := e.runGuest(spec{prog: "threads_share", seed: e.opts.Seed, watch: []string{"shared"}})
	if err != nil {
		return nil, err
	}
	gs := r.k.Groups()
	if len(gs) != 1 {
		return nil, fmt.Errorf("want 1 process, got %d", len(gs))
	}
	g := gs[0]
	snap := r.exits[g.PID]
	if snap == nil {
		return nil, fmt.Errorf("no snapshot of pid %d at its exit", g.PID)
	}
	ev := &threadsShareEvidence{run: r, processes: len(gs), fds: snap.fds,
		forks: r.count(trace.Fork, 0), clones: r.count(trace.Clone, 0)}
	ev.shared = snap.byPID[g.PID].values["shared"]
	ev.addr, _ = r.symbolAddr("shared")
	spaces := map[any]bool{}
	for _, t := range g.AllTasks() {
		ev.tids = append(ev.tids, t.TID)
		spaces[t.TG.MM] = true
	}
	ev.spaces = len(spaces)
	return ev, nil
}

func (ev *threadsShareEvidence) write(p *printer) {
	p.output(ev.run, nil)
	p.section("What weft measured:")
	var tids []string
	for _, t := range ev.tids {
		tids = append(tids, fmt.Sprint(t))
	}
	p.table([][]string{
		{"processes (thread groups)", fmt.Sprint(ev.processes)},
		{"threads in it (tids)", fmt.Sprintf("%d (%s)", len(ev.tids), strings.Join(tids, ", "))},
		{"new processes / new threads (trace)", fmt.Sprintf("%d fork / %d clone", ev.forks, ev.clones)},
		{"address spaces among its threads", fmt.Sprint(ev.spaces)},
		{"its one descriptor table at exit", fdList(ev.fds)},
		{fmt.Sprintf("`shared` (%#x) in its memory at exit", ev.addr), fmt.Sprint(ev.shared)},
	})
	p.why("pthread_create asked the kernel for a new thread with clone(CLONE_VM | CLONE_FILES | ...): "+
		"a new task with its own registers and stack, but in the same thread group, using the "+
		"same address space and the same descriptor table. So thread B read the 42 that thread A "+
		"stored at %#x (unlike the two processes of lesson 1), and the descriptor %d that thread A's "+
		"open returned was valid in thread B and in main: there is one table for the whole process. "+
		"Each thread still has its own registers and stack, and the kernel schedules each one on "+
		"its own (lesson 4).", ev.addr, lastFD(ev.fds))
}

func lastFD(fds []fdEntry) int {
	if len(fds) == 0 {
		return -1
	}
	return fds[len(fds)-1].fd
}
