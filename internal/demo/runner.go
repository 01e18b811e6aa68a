package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"weft/internal/kernel"
	"weft/internal/kernel/cost"
	"weft/internal/mm"
	"weft/internal/run"
	"weft/internal/trace"
)

// spec is one run of a lesson program.
type spec struct {
	prog string   // file name in the lesson directory
	args []string // after argv[0]
	seed uint64
	cpus int    // 0: weft's default (2)
	step uint64 // 0: weft's default
	uid  *uint32
	// watch names global variables (symbols) that the probe reads, 8 bytes each,
	// in the memory of every live process whenever a process exits.
	watch []string
	// env reads each exiting process's environment from its memory.
	env bool
	// marker is a system call whose trace events get a host timestamp.
	marker string
	// strace keeps weft's strace lines of the run.
	strace bool
	// record lists the kinds of trace event to keep (nil: all of them). A run at a
	// fine --step has millions of slices; keeping them all would cost more than
	// running the program.
	record []trace.Kind
}

// guestRun is how one run went: what the program printed, the kernel after the run,
// the trace, and what the probe saw when each process exited.
type guestRun struct {
	spec   spec
	cmd    string // the equivalent `weft run` command line
	out    string // stdout, stderr and weft's notices, interleaved as on a terminal
	stdout string
	res    kernel.Result
	k      *kernel.Kernel
	host   time.Duration // host time spent running the guest

	events []trace.Event
	strace []string          // when spec.strace
	exits  map[int]*exitSnap // by PID
	marks  []mark            // marker syscalls, in order
	clones []callWork        // every clone and clone3 call, in order
}

// exitSnap is the state of the machine at the moment a process exited, taken before
// the kernel closed its files and released its memory.
type exitSnap struct {
	pid   int
	time  uint64     // virtual ns
	fds   []fdEntry  // the exiting process's descriptor table
	env   []string   // its environment (when spec.env)
	procs []procView // every process alive then, the exiting one included
	byPID map[int]procView
}

type fdEntry struct {
	fd   int
	path string
}

// procView is one process's memory as the probe saw it.
type procView struct {
	pid              int
	mmID             int // 1, 2, ...: distinct address spaces, numbered as first seen
	resident, shared uint64
	values           map[string]uint64    // watched symbol -> value
	frames           map[string]*mm.Frame // watched symbol -> the physical page holding it
}

type mark struct {
	ev   trace.Event
	host time.Time
	work cost.Work // the kernel's work counters when the marker call completed
}

// callWork is the work the kernel counted inside one fork or clone call.
type callWork struct {
	pid, tid int
	time     uint64 // when the call started
	work     cost.Work
}

// ErrNotBuilt is wrapped by Run's and Check's error when a lesson program is missing.
var ErrNotBuilt = errors.New("lesson program not built")

// runGuest runs one lesson program on a fresh weft kernel, with a probe attached as
// the trace sink so that it can look at a process at the moment it exits. The guest
// finds the program at /usr/local/bin/NAME, whatever the host path.
func (e *env) runGuest(s spec) (*guestRun, error) {
	host := filepath.Join(e.dir, s.prog)
	r := &guestRun{spec: s, exits: map[int]*exitSnap{}}
	r.cmd = commandLine(host, s)
	var term, stdout bytes.Buffer
	uid, gid := uint32(1000), uint32(1000)
	if s.uid != nil {
		uid = *s.uid
	}
	p := &probe{run: r, spec: s, mmIDs: map[*mm.AddressSpace]int{}}
	var strace io.Writer
	var straceBuf bytes.Buffer
	if s.strace {
		strace = &straceBuf
	}
	res, err := run.Program(host, append([]string{s.prog}, s.args...), run.Options{
		Stdout: io.MultiWriter(&term, &stdout), Stderr: &term, Notices: &term,
		Seed: s.seed, CPUs: s.cpus, Step: s.step, UID: uid, GID: gid,
		// A lesson that ran away would show a bug in weft or in the lesson: stop it
		// long before a reader would give up.
		MaxInsns: 2_000_000_000,
		Strace:   strace, Trace: p,
		CostModel: e.opts.CostModel, NoASID: e.opts.NoASID,
		Setup: func(k *kernel.Kernel) { p.k = k },
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, missingError(host)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", host, err)
	}
	r.res, r.host, r.k = res.Result, res.Host, res.Kernel
	r.out, r.stdout = term.String(), stdout.String()
	if s.strace {
		r.strace = strings.Split(strings.TrimRight(straceBuf.String(), "\n"), "\n")
	}
	switch r.res.Outcome {
	case kernel.Deadlock:
		return r, fmt.Errorf("%s deadlocked; its output:\n%s", r.cmd, r.out)
	case kernel.InsnLimit:
		return r, fmt.Errorf("%s ran past %d instructions; its output:\n%s", r.cmd, r.k.TotalInsns(), r.out)
	}
	return r, nil
}

func missingError(path string) error {
	return fmt.Errorf("%w: %s is missing; build the lesson programs first with `make -C examples` (or ./scripts/demo.sh)", ErrNotBuilt, path)
}

// commandLine is the `weft run` command that reproduces s.
func commandLine(host string, s spec) string {
	parts := []string{"weft", "run"}
	if s.seed != 1 {
		parts = append(parts, "--seed", strconv.FormatUint(s.seed, 10))
	}
	if s.cpus != 0 {
		parts = append(parts, "--cpus", strconv.Itoa(s.cpus))
	}
	if s.step != 0 {
		parts = append(parts, "--step", strconv.FormatUint(s.step, 10))
	}
	if s.uid != nil {
		parts = append(parts, "--uid", strconv.FormatUint(uint64(*s.uid), 10))
	}
	parts = append(parts, filepath.ToSlash(host))
	parts = append(parts, s.args...)
	return strings.Join(parts, " ")
}

// probe is the run's trace sink: it records every event and, when a process exits,
// takes a snapshot of it while its files and memory are still there.
type probe struct {
	run   *guestRun
	spec  spec
	k     *kernel.Kernel
	mmIDs map[*mm.AddressSpace]int
}

// Event implements trace.Sink.
func (p *probe) Event(e *trace.Event) {
	r := p.run
	if p.keep(e.Kind) {
		r.events = append(r.events, *e)
	}
	switch e.Kind {
	case trace.Syscall:
		if p.spec.marker != "" && e.Name == p.spec.marker {
			r.marks = append(r.marks, mark{ev: *e, host: time.Now(), work: p.k.Work()})
		}
		if e.Name == "clone" || e.Name == "clone3" {
			if t := p.k.FindTask(e.TID); t != nil {
				r.clones = append(r.clones, callWork{e.PID, e.TID, e.Time, t.CallWork()})
			}
		}
	case trace.Exit:
		// The kernel reports each thread's exit; the first one reported after the
		// process is marked exited comes before its files are closed and its memory
		// is released.
		tg := p.k.FindGroup(e.PID)
		if tg == nil || !tg.Exited || r.exits[e.PID] != nil {
			return
		}
		r.exits[e.PID] = p.snapshot(tg, e.Time)
	}
}

func (p *probe) keep(k trace.Kind) bool {
	if p.spec.record == nil {
		return true
	}
	for _, x := range p.spec.record {
		if x == k {
			return true
		}
	}
	return false
}

func (p *probe) snapshot(tg *kernel.ThreadGroup, now uint64) *exitSnap {
	s := &exitSnap{pid: tg.PID, time: now, byPID: map[int]procView{}}
	for _, fd := range tg.FDs.Open() {
		if f, err := tg.FDs.Get(fd); err == nil {
			s.fds = append(s.fds, fdEntry{fd, f.Path})
		}
	}
	if p.spec.env {
		s.env = p.environ(tg)
	}
	for _, g := range p.k.Groups() {
		if g.Exited && g != tg {
			continue
		}
		v := p.view(g)
		s.procs = append(s.procs, v)
		s.byPID[g.PID] = v
	}
	return s
}

func (p *probe) mmID(as *mm.AddressSpace) int {
	id, ok := p.mmIDs[as]
	if !ok {
		id = len(p.mmIDs) + 1
		p.mmIDs[as] = id
	}
	return id
}

func (p *probe) view(g *kernel.ThreadGroup) procView {
	v := procView{pid: g.PID, mmID: p.mmID(g.MM), values: map[string]uint64{}, frames: map[string]*mm.Frame{}}
	v.resident, v.shared = g.MM.Resident()
	for _, name := range p.spec.watch {
		addr, ok := symbol(g, name)
		if !ok {
			continue
		}
		peek(g.MM, func() {
			if x, err := g.MM.ReadU64(addr); err == nil {
				v.values[name] = x
			}
			if f, fault := g.MM.Page(addr, mm.Load); fault == nil {
				v.frames[name] = f
			}
		})
	}
	return v
}

// environ reads the process's environment through glibc's __environ.
func (p *probe) environ(g *kernel.ThreadGroup) []string {
	addr, ok := symbol(g, "__environ")
	if !ok {
		return nil
	}
	var env []string
	peek(g.MM, func() {
		vec, err := g.MM.ReadU64(addr)
		for i := uint64(0); err == nil && vec != 0 && i < 256; i++ {
			var s uint64
			if s, err = g.MM.ReadU64(vec + 8*i); err != nil || s == 0 {
				break
			}
			str, _, err2 := g.MM.ReadString(s, 4096)
			if err2 != nil {
				break
			}
			env = append(env, str)
		}
	})
	return env
}

// peek runs read, which reads guest memory the way the kernel does, and keeps the
// process's memory counters as they were: looking must not count as a page fault.
func peek(as *mm.AddressSpace, read func()) {
	st := as.Stats
	read()
	as.Stats = st
}

// symbol returns the address of a global in the process's program.
func symbol(g *kernel.ThreadGroup, name string) (uint64, bool) {
	if g.Binary == nil {
		return 0, false
	}
	for _, s := range g.Binary.Symbols {
		if s.Name == name {
			return s.Addr, true
		}
	}
	return 0, false
}

// symbolAddr returns the address of a global in the run's first program.
func (r *guestRun) symbolAddr(name string) (uint64, bool) {
	gs := r.k.Groups()
	if len(gs) == 0 {
		return 0, false
	}
	return symbol(gs[0], name)
}

// count returns how many events of kind k the process pid had (pid 0: any).
func (r *guestRun) count(k trace.Kind, pid int) int {
	n := 0
	for i := range r.events {
		if e := &r.events[i]; e.Kind == k && (pid == 0 || e.PID == pid) {
			n++
		}
	}
	return n
}

// status is a process's end as the kernel recorded it: "exit N" or the signal.
func status(g *kernel.ThreadGroup) string {
	switch {
	case !g.Exited:
		return "running"
	case g.KillSignal != 0:
		return g.KillSignal.String()
	}
	return "exit " + strconv.Itoa(g.ExitCode)
}
