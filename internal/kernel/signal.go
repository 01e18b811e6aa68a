package kernel

import (
	"encoding/binary"
	"fmt"

	"weft/internal/abi/linux"
	"weft/internal/cpu"
	"weft/internal/mm"
	"weft/internal/trace"
)

// Signals (signal(7)). A signal is pending on a task (tgkill, faults) or on its process
// (kill); it is delivered when a task that does not block it returns to user mode:
// before its next time slice, which follows every syscall. Delivery runs the handler on
// a riscv64 rt_sigframe (siginfo + ucontext, as the kernel lays it out and glibc reads
// it), or takes the default action.

// SigInfo is what a handler's siginfo_t says about a signal.
type SigInfo struct {
	Signo Signal
	Code  int32
	Addr  uint64 // SIGSEGV, SIGBUS, SIGILL, SIGTRAP: the faulting address
	// AddrLSB is a machine check's si_addr_lsb: the log2 of the size of what failed
	// (SIGBUS with BUS_MCEERR_AR or BUS_MCEERR_AO).
	AddrLSB int16
	PID     int // the sender, for kill and SIGCHLD
	UID     uint32
	// Status is SIGCHLD's exit status or signal.
	Status int32
	// Raw, when set, is the whole siginfo_t a sender supplied (rt_sigqueueinfo).
	Raw []byte
	// charged is set when the signal counts against its receiver's real user's
	// RLIMIT_SIGPENDING, as uid.
	charged bool
	uid     uint32
	// timer is the POSIX timer that sent the signal: its overrun count is filled in
	// when the signal is taken.
	timer *posixTimer
}

// si_code values.
const (
	SI_USER       = 0
	SI_KERNEL     = 0x80
	SI_TKILL      = -6
	SEGV_MAPERR   = 1
	SEGV_ACCERR   = 2
	BUS_ADRALN    = 1
	BUS_ADRERR    = 2
	BUS_MCEERR_AR = 4
	ILL_ILLOPC    = 1
	TRAP_BRKPT    = 1
	CLD_EXITED    = 1
	CLD_KILLED    = 2
	CLD_DUMPED    = 3
	CLD_STOPPED   = 5
	CLD_CONTINUED = 6
)

// sigSet is a signal mask: bit sig-1 for signal sig.
func sigBit(s Signal) uint64 { return 1 << (s - 1) }

// Unblockable are SIGKILL and SIGSTOP, which no mask holds back.
const Unblockable = 1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1)

const unblockable = Unblockable

// sigQueue holds pending signals. A standard signal is pending at most once (a second
// one while it is pending is lost); real-time signals queue, each with its own info,
// and are taken in the order sent (signal(7), "Real-time signals").
type sigQueue struct {
	set  uint64
	info *[linux.NSIG][]SigInfo // allocated on the first signal: most tasks get none
}

// maxQueued bounds the signals queued per signal number whatever RLIMIT_SIGPENDING
// says (root may raise it to infinity), so that queues cannot exhaust the host.
const maxQueued = 1 << 16

// enqueue adds info to q, a queue of a task or process of tg. Each queued signal counts
// against the RLIMIT_SIGPENDING of the receiver's real user, as Linux's
// __sigqueue_alloc does; signals the kernel or kill(2) sends (si_code >= 0) may pass
// the limit. Past it, a real-time signal from sigqueue(3) or tgkill fails with EAGAIN,
// and any other signal is still sent, without its information (SI_USER, no sender).
func (k *Kernel) enqueue(q *sigQueue, tg *ThreadGroup, info SigInfo) error {
	if q.info == nil {
		q.info = new([linux.NSIG][]SigInfo)
	}
	s := info.Signo
	if s < linux.SIGRTMIN && q.set&sigBit(s) != 0 {
		return nil // a standard signal is pending once
	}
	uid := tg.Creds.UID
	over := uint64(k.sigQueued[uid]) >= tg.Rlimits[RLIMIT_SIGPENDING].Cur && info.Code < 0
	if over || len(q.info[s]) >= maxQueued {
		if s >= linux.SIGRTMIN && info.Code != SI_USER {
			return linux.EAGAIN
		}
		if s >= linux.SIGRTMIN {
			return nil // the queue is full: lost, as a full allocation would lose it
		}
		info = SigInfo{Signo: s, Code: SI_USER}
	} else {
		info.charged, info.uid = true, uid
		k.sigQueued[uid]++
	}
	q.info[s] = append(q.info[s], info)
	q.set |= sigBit(s)
	tg.sigEvents.WakeAll()
	return nil
}

// uncharge gives back what a dequeued signal held of RLIMIT_SIGPENDING.
func (k *Kernel) uncharge(info SigInfo) {
	if info.charged {
		k.sigQueued[info.uid]--
	}
}

// discard drops every pending s from q.
func (k *Kernel) discard(q *sigQueue, s Signal) {
	q.set &^= sigBit(s)
	if q.info != nil {
		for _, info := range q.info[s] {
			k.uncharge(info)
			if info.timer != nil {
				info.timer.queued = false
			}
		}
		q.info[s] = q.info[s][:0]
	}
}

// discardAll drops every signal pending on q (its task or process is gone).
func (k *Kernel) discardAll(q *sigQueue) {
	for s := Signal(1); s < linux.NSIG; s++ {
		if q.set&sigBit(s) != 0 {
			k.discard(q, s)
		}
	}
}

// take dequeues the oldest pending s from q.
func (k *Kernel) take(q *sigQueue, s Signal) SigInfo {
	info := q.info[s][0]
	q.info[s] = q.info[s][1:]
	if len(q.info[s]) == 0 {
		q.set &^= sigBit(s)
	}
	k.uncharge(info)
	if info.timer != nil {
		info = info.timer.delivered(info)
	}
	return info
}

// SignalTask sends a task-directed signal (tgkill, a fault). It fails only with EAGAIN,
// past RLIMIT_SIGPENDING (see enqueue).
func (k *Kernel) SignalTask(t *Task, info SigInfo) error {
	if t.State == TaskDead || t.TG.Exited || info.Signo <= 0 || info.Signo >= linux.NSIG {
		return nil
	}
	// A blocked signal is never ignored at once: its disposition may change before it
	// is unblocked (Linux's sig_ignored).
	if t.SigMask&sigBit(info.Signo) == 0 && k.ignored(t.TG, info.Signo) {
		return nil
	}
	if err := k.enqueue(&t.sigPending, t.TG, info); err != nil {
		return err
	}
	k.kick(t)
	return nil
}

// SignalProcess sends a process-directed signal (kill, SIGCHLD, SIGPIPE). It fails only
// with EAGAIN, past RLIMIT_SIGPENDING (see enqueue).
func (k *Kernel) SignalProcess(tg *ThreadGroup, info SigInfo) error {
	if tg.Exited || info.Signo <= 0 || info.Signo >= linux.NSIG {
		return nil
	}
	switch {
	case info.Signo == linux.SIGKILL:
		k.exitGroup(tg, 0, linux.SIGKILL)
		return nil
	case info.Signo == linux.SIGCONT:
		// SIGCONT continues a stopped process when it is sent, whatever its
		// disposition, and discards pending stop signals (signal(7)).
		k.continueGroup(tg)
	case isStopSignal(info.Signo):
		k.discard(&tg.sigPending, linux.SIGCONT)
	}
	if k.ignored(tg, info.Signo) && !blockedByAll(tg, info.Signo) {
		return nil
	}
	if err := k.enqueue(&tg.sigPending, tg, info); err != nil {
		return err
	}
	// Wake one thread that can take it: one waiting for it in rt_sigtimedwait first,
	// else one that does not block it, as Linux's complete_signal does.
	for _, t := range tg.Tasks {
		if t.State == TaskBlocked && t.sigWaitSet&sigBit(info.Signo) != 0 {
			k.kick(t)
			return nil
		}
	}
	for _, t := range tg.Tasks {
		if t.State != TaskDead && t.SigMask&sigBit(info.Signo) == 0 {
			k.kick(t)
			return nil
		}
	}
	return nil
}

// blockedByAll reports whether every live thread of tg blocks sig: then an ignored
// sig stays pending, since a handler may be installed before it is unblocked.
func blockedByAll(tg *ThreadGroup, sig Signal) bool {
	for _, t := range tg.Tasks {
		if t.State != TaskDead && t.SigMask&sigBit(sig) == 0 {
			return false
		}
	}
	return len(tg.Tasks) > 0
}

// SignalGroup sends sig to a process from the kernel.
func (k *Kernel) SignalGroup(tg *ThreadGroup, sig Signal) {
	k.SignalProcess(tg, SigInfo{Signo: sig, Code: SI_KERNEL})
}

// ignored reports whether sig would be discarded at once: explicitly ignored, or
// defaulting to ignore.
func (k *Kernel) ignored(tg *ThreadGroup, sig Signal) bool {
	if sig == linux.SIGKILL || sig == linux.SIGSTOP {
		return false
	}
	act := tg.SigActions[sig]
	return act.Handler == SIG_IGN || (act.Handler == SIG_DFL && defaultIgnored(sig))
}

// kick interrupts t if it is blocked and the pending signal is not masked, so that it
// notices the signal.
func (k *Kernel) kick(t *Task) {
	if t.State != TaskBlocked {
		return
	}
	switch {
	case (t.sigPending.set|t.TG.sigPending.set)&t.sigWaitSet != 0:
		t.Wake() // rt_sigtimedwait: the signal it waits for came
	case k.deliverable(t) != 0:
		t.interrupted = true
		t.Wake()
	}
}

// TakeSignal dequeues a pending signal in set, for rt_sigtimedwait.
func (t *Task) TakeSignal(set uint64) (SigInfo, bool) {
	k := t.k
	for s := Signal(1); s < linux.NSIG; s++ {
		if set&sigBit(s) == 0 {
			continue
		}
		if t.sigPending.set&sigBit(s) != 0 {
			return k.take(&t.sigPending, s), true
		}
		if t.TG.sigPending.set&sigBit(s) != 0 {
			return k.take(&t.TG.sigPending, s), true
		}
	}
	return SigInfo{}, false
}

// PendingSignals is the set of signals pending for t (rt_sigpending).
func (t *Task) PendingSignals() uint64 { return t.sigPending.set | t.TG.sigPending.set }

// SwapMask installs a temporary signal mask for the rest of a syscall (ppoll,
// pselect6); RestoreMask puts the old one back when the call returns normally. If a
// handler interrupts the call, its frame restores the old mask instead.
func (t *Task) SwapMask(mask uint64) {
	if t.savedMask == nil {
		old := t.SigMask
		t.savedMask = &old
	}
	t.SigMask = mask &^ unblockable
}

// RestoreMask undoes SwapMask.
func (t *Task) RestoreMask() {
	if t.savedMask != nil {
		t.SigMask = *t.savedMask
		t.savedMask = nil
	}
}

// Interrupted reports whether a signal t can take is pending (a blocking call should
// end with EINTR).
func (t *Task) Interrupted() bool { return t.k.deliverable(t) != 0 }

// Sigsuspend replaces the mask until a signal arrives (rt_sigsuspend(2)); the handler
// returns to the old mask.
func (t *Task) Sigsuspend(mask uint64) error {
	if !t.Call.Started {
		t.Call.Started = true
		old := t.SigMask
		t.savedMask = &old
		t.SigMask = mask &^ unblockable
	}
	if t.k.deliverable(t) != 0 {
		return linux.EINTR
	}
	return t.Block("sigsuspend")
}

// WaitSignal blocks until a signal in set is pending, or Call.Deadline passes.
func (t *Task) WaitSignal(set uint64) (SigInfo, error) {
	if info, ok := t.TakeSignal(set); ok {
		t.sigWaitSet = 0
		return info, nil
	}
	if t.Call.Deadline != 0 && t.Now() >= t.Call.Deadline {
		t.sigWaitSet = 0
		return SigInfo{}, linux.EAGAIN
	}
	t.sigWaitSet = set
	return SigInfo{}, t.Block("rt_sigtimedwait")
}

// For is info as t, its receiver, sees it: the sender's process ID in t's PID
// namespace (0 from outside it) and its user ID in t's user namespace, as Linux
// translates them when it queues the signal. A siginfo the sender wrote itself
// (rt_sigqueueinfo) is passed on as it is.
func (info SigInfo) For(t *Task) SigInfo {
	if info.Raw == nil {
		info.PID = t.NR(info.PID)
		info.UID = t.TG.Creds.UserNS.UIDSeen(info.UID)
	}
	return info
}

// EncodeSigInfo lays info out as a siginfo_t (128 bytes).
func EncodeSigInfo(info SigInfo) []byte {
	b := make([]byte, 128)
	if info.Raw != nil {
		copy(b, info.Raw)
		binary.LittleEndian.PutUint32(b[0:], uint32(info.Signo))
		return b
	}
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(info.Signo))
	le.PutUint32(b[8:], uint32(info.Code))
	switch info.Signo {
	case linux.SIGSEGV, linux.SIGBUS, linux.SIGILL, linux.SIGTRAP, linux.SIGFPE:
		le.PutUint64(b[16:], info.Addr)
		le.PutUint16(b[24:], uint16(info.AddrLSB)) // _sigfault's union after si_addr
	default:
		le.PutUint32(b[16:], uint32(info.PID))
		le.PutUint32(b[20:], info.UID)
		le.PutUint32(b[24:], uint32(info.Status))
	}
	return b
}

// deliverable is the set of pending signals t can take now.
func (k *Kernel) deliverable(t *Task) uint64 {
	return (t.sigPending.set | t.TG.sigPending.set) &^ t.SigMask
}

// nextSignal dequeues the lowest-numbered deliverable signal (synchronous signals,
// being task-directed, win ties), or reports false.
func (k *Kernel) nextSignal(t *Task) (SigInfo, bool) {
	set := k.deliverable(t)
	if set == 0 {
		return SigInfo{}, false
	}
	for s := Signal(1); s < linux.NSIG; s++ {
		if set&sigBit(s) == 0 {
			continue
		}
		if t.sigPending.set&sigBit(s) != 0 {
			return k.take(&t.sigPending, s), true
		}
		return k.take(&t.TG.sigPending, s), true
	}
	return SigInfo{}, false
}

// deliverSignals runs before t returns to user mode: it delivers every deliverable
// signal (each handler frame stacks on the previous one, as on Linux) or takes the
// default action. It reports false if the task is gone.
func (k *Kernel) deliverSignals(t *Task) bool {
	for {
		info, ok := k.nextSignal(t)
		if !ok {
			return true
		}
		act := t.TG.SigActions[info.Signo]
		switch {
		case act.Handler == SIG_IGN:
			continue
		case act.Handler == SIG_DFL:
			if defaultIgnored(info.Signo) {
				continue
			}
			if t.TG.isNSInit() && info.Signo != linux.SIGKILL && info.Signo != linux.SIGSTOP {
				continue // a PID namespace's init is not killed by a default action (get_signal)
			}
			if isStopSignal(info.Signo) {
				if info.Signo != linux.SIGSTOP && k.orphanedPgrp(t.TG.PGID) {
					continue // no one is left to continue it (pgrp.go)
				}
				k.straceSignal(t, info)
				k.stopGroup(t.TG, info.Signo)
				return false
			}
			k.straceSignal(t, info)
			k.killedBy(t, info.Signo)
			return false
		}
		k.straceSignal(t, info)
		if k.tr != nil {
			k.traceEvent(t, trace.Event{Time: t.Now(), Kind: trace.Signal, Name: info.Signo.String(), Arg: uint64(info.Signo)})
		}
		if err := k.setupFrame(t, info, act); err != nil {
			// No room for the frame: Linux kills the process with SIGSEGV.
			k.notice("pid %d: cannot deliver %v: no room for a signal frame (%v); killed by SIGSEGV", t.TG.PID, info.Signo, err)
			k.killedBy(t, linux.SIGSEGV)
			return false
		}
	}
}

func isStopSignal(s Signal) bool {
	return s == linux.SIGSTOP || s == linux.SIGTSTP || s == linux.SIGTTIN || s == linux.SIGTTOU
}

// The riscv64 rt_sigframe: siginfo (128 bytes), then struct ucontext, whose
// uc_mcontext (pc, x1..x31, f0..f31, fcsr) starts 176 bytes in. Offsets checked
// against the glibc headers of riscv64-linux-gnu.
const (
	frameInfo     = 0
	frameUC       = 128
	ucStack       = frameUC + 16
	ucSigmask     = frameUC + 40
	ucMcontext    = frameUC + 176
	mcFP          = ucMcontext + 256
	mcFCSR        = mcFP + 256
	frameSize     = frameUC + 960
	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	MINSIGSTKSZ   = 2048
	sigreturnCode = 0x08b00893 // li a7, 139 (rt_sigreturn)
	ecallCode     = 0x00000073
)

// SigAltStack is sigaltstack(2)'s state of a task.
type SigAltStack struct {
	SP, Size uint64
	Flags    uint32
}

func (s SigAltStack) contains(sp uint64) bool {
	return s.Size != 0 && sp > s.SP && sp <= s.SP+s.Size
}

// OnAltStack reports whether t runs on its alternate signal stack.
func (t *Task) OnAltStack() bool { return t.AltStack.contains(t.Ctx.X[2]) }

// setupFrame builds a handler's frame on t's stack and points t at the handler.
func (k *Kernel) setupFrame(t *Task, info SigInfo, act SigAction) error {
	sp := t.Ctx.X[2]
	if act.Flags&SA_ONSTACK != 0 && t.AltStack.Size != 0 && t.AltStack.Flags&SS_DISABLE == 0 && !t.OnAltStack() {
		sp = t.AltStack.SP + t.AltStack.Size
	}
	sp = (sp - frameSize) &^ 15
	b := make([]byte, frameSize)
	le := binary.LittleEndian
	copy(b[frameInfo:], EncodeSigInfo(info.For(t)))
	le.PutUint64(b[ucStack:], t.AltStack.SP)
	flags := t.AltStack.Flags
	if t.OnAltStack() {
		flags |= SS_ONSTACK
	}
	le.PutUint32(b[ucStack+8:], flags)
	le.PutUint64(b[ucStack+16:], t.AltStack.Size)
	mask := t.SigMask
	if t.savedMask != nil { // rt_sigsuspend: the handler returns to the original mask
		mask = *t.savedMask
		t.savedMask = nil
	}
	le.PutUint64(b[ucSigmask:], mask)
	le.PutUint64(b[ucMcontext:], t.Ctx.PC)
	for i := 1; i < 32; i++ {
		le.PutUint64(b[ucMcontext+8*i:], t.Ctx.X[i])
	}
	for i := 0; i < 32; i++ {
		le.PutUint64(b[mcFP+8*i:], t.Ctx.F[i])
	}
	le.PutUint32(b[mcFCSR:], t.Ctx.FCSR)
	if err := t.TG.MM.WriteAt(b, sp); err != nil {
		return err
	}
	t.Ctx.X[2] = sp
	t.Ctx.X[10] = uint64(info.Signo)
	t.Ctx.X[11] = sp + frameInfo
	t.Ctx.X[12] = sp + frameUC
	t.Ctx.X[1] = t.TG.sigreturnAddr
	t.Ctx.PC = act.Handler
	t.SigMask |= act.Mask
	if act.Flags&SA_NODEFER == 0 {
		t.SigMask |= sigBit(info.Signo)
	}
	t.SigMask &^= unblockable
	if act.Flags&SA_RESETHAND != 0 {
		// Only the handler is reset; the flags and mask stay (Linux's get_signal).
		t.TG.SigActions[info.Signo].Handler = SIG_DFL
	}
	return nil
}

// Sigreturn restores the context a handler interrupted, from the frame at sp
// (rt_sigreturn(2)).
func (t *Task) Sigreturn() error {
	// A call that a handler came between its interruption and its restart_syscall
	// fails with EINTR instead (Linux resets the restart block here too).
	t.restart = restartBlock{}
	sp := t.Ctx.X[2]
	b := make([]byte, frameSize)
	if err := t.TG.MM.ReadAt(b, sp); err != nil {
		t.k.notice("pid %d: rt_sigreturn with a bad frame at 0x%x; killed by SIGSEGV", t.TG.PID, sp)
		t.k.exitGroup(t.TG, 0, linux.SIGSEGV)
		return ErrNoReturn
	}
	le := binary.LittleEndian
	t.Ctx.PC = le.Uint64(b[ucMcontext:])
	for i := 1; i < 32; i++ {
		t.Ctx.X[i] = le.Uint64(b[ucMcontext+8*i:])
	}
	for i := 0; i < 32; i++ {
		t.Ctx.F[i] = le.Uint64(b[mcFP+8*i:])
	}
	t.Ctx.FCSR = le.Uint32(b[mcFCSR:]) & 0xff
	t.SigMask = le.Uint64(b[ucSigmask:]) &^ unblockable
	return ErrNoReturn
}

// mapSigreturn maps the page whose code returns from signal handlers (Linux keeps it in
// the vDSO): li a7, 139; ecall.
func (k *Kernel) mapSigreturn(tg *ThreadGroup) error {
	const addr = 0x3f_f000_0000 // below the mmap area
	if err := tg.MM.Map(addr, mm.PageSize, mm.PermRead|mm.PermExec, false, "[vdso]"); err != nil {
		return err
	}
	var code [8]byte
	binary.LittleEndian.PutUint32(code[0:], sigreturnCode)
	binary.LittleEndian.PutUint32(code[4:], ecallCode)
	tg.sigreturnAddr = addr
	return tg.MM.Poke(addr, code[:])
}

// faultSignal turns a synchronous exception into the signal Linux raises, with the
// description weft prints when it kills the process.
func faultSignal(stop cpu.Stop) (SigInfo, string) {
	switch stop.Reason {
	case cpu.StopFault:
		switch stop.Fault.Kind {
		case mm.PastEOF, mm.NoSpace, mm.NoHugePage:
			return SigInfo{Signo: linux.SIGBUS, Code: BUS_ADRERR, Addr: stop.Fault.Addr}, stop.Fault.Error()
		case mm.HWPoison: // the whole page failed: si_addr_lsb is its shift
			return SigInfo{Signo: linux.SIGBUS, Code: BUS_MCEERR_AR, Addr: stop.Fault.Addr, AddrLSB: mm.PageShift}, stop.Fault.Error()
		}
		code := int32(SEGV_MAPERR)
		if stop.Fault.Kind == mm.Protection {
			code = SEGV_ACCERR
		}
		return SigInfo{Signo: linux.SIGSEGV, Code: code, Addr: stop.Fault.Addr}, stop.Fault.Error()
	case cpu.StopMisaligned:
		return SigInfo{Signo: linux.SIGBUS, Code: BUS_ADRALN, Addr: stop.Fault.Addr},
			fmt.Sprintf("misaligned atomic %v at 0x%x", stop.Fault.Access, stop.Fault.Addr)
	case cpu.StopIllegal:
		what := fmt.Sprintf("illegal instruction 0x%08x", stop.Insn)
		if stop.Insn&3 != 3 {
			what = fmt.Sprintf("illegal instruction 0x%04x", stop.Insn)
		}
		return SigInfo{Signo: linux.SIGILL, Code: ILL_ILLOPC, Addr: stop.PC}, what
	}
	return SigInfo{Signo: linux.SIGTRAP, Code: TRAP_BRKPT, Addr: stop.PC}, "breakpoint (ebreak)"
}

// stopGroup stops every task of tg (the default action of SIGSTOP, SIGTSTP, SIGTTIN and
// SIGTTOU) and tells the parent: SIGCHLD with CLD_STOPPED unless it asked not to
// (SA_NOCLDSTOP), and wait with WUNTRACED.
func (k *Kernel) stopGroup(tg *ThreadGroup, sig Signal) {
	if tg.Exited || tg.Stopped {
		return
	}
	tg.Stopped, tg.StopSignal = true, sig
	tg.stopReport, tg.contReport = true, false
	for _, t := range tg.Tasks {
		if t.State != TaskRunnable {
			continue // blocked tasks stop when they wake (makeRunnable)
		}
		k.deschedule(t)
		for i, q := range k.runq {
			if q == t {
				k.runq = append(k.runq[:i], k.runq[i+1:]...)
				break
			}
		}
		t.State = TaskStopped
	}
	k.notifyJobControl(tg, CLD_STOPPED, int32(sig))
}

// SetSigAction installs act for s (rt_sigaction). A disposition that ignores s discards
// it wherever it is pending, blocked or not (POSIX sigaction; Linux's do_sigaction).
func (t *Task) SetSigAction(s Signal, act SigAction) {
	k, tg := t.k, t.TG
	tg.SigActions[s] = act
	if k.ignored(tg, s) {
		k.discard(&tg.sigPending, s)
		for _, o := range tg.Tasks {
			k.discard(&o.sigPending, s)
		}
	}
}

// continueGroup resumes a stopped process (SIGCONT).
func (k *Kernel) continueGroup(tg *ThreadGroup) {
	for s := Signal(1); s < linux.NSIG; s++ {
		if isStopSignal(s) {
			k.discard(&tg.sigPending, s)
			for _, t := range tg.Tasks {
				k.discard(&t.sigPending, s)
			}
		}
	}
	if !tg.Stopped {
		return
	}
	tg.Stopped = false
	tg.stopReport, tg.contReport = false, true
	now := k.now()
	for _, t := range tg.Tasks {
		if t.State == TaskStopped {
			k.makeRunnable(t, now)
		}
	}
	k.notifyJobControl(tg, CLD_CONTINUED, int32(linux.SIGCONT))
}

// notifyJobControl tells tg's parent that tg stopped or continued.
func (k *Kernel) notifyJobControl(tg *ThreadGroup, code, status int32) {
	p := tg.Parent
	if p == nil || p.Exited {
		return
	}
	if p.SigActions[linux.SIGCHLD].Flags&SA_NOCLDSTOP == 0 {
		k.SignalProcess(p, SigInfo{Signo: linux.SIGCHLD, Code: code, PID: tg.PID, UID: tg.Creds.UID, Status: status})
	}
	p.ChildEvents.WakeAll()
}
