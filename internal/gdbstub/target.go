package gdbstub

import (
	"errors"

	"weft/internal/cpu"
	"weft/internal/kernel"
	"weft/internal/mm"
)

// Thread is one guest thread as gdb sees it.
type Thread struct {
	TID, PID int
	Name     string
}

// Target is what the stub debugs: weft's kernel (kernelTarget), or a fake in tests.
// Every method is called on the run goroutine while the guest is stopped.
type Target interface {
	// Threads lists the live threads of every process, by TID.
	Threads() []Thread
	// Regs returns a thread's registers; ok is false if no such thread is alive.
	Regs(tid int) (c cpu.Context, ok bool)
	// SetRegs replaces a thread's registers.
	SetRegs(tid int, c cpu.Context) bool
	// ReadMem and WriteMem access the memory of process pid through its page tables.
	ReadMem(pid int, addr uint64, buf []byte) error
	WriteMem(pid int, addr uint64, buf []byte) error
	// ExecFile is the path of process pid's program, for gdb to read its symbols.
	ExecFile(pid int) string
	// Auxv is process pid's auxiliary vector as /proc/PID/auxv gives it (nil: no
	// such process), from which gdb finds a dynamically linked program's libraries.
	Auxv(pid int) []byte
	// Kill ends the run.
	Kill()
	// KillProcess kills process pid (SIGKILL) as soon as the guest runs again.
	KillProcess(pid int)
}

var errNoProcess = errors.New("gdbstub: no such process")

// kernelTarget is a weft kernel as a Target.
type kernelTarget struct {
	k *kernel.Kernel
	// exe is the host path of pid 1's program (gdb reads symbols from the host).
	exe string
	// mainPID is the process of the first task the stub saw (pid 1, or 2 under --init),
	// and mainExe the guest path of its program then (exe's file).
	mainPID int
	mainExe string
}

func (kt *kernelTarget) task(tid int) *kernel.Task {
	for _, t := range kt.k.Tasks() {
		if t.TID == tid && t.State != kernel.TaskDead {
			return t
		}
	}
	return nil
}

func (kt *kernelTarget) group(pid int) *kernel.ThreadGroup {
	for _, g := range kt.k.Groups() {
		if g.PID == pid && !g.Exited && g.MM != nil {
			return g
		}
	}
	return nil
}

func (kt *kernelTarget) Threads() []Thread {
	var out []Thread
	for _, t := range kt.k.Tasks() {
		if t.State != kernel.TaskDead {
			out = append(out, Thread{TID: t.TID, PID: t.TG.PID, Name: t.Name()})
		}
	}
	return out
}

func (kt *kernelTarget) Regs(tid int) (cpu.Context, bool) {
	if t := kt.task(tid); t != nil {
		return t.Ctx, true
	}
	return cpu.Context{}, false
}

func (kt *kernelTarget) SetRegs(tid int, c cpu.Context) bool {
	t := kt.task(tid)
	if t == nil {
		return false
	}
	t.SetContext(c)
	return true
}

func (kt *kernelTarget) ReadMem(pid int, addr uint64, buf []byte) error {
	g := kt.group(pid)
	if g == nil {
		return errNoProcess
	}
	return g.MM.Peek(buf, addr)
}

func (kt *kernelTarget) WriteMem(pid int, addr uint64, buf []byte) error {
	g := kt.group(pid)
	if g == nil {
		return errNoProcess
	}
	return g.MM.DebugPoke(buf, addr)
}

func (kt *kernelTarget) ExecFile(pid int) string {
	g := kt.group(pid)
	if g == nil {
		return ""
	}
	// gdb reads the file on the host: the one weft was given for the first
	// program, the file behind a --mount, else the guest's path (in a guest root,
	// which gdb is given as its sysroot; else gdb may not find it).
	if g.Exe == kt.mainExe && kt.exe != "" {
		return kt.exe
	}
	if h := kt.k.HostFile(g.Exe); h != "" {
		return h
	}
	return g.Exe
}

func (kt *kernelTarget) Auxv(pid int) []byte {
	if g := kt.group(pid); g != nil {
		return g.AuxvBytes()
	}
	return nil
}

// hideWatched makes the harts take the slow path, which asks the stub, for the pages
// of n bytes at addr in process pid, without counting anything the run counts.
func (kt *kernelTarget) hideWatched(pid int, addr, n uint64) {
	if g := kt.group(pid); g != nil && len(kt.k.CPUs) > 0 {
		kt.k.CPUs[0].Hart.Bus().HideWatched(g.MM, addr>>mm.PageShift, (addr+n-1)>>mm.PageShift+1)
	}
}

func (kt *kernelTarget) Kill() { kt.k.Abort(kernel.Signal(9)) }

func (kt *kernelTarget) KillProcess(pid int) { kt.k.DebugKill(pid) }
