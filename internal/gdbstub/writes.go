package gdbstub

import (
	"weft/internal/cpu"
)

// gdb's writes (set var, print x = 1, set $pc, kill of one process, resuming some
// processes only) change the run:
// they are inputs of it, as the standard input is, made at an instant. The stub
// records each with the instant it was made at, and a re-execution makes it again at
// that instant (Check stops there: reverseLimit), so that every state a reverse move
// reaches is the one the run had. Checkpoints taken after a write hold its effect and
// skip it.
//
// Going back to before a write and running forwards is a new future: when a reverse
// move ends (seek), the writes after its instant are forgotten, with the checkpoints
// taken after them, and the output the run writes from there on is written again (the
// old future's output is on the terminal already).

// dbgWrite is one of gdb's writes: to memory (data at addr in process pid), to a
// thread's registers (regs, for tid), or a kill of process pid.
type dbgWrite struct {
	at   instant
	pid  int
	addr uint64
	data []byte
	tid  int
	regs cpu.Context
	kill bool
	// hold: gdb resumed the processes in resumed only (nil: all).
	hold    bool
	resumed map[int]bool
}

// noteWrite records w, made now; the run from here is a new one.
func (s *Stub) noteWrite(w dbgWrite) {
	if !s.canReverse() {
		return
	}
	w.at = s.cur
	s.writes = append(s.writes, w)
	s.wnext = len(s.writes)
	s.dropPointsAfter(s.cur)
}

func (s *Stub) noteKill(pid int) { s.noteWrite(dbgWrite{pid: pid, kill: true}) }

// setRegs writes thread tid's registers for gdb.
func (s *Stub) setRegs(tid int, c cpu.Context) bool {
	if !s.target.SetRegs(tid, c) {
		return false
	}
	s.noteWrite(dbgWrite{tid: tid, regs: c})
	return true
}

// writeGuest writes process pid's memory for gdb.
func (s *Stub) writeGuest(pid int, addr uint64, b []byte) error {
	if err := s.target.WriteMem(pid, addr, b); err != nil {
		return err
	}
	s.noteWrite(dbgWrite{pid: pid, addr: addr, data: append([]byte(nil), b...)})
	return nil
}

// replayWrites makes again, in a re-execution at instant at, the writes made up to
// it that the kernel being run does not hold yet.
func (s *Stub) replayWrites(at instant) {
	for s.wnext < len(s.writes) && !at.less(s.writes[s.wnext].at) {
		w := s.writes[s.wnext]
		s.wnext++
		switch {
		case w.hold:
			s.resumed = w.resumed
		case w.kill:
			s.target.KillProcess(w.pid)
		case w.data != nil:
			s.target.WriteMem(w.pid, w.addr, w.data)
		default:
			s.target.SetRegs(w.tid, w.regs)
		}
	}
}

// writeLimit bounds a re-execution's Limit n (0: none) so that its next Check is at
// the next write to make, when that comes in the slice under way.
func (s *Stub) writeLimit(n uint64) uint64 {
	if s.wnext >= len(s.writes) {
		return n
	}
	w := s.writes[s.wnext].at
	if w.slice != s.cur.slice || !s.cur.less(w) {
		return n
	}
	if d := w.global - s.cur.global; n == 0 || d < n {
		return d
	}
	return n
}

// startWrites sets the next write to make for a kernel that starts at instant from
// (the program's start, or a checkpoint's instant).
func (s *Stub) startWrites(from instant) {
	s.wnext = 0
	s.resumed = nil
	for s.wnext < len(s.writes) && s.writes[s.wnext].at.less(from) {
		if w := s.writes[s.wnext]; w.hold {
			s.resumed = w.resumed // the kernel holds as it did then
		}
		s.wnext++
	}
}

// forgetAfter makes the instant at, reached by a reverse move, the present: the writes
// after it did not happen in the run that goes on from here.
func (s *Stub) forgetAfter(at instant) {
	n := len(s.writes)
	for n > 0 && at.less(s.writes[n-1].at) {
		n--
	}
	if n == len(s.writes) {
		s.wnext = n
		return
	}
	s.writes = s.writes[:n]
	s.wnext = n
	s.dropPointsAfter(at)
	// The future differs from the one the terminal shows: what it writes is new.
	for _, w := range s.writers {
		w.st.written = w.off
	}
}

// dropPointsAfter forgets the checkpoints taken after instant at.
func (s *Stub) dropPointsAfter(at instant) {
	n := len(s.points)
	for n > 0 && at.less(s.points[n-1].at) {
		n--
	}
	s.points = s.points[:n]
}
