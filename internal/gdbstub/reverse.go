package gdbstub

import (
	"fmt"
	"io"

	"weft/internal/kernel"
)

// Reverse execution (gdb's bs and bc packets: reverse-stepi, reverse-step,
// reverse-next, reverse-continue, reverse-finish) rests on determinism: a weft run is
// a function of its program, arguments, seed, schedule and input bytes, so running the
// program again with the same inputs passes through the same instants with the same
// state. To go back, the stub abandons the kernel it debugs and has the run started
// again (the caller's loop: Rewinding), with the stub attached from the first
// instruction, and lets the new kernel run to the instant wanted:
//
//   - reverse-stepi of thread T, which has retired N instructions, goes to the last
//     instant before now at which T had retired N-1: the recent history of instants
//     (hist) often names it; otherwise a first re-execution up to now finds it (scan)
//     and a second goes there (seek).
//   - reverse-continue re-executes up to now, checking every instruction for the
//     breakpoints and watchpoints gdb has set, and goes to the last hit: a breakpoint
//     stops at its pc, a watchpoint just before the instruction that changed (or read)
//     the watched bytes, in the thread that executed it, so that the next forward step
//     makes the access again. With no hit the run goes back to its first instruction
//     and gdb hears "replaylog:begin" ("No more reverse-execution history").
//
// An instant is kernel.DebugInstant's (slice, instructions retired by all tasks): the
// same in every re-execution, whatever the Limits asked for. While the new kernel runs
// to the instant, what it writes to the host (the guest's standard output and error,
// strace lines) up to the point the run had already reached is dropped (Output), and
// it reads the standard input bytes the first run read (Input), so that the user sees
// each byte once and the guest gets the same input.
//
// The first version re-executes from the start; periodic checkpoints of the whole
// kernel make the same moves shorter and plug in behind Rewinding.

// instant is a point of a run between two instructions (kernel.DebugInstant).
type instant struct{ slice, global uint64 }

func (a instant) less(b instant) bool {
	return a.slice < b.slice || a.slice == b.slice && a.global < b.global
}

// The stub's modes: live (gdb drives the run), scan (a re-execution looking for the
// instant to go to, up to the instant the run was at) and seek (a re-execution going
// to that instant).
const (
	modeLive = iota
	modeScan
	modeSeek
)

// histRec is one Check of the recent history: which thread, how far it was, when.
type histRec struct {
	tid   int
	insns uint64
	at    instant
}

// maxHist bounds the history of instants kept for reverse-stepi.
const maxHist = 1 << 14

// seekTrace is how many instructions before the instant it goes to a seek checks one
// by one, so that the history then names the instants of the last ones (the next
// reverse-stepi, as reverse-next makes many, needs no scan).
const seekTrace = 4096

// reverse is the state of a reverse move in progress.
type reverse struct {
	step    bool // bs (else bc)
	stepTID int  // bs: the thread stepped back, which had retired stepN instructions
	stepN   uint64
	until   instant // scan: the instant the run was at when gdb asked

	// scan results: the last instant found before until, and what the stop reply
	// says of it after the thread (swbreak:;, watch:ADDR;).
	found    bool
	foundAt  instant
	foundWhy string
	// vague: the hit found is a change of watched bytes between two Checks more
	// than one instruction apart (the kernel wrote them, in a system call): a scan
	// that checks every instruction (dense) finds the instruction.
	vague bool
	dense bool
	// scan state: the previous Check, and the watched bytes as of then.
	prev     histRec
	havePrev bool
	watched  [][]byte

	// seek: where to go and what the stop reply says there after the thread.
	to    instant
	toWhy string

	// start is where the kernel re-executing began: the run's start, or a
	// checkpoint's instant (Restart). A scan that finds nothing after it goes on
	// before it.
	start instant
}

// from is the instant a re-execution must start at or before: where a seek goes, or
// just before the end of a scan's window.
func (r *reverse) from() instant {
	if r.to != (instant{}) {
		return r.to
	}
	u := r.until
	if u.global > 0 {
		u.global--
	} else if u.slice > 0 {
		u.slice--
	}
	return u
}

// NoReverse makes the stub refuse reverse execution, saying why (a run whose effects a
// re-execution cannot repeat or hide: host files it may write, a trace being written).
func (s *Stub) NoReverse(why string) { s.noReverse = why }

// canReverse reports whether reverse execution is available: the stub debugs a kernel
// and the caller re-executes runs (Rewinding is looked at).
func (s *Stub) canReverse() bool { return s.kt != nil && s.noReverse == "" && s.reexec }

// Rewinding reports whether the run just ended was abandoned to go back in time: the
// caller must then start the same program again, with the same options, outputs from
// Output and input from Input, and attach the stub to the new kernel.
func (s *Stub) Rewinding() bool {
	r := s.abandoned
	return r
}

// Output returns what the kernel of the next run writes to w through: bytes at
// offsets that the runs before already wrote to w are dropped, and an abandoned run
// writes nothing. Call it for each stream, for each run.
func (s *Stub) Output(w io.Writer) io.Writer {
	s.reexec = true
	if s.streams == nil {
		s.streams = map[io.Writer]*outStream{}
	}
	st := s.streams[w]
	if st == nil {
		st = &outStream{w: w}
		s.streams[w] = st
	}
	g := &genWriter{s: s, st: st, gen: s.gen}
	s.writers = append(s.writers, g)
	return g
}

// Input returns what the kernel of the next run reads r through: the reads the runs
// before made, replayed chunk by chunk, then reads of r, recorded.
func (s *Stub) Input(r io.Reader) io.Reader {
	s.reexec = true
	if s.tape == nil {
		s.tape = &inTape{r: r}
	}
	s.reader = &genReader{s: s, tape: s.tape, gen: s.gen}
	return s.reader
}

// outStream is a host stream and how many bytes of it the runs have written.
type outStream struct {
	w       io.Writer
	written int64
}

type genWriter struct {
	s   *Stub
	st  *outStream
	gen int
	off int64 // bytes this run wrote
}

func (g *genWriter) Write(p []byte) (int, error) {
	if g.gen != g.s.gen {
		return len(p), nil // an abandoned run
	}
	n := int64(len(p))
	skip := min(n, max(0, g.st.written-g.off))
	g.off += n
	if skip == n {
		return len(p), nil
	}
	w, err := g.st.w.Write(p[skip:])
	g.st.written += int64(w)
	if err != nil {
		return int(skip) + w, err
	}
	return len(p), nil
}

// inTape is the standard input the runs read: each read's bytes and error, in order.
type inTape struct {
	r     io.Reader
	reads []tapeRead
}

type tapeRead struct {
	data []byte
	err  error
}

type genReader struct {
	s    *Stub
	tape *inTape
	gen  int
	next int // the next read of the tape
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.gen != g.s.gen {
		return 0, io.EOF // an abandoned run reads nothing more from the host
	}
	if g.next < len(g.tape.reads) {
		r := g.tape.reads[g.next]
		g.next++
		return copy(p, r.data), r.err
	}
	n, err := g.tape.r.Read(p)
	g.tape.reads = append(g.tape.reads, tapeRead{data: append([]byte(nil), p[:n]...), err: err})
	g.next++
	return n, err
}

// instantOf is the instant of the Check of t with insns retired.
func (s *Stub) instantOf(t *kernel.Task, insns uint64) instant {
	if s.kt == nil {
		return instant{}
	}
	sl, g := s.kt.k.DebugInstant(t, insns)
	return instant{sl, g}
}

// record adds the Check in progress to the history. The history holds only Checks
// with none left out between them: a Check after a Limit other than 1 may follow
// instructions nobody saw, and starts it afresh.
func (s *Stub) record(tid int, insns uint64, at instant) {
	if s.lastLimit != 1 {
		s.hist = s.hist[:0]
	}
	if len(s.hist) == maxHist {
		n := copy(s.hist, s.hist[maxHist/2:])
		s.hist = s.hist[:n]
	}
	s.hist = append(s.hist, histRec{tid: tid, insns: insns, at: at})
}

// reverseLimit is the Limit while a re-execution scans or seeks.
func (s *Stub) reverseLimit() uint64 {
	return s.writeLimit(s.moveLimit())
}

func (s *Stub) moveLimit() uint64 {
	if s.mode == modeScan {
		// The hart stops at breakpoints and around accesses to watched pages by
		// itself: a scan needs to see every instruction only to pin down a change
		// the kernel made.
		if s.rev.dense {
			return 1
		}
		// A Check where the window ends, which may be in the middle of a slice
		// after which nothing runs (the rest held by gdb).
		if u := s.rev.until; s.cur.slice == u.slice && s.cur.less(u) {
			return u.global - s.cur.global
		}
		return 0
	}
	r := s.rev
	if s.cur.slice < r.to.slice || !s.cur.less(r.to) {
		return 0 // the instant is in a later slice (or, impossibly, passed)
	}
	if d := r.to.global - s.cur.global; d > seekTrace {
		return d - seekTrace
	}
	return 1
}

// origin is where reverse execution's history begins: the program's start, or the
// last process event gdb heard of.
func (s *Stub) origin() instant {
	if (instant{1, 0}).less(s.floor) {
		return s.floor
	}
	return instant{1, 0}
}

// reverseStart begins a bs (step) or bc: it finds where to go and abandons the run to
// re-execute it (resume), or answers at once when there is no past to go to.
func (s *Stub) reverseStart(step bool) (reply string, resume bool) {
	if !s.canReverse() {
		return "E01", false
	}
	now := s.cur
	tid := s.threadOr(s.cThread)
	begin := func() (string, bool) {
		s.stopMsg = s.stopReply(sigTRAP, s.stopTID, "replaylog:begin;")
		return s.stopMsg, false
	}
	if !s.origin().less(now) {
		return begin()
	}
	r := &reverse{step: step, until: now}
	s.rev = r
	s.running = true
	s.step = false
	if step {
		n := s.insnsOf(tid)
		if n == 0 || !s.alive(tid) {
			s.running = false
			return begin() // the thread has not run yet: nothing of its past to go to
		}
		r.stepTID, r.stepN = tid, n-1
		for i := len(s.hist) - 1; i >= 0; i-- {
			h := s.hist[i]
			if h.at.less(now) && !h.at.less(s.origin()) && h.tid == tid && h.insns == r.stepN {
				r.to = h.at
				s.abandon(modeSeek)
				return "", true
			}
		}
	}
	s.abandon(modeScan)
	return "", true
}

// abandon gives up the kernel debugged: it ends at its next slice boundary, writes and
// reads nothing more, and the stub ignores it; the next kernel attached is in mode.
func (s *Stub) abandon(mode int) {
	s.mode = mode
	s.abandoned = true
	s.pending = nil
	s.writers, s.reader = nil, nil
	s.rev.start = instant{1, 0} // unless Restart restores a checkpoint
	s.startWrites(s.rev.start)
	s.events = nil
	s.gen++
	s.hist = s.hist[:0]
	s.kt.k.Abort(kernel.Signal(9))
}

// scanCheck is Check while a re-execution looks for where a reverse move ends.
func (s *Stub) scanCheck(t *kernel.Task, insns uint64, at instant) {
	r := s.rev
	if !at.less(r.until) {
		s.scanEnd()
		return
	}
	cur := histRec{tid: t.TID, insns: insns, at: at}
	if r.step {
		// The thread's last Check at or before its instruction stepN+1: within a
		// slice only the thread runs, so that instruction is as many instructions on.
		if t.TID == r.stepTID && insns <= r.stepN {
			r.found, r.foundAt, r.foundWhy = true, instant{at.slice, at.global + r.stepN - insns}, ""
		}
	} else {
		s.scanHits(t, r, cur)
	}
	if r.found && r.foundAt.less(s.origin()) {
		r.found, r.vague = false, false // before the history gdb can go back to
	}
	r.prev, r.havePrev = cur, true
}

// scanEnd ends a scan back where its window ends: it goes to what was found, or looks
// before the window, or goes to where the history begins.
func (s *Stub) scanEnd() {
	r := s.rev
	if !r.found && r.start != (instant{1, 0}) && s.floor.less(r.start) {
		*r = reverse{step: r.step, stepTID: r.stepTID, stepN: r.stepN, until: r.start, dense: r.dense}
		s.abandon(modeScan)
		return
	}
	if r.found && r.vague && !r.dense {
		// Again, instruction by instruction.
		*r = reverse{step: r.step, stepTID: r.stepTID, stepN: r.stepN, until: r.until, dense: true}
		s.abandon(modeScan)
		return
	}
	if r.found {
		r.to, r.toWhy = r.foundAt, r.foundWhy
	} else {
		r.to, r.toWhy = s.origin(), "replaylog:begin;"
	}
	s.abandon(modeSeek)
}

// scanHits looks for a breakpoint or watchpoint hit at the Check cur, as a forward run
// would have stopped there.
func (s *Stub) scanHits(t *kernel.Task, r *reverse, cur histRec) {
	if r.watched == nil {
		r.watched = make([][]byte, len(s.watches))
		for i, w := range s.watches {
			r.watched[i] = s.readWatch(w)
		}
	}
	if r.havePrev && s.breakAt(t.TG.PID, t.Ctx.PC) {
		r.found, r.foundAt, r.foundWhy, r.vague = true, cur.at, "swbreak:;", false
	}
	if s.hasAccessWatches() {
		if why, by := s.noteAccess(t.TG.PID, t.TID, cur.insns, &t.Ctx); why != "" && !by.at.less(r.foundAt) {
			// Stop before the access, where its thread is about to make it.
			r.found, r.foundAt, r.foundWhy, r.vague = true, by.at, why, false
		}
	}
	for i, w := range s.watches {
		if w.kind != watchWrite {
			continue
		}
		now := s.readWatch(w)
		changed := string(now) != string(r.watched[i])
		r.watched[i] = now
		if changed && r.havePrev && !r.prev.at.less(r.foundAt) {
			// The instruction after the previous Check wrote it: stop before it,
			// where its thread is about to run it.
			r.found, r.foundAt = true, r.prev.at
			r.foundWhy = fmt.Sprintf("watch:%x;", w.addr)
			r.vague = !r.dense && (cur.at.slice != r.prev.at.slice || cur.at.global != r.prev.at.global+1)
		}
	}
}

// readWatch reads a watchpoint's bytes now (nil where unmapped).
func (s *Stub) readWatch(w watch) []byte {
	b := make([]byte, len(w.old))
	if s.target.ReadMem(w.pid, w.addr, b) != nil {
		return nil
	}
	return b
}

// seekCheck is Check while a re-execution goes to an instant; it reports whether the
// run is there (the stub then stops it, live again, and tells gdb why).
func (s *Stub) seekCheck(at instant) bool {
	if at.less(s.rev.to) {
		return false
	}
	s.mode = modeLive
	// What the watchpoints compare with is what memory holds here.
	for i := range s.watches {
		if b := s.readWatch(s.watches[i]); b != nil {
			s.watches[i].old = b
		}
	}
	return true
}
