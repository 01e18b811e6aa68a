package gdbstub

import (
	"weft/internal/kernel"
)

// Checkpoints make reverse moves start nearer where they go. Every checkpointEvery
// instructions (doubling as the list thins) the stub asks the kernel to pause between
// slices (Kernel.PauseAt); the caller's loop then calls Paused, which freezes a copy of
// the whole kernel (Kernel.Checkpoint). A re-execution restores the latest checkpoint
// before the window it must run instead of starting the program again. At most
// maxCheckpoints are kept: when the list is full every other one is dropped (the
// newest kept), so the checkpoints thin out towards the start of the run as rr's do,
// and their memory (Checkpoint.Bytes: the copies of the guest's resident pages and the
// kernel's objects) stays bounded by maxCheckpoints copies of the machine and, thinned
// further, by CheckpointLimit (the guest's --max-memory).

const maxCheckpoints = 8

// CheckpointEvery sets the first interval between checkpoints, in instructions (0:
// none; re-executions start from the program's start).
func (s *Stub) CheckpointEvery(n uint64) {
	s.every = n
	s.noCheckpoints = n == 0
}

// savedPoint is a checkpoint and what the host streams had seen when it was taken.
type savedPoint struct {
	cp     *kernel.Checkpoint
	at     instant // the first Check of a kernel restored from it is at or after this
	outOff map[*outStream]int64
	inNext int
}

// maybePause asks for a pause (and so a checkpoint) when the run has gone far enough
// since the last one; called from live Checks.
func (s *Stub) maybePause(at instant) {
	if !s.reexec || s.kt == nil || s.pausing || s.noReverse != "" || s.noCheckpoints {
		return
	}
	last := uint64(0)
	if n := len(s.points); n > 0 {
		last = s.points[n-1].at.global
	}
	if s.every == 0 {
		s.every = 20_000_000
	}
	if at.global-last >= s.every {
		s.pausing = true
		s.kt.k.PauseAt(s.kt.k.Now() + 1)
	}
}

// Paused is called by the caller's loop when the kernel's Run returned Paused: the
// stub checkpoints the kernel, which the caller then runs on.
func (s *Stub) Paused(k *kernel.Kernel) {
	s.pausing = false
	k.PauseAt(0)
	if s.abandoned || s.mode != modeLive {
		return
	}
	cp, err := k.Checkpoint()
	if err != nil {
		return // a run that cannot be copied is re-executed from its start
	}
	sl, g := k.DebugPosition()
	p := savedPoint{cp: cp, at: instant{sl + 1, g}, outOff: map[*outStream]int64{}}
	for _, w := range s.writers {
		p.outOff[w.st] = w.off
	}
	if s.reader != nil {
		p.inNext = s.reader.next
	}
	if len(s.points) == maxCheckpoints {
		s.thin()
		s.every *= 2
	}
	s.points = append(s.points, p)
	// Copies of the guest's memory are host memory the guest caused: together they
	// stay within the guest's own cap (CheckpointLimit).
	for len(s.points) > 1 && s.limit > 0 && s.pointBytes() > s.limit {
		s.thin()
	}
}

// thin keeps every other checkpoint, the newest included.
func (s *Stub) thin() {
	var kept []savedPoint
	for i := len(s.points) - 1; i >= 0; i -= 2 {
		kept = append([]savedPoint{s.points[i]}, kept...)
	}
	s.points = kept
}

// CheckpointLimit bounds the host memory all checkpoints hold together (0: only their
// number bounds it); weft run gives the guest's --max-memory.
func (s *Stub) CheckpointLimit(bytes uint64) { s.limit = bytes }

func (s *Stub) pointBytes() uint64 {
	n, _ := s.CheckpointBytes()
	return n
}

// CheckpointBytes is the host memory the checkpoints hold now.
func (s *Stub) CheckpointBytes() (n uint64, count int) {
	for _, p := range s.points {
		n += p.cp.Bytes()
	}
	return n, len(s.points)
}

// startPoint is the latest checkpoint at or before instant at, or nil (the start).
func (s *Stub) startPoint(at instant) *savedPoint {
	for i := len(s.points) - 1; i >= 0; i-- {
		if !at.less(s.points[i].at) {
			return &s.points[i]
		}
	}
	return nil
}

// Restart returns the kernel the next re-execution runs: one restored from the latest
// checkpoint before where it must start, with its streams through the stub, or nil to
// run the program from its start. rc gives what a checkpoint does not hold.
func (s *Stub) Restart(rc kernel.RestoreConfig) *kernel.Kernel {
	if s.rev == nil {
		return nil
	}
	p := s.startPoint(s.rev.from())
	if p == nil {
		return nil
	}
	rc.Debugger = s
	rc.Stdout, rc.Stderr = s.outputAt(rc.Stdout, p), s.outputAt(rc.Stderr, p)
	if rc.Strace != nil {
		rc.Strace = s.outputAt(rc.Strace, p)
	}
	if rc.Stdin != nil {
		r := s.Input(rc.Stdin).(*genReader)
		r.next = p.inNext
		rc.Stdin = r
	}
	k, err := p.cp.Restore(rc)
	if err != nil {
		return nil
	}
	s.Attach(k, "")
	s.rev.start = p.at
	s.startWrites(p.at)
	return k
}

// outputAt is Output for a kernel restored from p: it has written what the run had
// written to w when p was taken.
func (s *Stub) outputAt(w interface{ Write([]byte) (int, error) }, p *savedPoint) *genWriter {
	g := s.Output(w).(*genWriter)
	g.off = p.outOff[g.st]
	return g
}
