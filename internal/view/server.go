package view

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"weft/internal/kernel"
	"weft/internal/run"
	"weft/internal/trace"
)

//go:embed index.html
var indexHTML []byte

// Session is one program to show: how to run it, and its recorded run.
type Session struct {
	Path string      // the program, as run.Program takes it
	Argv []string    // its arguments, argv[0] first
	Opts run.Options // the run's options (seed, CPUs, root, mounts ...); streams are ignored
	// Title and Text, if set, are shown beside the picture (a lesson's explanation).
	Title, Text string
	// Fresh, if set, gives each run the state that must not carry over from the last
	// one (a schedule's replay policy, which counts the decisions it applied).
	Fresh func(*run.Options)

	// CheckpointBytes bounds the memory of the session's checkpoints (0:
	// DefaultCheckpointBytes).
	CheckpointBytes uint64
	// NoCheckpoints makes every instant a run from the start, as before checkpoints.
	NoCheckpoints bool
	// MaxEvents bounds the trace events the record keeps (0: DefaultMaxEvents).
	MaxEvents int

	mu     sync.Mutex // one re-execution at a time: each is a whole weft run
	record *Record
	cps    checkpoints
	cpErr  error // why the run could not be checkpointed, if it could not
	// live is the last run StateAt paused, at virtual time liveAt: a later instant
	// is reached by letting it go on, an earlier one by running again from the start.
	live   *kernel.Kernel
	liveAt uint64
	// liveCp is the checkpoint live was restored from (nil: it ran from the start),
	// which takes back its frames when another instant replaces it.
	liveCp *kernel.Checkpoint
}

// Record is the run as recorded once: its trace, in virtual time.
type Record struct {
	Title  string        `json:"title"`
	Text   string        `json:"text"`
	Argv   []string      `json:"argv"`
	CPUs   int           `json:"cpus"`
	End    uint64        `json:"end"` // virtual time of the last event
	Status string        `json:"status"`
	Output string        `json:"output"` // the guest's standard output and error (first 64 KiB)
	Events []trace.Event `json:"events"`
	// Dropped counts the events past Session.MaxEvents, which the record does not hold: the
	// timeline is missing from virtual time DroppedFrom on.
	Dropped     uint64 `json:"dropped,omitempty"`
	DroppedFrom uint64 `json:"droppedFrom,omitempty"`
	// Checkpoints and CheckpointBytes are what the session keeps to reach any
	// instant quickly; CheckpointError says why there are none, if the run could not
	// be copied.
	Checkpoints     int    `json:"checkpoints"`
	CheckpointBytes uint64 `json:"checkpointBytes"`
	CheckpointError string `json:"checkpointError,omitempty"`
}

// maxOutput bounds the guest output a record keeps.
const maxOutput = 64 << 10

type capped struct{ b []byte }

func (c *capped) Write(p []byte) (int, error) {
	if room := maxOutput - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

// recorder keeps the run's events, with a CPU's consecutive time slices of one thread
// merged into one: the kernel ends a slice at every interleaving step while several
// CPUs are busy (1,000 instructions by default), which would make the timeline of a
// run of 10^8 instructions hundreds of thousands of rectangles, all but a few
// indistinguishable at any zoom the page offers.
//
// It keeps a bounded number of events (Session.MaxEvents): a guest can make any number of events (a system call
// each), and the page draws them all. Past the bound it keeps none and notes from when
// the timeline is missing; every instant can still be shown.
type recorder struct {
	Events []trace.Event
	last   map[int]int // CPU -> index in Events of its last slice
	max    int         // the bound
	// dropped counts the events past the bound, the first of them at from.
	dropped uint64
	from    uint64
	end     uint64 // when the last event ended, dropped ones included
}

// DefaultMaxEvents bounds the events a record keeps when Session.MaxEvents is 0
// (about 100 bytes each here, and a rectangle or a step each in the page).
const DefaultMaxEvents = 200_000

// Event implements trace.Sink.
func (r *recorder) Event(e *trace.Event) {
	r.end = max(r.end, e.Time+e.Dur)
	if len(r.Events) >= r.max {
		if r.dropped == 0 {
			r.from = e.Time
		}
		r.dropped++
		return
	}
	if e.Kind == trace.Slice {
		if i, ok := r.last[e.CPU]; ok {
			if p := &r.Events[i]; p.TID == e.TID && p.Time+p.Dur == e.Time {
				p.Dur += e.Dur
				p.Arg += e.Arg
				return
			}
		}
		r.last[e.CPU] = len(r.Events)
	}
	r.Events = append(r.Events, *e)
}

// Checkpoints: while Record runs the program, it takes a checkpoint of the whole
// machine (kernel.Checkpoint) every so often in virtual time, so that any instant is
// reached by restoring the last checkpoint before it and running on from there, a
// bounded stretch, instead of running the program again from the start. They are kept
// evenly spread and within a memory bound by thinning: when they grow past either
// bound, every other one goes and the interval doubles.
const (
	// MaxCheckpoints bounds how many checkpoints a session keeps.
	MaxCheckpoints = 64
	// DefaultCheckpointBytes bounds their memory when Session.CheckpointBytes is 0.
	DefaultCheckpointBytes = 512 << 20
	// firstInterval is the virtual time between checkpoints at first (ns).
	firstInterval = 1_000_000
	// bytesPerInsn bounds the bytes a checkpoint copies per instruction run since
	// the last one: a checkpoint is taken at the first interval's end at which the
	// instructions run since the last one reach a quarter of that one's bytes, so
	// that copying the machine costs about as much as running it, or less.
	bytesPerInsn = 4
	// cheapCheckpoint is the size below which a checkpoint is taken at every
	// interval whatever ran: a copy this small costs about a millisecond.
	cheapCheckpoint = 4 << 20
)

// checkpoints are a session's checkpoints, in time order.
type checkpoints struct {
	list      []*kernel.Checkpoint
	bytes     uint64
	lastBytes uint64 // the size of the last one taken
	interval  uint64 // virtual ns between two, at least
	limit     uint64 // bound on bytes
}

// add keeps cp, thinning the list while it is past a bound.
func (c *checkpoints) add(cp *kernel.Checkpoint) {
	c.list = append(c.list, cp)
	c.bytes += cp.Bytes()
	c.lastBytes = cp.Bytes()
	for len(c.list) > 1 && (len(c.list) > MaxCheckpoints || c.bytes > c.limit) {
		kept := c.list[:0]
		c.bytes = 0
		for i, k := range c.list {
			if i%2 == 0 {
				kept = append(kept, k)
				c.bytes += k.Bytes()
			}
		}
		clear(c.list[len(kept):])
		c.list = kept
		c.interval *= 2
	}
}

// before returns the last checkpoint at or before virtual time at, or nil.
func (c *checkpoints) before(at uint64) *kernel.Checkpoint {
	i := sort.Search(len(c.list), func(i int) bool { return c.list[i].Time() > at })
	if i == 0 {
		return nil
	}
	return c.list[i-1]
}

// Record runs the program once, recording its trace and taking checkpoints (kept for
// the session).
func (s *Session) Record() (*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.record != nil {
		return s.record, nil
	}
	rec := &recorder{last: map[int]int{}, max: s.MaxEvents}
	if rec.max <= 0 {
		rec.max = DefaultMaxEvents
	}
	out := &capped{}
	o := s.options()
	o.Stdout, o.Stderr, o.Notices, o.Trace = out, out, out, rec
	s.cps = checkpoints{interval: firstInterval, limit: s.CheckpointBytes}
	if s.cps.limit == 0 {
		s.cps.limit = DefaultCheckpointBytes
	}
	if !s.NoCheckpoints {
		o.PauseAt = s.cps.interval
	}
	res, err := run.Program(s.Path, s.Argv, o)
	if err != nil {
		return nil, err
	}
	k, result := res.Kernel, res.Result
	idle := 0 // pauses in a row at which nothing had run
	for next, insns := s.cps.interval, uint64(0); result.Outcome == kernel.Paused; result = k.Run() {
		ran := k.TotalInsns() - insns
		if ran == 0 && len(s.cps.list) > 0 {
			// Nothing ran since the last checkpoint (every thread slept): running
			// on from it costs nothing but the clock, so it serves as well. The
			// next pause comes twice as far each time, so that a long sleep costs
			// a few pauses, not one per interval.
			idle = min(idle+1, 40)
			next += s.cps.interval << idle
			k.PauseAt(next)
			continue
		}
		idle = 0
		if ran < s.cps.lastBytes/bytesPerInsn && s.cps.lastBytes > cheapCheckpoint {
			// Too little has run since the last checkpoint for another to be
			// worth its copy: wait for the next interval.
			next += s.cps.interval
			k.PauseAt(next)
			continue
		}
		cp, err := k.Checkpoint()
		if err != nil {
			// A machine that cannot be copied (a writable host mount) is shown by
			// running it again from the start.
			s.cpErr = err
			k.PauseAt(0)
			continue
		}
		s.cps.add(cp)
		insns = k.TotalInsns()
		next += s.cps.interval
		k.PauseAt(next)
	}
	r := &Record{Title: s.Title, Text: s.Text, Argv: s.Argv, CPUs: len(k.CPUs), Output: string(out.b), Events: rec.Events,
		Checkpoints: len(s.cps.list), CheckpointBytes: s.cps.bytes}
	if s.cpErr != nil {
		r.CheckpointError = s.cpErr.Error()
	}
	r.Dropped, r.DroppedFrom, r.End = rec.dropped, rec.from, rec.end
	switch result.Outcome {
	case kernel.Exited:
		r.Status = "exit " + strconv.Itoa(result.Status)
		if result.Signal != 0 {
			r.Status = "killed by " + result.Signal.String()
		}
	case kernel.Deadlock:
		r.Status = "deadlock"
	case kernel.InsnLimit:
		r.Status = "instruction limit"
	default:
		r.Status = fmt.Sprint(result.Outcome)
	}
	s.record = r
	return r, nil
}

// StateAt captures the machine once every CPU has reached virtual time at. The run is
// deterministic (the same seed and flags give the same machine at the same instant),
// so an instant is reached from the last checkpoint before it, or, when the last
// instant asked for lies between that checkpoint and it, by letting that paused run
// go on; without checkpoints, by running the program again from the start.
//
// detail names the processes whose pages are sent (nil: Capture's default).
func (s *Session) StateAt(at uint64, detail []int) (*State, error) {
	if _, err := s.Record(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at = max(at, 1)
	cp := s.cps.before(at)
	switch {
	case s.live != nil && at == s.liveAt:
	case s.live != nil && at > s.liveAt && (cp == nil || cp.Time() <= s.liveAt):
		s.live.PauseAt(at)
		s.live.Run()
	case cp != nil:
		s.drop()
		var sink capped
		k, err := cp.Restore(kernel.RestoreConfig{Stdout: &sink, Stderr: &sink, Notices: &sink,
			AccessPoints: s.Opts.AccessPoints, PauseAt: at})
		if err != nil {
			return nil, err
		}
		k.Run()
		s.live, s.liveCp = k, cp
	default:
		s.drop()
		o := s.options()
		var sink capped
		o.Stdout, o.Stderr, o.Notices, o.Trace = &sink, &sink, &sink, nil
		o.PauseAt = at
		res, err := run.Program(s.Path, s.Argv, o)
		if err != nil {
			return nil, err
		}
		s.live = res.Kernel
	}
	s.liveAt = at
	return Capture(s.live, at, detail), nil
}

// drop lets the paused run go: its frames go back to the checkpoint it came from,
// for the next restore to reuse.
func (s *Session) drop() {
	if s.liveCp != nil {
		s.liveCp.Recycle(s.live)
	}
	s.live, s.liveCp = nil, nil
}

// options returns the options of one more run of the session's program.
func (s *Session) options() run.Options {
	o := s.Opts
	if s.Fresh != nil {
		s.Fresh(&o)
	}
	return o
}

// Handler serves the page and its data: / the page, /api/run the recorded run,
// /api/state?at=NS the machine at virtual time NS (&pids=P,Q... the
// processes whose pages it details).
func (s *Session) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(indexHTML)
	})
	mux.HandleFunc("/api/run", func(w http.ResponseWriter, r *http.Request) {
		rec, err := s.Record()
		reply(w, rec, err)
	})
	mux.HandleFunc("/api/state", func(w http.ResponseWriter, r *http.Request) {
		at, err := strconv.ParseUint(r.URL.Query().Get("at"), 10, 64)
		if err != nil {
			http.Error(w, "at: a virtual time in nanoseconds", http.StatusBadRequest)
			return
		}
		var detail []int
		if q := r.URL.Query().Get("pids"); q != "" {
			detail = []int{}
			for _, f := range strings.Split(q, ",") {
				pid, err := strconv.Atoi(f)
				if err != nil {
					http.Error(w, "pids: process IDs separated by commas", http.StatusBadRequest)
					return
				}
				detail = append(detail, pid)
			}
		}
		st, err := s.StateAt(at, detail)
		reply(w, st, err)
	})
	return mux
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
