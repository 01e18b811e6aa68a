package kernel

import (
	"fmt"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/cpu"
	"weft/internal/kernel/cost"
	"weft/internal/kernel/sched"
	"weft/internal/mm"
	"weft/internal/race"
	"weft/internal/trace"
)

// regsPerSwitch is the registers a switch from one task to another saves and restores:
// 32 integer and 32 float registers, the pc and fcsr, each way.
const regsPerSwitch = 2 * (32 + 32 + 2)

// Work is all the work the kernel has counted since it started, priced or not yet:
// its own counts, its address spaces' (mm.Pool.Work) and its harts' TLB counts.
// workPs must price exactly what it returns.
func (k *Kernel) Work() cost.Work {
	w := k.work
	p := &k.pool.Work
	w[cost.PageZeroed] += p.PagesZeroed
	w[cost.PageCopied] += p.PagesCopied
	w[cost.PageFreed] += p.PagesFreed
	// A page the kernel allocates or copies on demand is found missing by a fault:
	// the guest's, or the kernel's own when it copies to or from guest memory.
	w[cost.Trap] += p.PagesZeroed + p.PagesCopied
	w[cost.PTNodeAlloc] += p.NodesAllocated
	w[cost.PTNodeCopy] += p.NodesCopied
	w[cost.PTNodeFree] += p.NodesFreed
	w[cost.PTRef] += p.Refs
	w[cost.VMACopy] += p.VMAsCopied
	w[cost.ByteCopied] += p.BytesCopied
	w[cost.PathStep] += k.FS.WalkSteps
	w[cost.QueueOp] += k.FS.EventOps
	for _, c := range k.CPUs {
		w[cost.TLBMiss] += c.Hart.TLBMisses
		w[cost.TLBFlush] += c.Hart.TLBFlushes
		w[cost.TLBEntryFlushed] += c.Hart.TLBEntriesFlushed
		w[cost.ASSwitch] += c.Hart.ASSwitches
	}
	return w
}

// workPs is the virtual time, in picoseconds, of all the work Work returns: the same
// sum as k.model.Cost(k.Work()), without building the array, as it runs after every
// time slice (at --step 1, after every instruction). Prices are linear and uint64
// arithmetic wraps, so the difference of two sums is exactly the cost of the work
// between them even if a sum wraps.
func (k *Kernel) workPs() uint64 {
	m := &k.model.Price
	var ps uint64
	for u, n := range &k.work {
		ps += n * m[u]
	}
	p := &k.pool.Work
	ps += p.PagesZeroed * m[cost.PageZeroed]
	ps += p.PagesCopied * m[cost.PageCopied]
	ps += p.PagesFreed * m[cost.PageFreed]
	ps += (p.PagesZeroed + p.PagesCopied) * m[cost.Trap]
	ps += p.NodesAllocated * m[cost.PTNodeAlloc]
	ps += p.NodesCopied * m[cost.PTNodeCopy]
	ps += p.NodesFreed * m[cost.PTNodeFree]
	ps += p.Refs * m[cost.PTRef]
	ps += p.VMAsCopied * m[cost.VMACopy]
	ps += p.BytesCopied * m[cost.ByteCopied]
	ps += k.FS.WalkSteps * m[cost.PathStep]
	ps += k.FS.EventOps * m[cost.QueueOp]
	for _, c := range k.CPUs {
		h := c.Hart
		ps += h.TLBMisses*m[cost.TLBMiss] + h.TLBFlushes*m[cost.TLBFlush] +
			h.TLBEntriesFlushed*m[cost.TLBEntryFlushed] + h.ASSwitches*m[cost.ASSwitch]
	}
	return ps
}

// budgetUsed is what the run has spent of Config.MaxInsns: the instructions retired,
// and the kernel work a guest can repeat without retiring instructions (a path walk
// of tens of thousands of components per system call), one per path component.
func (k *Kernel) budgetUsed() uint64 { return k.totalInsns + k.FS.WalkSteps }

// CostModel is the model that prices the kernel's work.
func (k *Kernel) CostModel() *cost.Model { return k.model }

// settle charges t, on its CPU, for the work counted since the last charge: everything
// the kernel did since then was done for t (the kernel runs one task at a time).
func (k *Kernel) settle(t *Task) { k.settleOn(t, t.cpu) }

// settleOn charges t's CPU time and the clock of c (nil: no CPU's) for the work counted
// since the last charge.
func (k *Kernel) settleOn(t *Task, c *CPU) {
	now := k.workPs()
	ps := now - k.charged + k.psLeft
	k.charged = now
	k.psLeft = ps % 1000
	ns := ps / 1000
	t.Stats.CPUTime += ns
	t.TG.cpuTime += ns
	if c != nil {
		c.Clock += ns
		c.Busy += ns
	}
}

// traceFaults tells the trace about the page faults and copy-on-write copies t's address
// space took since its stats were mem.
func (k *Kernel) traceFaults(t *Task, mem mm.Stats) {
	now := t.TG.MM.Stats
	faults, cows := now.PageFaults-mem.PageFaults, now.COWCopies-mem.COWCopies
	if faults+cows == 0 {
		return
	}
	if faults > 0 {
		k.traceEvent(t, trace.Event{Time: t.Now(), Kind: trace.PageFaults, Arg: faults})
	}
	if cows > 0 {
		k.traceEvent(t, trace.Event{Time: t.Now(), Kind: trace.COWCopies, Arg: cows})
	}
	k.traceMemory(t, false)
}

// Outcome says how a run ended.
type Outcome uint8

const (
	Exited      Outcome = iota // pid 1 exited or was killed
	InsnLimit                  // Config.MaxInsns was reached
	Deadlock                   // every task blocked with nothing to wake one
	Interrupted                // the host ended the run (Kernel.Abort)
	Paused                     // every CPU reached Config.PauseAt; Run may go on
)

// Result is how a run ended.
type Result struct {
	Outcome Outcome
	// Status is pid 1's status as a shell reports it: the exit code, or 128 plus the
	// number of the signal that killed it.
	Status int
	Signal Signal // the signal that killed pid 1, or 0
}

// Run runs the guest until pid 1 exits, the instruction limit is reached, or nothing
// can run any more.
func (k *Kernel) Run() Result {
	for {
		if k.host.flag.Load() {
			if r, done := k.takeHostSignals(); done {
				return r
			}
		}
		if k.main == nil || k.main.Exited {
			k.shutdown()
			return k.finish()
		}
		c := k.pickCPU()
		if c == nil {
			if len(k.timers) == 0 {
				if k.waitHost() || k.debug != nil && k.debugIdle() {
					continue
				}
				k.reportDeadlock()
				k.shutdown()
				return Result{Outcome: Deadlock, Status: 1}
			}
			// Every CPU is idle: time jumps to the next timer.
			k.calcLoad(k.timers[0].at)
			k.fireTimers(k.timers[0].at)
			continue
		}
		k.calcLoad(c.Clock)
		if len(k.timers) > 0 && k.timers[0].at <= c.Clock {
			k.fireTimers(c.Clock)
			continue // a woken task may belong on an idle CPU with an earlier clock
		}
		if !k.pausedClone && len(k.live) > 1 && (k.cfg.PauseAtClone || k.cfg.Handover != nil) {
			k.pausedClone = true
			if p := k.cfg.Handover; p != nil {
				k.cfg.Handover = nil
				k.policy, k.cfg.Policy = p, p // New checked that it agrees on Points
			}
			if k.cfg.PauseAtClone {
				return Result{Outcome: Paused}
			}
		}
		if k.pauseAt != 0 && c.Clock >= k.pauseAt {
			// c has the smallest clock of the busy CPUs: the whole machine has
			// reached the instant asked for (weft view shows its state).
			return Result{Outcome: Paused}
		}
		if !k.lockstep(c) {
			k.runSlice(c)
		}
		if k.cfg.MaxInsns > 0 && k.budgetUsed() >= k.cfg.MaxInsns {
			k.shutdown()
			return Result{Outcome: InsnLimit, Status: 1}
		}
	}
}

// shutdown ends every process still alive when the run ends (pid 1 gone, like a PID
// namespace whose init exits).
func (k *Kernel) shutdown() {
	for _, tg := range k.groups {
		if !tg.Exited && tg != k.initProc {
			k.exitGroup(tg, 0, linux.SIGKILL)
		}
	}
}

func (k *Kernel) finish() Result {
	r := Result{Outcome: Exited}
	if k.main != nil {
		r.Status = k.main.ExitCode
		if s := k.main.KillSignal; s != 0 {
			r.Signal = s
			r.Status = 128 + int(s)
		}
	}
	return r
}

// pickCPU gives idle CPUs work from the run queue and returns the busy CPU with the
// smallest clock (the lowest-numbered on a tie), or nil if no CPU has work.
func (k *Kernel) pickCPU() *CPU {
	var without uint64 // idle CPUs none of the queued tasks may run on (affinity)
	for len(k.runq) > 0 {
		var idle *CPU
		for _, c := range k.CPUs {
			if c.cur == nil && without&(1<<c.ID) == 0 && (idle == nil || c.Clock < idle.Clock) {
				idle = c
			}
		}
		if idle == nil {
			break
		}
		i := k.pickQueued(idle)
		if i < 0 {
			without |= 1 << idle.ID
			continue
		}
		t := k.runq[i]
		k.runq = append(k.runq[:i], k.runq[i+1:]...)
		k.work[cost.QueueOp]++
		idle.Clock = max(idle.Clock, t.readyAt)
		idle.cur = t
		t.cpu = idle
	}
	var best *CPU
	for _, c := range k.CPUs {
		if c.cur != nil && (best == nil || c.Clock < best.Clock) {
			best = c
		}
	}
	return best
}

// runSlice runs c's task for one time slice, or until it needs the kernel.
func (k *Kernel) runSlice(c *CPU) {
	t := c.cur
	h := c.Hart
	if k.debug != nil && k.held(t) {
		// The debugger keeps t stopped: it waits in the run queue.
		k.deschedule(t)
		k.makeRunnable(t, t.readyAt)
		return
	}
	if c.last != t {
		if c.last != nil {
			if c.last.onHart == h {
				c.last.onHart = nil // the hart is about to hold t's registers instead
			}
			// A switch costs what it does: saving one register file and loading
			// another, here, and the TLB flushes and misses that follow, counted by
			// the hart.
			k.work[cost.RegCopy] += regsPerSwitch
			process := c.last.TG.MM != t.TG.MM
			if process {
				c.ProcessSwitches++
			} else {
				c.ThreadSwitches++
			}
			k.settle(t)
			if k.tr != nil {
				k.traceEvent(t, trace.Event{Kind: trace.Switch, Time: c.Clock, CPU: c.ID, Arg: b2u(process)})
			}
		}
		h.ClearReservation()
		c.last = t
	}
	if t.pending != nil {
		if !t.interrupted || k.deliverable(t) == 0 || (t.pending.Ready != nil && t.pending.Ready(t, &t.pendingArgs)) {
			// The task was woken in a blocking syscall: try the call again.
			t.interrupted = false
			k.invoke(t, t.pending, &t.pendingArgs)
			return
		}
		k.interruptSyscall(t)
	}
	t.interrupted = false
	if k.deliverable(t) != 0 {
		t.onHart = nil
		// A signal that came while the task waited at an ecall is delivered before the
		// call, which its handler returns to; an access it stopped at will stop again.
		t.atEcall = false
		t.racePending = false
		t.syncAt = 0
		if !k.deliverSignals(t) {
			return
		}
	}
	if t.atEcall {
		// Preempted at its ecall (a scheduling point): make the call now.
		t.atEcall = false
		t.onHart = nil
		k.ecall(c, t)
		k.checkCPULimit(t.TG)
		return
	}
	if t.onHart != h {
		h.Load(&t.Ctx, t.TG.MM)
		k.settle(t) // a change of address space is work, before the guest reads the time
	}
	h.TimeBase = c.Clock
	if t.sliceLeft == 0 {
		t.sliceLeft = k.quantum(t)
	}
	// Run the slice in steps while another CPU is busy too, so that the CPUs'
	// instruction streams interleave at the step's granularity; the policy has the
	// last word.
	others := false
	for _, o := range k.CPUs {
		if o != c && o.cur != nil {
			others = true
			break
		}
	}
	budget := max(k.policy.Budget(k.thread(t), t.sliceLeft, k.cfg.Step, others), 1)
	if k.cfg.MaxInsns > 0 {
		budget = min(budget, k.cfg.MaxInsns-min(k.cfg.MaxInsns, k.budgetUsed()))
	}
	// Plain loads and stores are scheduling points only while another task is ready
	// to take the CPU: single-threaded stretches (start-up) run without them.
	h.MemPoints = k.points && len(k.runq) > 0 || k.cfg.Race != nil || k.cfg.Check != nil
	// The instruction the task stopped at (a scheduling point) is executed now, not
	// stopped at again; an instruction the task merely starts at is a point as usual.
	h.PassPoint = t.syncAt != 0 && t.syncAt == t.Ctx.PC
	t.syncAt = 0
	if t.raceResume {
		// Back from a system call, which may have waited for another thread.
		t.raceResume = false
		k.cfg.Race.Sync(t.TID)
	}
	if t.racePending {
		t.racePending = false
		k.raceEvent(t, t.raceStop)
	}
	before := h.Retired
	mem := t.TG.MM.Stats
	start := c.Clock
	var stop cpu.Stop
	if k.debug != nil {
		stop = k.debugRun(t, h, budget)
	} else {
		stop = h.Run(budget)
	}
	checked := false
	if k.cfg.Check != nil && k.debug == nil {
		stop, checked = k.checkRun(t, h, stop, before, budget)
	}
	k.endSlice(c, t, stop, before, mem, start, checked)
}

// endSlice does what follows a slice of t on c that stopped with stop: it saves the
// registers, counts the instructions retired since the hart's count was before, charges
// the slice's work and acts on the stop. mem and start are the address space's stats
// and c's clock when the slice began (for the trace); checked says whether the checker
// already saw the stop.
func (k *Kernel) endSlice(c *CPU, t *Task, stop cpu.Stop, before uint64, mem mm.Stats, start uint64, checked bool) {
	h := c.Hart
	h.Save(&t.Ctx)
	t.onHart = nil
	n := h.Retired - before
	k.work[cost.Insn] += n
	t.Stats.Insns += n
	t.sliceLeft -= min(n, t.sliceLeft)
	k.totalInsns += n
	k.settle(t)
	if k.tr != nil {
		k.traceFaults(t, mem)
		k.traceEvent(t, trace.Event{Kind: trace.Slice, Time: start, Dur: c.Clock - start, Arg: n})
	}

	switch stop.Reason {
	case cpu.StopBudget:
		t.onHart = h // nothing touched the registers: the hart still holds them
		k.preemptAt(c, t, sched.Budget, 0)
	case cpu.StopSync:
		t.onHart = h
		t.syncAt = stop.PC
		if k.cfg.Check != nil && stop.Addr != 0 && !checked {
			k.checkAccess(t, stop)
		}
		if k.cfg.Race != nil {
			// The detector sees the access or synchronisation when it happens: when
			// the task runs again, starting with it (another task may run first).
			t.racePending, t.raceStop = true, stop
		}
		t.pointWrite = stop.Write
		p := sched.Sync
		if stop.Plain {
			p = sched.Access
		}
		k.preemptAt(c, t, p, stop.Addr)
	case cpu.StopEcall:
		if k.points && k.preemptAt(c, t, sched.Syscall, 0) {
			t.atEcall = true
			break
		}
		k.ecall(c, t)
	case cpu.StopCall:
		t.syncAt = stop.PC
		t.onHart = h
		if !checked && k.checkCall(t, stop) {
			t.onHart = nil // the checker changed registers the hart holds
		}
	default:
		k.fault(t, stop)
	}
	k.checkCPULimit(t.TG)
}

// raceEvent tells the race detector about the access or the synchronisation t stopped
// at.
func (k *Kernel) raceEvent(t *Task, stop cpu.Stop) {
	if !stop.Plain || stop.Fenced {
		k.cfg.Race.Sync(t.TID)
		return
	}
	if ownStack(t, stop.Addr) || (k.cfg.AccessPoints != nil && !k.cfg.AccessPoints(stop.PC)) {
		return
	}
	a := race.Access{TID: t.TID, Write: stop.Write, PC: stop.PC, RA: t.Ctx.X[1]}
	if k.cfg.Unwind != nil {
		a.Stack = k.cfg.Race.Stack(k.cfg.Unwind(&t.Ctx.X, stop.PC, t.TG.MM))
	}
	k.cfg.Race.Access(t.TG.MM, stop.Addr, uint64(stop.Size), a)
}

// ecall makes the system call t stopped at.
func (k *Kernel) ecall(c *CPU, t *Task) {
	if k.cfg.Race != nil {
		// Every system call synchronises (futexes, pipes, signals, waits...), before
		// and, as it may have waited, after.
		k.cfg.Race.Sync(t.TID)
		t.raceResume = true
	}
	c.Hart.ClearReservation()
	t.Ctx.PC += 4
	t.syscallStart = c.Clock
	k.work[cost.Trap]++
	k.settle(t)
	k.syscall(t)
}

// thread describes t to the policy.
func (k *Kernel) thread(t *Task) sched.Thread {
	user := true
	if f := k.cfg.AccessPoints; f != nil {
		user = f(t.Ctx.PC) || (t.point != sched.Access && f(t.Ctx.X[1]))
	}
	return sched.Thread{TID: t.TID, Insns: t.Stats.Insns, Steps: t.steps, Point: t.point,
		Addr: t.pointAddr, Write: t.pointWrite, PC: t.Ctx.PC, User: user, SliceLeft: t.sliceLeft}
}

// pickQueued asks the policy which task of the run queue the idle CPU c takes, and
// returns its index. A task that just yielded is passed over when another is ready.
func (k *Kernel) pickQueued(c *CPU) int {
	skip := -1
	if y := k.yielder; y != nil && len(k.runq) > 1 {
		for i, t := range k.runq {
			if t == y {
				skip = i
			}
		}
	}
	k.yielder = nil
	k.ready, k.readyAt = k.ready[:0], k.readyAt[:0]
	for i, t := range k.runq {
		if i != skip && k.canRun(t, c) {
			k.ready = append(k.ready, k.thread(t))
			k.readyAt = append(k.readyAt, i)
		}
	}
	if len(k.ready) == 0 {
		if skip >= 0 && k.canRun(k.runq[skip], c) {
			return skip // only the task that yielded may run here
		}
		return -1
	}
	var at sched.Thread
	if c.last != nil {
		at = k.thread(c.last)
		at.Point = sched.Idle
	}
	i := k.policy.Pick(at, k.ready, false)
	if i < 0 || i >= len(k.ready) {
		panic(fmt.Sprintf("sched: policy %s picked %d of %d queued tasks", k.policy.Name(), i, len(k.ready)))
	}
	return k.readyAt[i]
}

// preemptAt asks the policy, at a scheduling point p of t running on c, whether t goes
// on; if not, the task it chose takes c and t goes to the back of the run queue. It
// reports whether t was preempted. With nothing queued there is no question to ask.
func (k *Kernel) preemptAt(c *CPU, t *Task, p sched.Point, addr uint64) bool {
	t.point, t.pointAddr = p, addr
	if len(k.runq) == 0 || (p == sched.Access && (ownStack(t, addr) ||
		(k.cfg.AccessPoints != nil && !k.cfg.AccessPoints(t.Ctx.PC)))) {
		return false
	}
	at := k.thread(t)
	if kp, ok := k.policy.(sched.Keeper); ok && kp.Keeps(at) {
		// What Pick would do, as Pick would count it: a step when another task could
		// have taken c.
		for _, q := range k.runq {
			if k.canRun(q, c) {
				t.steps++
				break
			}
		}
		return false
	}
	k.ready, k.readyAt = append(k.ready[:0], at), append(k.readyAt[:0], -1)
	for j, q := range k.runq {
		if k.canRun(q, c) {
			k.ready = append(k.ready, k.thread(q))
			k.readyAt = append(k.readyAt, j)
		}
	}
	if len(k.ready) == 1 {
		return false // nothing else may run on c
	}
	i := k.policy.Pick(k.ready[0], k.ready, true)
	t.steps++
	if i == 0 {
		return false
	}
	if i < 0 || i >= len(k.ready) {
		panic(fmt.Sprintf("sched: policy %s picked %d of %d ready tasks", k.policy.Name(), i, len(k.ready)))
	}
	j := k.readyAt[i]
	n := k.runq[j]
	k.runq = append(k.runq[:j], k.runq[j+1:]...)
	t.Stats.InvolSwitches++
	k.deschedule(t)
	k.makeRunnable(t, c.Clock)
	k.work[cost.QueueOp]++
	c.Clock = max(c.Clock, n.readyAt)
	c.cur = n
	n.cpu = c
	return true
}

// ownStack reports whether addr lies in the mapping that holds t's stack pointer:
// its own stack, and for glibc's threads their TLS and thread descriptor too. Such
// accesses almost never race (a pointer to a local handed to another thread is the
// exception, which this misses), so they are not put to the policy: fewer points, and
// PCT's change points fall where they can matter.
func ownStack(t *Task, addr uint64) bool {
	as := t.TG.MM
	v := as.Find(addr)
	return v != nil && v == as.Find(t.Ctx.X[2])
}

// checkCPULimit enforces RLIMIT_CPU on tg's CPU time (getrlimit(2)): at the soft limit
// the process gets SIGXCPU, and again after each further second; at the hard limit,
// SIGKILL.
func (k *Kernel) checkCPULimit(tg *ThreadGroup) {
	k.checkCPUTimers(tg)
	rl := tg.Rlimits[RLIMIT_CPU]
	if rl.Cur == RLIM_INFINITY || tg.Exited {
		return
	}
	secs := tg.cpuTime / 1e9
	switch {
	case rl.Max != RLIM_INFINITY && secs >= rl.Max:
		k.SignalProcess(tg, SigInfo{Signo: linux.SIGKILL, Code: SI_KERNEL})
	case secs >= rl.Cur && secs >= tg.xcpuAt:
		tg.xcpuAt = secs + 1
		k.SignalProcess(tg, SigInfo{Signo: linux.SIGXCPU, Code: SI_KERNEL})
	}
}

// niceWeight is CFS's table of weights by nice value (-20..19), kernel/sched/core.c:
// each step is about 1.25 times the next.
var niceWeight = [40]uint64{
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
}

// quantum is t's next time slice: the base quantum weighted by nice value, as the
// policy varies it (the default by up to a quarter either way, from the seed).
func (k *Kernel) quantum(t *Task) uint64 {
	return max(k.policy.Quantum(k.cfg.Quantum*niceWeight[t.Nice+20]/1024), 1)
}

// deschedule takes a running task off its CPU.
func (k *Kernel) deschedule(t *Task) {
	if c := t.cpu; c != nil {
		t.readyAt = c.Clock
		c.cur = nil
		t.cpu = nil
	}
}

// makeRunnable queues t to run from virtual time at.
func (k *Kernel) makeRunnable(t *Task, at uint64) {
	t.readyAt = at
	if t.TG.Stopped {
		t.State = TaskStopped // it runs again when the group is continued
		return
	}
	t.State = TaskRunnable
	k.runq = append(k.runq, t)
}

// fault handles a stop that is a synchronous exception: it raises the signal Linux
// would. A handler that is installed and not blocked runs; otherwise the process dies,
// and weft says why.
func (k *Kernel) fault(t *Task, stop cpu.Stop) {
	k.current = t // the kernel acts at the faulting task's time
	defer func() { k.current = nil }()
	info, what := faultSignal(stop)
	if stop.Reason == cpu.StopFault && stop.Fault.Kind == mm.OutOfMemory {
		info.Signo = linux.SIGKILL
		what = fmt.Sprintf("out of memory (weft's cap is %d MiB)", k.MemoryCap()>>20)
	}
	if stop.Reason == cpu.StopFault && stop.Fault.Kind == mm.CgroupOOM {
		if k.memcgFault(t, stop) {
			return // another process was killed: the access runs again
		}
		info.Signo = linux.SIGKILL
		what = "out of memory in memory cgroup " + t.TG.Cgroup.Path()
	}
	act := t.TG.SigActions[info.Signo]
	if info.Signo != linux.SIGKILL && act.Handler > SIG_IGN && t.SigMask&sigBit(info.Signo) == 0 {
		k.SignalTask(t, info)
		return
	}
	where := fmt.Sprintf("pc 0x%x", stop.PC)
	if s := t.TG.SymbolAt(stop.PC); s != "" {
		where += " (" + s + ")"
	}
	who := fmt.Sprintf("pid %d", t.TG.PID)
	if t.TID != t.TG.PID || t.TG.threads > 1 {
		who += fmt.Sprintf(" (thread %d)", t.TID)
	}
	k.straceSignal(t, info)
	k.notice("%s killed by %v: %s at %s", who, info.Signo, what, where)
	if k.tr != nil {
		k.traceEvent(t, trace.Event{Time: t.Now(), Kind: trace.Fault, Name: what + " at " + where})
	}
	k.killedBy(t, info.Signo)
}

// interruptSyscall ends a blocking syscall that a signal interrupted: it fails with
// EINTR, or is restarted after the handler when the call allows it and the handler was
// installed with SA_RESTART (signal(7), "Interruption of system calls").
func (k *Kernel) interruptSyscall(t *Task) {
	sc := t.pending
	timed := sc.TimedRestart && t.Call.Deadline != 0
	deadline := t.Call.Deadline
	restart := false
	for s := Signal(1); s < linux.NSIG; s++ {
		if k.deliverable(t)&sigBit(s) != 0 {
			// A call interrupted by a signal that runs no handler (it stops the
			// process, or is ignored) restarts transparently; one that runs a handler
			// fails with EINTR unless SA_RESTART and the call allow the restart.
			act := t.TG.SigActions[s]
			handled := act.Handler > SIG_IGN
			restart = !handled || (sc.Restart && !timed && act.Flags&SA_RESTART != 0)
			break
		}
	}
	result := linux.EINTR
	if !restart && sc.Interrupted != nil {
		if e, ok := sc.Interrupted(t, &t.pendingArgs).(linux.Errno); ok && e != 0 {
			result = e
		}
	}
	t.pending = nil
	t.Call.drop()
	t.Call = CallState{}
	for _, q := range t.waitQueues {
		q.Remove(t)
	}
	t.waitQueues = nil
	k.cancelTimer(t)
	k.futexRemove(t)
	if restart {
		t.Ctx.PC -= 4 // execute the ecall again; a0-a5 still hold the arguments
		code := "ERESTARTSYS"
		if timed {
			// As on Linux, the ecall becomes restart_syscall(2), which finds the call
			// and its deadline in the task's restart block.
			code = "ERESTART_RESTARTBLOCK"
			t.restart = restartBlock{call: sc, deadline: deadline}
			t.Ctx.X[17] = linux.SYS_RESTART_SYSCALL
		}
		if k.straceOn(sc.Name) {
			fmt.Fprintf(k.cfg.Strace, "[pid %d] %s(%s) = ? %s (to be restarted)\n", t.TID, sc.Name, t.stracePre, code)
		}
		return
	}
	t.Ctx.X[10] = negErrno(result)
	if k.straceOn(sc.Name) {
		fmt.Fprintf(k.cfg.Strace, "[pid %d] %s(%s) = -1 %v\n", t.TID, sc.Name, t.stracePre, result)
	}
}

// reportDeadlock prints who waits on what when nothing can run.
func (k *Kernel) reportDeadlock() {
	var b strings.Builder
	b.WriteString("deadlock: every task is blocked and nothing can wake one:")
	for _, t := range k.tasks {
		switch t.State {
		case TaskBlocked:
			fmt.Fprintf(&b, "\n  %v: %s", t, t.waitingFor)
		case TaskStopped:
			fmt.Fprintf(&b, "\n  %v: stopped by %v", t, t.TG.StopSignal)
		}
	}
	k.notice("%s", b.String())
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
