// Package trace carries the kernel's events to whatever shows them: a Chrome Trace
// Event file for Perfetto, or anything else that implements Sink.
//
// The kernel emits an event only when a sink is attached (its Sink field is nil
// otherwise), and only at kernel boundaries — time slices, syscalls, process and
// thread events — never per instruction, so tracing costs nothing when off.
package trace

// Kind is what an event records.
type Kind uint8

const (
	Slice       Kind = iota // a task ran on a CPU from Time for Dur
	Syscall                 // a system call, from Time for Dur
	Switch                  // a CPU switched tasks: Arg is 1 for a process switch, 0 for a thread switch
	Fork                    // a new process: Child is its PID, Addr the time its syscall began
	Clone                   // a new thread: Child is its TID, Addr the time its syscall began
	Exec                    // the task's process replaced its program: Name is the path
	Exit                    // a task ended: Arg is the exit status (or 128+signal)
	Wait                    // a process reaped its child Child: Arg is the child's wait status
	PageFaults              // Arg pages were allocated on first touch during a slice
	COWCopies               // Arg pages were copied on write during a slice
	Signal                  // a signal was delivered: Name is the signal, Arg its number
	Fault                   // a synchronous fault: Name describes it
	FutexWait               // the task blocked on the futex at Addr
	FutexWake               // the task woke Arg waiters of the futex at Addr
	Memory                  // counters of a process: Arg resident pages, Arg2 shared pages
	ProcessName             // metadata: PID's command is Name
	ThreadName              // metadata: TID's name is Name
)

// Event is one thing that happened in the guest, at a virtual time in nanoseconds.
type Event struct {
	Kind  Kind
	Time  uint64 // virtual nanoseconds since boot
	Dur   uint64 // for Slice and Syscall
	CPU   int
	PID   int // the process
	TID   int // the thread
	Child int // Fork, Clone: the new PID or TID
	Name  string
	Addr  uint64
	Arg   uint64
	Arg2  uint64
}

// Sink receives events in the order the kernel emits them.
type Sink interface {
	Event(e *Event)
}

// Multi sends every event to several sinks.
type Multi []Sink

// Event implements Sink.
func (m Multi) Event(e *Event) {
	for _, s := range m {
		s.Event(e)
	}
}

// Recorder keeps every event in memory, for tests and for tools that read a run back.
type Recorder struct {
	Events []Event
}

// Event implements Sink.
func (r *Recorder) Event(e *Event) { r.Events = append(r.Events, *e) }
