package costbench

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"weft/internal/kernel"
	"weft/internal/kernel/cost"
	"weft/internal/run"
	"weft/internal/trace"
)

// The lines a cost program writes, each with one write(2), right around its loop.
const (
	markerBegin = "@@cost-begin\n"
	markerEnd   = "@@cost-end\n"
)

// maxInsns stops a guest that runs away (a weft bug or a broken program): far more
// than any row needs (the largest, comm 4KiB, retires about 50 million).
const maxInsns = 2_000_000_000

// guestRun is one run of a cost program under weft.
type guestRun struct {
	res    *run.Result
	result result  // the program's result line
	perOp  float64 // per_op_ns: virtual ns per operation as the guest measured it
	ops    int
	host   time.Duration // host time between the two markers
	acct   *accountant   // the trace's view of the loop, for a traced run
	work   cost.Work     // the kernel's work between the two markers
}

// weftConf is how to run a program under weft.
type weftConf struct {
	seed   uint64
	model  *cost.Model
	noASID bool
	traced bool // attach a trace (accountant)
}

// runWeft runs the program at path with argv under a fresh weft kernel.
func runWeft(path string, argv []string, cpus int, wc weftConf) (*guestRun, error) {
	out := &guestOut{}
	var stderr bytes.Buffer
	opt := run.Options{
		Stdout: out, Stderr: &stderr,
		Seed: wc.seed, CPUs: cpus, MaxInsns: maxInsns,
		CostModel: wc.model, NoASID: wc.noASID,
		Setup: func(k *kernel.Kernel) { out.k = k },
	}
	traced := wc.traced
	g := &guestRun{}
	if traced {
		g.acct = &accountant{}
		out.acct = g.acct
		opt.Trace = g.acct
	}
	args := append([]string{filepath.Base(path)}, argv...)
	gc()
	res, err := run.Program(path, args, opt)
	if err != nil {
		return nil, fmt.Errorf("weft cannot run %s: %w", path, err)
	}
	g.res = res
	cmd := strings.Join(args, " ")
	switch {
	case res.Outcome == kernel.InsnLimit:
		return nil, fmt.Errorf("weft stopped `%s` after %d instructions (a runaway guest?); guest stderr: %q",
			cmd, uint64(maxInsns), tail(stderr.String()))
	case res.Outcome == kernel.Deadlock:
		return nil, fmt.Errorf("weft found `%s` deadlocked: %s", cmd, tail(stderr.String()))
	case res.Status != 0:
		return nil, fmt.Errorf("`%s` under weft exited with status %d: %s", cmd, res.Status, tail(stderr.String()))
	}
	if g.result, err = parseResult(out.buf.String()); err != nil {
		return nil, fmt.Errorf("`%s` under weft: %w", cmd, err)
	}
	if g.perOp, err = g.result.float("per_op_ns"); err != nil {
		return nil, err
	}
	ops, err := g.result.float("ops")
	if err != nil {
		return nil, err
	}
	g.ops = int(ops)
	if out.begin.IsZero() || out.end.IsZero() {
		return nil, fmt.Errorf("`%s` under weft did not write both markers", cmd)
	}
	g.host = out.end.Sub(out.begin)
	g.work = out.w1.Sub(out.w0)
	return g, nil
}

// guestOut is the guest's standard output. It notes the host time at which each marker
// is written: weft writes through synchronously, inside the guest's write(2).
type guestOut struct {
	buf        bytes.Buffer
	begin, end time.Time
	acct       *accountant // told about markers, when the run is traced
	// k is the kernel running the guest, and w0 and w1 its work counters when the
	// markers were written.
	k      *kernel.Kernel
	w0, w1 cost.Work
}

// Write implements io.Writer.
func (g *guestOut) Write(p []byte) (int, error) {
	switch string(p) {
	case markerBegin:
		g.begin = time.Now()
		g.w0 = g.k.Work()
		if g.acct != nil {
			g.acct.armed = 1
		}
	case markerEnd:
		g.end = time.Now()
		g.w1 = g.k.Work()
		if g.acct != nil {
			g.acct.armed = 2
		}
	default:
		g.buf.Write(p)
	}
	return len(p), nil
}

// accountant is a trace.Sink that counts what the kernel did between the guest's two
// marker writes. The marker's Syscall event is the first one the kernel emits after
// the write handler has passed the marker to guestOut.
type accountant struct {
	armed      int    // 1 or 2: the begin or end marker is being written
	open       bool   // between the markers
	closed     bool   // both markers seen
	start, end uint64 // virtual time at the end of the begin marker's write, at the start of the end marker's
	count      counts
}

type counts struct {
	insns, syscalls, pswitches, tswitches, forks, clones, faults, cows uint64
}

// Event implements trace.Sink.
func (a *accountant) Event(e *trace.Event) {
	if a.armed != 0 && e.Kind == trace.Syscall && e.Name == "write" {
		if a.armed == 1 {
			a.open, a.start = true, e.Time+e.Dur
		} else if a.open {
			a.open, a.closed, a.end = false, true, e.Time
		}
		a.armed = 0
		return
	}
	if !a.open {
		return
	}
	c := &a.count
	switch e.Kind {
	case trace.Slice:
		c.insns += e.Arg
	case trace.Syscall:
		c.syscalls++
	case trace.Switch:
		if e.Arg != 0 {
			c.pswitches++
		} else {
			c.tswitches++
		}
	case trace.Fork:
		c.forks++
	case trace.Clone:
		c.clones++
	case trace.PageFaults:
		c.faults += e.Arg
	case trace.COWCopies:
		c.cows += e.Arg
	}
}

func (c counts) per(ops float64) Account {
	return Account{
		Insns: float64(c.insns) / ops, Syscalls: float64(c.syscalls) / ops,
		ProcessSwitches: float64(c.pswitches) / ops, ThreadSwitches: float64(c.tswitches) / ops,
		Forks: float64(c.forks) / ops, Clones: float64(c.clones) / ops,
		PageFaults: float64(c.faults) / ops, COWCopies: float64(c.cows) / ops,
	}
}

// result is a program's "cost key=value ..." line.
type result map[string]string

func parseResult(out string) (result, error) {
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "cost ") {
			continue
		}
		r := result{}
		for _, f := range strings.Fields(line)[1:] {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				return nil, fmt.Errorf("malformed result line %q", line)
			}
			r[k] = v
		}
		return r, nil
	}
	return nil, fmt.Errorf("no result line in its output %q", tail(out))
}

func (r result) float(key string) (float64, error) {
	v, ok := r[key]
	if !ok {
		return 0, fmt.Errorf("the result line has no %s", key)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("the result line's %s=%q is not a number", key, v)
	}
	return f, nil
}

// tail keeps the end of a long program output for an error message.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 800 {
		s = "..." + s[len(s)-800:]
	}
	return s
}
