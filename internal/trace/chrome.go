package trace

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Chrome writes events as Chrome Trace Event JSON, which Perfetto (ui.perfetto.dev),
// chrome://tracing and Chromium DevTools' Performance panel open. Slices on a thread's
// track (running, and system calls) and the arrows from a fork or clone to the new task
// share one category, "task", as viewers bind an arrow to a slice of its category. Each process is a group of tracks, one per thread (pid =
// process, tid = thread); a separate "CPUs" group has one track per simulated CPU.
// Timestamps are virtual microseconds with nanosecond precision, and durations are
// exact (1000 instructions are 1.000 µs), so that a thread's slices add up to its CPU
// time. The output is a function of the events alone, so the same run gives the same
// bytes.
//
// The file stays small and is written as it goes: the kernel cuts a task's run into
// steps when several CPUs are busy (Config.Step), and a run of back-to-back steps of
// one task on one CPU is one "running" slice here, held back only until the CPU does
// something else. Memory use is a few entries per CPU and per task, whatever the run's
// length.
type Chrome struct {
	w       *bufio.Writer
	n       int
	running map[int]*Event // CPU -> its "running" slice still being extended
	cpus    map[int]bool
	flows   map[int]int // TID of a new task -> flow id, until its first slice
	nextID  int
	names   map[int]string // PID -> command, for CPU-track labels
}

// cpuPID is the Chrome "process" that holds the CPU tracks; guest PIDs start at 1.
const cpuPID = 0

// NewChrome starts a trace on w. Close finishes it.
func NewChrome(w io.Writer) *Chrome {
	c := &Chrome{w: bufio.NewWriter(w), cpus: map[int]bool{}, flows: map[int]int{}, names: map[int]string{},
		running: map[int]*Event{}}
	c.w.WriteString(`{"displayTimeUnit":"ns","traceEvents":[` + "\n")
	c.emit(`{"ph":"M","name":"process_name","pid":0,"tid":0,"args":{"name":"CPUs"}}`)
	c.emit(`{"ph":"M","name":"process_sort_index","pid":0,"tid":0,"args":{"sort_index":-1}}`)
	return c
}

func (c *Chrome) emit(s string) {
	if c.n > 0 {
		c.w.WriteString(",\n")
	}
	c.n++
	c.w.WriteString(s)
}

// ts formats virtual nanoseconds as microseconds.
func ts(ns uint64) string {
	return strconv.FormatUint(ns/1000, 10) + "." + fmt.Sprintf("%03d", ns%1000)
}

func q(s string) string { return strconv.Quote(s) }

// Event implements Sink.
func (c *Chrome) Event(e *Event) {
	switch e.Kind {
	case ProcessName:
		c.names[e.PID] = e.Name
		c.emit(fmt.Sprintf(`{"ph":"M","name":"process_name","pid":%d,"tid":%d,"args":{"name":%s}}`,
			e.PID, e.PID, q(fmt.Sprintf("%s (pid %d)", e.Name, e.PID))))
		c.emit(fmt.Sprintf(`{"ph":"M","name":"process_sort_index","pid":%d,"tid":%d,"args":{"sort_index":%d}}`, e.PID, e.PID, e.PID))
	case ThreadName:
		c.emit(fmt.Sprintf(`{"ph":"M","name":"thread_name","pid":%d,"tid":%d,"args":{"name":%s}}`,
			e.PID, e.TID, q(fmt.Sprintf("%s (tid %d)", e.Name, e.TID))))
	case Slice:
		if r := c.running[e.CPU]; r != nil {
			if r.TID == e.TID && r.Time+r.Dur == e.Time {
				r.Dur += e.Dur
				r.Arg += e.Arg
				return
			}
			c.flushRunning(e.CPU)
		}
		if !c.cpus[e.CPU] {
			c.cpus[e.CPU] = true
			c.emit(fmt.Sprintf(`{"ph":"M","name":"thread_name","pid":0,"tid":%d,"args":{"name":"CPU %d"}}`, e.CPU, e.CPU))
		}
		r := *e
		c.running[e.CPU] = &r
		if id, ok := c.flows[e.TID]; ok {
			delete(c.flows, e.TID)
			c.emit(fmt.Sprintf(`{"ph":"f","bp":"e","cat":"task","name":"spawn","id":%d,"pid":%d,"tid":%d,"ts":%s}`,
				id, e.PID, e.TID, ts(e.Time)))
		}
	case Syscall:
		c.emit(fmt.Sprintf(`{"ph":"X","cat":"task","name":%s,"pid":%d,"tid":%d,"ts":%s,"dur":%s,"args":{"syscall":true,"result":%d}}`,
			q(e.Name), e.PID, e.TID, ts(e.Time), ts(e.Dur), int64(e.Arg)))
	case Switch:
		name := "thread switch"
		if e.Arg == 1 {
			name = "process switch"
		}
		c.emit(fmt.Sprintf(`{"ph":"i","s":"t","cat":"sched","name":%s,"pid":0,"tid":%d,"ts":%s,"args":{"to_pid":%d,"to_tid":%d}}`,
			q(name), e.CPU, ts(e.Time), e.PID, e.TID))
	case Fork, Clone:
		name := "fork"
		if e.Kind == Clone {
			name = "clone"
		}
		c.nextID++
		c.flows[e.Child] = c.nextID
		c.emit(fmt.Sprintf(`{"ph":"i","s":"t","cat":"process","name":%s,"pid":%d,"tid":%d,"ts":%s,"args":{"child":%d}}`,
			q(name), e.PID, e.TID, ts(e.Time), e.Child))
		// The arrow starts at the clone or fork syscall's slice (e.Addr holds its
		// start), so that viewers can bind it to a slice on the parent's track.
		c.emit(fmt.Sprintf(`{"ph":"s","cat":"task","name":"spawn","id":%d,"pid":%d,"tid":%d,"ts":%s}`,
			c.nextID, e.PID, e.TID, ts(e.Addr)))
	case Exec, Exit, Wait, Signal, Fault, PageFaults, COWCopies, FutexWait, FutexWake:
		var name, args string
		switch e.Kind {
		case Exec:
			name, args = "exec", fmt.Sprintf(`{"path":%s}`, q(e.Name))
		case Exit:
			name, args = "exit", fmt.Sprintf(`{"status":%d}`, e.Arg)
		case Wait:
			name, args = "wait", fmt.Sprintf(`{"child":%d,"status":%d}`, e.Child, e.Arg)
		case Signal:
			name, args = "signal "+e.Name, fmt.Sprintf(`{"signo":%d}`, e.Arg)
		case Fault:
			name, args = "fault", fmt.Sprintf(`{"what":%s}`, q(e.Name))
		case PageFaults:
			name, args = "page faults", fmt.Sprintf(`{"pages":%d}`, e.Arg)
		case COWCopies:
			name, args = "COW copies", fmt.Sprintf(`{"pages":%d}`, e.Arg)
		case FutexWait:
			name, args = "futex wait", fmt.Sprintf(`{"addr":"0x%x"}`, e.Addr)
		case FutexWake:
			name, args = "futex wake", fmt.Sprintf(`{"addr":"0x%x","woken":%d}`, e.Addr, e.Arg)
		}
		c.emit(fmt.Sprintf(`{"ph":"i","s":"t","cat":%s,"name":%s,"pid":%d,"tid":%d,"ts":%s,"args":%s}`,
			q(strings.Fields(name)[0]), q(name), e.PID, e.TID, ts(e.Time), args))
	case Memory:
		c.emit(fmt.Sprintf(`{"ph":"C","name":"memory (pages)","pid":%d,"tid":%d,"ts":%s,"args":{"resident":%d,"shared":%d}}`,
			e.PID, e.PID, ts(e.Time), e.Arg, e.Arg2))
	}
}

// flushRunning writes CPU cpu's held-back "running" slice, on its thread's track and on
// the CPU's.
func (c *Chrome) flushRunning(cpu int) {
	e := c.running[cpu]
	if e == nil {
		return
	}
	delete(c.running, cpu)
	label := fmt.Sprintf("%s %d/%d", c.names[e.PID], e.PID, e.TID)
	c.emit(fmt.Sprintf(`{"ph":"X","cat":"task","name":"running","pid":%d,"tid":%d,"ts":%s,"dur":%s,"args":{"cpu":%d,"instructions":%d}}`,
		e.PID, e.TID, ts(e.Time), ts(e.Dur), e.CPU, e.Arg))
	c.emit(fmt.Sprintf(`{"ph":"X","cat":"cpu","name":%s,"pid":0,"tid":%d,"ts":%s,"dur":%s,"args":{"pid":%d,"tid":%d}}`,
		q(label), e.CPU, ts(e.Time), ts(e.Dur), e.PID, e.TID))
}

// Close writes what is held back, ends the JSON document and flushes it.
func (c *Chrome) Close() error {
	cpus := make([]int, 0, len(c.running))
	for cpu := range c.running {
		cpus = append(cpus, cpu)
	}
	sort.Ints(cpus) // the same run gives the same bytes
	for _, cpu := range cpus {
		c.flushRunning(cpu)
	}
	c.w.WriteString("\n]}\n")
	return c.w.Flush()
}
