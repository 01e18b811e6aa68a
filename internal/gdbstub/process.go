package gdbstub

import (
	"fmt"
	"sort"
	"strings"

	"weft/internal/kernel"
)

// Processes. A gdb that says multiprocess+ in qSupported (every gdb since 7.x does)
// names threads pPID.TID and debugs each process as an inferior of its own. The stub
// then debugs only the processes gdb knows of (procs): the first one, and each child
// it reported in a fork or vfork stop (fork-events+, vfork-events+) until gdb detaches
// it (D;PID), kills it (vKill;PID) or hears of its exit (W..;process:PID). A process
// gdb does not debug runs freely: no breakpoint, watchpoint or step of gdb's stops it,
// and its threads are not listed. An older gdb, without multiprocess, sees every
// thread of every process as one inferior's, as before.
//
// Breakpoints belong to an address space, as int3s patched into memory do on Linux,
// though weft never patches memory: a fork child starts with a copy of its parent's
// set, a vfork child shares its parent's until it execs (gdb removes the parent's
// breakpoints around a vfork for that reason), and an exec starts an empty set. gdb
// takes the breakpoints out of a fork child it detaches itself (z packets addressed
// to the child with Hg), and puts them into a child it keeps.
//
// Events (fork, vfork, vforkdone, exec, the exit of a process other than the first)
// happen inside system calls; the kernel tells the stub (kernel.ProcessDebugger),
// which reports them, in order, at the next Check, before anything else stops there.
// A reverse move never goes back past the last one reported (floor): gdb's inferiors
// would no longer match the past.

// bpSet is the breakpoints of one address space.
type bpSet struct {
	pcs  map[uint64]bool
	list []uint64 // pcs sorted, for the hart; nil when stale
}

func newBPSet() *bpSet { return &bpSet{pcs: map[uint64]bool{}} }

func (b *bpSet) clone() *bpSet {
	c := newBPSet()
	for pc := range b.pcs {
		c.pcs[pc] = true
	}
	return c
}

func (b *bpSet) sorted() []uint64 {
	if len(b.pcs) == 0 {
		return nil
	}
	if b.list == nil {
		for pc := range b.pcs {
			b.list = append(b.list, pc)
		}
		sort.Slice(b.list, func(i, j int) bool { return b.list[i] < b.list[j] })
	}
	return b.list
}

// event is a stop gdb has yet to hear of: msg, naming thread tid (an exit names none).
type event struct {
	tid int
	msg string
}

// bps is the breakpoint set of process pid, nil if gdb does not debug it. Without
// the multiprocess extension all processes share one.
func (s *Stub) bps(pid int) *bpSet {
	if !s.multi {
		pid = 0
	}
	return s.procs[pid]
}

// attached reports whether gdb debugs process pid.
func (s *Stub) attached(pid int) bool { return !s.multi || s.procs[pid] != nil }

// anyBreaks reports whether any breakpoint is set.
func (s *Stub) anyBreaks() bool {
	for _, b := range s.procs {
		if len(b.pcs) > 0 {
			return true
		}
	}
	return false
}

// breakAt reports whether a breakpoint of thread tid's process is at pc.
func (s *Stub) breakAt(pid int, pc uint64) bool {
	b := s.bps(pid)
	return b != nil && b.pcs[pc]
}

// supported notes the features gdb's qSupported offers.
func (s *Stub) supported(pkt string) {
	_, feats, _ := strings.Cut(pkt, ":")
	for _, f := range strings.Split(feats, ";") {
		switch f {
		case "multiprocess+":
			if !s.multi {
				s.multi = true
				// The breakpoints so far are the first process's.
				main := s.mainPID()
				s.procs = map[int]*bpSet{main: s.procs[0]}
				// The stop gdb asks about next ('?') names the thread the new way.
				s.stopMsg = strings.Replace(s.stopMsg, fmt.Sprintf("thread:%x;", s.stopTID),
					"thread:"+s.threadID(s.pidOf(s.stopTID), s.stopTID)+";", 1)
			}
		case "fork-events+":
			s.forkEv = true
		case "vfork-events+":
			s.vforkEv = true
		case "exec-events+":
			s.execEv = true
		}
	}
}

// mainPID is the process the stub stopped first.
func (s *Stub) mainPID() int {
	if s.kt != nil {
		return s.kt.mainPID
	}
	return s.pidOf(s.stopTID)
}

// threadID is a thread id as gdb expects it: pPID.TID with the multiprocess
// extension, else TID.
func (s *Stub) threadID(pid, tid int) string {
	if s.multi {
		return fmt.Sprintf("p%x.%x", pid, tid)
	}
	return fmt.Sprintf("%x", tid)
}

// stopReply is a T stop reply for thread tid with signal sig and stop reasons why.
func (s *Stub) stopReply(sig, tid int, why string) string {
	return fmt.Sprintf("T%02xthread:%s;%s", sig, s.threadID(s.pidOf(tid), tid), why)
}

// parseThread parses a thread id: hex TID, "-1" (all), "0" (any), or the multiprocess
// form pPID.TID, where PID may be -1 (all processes) and TID -1 or 0. pid is 0 when
// the id names none; tid is -1 or 0 for all or any thread of pid.
func (s *Stub) parseThread(id string) (pid, tid int, ok bool) {
	num := func(x string) (int, bool) {
		if x == "-1" {
			return -1, true
		}
		v, ok := parseHex(x)
		if !ok || v > 1<<31 {
			return 0, false
		}
		return int(v), true
	}
	if rest, isP := strings.CutPrefix(id, "p"); isP {
		p, t, found := strings.Cut(rest, ".")
		if pid, ok = num(p); !ok {
			return 0, 0, false
		}
		if !found {
			return pid, -1, true
		}
		tid, ok = num(t)
		return pid, tid, ok
	}
	tid, ok = num(id)
	return 0, tid, ok
}

// threadOf resolves a parsed thread id to one live thread: tid itself, or for any or
// all threads of a process the lowest TID of it, or 0 (none named).
func (s *Stub) threadOf(pid, tid int) int {
	if tid > 0 || pid <= 0 {
		return max(tid, 0)
	}
	for _, t := range s.threads() {
		if t.PID == pid {
			return t.TID
		}
	}
	return 0
}

// liveEvents reports whether process events are to be noted: gdb is there and the
// guest runs forwards, live (a re-execution passes events gdb has already heard of).
func (s *Stub) liveEvents() bool {
	return s.multi && s.connected && !s.detached && !s.abandoned && s.mode == modeLive
}

// Forked implements kernel.ProcessDebugger.
func (s *Stub) Forked(parent, child *kernel.Task, vfork bool) {
	pb := s.procs[parent.TG.PID]
	if !s.liveEvents() || pb == nil || (vfork && !s.vforkEv) || (!vfork && !s.forkEv) {
		return // the child is not debugged
	}
	kind := "fork"
	if vfork {
		kind = "vfork"
		s.procs[child.TG.PID] = pb // one address space, one set of breakpoints
	} else {
		s.procs[child.TG.PID] = pb.clone()
	}
	s.events = append(s.events, event{tid: parent.TID,
		msg: s.stopReply(sigTRAP, parent.TID, fmt.Sprintf("%s:%s;", kind, s.threadID(child.TG.PID, child.TID)))})
}

// VforkDone implements kernel.ProcessDebugger.
func (s *Stub) VforkDone(parent *kernel.Task) {
	if s.liveEvents() && s.vforkEv && s.procs[parent.TG.PID] != nil {
		s.events = append(s.events, event{tid: parent.TID, msg: s.stopReply(sigTRAP, parent.TID, "vforkdone:;")})
	}
}

// Execed implements kernel.ProcessDebugger: the process's breakpoints and watchpoints
// went with its old address space.
func (s *Stub) Execed(t *kernel.Task) {
	pid := t.TG.PID
	if !s.liveEvents() || s.procs[pid] == nil {
		return
	}
	s.procs[pid] = newBPSet()
	s.dropWatches(pid)
	if s.execEv {
		path := encodeHex([]byte(s.target.ExecFile(pid)))
		s.events = append(s.events, event{tid: t.TID, msg: s.stopReply(sigTRAP, t.TID, "exec:"+path+";")})
	}
}

// ProcessExited implements kernel.ProcessDebugger. The first process's exit ends the
// run (Exited).
func (s *Stub) ProcessExited(tg *kernel.ThreadGroup) {
	if !s.liveEvents() || s.procs[tg.PID] == nil || tg.PID == s.mainPID() {
		return
	}
	delete(s.procs, tg.PID)
	s.dropWatches(tg.PID)
	s.events = append(s.events, event{msg: exitReply(tg.ExitCode, int(tg.KillSignal), tg.PID, true)})
}

// exitReply is the W or X stop reply for a process that exited with status, or was
// killed by signal sig (non-zero).
func exitReply(status, sig, pid int, multi bool) string {
	msg := fmt.Sprintf("W%02x", status&0xff)
	if sig != 0 {
		msg = fmt.Sprintf("X%02x", sig)
	}
	if multi {
		msg += fmt.Sprintf(";process:%x", pid)
	}
	return msg
}

// dropWatches removes the watchpoints of process pid.
func (s *Stub) dropWatches(pid int) {
	kept := s.watches[:0]
	for _, w := range s.watches {
		if w.pid != pid {
			kept = append(kept, w)
		}
	}
	s.watches = kept
	s.pending = nil
}

// reportEvents reports the events noted since the guest last ran, one stop each, at
// the Check of thread tid (at instant at); it returns false if gdb went away.
func (s *Stub) reportEvents(tid int, at instant) bool {
	for len(s.events) > 0 && !s.detached && !s.abandoned {
		e := s.events[0]
		s.events = s.events[1:]
		s.floor = at
		stopTID := e.tid
		if stopTID == 0 || !s.alive(stopTID) {
			stopTID = tid
		}
		s.stop(stopTID, e.msg)
	}
	return !s.detached && !s.abandoned
}

// detachProcess handles D;PID: gdb no longer debugs process pid, which runs on
// freely; when it was the last one, the whole session ends.
func (s *Stub) detachProcess(pid int) (reply string, resume bool) {
	if !s.multi || s.procs[pid] == nil {
		return "E01", false
	}
	delete(s.procs, pid)
	s.dropWatches(pid)
	if len(s.procs) > 0 {
		return "OK", false
	}
	s.send("OK")
	s.detach()
	return "", true
}

// killProcess handles vKill;PID.
func (s *Stub) killProcess(pid int) (reply string, resume bool) {
	if !s.multi || pid == s.mainPID() || (s.kt == nil && pid == 0) {
		s.target.Kill()
		s.send("OK")
		s.detach()
		return "", true
	}
	if s.procs[pid] == nil {
		return "E01", false
	}
	delete(s.procs, pid)
	s.dropWatches(pid)
	s.noteKill(pid)
	s.target.KillProcess(pid)
	return "OK", false
}

// firstAttachedThread is the lowest TID of the processes gdb debugs, or 0.
func (s *Stub) firstAttachedThread() int {
	for _, t := range s.threads() {
		if s.attached(t.PID) {
			return t.TID
		}
	}
	return 0
}

// Holds implements kernel.HoldingDebugger: gdb resumed the threads of some processes
// only (vCont;c:pPID.-1, as it does in all-stop mode with more than one inferior and
// schedule-multiple off), and the others stay stopped.
func (s *Stub) Holds(t *kernel.Task) bool {
	return s.resumed != nil && !s.detached && !s.abandoned && s.attached(t.TG.PID) && !s.resumed[t.TG.PID]
}

// Idle implements kernel.HoldingDebugger: nothing can run but what gdb holds, so the
// guest waits for gdb, as a Linux process blocked for good would: gdb's Ctrl-C stops
// it. A re-execution makes the change gdb made then.
func (s *Stub) Idle() bool {
	if s.kt == nil || s.detached || s.abandoned {
		return false
	}
	sl, g := s.kt.k.DebugPosition()
	at := instant{sl + 1, g} // the next Check's
	if s.mode != modeLive {
		// A re-execution: gdb changed what runs here, or the reverse move's window
		// or destination is here, where gdb stopped the run with Ctrl-C.
		before := fmt.Sprint(s.resumed)
		s.replayWrites(at)
		switch {
		case fmt.Sprint(s.resumed) != before:
			return true
		case s.mode == modeScan && !at.less(s.rev.until):
			s.scanEnd()
			return true
		case s.mode == modeSeek && s.seekCheck(at):
			s.forgetAfter(at)
			tid := s.firstResumedThread()
			s.stop(tid, s.stopReply(sigTRAP, tid, s.rev.toWhy))
			return true
		}
		return false
	}
	s.cur = at
	if len(s.events) > 0 {
		s.reportEvents(s.firstResumedThread(), at)
		return true
	}
	for p := range s.pkts {
		if p.interrupt {
			s.interrupt.Store(false)
			tid := s.firstResumedThread()
			s.stop(tid, s.stopReply(sigINT, tid, ""))
			return true
		}
		if s.handle(p.data) || s.detached {
			return true
		}
	}
	s.detach()
	return true
}

// firstResumedThread is the lowest TID of the processes gdb resumed, else of those it
// debugs.
func (s *Stub) firstResumedThread() int {
	for _, t := range s.threads() {
		if s.attached(t.PID) && (s.resumed == nil || s.resumed[t.PID]) {
			return t.TID
		}
	}
	return s.firstAttachedThread()
}

// setResumed records which processes a vCont resumed: nil for all.
func (s *Stub) setResumed(r map[int]bool) {
	if fmt.Sprint(r) == fmt.Sprint(s.resumed) {
		return
	}
	s.resumed = r
	s.noteWrite(dbgWrite{hold: true, resumed: r})
}
