package demo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"weft/internal/kernel/cost"
	"weft/internal/trace"
)

var costs = Lesson{
	Name:     "costs",
	Title:    "What creating and switching between processes and threads costs, counted",
	Programs: []string{"costs"},
	measure:  measureCosts,
}

// costRounds is how many times each loop of costs.c runs.
var costRounds = map[string]int{"fork": 100, "thread": 100, "pipe": 200, "futex": 200}

// costTries is how many times each measurement runs, for its host time.
const costTries = 5

// costModes pairs each process measurement with its thread counterpart.
var costModes = [2][2]string{{"fork", "thread"}, {"pipe", "futex"}}

// costsEvidence is what lesson 7 measured, by mode.
type costsEvidence struct {
	m map[string]*costRun
}

type costRun struct {
	run     *guestRun
	mode    string
	n       int
	virtual uint64          // virtual ns between the markers
	hosts   []time.Duration // host time between them, in each try
	procSw  int             // process switches between the markers
	threadS int             // thread switches between them
	work    cost.Work       // the work the kernel counted between them
	// clones is the work counted inside the clone calls between the markers, summed,
	// and nClones how many there were.
	clones  cost.Work
	nClones int
	model   *cost.Model
	noASID  bool
}

func (c *costRun) perOp() uint64 { return c.virtual / uint64(c.n) }

// hostPerOp is the median host time per operation over the tries.
func (c *costRun) hostPerOp() time.Duration {
	h := append([]time.Duration(nil), c.hosts...)
	sort.Slice(h, func(i, j int) bool { return h[i] < h[j] })
	return h[len(h)/2] / time.Duration(c.n)
}

// hostRange is the fastest and slowest try, per operation.
func (c *costRun) hostRange() (lo, hi time.Duration) {
	lo, hi = c.hosts[0], c.hosts[0]
	for _, h := range c.hosts {
		lo, hi = min(lo, h), max(hi, h)
	}
	return lo / time.Duration(c.n), hi / time.Duration(c.n)
}

// per is the count of u per operation.
func (c *costRun) per(u cost.Unit) float64 { return float64(c.work[u]) / float64(c.n) }

// perClone is the count of u per clone call.
func (c *costRun) perClone(u cost.Unit) float64 {
	if c.nClones == 0 {
		return 0
	}
	return float64(c.clones[u]) / float64(c.nClones)
}

func measureCosts(e *env) (evidence, error) {
	ev := &costsEvidence{m: map[string]*costRun{}}
	for _, pair := range costModes {
		for _, mode := range pair {
			n := costRounds[mode]
			// Virtual time and counted work are the same every time; host time is
			// not: keep every try's, to show their spread.
			var first *costRun
			for range costTries {
				r, err := e.runGuest(spec{prog: "costs", args: []string{mode, strconv.Itoa(n)}, seed: e.opts.Seed,
					cpus: 1, marker: "getppid", record: []trace.Kind{trace.Syscall, trace.Switch}})
				if err != nil {
					return nil, err
				}
				c, err := costFacts(r)
				if err != nil {
					return nil, err
				}
				if first == nil {
					first = c
					continue
				}
				first.hosts = append(first.hosts, c.hosts...)
			}
			first.mode, first.n = mode, n
			first.model, first.noASID = e.model(), e.opts.NoASID
			ev.m[mode] = first
		}
	}
	return ev, nil
}

func costFacts(r *guestRun) (*costRun, error) {
	var ms []mark
	for _, m := range r.marks {
		if m.ev.TID == 1 {
			ms = append(ms, m)
		}
	}
	if len(ms) != 2 {
		return nil, fmt.Errorf("%s: want 2 getppid markers from the main thread, got %d", r.cmd, len(ms))
	}
	from, to := ms[0].ev.Time+ms[0].ev.Dur, ms[1].ev.Time
	c := &costRun{run: r, virtual: to - from, hosts: []time.Duration{ms[1].host.Sub(ms[0].host)},
		work: ms[1].work.Sub(ms[0].work)}
	for _, x := range r.events {
		if x.Time < from || x.Time > to {
			continue
		}
		switch {
		case x.Kind == trace.Switch && x.Arg == 1:
			c.procSw++
		case x.Kind == trace.Switch:
			c.threadS++
		}
	}
	for _, cw := range r.clones {
		if cw.time >= from && cw.time <= to {
			c.clones = c.clones.Add(cw.work)
			c.nClones++
		}
	}
	return c, nil
}

// topWork lists the units that cost the most in w per operation, with their counts and
// their share of virtual time: "4 pages copied on write (88.8µs)".
func topWork(w cost.Work, n int, m *cost.Model, max int) []string {
	type item struct {
		u  cost.Unit
		ns float64
	}
	var items []item
	for u := range cost.NumUnits {
		if w[u] == 0 {
			continue
		}
		items = append(items, item{u, float64(w[u]) * m.PriceNS(u) / float64(n)})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].ns > items[j].ns })
	var out []string
	for i, it := range items {
		if i == max || it.ns < 1 {
			break
		}
		out = append(out, fmt.Sprintf("%s (%s)", it.u.Phrase(round2(float64(w[it.u])/float64(n))), vt(uint64(it.ns+0.5))))
	}
	return out
}

// round2 rounds a count per operation to two decimals.
func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

func (ev *costsEvidence) write(p *printer) {
	for _, pair := range costModes {
		for _, mode := range pair {
			p.output(ev.m[mode].run, nil)
		}
	}
	f, t, pipe, futex := ev.m["fork"], ev.m["thread"], ev.m["pipe"], ev.m["futex"]
	m := f.model
	p.section(fmt.Sprintf("What weft measured (1 CPU, per operation; virtual time: %s cost model):", m.Name))
	labels := map[string]string{
		"fork":   "fork + exit + wait (a process)",
		"thread": "pthread_create + join (a thread)",
		"pipe":   "round trip over pipes (2 processes)",
		"futex":  "round trip with futexes (2 threads)",
	}
	rows := [][]string{{"operation", "virtual", "of it guest code", "switches (p/t)", "host (median, min-max of 5)"}}
	for _, pair := range costModes {
		for _, mode := range pair {
			c := ev.m[mode]
			lo, hi := c.hostRange()
			rows = append(rows, []string{labels[mode], vt(c.perOp()),
				vt(uint64(c.per(cost.Insn)*m.PriceNS(cost.Insn) + 0.5)),
				fmt.Sprintf("%.1f / %.1f", float64(c.procSw)/float64(c.n), float64(c.threadS)/float64(c.n)),
				fmt.Sprintf("[host %s, %s-%s]", roundDuration(c.hostPerOp()), roundDuration(lo), roundDuration(hi))})
		}
		a, b := ev.m[pair[0]], ev.m[pair[1]]
		rows = append(rows, []string{"  process / thread", ratio(a.perOp(), b.perOp()), "", "",
			hostRatio(a.hostPerOp(), b.hostPerOp())})
	}
	p.table(rows)
	p.note("(switches per operation: p between processes, t between threads of one process. \"Of it guest " +
		"code\" is the guest's own instructions at 1 ns each: what --cost-model zero would show.)")

	p.section("The work behind each figure (counted per operation, with its virtual time):")
	for _, mode := range []string{"fork", "thread", "pipe", "futex"} {
		c := ev.m[mode]
		p.wrapped(fmt.Sprintf("  %-8s", mode), "          ", strings.Join(topWork(c.work, c.n, m, 6), ", ")+".")
	}
	p.blank()
	fc := func(u cost.Unit) string { return u.Phrase(round2(f.perClone(u))) }
	p.note("Inside the fork call, weft's kernel counted: %s, %s, %s, %s, %s and %s.",
		fc(cost.PTNodeCopy), fc(cost.PTRef), fc(cost.VMACopy), fc(cost.FDCopy), fc(cost.SigActionCopy), fc(cost.PageCopied))
	tc := func(u cost.Unit) string { return u.Phrase(round2(t.perClone(u))) }
	p.note("Inside the thread's clone call: %s, %s, %s, %s and %s.",
		tc(cost.TaskInit), tc(cost.PTNodeCopy), tc(cost.VMACopy), tc(cost.FDCopy), tc(cost.SigActionCopy))
	p.blank()

	var why []string
	why = append(why, fmt.Sprintf("A new process needs its own address space and tables. Inside fork, weft's "+
		"kernel counted %s (the top of the page table, and the path down to the page where it wrote the "+
		"child's thread ID; everything else below the top is shared), %s, %s and %s; after it, the first "+
		"writes of the two processes cost %s per fork.",
		fc(cost.PTNodeCopy), fc(cost.VMACopy), fc(cost.FDCopy), fc(cost.SigActionCopy),
		cost.PageCopied.Phrase(round2(f.per(cost.PageCopied)))))
	if t.perClone(cost.PTNodeCopy)+t.perClone(cost.VMACopy)+t.perClone(cost.FDCopy)+t.perClone(cost.SigActionCopy) == 0 {
		why = append(why, fmt.Sprintf("A new thread shares all of that: inside its clone weft counted %s and "+
			"no page-table node, VMA, fd entry or signal action copied.", tc(cost.TaskInit)))
	}
	if f.per(cost.Insn) < t.per(cost.Insn) {
		why = append(why, fmt.Sprintf("In the guest, though, glibc's pthread_create and join ran more instructions "+
			"(%.0f) than its fork, exit and wait (%.0f): with --cost-model zero a thread is dearer to create here.",
			t.per(cost.Insn), f.per(cost.Insn)))
	}
	// The switch rows: what a round trip between processes did that one between
	// threads did not, from the counts.
	asw := pipe.per(cost.ASSwitch) * m.PriceNS(cost.ASSwitch)
	if f.noASID {
		why = append(why, fmt.Sprintf("Switching between processes changes the address space: the pipe round "+
			"trip took %s (%s of virtual time) and, with --asid off, each flushed the CPU's TLB, which the "+
			"processes refilled with %s; the futex round trip between threads took %s and %s.",
			cost.ASSwitch.Phrase(round2(pipe.per(cost.ASSwitch))), vt(uint64(asw+0.5)),
			cost.TLBMiss.Phrase(round2(pipe.per(cost.TLBMiss))),
			cost.ASSwitch.Phrase(round2(futex.per(cost.ASSwitch))), cost.TLBMiss.Phrase(round2(futex.per(cost.TLBMiss)))))
	} else {
		priced := fmt.Sprintf("%s of virtual time, the price measured for loading another page table on the "+
			"machine the model comes from", vt(uint64(asw+0.5)))
		if asw == 0 {
			priced = "at no price in the " + m.Name + " model"
		}
		why = append(why, fmt.Sprintf("Switching between processes changes the address space: the pipe round "+
			"trip took %s (%s), the futex round trip between threads %s. With ASIDs (weft's "+
			"default, --asid on; modern Linux uses x86-64's PCIDs and RISC-V's ASIDs the same way) the TLB "+
			"keeps each address space's translations tagged, so the pipe round trip took only %s and the futex "+
			"round trip %s. Run with --asid off to see a process switch flush the TLB and count the misses "+
			"that refill it.",
			cost.ASSwitch.Phrase(round2(pipe.per(cost.ASSwitch))), priced,
			cost.ASSwitch.Phrase(round2(futex.per(cost.ASSwitch))),
			cost.TLBMiss.Phrase(round2(pipe.per(cost.TLBMiss))), cost.TLBMiss.Phrase(round2(futex.per(cost.TLBMiss)))))
	}
	model := "Virtual time is weft's " + m.Name + " cost model: each unit of counted work at a price measured " +
		"on a real machine (internal/kernel/cost/model.go), guest instructions at 1 ns."
	if m.Name == "zero" {
		model = "Virtual time here is the zero cost model: guest instructions at 1 ns and no price for the " +
			"kernel's work, which weft still counted (above); the default model prices each unit as measured " +
			"on a real machine (internal/kernel/cost/model.go)."
	}
	why = append(why, model+" It is the same on every machine and every run. Host time is what weft itself "+
		"took here, interpreting riscv64. `weft bench` measures these costs in more detail, next to native Linux.")
	p.why("%s", strings.Join(why, " "))
}
