package demo

import (
	"fmt"
	"strings"

	"weft/internal/trace"
)

var races = Lesson{
	Name:     "races",
	Title:    "Without synchronization, threads lose updates; with it, none are lost",
	Programs: []string{"races"},
	Step:     raceStep,
	measure:  measureRaces,
}

const (
	// raceExpected is the counter's value when no update is lost: races.c's THREADS
	// times ADDS.
	raceExpected = 4 * 20000
	// raceStep is weft's --step for this lesson: while both CPUs are busy, each runs
	// 7 instructions before the other takes a turn, so the two instruction streams
	// interleave finely, as on two real cores. (A step that divides the loop's length
	// would always switch at the same place in the loop.)
	raceStep = 7
	// raceSeeds is how many seeds each version runs with.
	raceSeeds = 3
)

var raceVersions = []string{"none", "mutex", "semaphore", "condvar"}

// racesEvidence is what lesson 6 measured: results[v][s] is version v with seed
// seeds[s].
type racesEvidence struct {
	seeds   []uint64
	results [][]raceResult
}

type raceResult struct {
	run        *guestRun
	counter    uint64 // read from the process's memory at its exit
	lost       int64
	futexWaits int // threads that slept in futex wait
	preempted  uint64
}

func measureRaces(e *env) (evidence, error) {
	ev := &racesEvidence{}
	for s := range raceSeeds {
		ev.seeds = append(ev.seeds, e.opts.Seed+uint64(s))
	}
	for _, v := range raceVersions {
		var row []raceResult
		for _, seed := range ev.seeds {
			r, err := e.runGuest(spec{prog: "races", args: []string{v}, seed: seed, step: raceStep,
				watch: []string{"counter"}, record: []trace.Kind{trace.FutexWait}})
			if err != nil {
				return nil, err
			}
			if want := fmt.Sprintf("expected %d,", raceExpected); !strings.Contains(r.stdout, want) {
				return nil, fmt.Errorf("%s: the program does not say %q: is raceExpected out of date?", r.cmd, want)
			}
			g := r.k.Groups()[0]
			snap := r.exits[g.PID]
			if snap == nil {
				return nil, fmt.Errorf("no snapshot of pid %d at its exit", g.PID)
			}
			res := raceResult{run: r, counter: snap.byPID[g.PID].values["counter"], futexWaits: r.count(trace.FutexWait, 0)}
			res.lost = raceExpected - int64(res.counter)
			res.preempted = g.Stats().InvolSwitches
			row = append(row, res)
		}
		ev.results = append(ev.results, row)
	}
	return ev, nil
}

func (ev *racesEvidence) write(p *printer) {
	for _, row := range ev.results {
		for s, res := range row {
			if s == 0 || p.verbose {
				p.output(res.run, nil)
			}
		}
		if !p.verbose && len(row) > 1 {
			var more []string
			for _, s := range ev.seeds[1:] {
				more = append(more, fmt.Sprintf("--seed %d", s))
			}
			p.line("  (run again with %s: see the table)", strings.Join(more, ", "))
		}
	}
	p.section("What weft measured:")
	p.note("Updates lost: %d minus the counter that the kernel read from the process's memory when it "+
		"exited. With --step %d, while both CPUs are busy each runs %d instructions and then the other "+
		"takes a turn, so the threads' instructions interleave finely, as on two real cores.",
		raceExpected, raceStep, raceStep)
	head := []string{"version"}
	for _, s := range ev.seeds {
		head = append(head, fmt.Sprintf("seed %d", s))
	}
	head = append(head, "futex waits", "preemptions")
	rows := [][]string{head}
	for v, row := range ev.results {
		r := []string{raceVersions[v]}
		waits, pre := 0, uint64(0)
		for _, res := range row {
			r = append(r, fmt.Sprintf("lost %d", res.lost))
			waits += res.futexWaits
			pre += res.preempted
		}
		r = append(r, fmt.Sprint(waits), fmt.Sprint(pre))
		rows = append(rows, r)
	}
	p.table(rows)
	p.note("(futex waits and preemptions are totals over the %d seeds.)", len(ev.seeds))
	p.why("counter++ is a load, an add and a store. Without a lock, a thread on the other CPU can " +
		"load the counter between this thread's load and store, and then both store the same value: " +
		"one increment is lost. Worse, a thread preempted between its load and its store resumes " +
		"later and stores a stale value over every increment the others made meanwhile. How many " +
		"updates are lost depends on exactly how the threads interleave, which is why each seed gives " +
		"a different count, and why such bugs come and go on real machines. The mutex, the semaphore " +
		"and the busy flag guarded by a condition variable each let only one thread at a time into " +
		"the increment; a thread that finds it taken sleeps in the kernel (the futex waits) instead " +
		"of racing, and no update is lost with any seed.")
}
