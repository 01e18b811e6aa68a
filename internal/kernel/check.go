package kernel

import (
	"weft/internal/check"
	"weft/internal/cpu"
	"weft/internal/mm"
)

// The misuse checker's glue (Config.Check): the kernel hands it the thread that
// stopped at a call point or an access; the checker may change the thread's registers.

// setupCheck charges the checker's records to the run's memory cap and gives it the
// unwinder.
func (k *Kernel) setupCheck() {
	c := k.cfg.Check
	if c == nil {
		return
	}
	c.Charge, c.Uncharge = k.pool.Charge, k.pool.Uncharge
	if k.cfg.Unwind != nil && c.Unwind == nil {
		c.Unwind = func(th *check.Thread) []uint64 {
			return k.cfg.Unwind(th.Regs, th.PC, th.Space.(*mm.AddressSpace))
		}
	}
}

// checkForget tells the checker that the address space as is gone (exit, execve), so
// that it drops its state of it.
func (k *Kernel) checkForget(as *mm.AddressSpace) {
	if k.cfg.Check != nil {
		k.cfg.Check.Forget(as)
	}
}

// checkThread describes t, stopped at pc, to the checker.
func (k *Kernel) checkThread(t *Task, pc uint64) *check.Thread {
	k.checkTh = check.Thread{TID: t.TID, Space: t.TG.MM, Mem: t.TG.MM, PC: pc, Regs: &t.Ctx.X}
	return &k.checkTh // one, reused: the checker keeps no pointer to it
}

// checkCall tells the checker that t stopped at one of its call points, and reports
// whether the checker changed t's registers.
func (k *Kernel) checkCall(t *Task, stop cpu.Stop) bool {
	if t.TG.Binary != k.checkBin {
		return false // another image (after execve): the pc means nothing to the checker
	}
	th := k.checkThread(t, stop.PC)
	k.cfg.Check.Call(th)
	t.Ctx.X[0] = 0
	return th.Changed
}

// checkAccess tells the checker of the load or store t stopped at.
func (k *Kernel) checkAccess(t *Task, stop cpu.Stop) {
	if t.TG.Binary != k.checkBin {
		return
	}
	size := uint64(stop.Size)
	if size == 0 {
		size = 8 // an AMO or LR: a word or a doubleword
	}
	k.cfg.Check.Access(k.checkThread(t, stop.PC), stop.Addr, size, stop.Write)
}

// checkRun goes on with the run of t on h after a stop that only the checker needs
// (when no scheduling policy asks for points and no race detector watches): the
// checker looks, and the hart runs on past the point, within the same budget, without
// a trip through the scheduler. It returns the first stop the checker does not
// consume, and whether that stop was already checked (a point where the budget ran
// out).
func (k *Kernel) checkRun(t *Task, h *cpu.Hart, stop cpu.Stop, before, budget uint64) (cpu.Stop, bool) {
	if k.points || k.cfg.Race != nil {
		return stop, false
	}
	for {
		switch {
		case stop.Reason == cpu.StopSync && stop.Plain:
			size := max(uint64(stop.Size), 1)
			if t.TG.Binary == k.checkBin && k.cfg.Check.Hit(t.TG.MM, stop.Addr, size) {
				h.Save(&t.Ctx)
				k.checkAccess(t, stop)
			} else {
				k.cfg.Check.Accesses++
			}
		case stop.Reason == cpu.StopCall:
			h.Save(&t.Ctx)
			if k.checkCall(t, stop) {
				h.Load(&t.Ctx, t.TG.MM)
			}
		default:
			return stop, false
		}
		n := h.Retired - before
		if n >= budget {
			return stop, true
		}
		h.PassPoint = true
		stop = h.Run(budget - n)
	}
}

// noteCreation tells the race detector and the checker where t created child: the
// stack of its clone call, for their reports.
func (k *Kernel) noteCreation(t, child *Task) {
	if k.cfg.Unwind == nil || (k.cfg.Race == nil && k.cfg.Check == nil) {
		return
	}
	stack := k.cfg.Unwind(&t.Ctx.X, t.Ctx.PC-4, t.TG.MM) // PC is past the ecall
	if k.cfg.Race != nil {
		k.cfg.Race.Create(child.TID, t.TID, stack)
	}
	if k.cfg.Check != nil {
		k.cfg.Check.Create(child.TID, t.TID, stack)
	}
}
