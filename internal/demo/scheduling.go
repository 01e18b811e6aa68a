package demo

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"

	"weft/internal/trace"
)

var scheduling = Lesson{
	Name:     "scheduling",
	Title:    "The kernel schedules every thread on its own, preemptively, on several CPUs",
	Programs: []string{"scheduling"},
	measure:  measureScheduling,
}

// schedulingEvidence is what lesson 4 measured: a run with the seed (first), the same
// seed again, and the next seed.
type schedulingEvidence struct {
	runs    [3]*guestRun
	seeds   [3]uint64
	threads []threadSched // of the first run, by TID
	cpus    []cpuSched
	end     uint64     // virtual ns when the last slice ended
	slices  [3][]slice // every run's schedule
	prints  [3]uint32  // and its fingerprint
}

type threadSched struct {
	tid     int
	label   string // "main", "A", "B", ...
	cpuTime uint64
	slices  int
	invol   uint64 // preempted at the end of a time slice
	vol     uint64 // gave up the CPU by blocking
	cpus    []int  // the CPUs it ran on
}

type cpuSched struct {
	id               int
	busy             uint64 // virtual ns running guest code
	threadSw, procSw uint64
}

// slice is one time slice: a task ran on a CPU from start for dur.
type slice struct {
	cpu, tid   int
	start, dur uint64
}

func measureScheduling(e *env) (evidence, error) {
	ev := &schedulingEvidence{seeds: [3]uint64{e.opts.Seed, e.opts.Seed, e.opts.Seed + 1}}
	for i, seed := range ev.seeds {
		r, err := e.runGuest(spec{prog: "scheduling", seed: seed})
		if err != nil {
			return nil, err
		}
		ev.runs[i] = r
		ev.slices[i] = slices(r.events)
		ev.prints[i] = fingerprint(ev.slices[i])
	}
	r := ev.runs[0]
	for i, t := range r.k.Tasks() {
		ts := threadSched{tid: t.TID, label: "main", cpuTime: t.Stats.CPUTime, invol: t.Stats.InvolSwitches, vol: t.Stats.VolSwitches}
		if i > 0 {
			ts.label = string(rune('A' + i - 1))
		}
		seen := map[int]bool{}
		for _, s := range ev.slices[0] {
			if s.tid == t.TID {
				ts.slices++
				if !seen[s.cpu] {
					seen[s.cpu] = true
					ts.cpus = append(ts.cpus, s.cpu)
				}
			}
		}
		sort.Ints(ts.cpus)
		ev.threads = append(ev.threads, ts)
	}
	for _, c := range r.k.CPUs {
		cs := cpuSched{id: c.ID, threadSw: c.ThreadSwitches, procSw: c.ProcessSwitches}
		for _, s := range ev.slices[0] {
			if s.cpu == c.ID {
				cs.busy += s.dur
			}
		}
		ev.cpus = append(ev.cpus, cs)
	}
	for _, s := range ev.slices[0] {
		ev.end = max(ev.end, s.start+s.dur)
	}
	return ev, nil
}

// slices returns the time slices of a run. While both CPUs are busy the kernel
// runs a slice in steps of --step instructions, and the trace has one Slice event
// per step: a task's consecutive steps on one CPU are one time slice.
func slices(events []trace.Event) []slice {
	var out []slice
	last := map[int]int{} // CPU -> index in out of its latest slice
	for _, x := range events {
		if x.Kind != trace.Slice {
			continue
		}
		if i, ok := last[x.CPU]; ok && out[i].tid == x.TID && out[i].start+out[i].dur == x.Time {
			out[i].dur += x.Dur
			continue
		}
		last[x.CPU] = len(out)
		out = append(out, slice{x.CPU, x.TID, x.Time, x.Dur})
	}
	return out
}

// fingerprint hashes a schedule: which task ran where, when and for how long.
func fingerprint(ss []slice) uint32 {
	h := fnv.New32a()
	for _, s := range ss {
		fmt.Fprintf(h, "%d %d %d %d\n", s.cpu, s.tid, s.start, s.dur)
	}
	return h.Sum32()
}

// firstDifference returns the index of the first slice where a and b differ.
func firstDifference(a, b []slice) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func (ev *schedulingEvidence) label(tid int) string {
	for _, t := range ev.threads {
		if t.tid == tid {
			if t.label == "main" {
				return "m"
			}
			return t.label
		}
	}
	return "?"
}

func (ev *schedulingEvidence) write(p *printer) {
	r := ev.runs[0]
	p.output(r, nil)
	p.section(fmt.Sprintf("What weft measured (seed %d):", ev.seeds[0]))
	rows := [][]string{{"thread", "tid", "cpu time", "time slices", "preempted", "blocked", "ran on CPUs"}}
	for _, t := range ev.threads {
		var cpus []string
		for _, c := range t.cpus {
			cpus = append(cpus, fmt.Sprint(c))
		}
		rows = append(rows, []string{t.label, fmt.Sprint(t.tid), vt(t.cpuTime), fmt.Sprint(t.slices),
			fmt.Sprint(t.invol), fmt.Sprint(t.vol), strings.Join(cpus, ",")})
	}
	p.table(rows)
	p.blank()
	for _, c := range ev.cpus {
		p.line("  CPU %d: busy %s of the run's %s (%d%%), %d thread switches", c.id, vt(c.busy), vt(ev.end),
			c.busy*100/max(ev.end, 1), c.threadSw)
	}
	p.blank()
	p.writeTimeline(ev)
	p.blank()
	same := "identical"
	if ev.prints[1] != ev.prints[0] {
		same = "DIFFERENT"
	}
	p.note("The whole schedule (%d slices: CPU, thread, start, length) hashed: seed %d gives %08x; "+
		"seed %d again gives %08x, %s; seed %d gives %08x, first differing at slice %d.",
		len(ev.slices[0]), ev.seeds[0], ev.prints[0], ev.seeds[1], ev.prints[1], same,
		ev.seeds[2], ev.prints[2], firstDifference(ev.slices[0], ev.slices[2])+1)
	outSame := "the same"
	if ev.runs[2].stdout != r.stdout {
		outSame = "different"
	}
	p.note("The program's output with seed %d is %s.", ev.seeds[2], outSame)
	p.why("Four threads want to run and there are two CPUs. No thread ever gives up its CPU "+
		"voluntarily (the workers make no system calls), yet each ran in many short slices, on both "+
		"CPUs: the kernel preempted each one when its time slice (about %d instructions, varied by "+
		"the seed) ran out, and gave the CPU to the thread that had waited longest. The scheduler "+
		"treats each thread on its own, not each process: all five threads are in one process. weft "+
		"draws the slice lengths from its seeded generator, so the same seed repeats the schedule "+
		"exactly and another seed gives another interleaving; the results do not change, because "+
		"the workers share nothing.", 100000)
}

// writeTimeline draws which thread ran on which CPU when, one character per column.
func (p *printer) writeTimeline(ev *schedulingEvidence) {
	const prefix = "  CPU 0 |"
	cols := p.width - len(prefix) - 1
	if cols < 10 {
		cols = 10
	}
	per := (ev.end + uint64(cols) - 1) / uint64(cols) // ns per column
	p.note("Timeline: each column is %s; a letter is the thread that ran most of it (m = main); "+
		"a dot means the CPU was idle for most of it.", vt(per))
	for _, c := range ev.cpus {
		// For each column, the time each thread had in it.
		busy := make([]map[int]uint64, cols)
		for _, s := range ev.slices[0] {
			if s.cpu != c.id {
				continue
			}
			for t := s.start; t < s.start+s.dur; {
				col := int(t / per)
				if col >= cols {
					break
				}
				end := min(uint64(col+1)*per, s.start+s.dur)
				if busy[col] == nil {
					busy[col] = map[int]uint64{}
				}
				busy[col][s.tid] += end - t
				t = end
			}
		}
		var b strings.Builder
		for _, m := range busy {
			best, bestT, total := -1, uint64(0), uint64(0)
			for tid, d := range m {
				total += d
				if d > bestT || d == bestT && tid < best {
					best, bestT = tid, d
				}
			}
			if best < 0 || total*2 < per {
				b.WriteByte('.')
			} else {
				b.WriteString(ev.label(best))
			}
		}
		p.line("  CPU %d |%s|", c.id, b.String())
	}
	p.line("  %s0%s%s", strings.Repeat(" ", len(prefix)-2), strings.Repeat(" ", max(cols-1-len(vt(ev.end)), 1)), vt(ev.end))
}
