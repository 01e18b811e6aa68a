package costbench

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"

	"weft/internal/kernel/cost"
	"weft/internal/mm"
)

// spec says how to measure one row.
type spec struct {
	name, title, unit, per, setup string
	prog                          string
	// argv builds the program's arguments after argv[0] for kind "process" or
	// "thread" and an iteration count.
	argv func(kind string, n int) []string
	cpus int // simulated CPUs under weft

	n, quickN             int // weft iterations (memory: K)
	nativeN, quickNativeN int // native iterations
	memory                bool
}

// heapMiB is the heap the memory row's parent has written before it creates anyone.
const heapMiB = 4

var specs = []spec{
	{
		name: "create", title: "create and reap an empty process / thread", unit: "ns", per: "create+exit+reap",
		setup: "fork+_exit+waitpid vs pthread_create+pthread_join; weft 1 CPU, native pinned to CPU 0",
		prog:  "create", argv: func(kind string, n int) []string { return []string{kind, strconv.Itoa(n)} },
		cpus: 1, n: 1000, quickN: 200, nativeN: 1000, quickNativeN: 200,
	},
	{
		name: "switch", title: "context switch (ping-pong on one CPU)", unit: "ns", per: "switch",
		setup: "2 pipes vs a futex word; weft 1 CPU, native pinned to CPU 0; round trip / 2",
		prog:  "switch", argv: func(kind string, n int) []string { return []string{kind, strconv.Itoa(n)} },
		cpus: 1, n: 50000, quickN: 5000, nativeN: 100000, quickNativeN: 20000,
	},
	{
		name: "comm 64B", title: "send 64 bytes and get them back", unit: "ns", per: "round trip",
		setup: "2 pipes vs shared buffer + futex; weft 1 CPU, native pinned to CPU 0",
		prog:  "comm", argv: func(kind string, n int) []string { return []string{kind, "64", strconv.Itoa(n)} },
		cpus: 1, n: 50000, quickN: 5000, nativeN: 100000, quickNativeN: 20000,
	},
	{
		name: "comm 4KiB", title: "send 4 KiB and get them back", unit: "ns", per: "round trip",
		setup: "2 pipes vs shared buffer + futex; weft 1 CPU, native pinned to CPU 0",
		prog:  "comm", argv: func(kind string, n int) []string { return []string{kind, "4096", strconv.Itoa(n)} },
		cpus: 1, n: 10000, quickN: 1000, nativeN: 100000, quickNativeN: 20000,
	},
	{
		name: "memory", title: "memory of one more idle process / thread", unit: "bytes", per: "process or thread",
		setup: fmt.Sprintf("parent with a written %d MiB heap; (2K - K) idle children or threads, / K", heapMiB),
		prog:  "memory", argv: func(kind string, k int) []string { return []string{kind, strconv.Itoa(k), strconv.Itoa(heapMiB)} },
		cpus: 2, n: 16, quickN: 8, nativeN: 16, quickNativeN: 8,
		memory: true,
	},
}

var kinds = [2]string{"process", "thread"}

func (s *spec) measure(o Options, nat *nativeSet) (*Row, error) {
	n, nn := s.n, s.nativeN
	if o.Quick {
		n, nn = s.quickN, s.quickNativeN
	}
	row := &Row{Name: s.name, Title: s.title, Unit: s.unit, Per: s.per, Iters: n, CPUs: s.cpus, Setup: s.setup}
	if nat != nil {
		row.NativeIters = nn
	}
	path := filepath.Join(o.Dir, s.prog)
	for i, kind := range kinds {
		m := &row.Process
		if i == 1 {
			m = &row.Thread
		}
		var err error
		if s.memory {
			err = s.measureMemory(o, nat, path, kind, n, nn, m, row)
		} else {
			err = s.measureTime(o, nat, path, kind, n, nn, m, row)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
	}
	row.Ratio = Ratio{
		Weft:     ratio(&row.Process.Weft, &row.Thread.Weft),
		WeftZero: ratio(row.Process.WeftZero, row.Thread.WeftZero),
		WeftHost: ratio(row.Process.WeftHost, row.Thread.WeftHost),
		Native:   ratio(row.Process.Native, row.Thread.Native),
	}
	return row, nil
}

// hostRuns is how many times each host-timed measurement runs (weft host, native).
const hostRuns = 5

// measureTime fills m for one side of a row whose programs time themselves.
func (s *spec) measureTime(o Options, nat *nativeSet, path, kind string, n, nn int, m *Measure, row *Row) error {
	argv := s.argv(kind, n)
	wc := weftConf{seed: o.Seed, model: o.CostModel, noASID: o.NoASID}
	var runs []float64
	for i := 0; i < hostRuns; i++ {
		o.progress("weft   %-9s %v (host-timed run %d/%d)", s.name, argv, i+1, hostRuns)
		g, err := runWeft(path, argv, s.cpus, wc)
		if err != nil {
			return err
		}
		if i == 0 {
			m.Weft = g.perOp
			ops := float64(g.ops)
			m.Work = map[string]float64{}
			for u, c := range g.work {
				if c != 0 {
					m.Work[cost.Unit(u).String()] = float64(c) / ops
				}
			}
			m.WeftModel = float64(o.CostModel.Cost(g.work)) / 1000 / ops
			if m.Weft > 0 && math.Abs(m.WeftModel-m.Weft)/m.Weft > 0.01 {
				row.Notes = append(row.Notes, fmt.Sprintf("%s: work × price gives %.1f ns per %s, the guest's clock %.1f",
					kind, m.WeftModel, s.per, m.Weft))
			}
		} else if g.perOp != m.Weft {
			row.Notes = append(row.Notes, fmt.Sprintf("weft is not deterministic here: %s run %d measured %.1f ns virtual, run 1 %.1f",
				kind, i+1, g.perOp, m.Weft))
		}
		runs = append(runs, float64(g.host.Nanoseconds())/float64(g.ops))
	}
	m.WeftHostRange = spread(runs)
	m.WeftHost = ptr(m.WeftHostRange.Median)

	o.progress("weft   %-9s %v (zero cost model)", s.name, argv)
	zc := wc
	zc.model = &cost.Zero
	g, err := runWeft(path, argv, s.cpus, zc)
	if err != nil {
		return err
	}
	m.WeftZero = ptr(g.perOp)

	o.progress("weft   %-9s %v (traced run)", s.name, argv)
	tc := wc
	tc.traced = true
	g, err = runWeft(path, argv, s.cpus, tc)
	if err != nil {
		return err
	}
	if g.perOp != m.Weft {
		row.Notes = append(row.Notes, fmt.Sprintf("tracing changed the virtual time of %s: %.1f ns traced, %.1f untraced",
			kind, g.perOp, m.Weft))
	}
	a := g.acct
	if !a.closed {
		return fmt.Errorf("the trace did not show both marker writes")
	}
	ops := float64(g.ops)
	m.WeftKernel = float64(a.end-a.start) / ops
	m.Account = a.count.per(ops)
	if m.Weft > 0 && math.Abs(m.WeftKernel-m.Weft)/m.Weft > 0.02 {
		row.Notes = append(row.Notes, fmt.Sprintf("%s: the kernel's timestamps give %.1f ns per %s, the guest's clock %.1f",
			kind, m.WeftKernel, s.per, m.Weft))
	}

	if nat == nil {
		return nil
	}
	nargv := s.argv(kind, nn)
	var nruns []float64
	for i := 0; i < hostRuns; i++ {
		o.progress("native %-9s %v (run %d/%d)", s.name, nargv, i+1, hostRuns)
		res, err := nat.run(s.prog, nargv)
		if err != nil {
			row.Notes = append(row.Notes, fmt.Sprintf("native %s: %v", kind, err))
			return nil
		}
		v, err := res.float("per_op_ns")
		if err != nil {
			row.Notes = append(row.Notes, fmt.Sprintf("native %s: %v", kind, err))
			return nil
		}
		nruns = append(nruns, v)
		if res["pinned"] == "0" && i == 0 {
			row.Notes = append(row.Notes, fmt.Sprintf("native %s: this host refused sched_setaffinity to CPU 0, so the "+
				"two sides could run on different CPUs, unlike under weft", kind))
		}
	}
	m.NativeRange = spread(nruns)
	m.Native = ptr(m.NativeRange.Median)
	return nil
}

// measureMemory fills m for one side of the memory row: runs with k and 2k idle
// children or threads, and the difference per child or thread.
func (s *spec) measureMemory(o Options, nat *nativeSet, path, kind string, k, nk int, m *Measure, row *Row) error {
	var peak, pages [2]float64
	var acct counts
	for i, n := range []int{k, 2 * k} {
		argv := s.argv(kind, n)
		o.progress("weft   %-9s %v", s.name, argv)
		g, err := runWeft(path, argv, s.cpus, weftConf{seed: o.Seed, model: o.CostModel, noASID: o.NoASID, traced: true})
		if err != nil {
			return err
		}
		_, p := g.res.Kernel.Memory()
		peak[i] = float64(p)
		for _, r := range g.res.Kernel.Summary() {
			pages[i] += float64(r.PageFaults + r.COWCopies)
		}
		if i == 1 {
			if !g.acct.closed {
				return fmt.Errorf("the trace did not show both marker writes")
			}
			acct = g.acct.count
			m.Work = map[string]float64{}
			for u, c := range g.work {
				if c != 0 {
					m.Work[cost.Unit(u).String()] = float64(c) / float64(2*k)
				}
			}
			m.WeftModel = float64(o.CostModel.Cost(g.work)) / 1000 / float64(2*k)
		}
	}
	m.Weft = (peak[1] - peak[0]) / float64(k)
	m.WeftKernel = (pages[1] - pages[0]) * mm.PageSize / float64(k)
	m.Account = acct.per(float64(2 * k))

	if nat == nil {
		return nil
	}
	var nruns []float64
	for i := 0; i < hostRuns; i++ {
		var b [2]float64
		for j, n := range []int{nk, 2 * nk} {
			argv := s.argv(kind, n)
			o.progress("native %-9s %v (run %d/%d)", s.name, argv, i+1, hostRuns)
			res, err := nat.run(s.prog, argv)
			if err != nil {
				row.Notes = append(row.Notes, fmt.Sprintf("native %s: %v", kind, err))
				return nil
			}
			if res["native_bytes"] == "na" {
				row.Notes = append(row.Notes, "native: this host's /proc has no smaps_rollup Pss or status VmPTE to measure with")
				return nil
			}
			if b[j], err = res.float("native_bytes"); err != nil {
				row.Notes = append(row.Notes, fmt.Sprintf("native %s: %v", kind, err))
				return nil
			}
		}
		nruns = append(nruns, (b[1]-b[0])/float64(nk))
	}
	m.NativeRange = spread(nruns)
	m.Native = ptr(m.NativeRange.Median)
	return nil
}

func ptr(v float64) *float64 { return &v }

func ratio(p, t *float64) *float64 {
	if p == nil || t == nil || *t == 0 {
		return nil
	}
	return ptr(*p / *t)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// gc collects garbage left by the previous run so that it is not charged to the next.
func gc() { runtime.GC() }
