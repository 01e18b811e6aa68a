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

var ipc = Lesson{
	Name:     "ipc",
	Title:    "Processes communicate through the kernel; threads through their memory",
	Programs: []string{"ipc"},
	measure:  measureIPC,
}

// ipcRounds is how many round trips each variant of ipc.c makes.
const ipcRounds = 100

// ipcModes are ipc.c's four ways to exchange the same messages.
var ipcModes = []string{"pipe", "socket", "shm", "threads"}

var ipcLabels = map[string]string{
	"pipe":    "2 processes, two pipes",
	"socket":  "2 processes, a Unix socket",
	"shm":     "2 processes, shared mapping + futex",
	"threads": "2 threads, mutex + condition variable",
}

// ipcRun is what one variant measured between its two getppid markers.
type ipcRun struct {
	run      *guestRun
	mode     string
	virtual  uint64
	host     time.Duration
	work     cost.Work
	calls    map[string]int // system calls by name, markers excluded
	nCalls   int
	procSw   int
	threadSw int
	// first is the first round trip's system calls, in order: "pid 2 write".
	first []string
}

func (c *ipcRun) per(v float64) float64 { return round2(v / ipcRounds) }

type ipcEvidence struct {
	m     map[string]*ipcRun
	model *cost.Model
}

func measureIPC(e *env) (evidence, error) {
	ev := &ipcEvidence{m: map[string]*ipcRun{}, model: e.model()}
	for _, mode := range ipcModes {
		r, err := e.runGuest(spec{prog: "ipc", args: []string{mode, strconv.Itoa(ipcRounds)}, seed: e.opts.Seed,
			cpus: 1, marker: "getppid", record: []trace.Kind{trace.Syscall, trace.Switch}})
		if err != nil {
			return nil, err
		}
		c, err := ipcFacts(r)
		if err != nil {
			return nil, err
		}
		c.mode = mode
		ev.m[mode] = c
	}
	return ev, nil
}

// ipcFacts reads a run's trace between the client's two markers.
func ipcFacts(r *guestRun) (*ipcRun, error) {
	if len(r.marks) != 2 {
		return nil, fmt.Errorf("%s: want 2 getppid markers, got %d", r.cmd, len(r.marks))
	}
	a, b := r.marks[0], r.marks[1]
	from, to := a.ev.Time+a.ev.Dur, b.ev.Time
	c := &ipcRun{run: r, virtual: to - from, host: b.host.Sub(a.host), work: b.work.Sub(a.work),
		calls: map[string]int{}}
	var calls []trace.Event
	for _, x := range r.events {
		// A call counts where it ends: the server's first read began before the
		// start marker, while the client's first message was on its way.
		if end := x.Time + x.Dur; end <= from || end > to {
			continue
		}
		switch {
		case x.Kind == trace.Switch && x.Arg == 1:
			c.procSw++
		case x.Kind == trace.Switch:
			c.threadSw++
		case x.Kind == trace.Syscall:
			c.calls[x.Name]++
			c.nCalls++
			calls = append(calls, x)
		}
	}
	// The trace of the first round trip: the calls, in the order they started, that
	// make up one round trip's share of them.
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].Time < calls[j].Time })
	k := (c.nCalls + ipcRounds/2) / ipcRounds
	for i := 0; i < k && i < len(calls); i++ {
		c.first = append(c.first, fmt.Sprintf("%d:%s", calls[i].TID, calls[i].Name))
	}
	return c, nil
}

// callList formats the calls per round trip: "write 2, read 2".
func (c *ipcRun) callList() string {
	if c.nCalls == 0 {
		return "none"
	}
	var names []string
	for n := range c.calls {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %g", n, c.per(float64(c.calls[n]))))
	}
	return strings.Join(parts, ", ")
}

func (ev *ipcEvidence) write(p *printer) {
	for _, mode := range ipcModes {
		p.output(ev.m[mode].run, nil)
	}
	m := ev.model
	p.section(fmt.Sprintf("What weft measured (1 CPU, per round trip of a 32-byte message and its answer; %s cost model):", m.Name))
	rows := [][]string{{"exchange", "virtual", "syscalls", "bytes the kernel copied", "switches (p/t)", "host"}}
	for _, mode := range ipcModes {
		c := ev.m[mode]
		rows = append(rows, []string{ipcLabels[mode], vt(c.virtual / ipcRounds),
			fmt.Sprint(c.per(float64(c.nCalls))), fmt.Sprint(c.per(float64(c.work[cost.ByteCopied]))),
			fmt.Sprintf("%g / %g", c.per(float64(c.procSw)), c.per(float64(c.threadSw))),
			HostTime(c.host / ipcRounds)})
	}
	p.table(rows)

	p.section("The system calls of each round trip (counted), and the first timed one as the trace shows it " +
		"(tid:call, in the order the calls began; a call that waits begins before the one that ends its wait):")
	for _, mode := range ipcModes {
		c := ev.m[mode]
		p.wrapped(fmt.Sprintf("  %-8s", mode), "          ", c.callList()+".")
		if len(c.first) > 0 {
			p.wrapped("          ", "          ", "first: "+strings.Join(c.first, " -> "))
		}
	}
	p.section("The work behind each figure (counted per round trip, with its virtual time):")
	for _, mode := range ipcModes {
		c := ev.m[mode]
		p.wrapped(fmt.Sprintf("  %-8s", mode), "          ", strings.Join(topWork(c.work, ipcRounds, m, 5), ", ")+".")
	}

	pipe, sock, shm, thr := ev.m["pipe"], ev.m["socket"], ev.m["shm"], ev.m["threads"]
	var why []string
	why = append(why, fmt.Sprintf("Two processes have two address spaces: neither can read the other's "+
		"memory (lesson 1), so a message between them has to go through something both can reach. With a pipe "+
		"or a socket that is the kernel itself: each round trip made %g system calls, and weft's kernel copied "+
		"%g bytes (pipe) and %g bytes (socket) between guest memory and its own buffers — the 2 x 32 bytes of "+
		"message and answer, each copied in by the sender and out by the receiver.",
		pipe.per(float64(pipe.nCalls)), pipe.per(float64(pipe.work[cost.ByteCopied])),
		sock.per(float64(sock.work[cost.ByteCopied]))))
	why = append(why, fmt.Sprintf("A shared mapping is memory the kernel put in both address spaces at fork: "+
		"the message itself is written and read with ordinary stores and loads (%g bytes copied by the kernel "+
		"per round trip), and the kernel is asked only to put a process to sleep and to wake it: %s.",
		shm.per(float64(shm.work[cost.ByteCopied])), shm.callList()))
	why = append(why, fmt.Sprintf("Threads share one address space from the start, so they need no "+
		"mapping: the buffer is an ordinary global variable, and the mutex and condition variable are glibc code "+
		"over the same futexes (%s per round trip). Switching between them changed no address space: %g "+
		"process switches and %g thread switches per round trip, against %g process switches for the two "+
		"processes.", thr.callList(), thr.per(float64(thr.procSw)), thr.per(float64(thr.threadSw)),
		pipe.per(float64(pipe.procSw))))
	why = append(why, "Whatever the channel, on one CPU every round trip needs the other side to run, so it "+
		"costs two switches; what differs is whether the data crosses the kernel (pipes, sockets), only the "+
		"wake-ups do (shared memory with a futex), or nothing leaves the process (threads).")
	p.why("%s", strings.Join(why, " "))
}
