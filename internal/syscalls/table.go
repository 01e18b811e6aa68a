// Package syscalls is weft's riscv64 Linux system call table: for each number, the
// handler, its name, how strace shows its arguments, and how completely it is
// supported. Handlers decode arguments from guest registers and memory, call into the
// kernel, and return a value or a linux.Errno; one file per family of calls.
package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

// Arg format shorthands for the table.
const (
	i    = kernel.ArgInt
	u    = kernel.ArgUint
	x    = kernel.ArgHex
	p    = kernel.ArgPtr
	fd   = kernel.ArgFd
	path = kernel.ArgPath
	bin  = kernel.ArgBufIn
	bout = kernel.ArgBufOut
	oct  = kernel.ArgOct
	ofl  = kernel.ArgOpenFlags
	prot = kernel.ArgProt
	mfl  = kernel.ArgMapFlags
	sig  = kernel.ArgSignal
	clf  = kernel.ArgCloneFlags
	wopt = kernel.ArgWaitOptions
	atf  = kernel.ArgAtFlags
	fop  = kernel.ArgFutexOp
	how  = kernel.ArgSigHow
	fcmd = kernel.ArgFcntlCmd
	clk  = kernel.ArgClockID
	sset = kernel.ArgSigset
)

type entry struct {
	nr uint64
	kernel.Syscall
}

func call(nr uint64, name string, fn kernel.SyscallFunc, args ...kernel.ArgFormat) entry {
	return entry{nr, kernel.Syscall{Name: name, Fn: fn, Args: args}}
}

func (e entry) hex() entry { e.Ret = kernel.RetHex; return e }

func (e entry) partial(note string) entry {
	e.Support, e.Note = kernel.Partial, note
	return e
}

func (e entry) restartable() entry { e.Restart = true; return e }

func (e entry) timedRestart() entry { e.TimedRestart = true; return e }

func (e entry) ready(f func(*kernel.Task, *kernel.SyscallArgs) bool) entry {
	e.Ready = f
	return e
}

func (e entry) interrupted(f func(*kernel.Task, *kernel.SyscallArgs) error) entry {
	e.Interrupted = f
	return e
}

func (e entry) stub(note string) entry {
	e.Support, e.Note = kernel.Stub, note
	return e
}

// Table returns the syscall table.
func Table() *kernel.SyscallTable {
	st := kernel.NewSyscallTable()
	for _, group := range [][]entry{fileCalls, pollCalls, memCalls, processCalls, threadCalls, credCalls, schedCalls, timeCalls, signalCalls, infoCalls, hwprobeCalls, statfsCalls, utimeCalls,
		statxCalls, xattrCalls, fdRangeCalls, fileOpCalls,
		epollCalls, eventfdCalls, timerfdCalls, signalfdCalls, posixTimerCalls, pidfdCalls,
		mountCalls, mlockCalls, ipcCalls, settimeCalls, capCalls, unshareCalls, moduleCalls} {
		for _, e := range group {
			st.Register(e.nr, e.Syscall)
		}
	}
	for _, e := range socketCalls { // sys_socket.go
		st.Register(e.nr, e.Syscall)
	}
	return st
}

// copyIn reads n bytes of guest memory (EFAULT if it cannot).
func copyIn(t *kernel.Task, addr, n uint64) ([]byte, error) {
	b := make([]byte, n)
	if t.TG.MM.ReadAt(b, addr) != nil {
		return nil, linux.EFAULT
	}
	return b, nil
}

// copyOut writes b to guest memory (EFAULT if it cannot).
func copyOut(t *kernel.Task, addr uint64, b []byte) error {
	if t.TG.MM.WriteAt(b, addr) != nil {
		return linux.EFAULT
	}
	return nil
}

// pathArg reads a path argument (PATH_MAX is 4096 bytes, including the NUL).
func pathArg(t *kernel.Task, addr uint64) (string, error) {
	s, ok, err := t.TG.MM.ReadString(addr, 4096)
	switch {
	case err != nil:
		return "", linux.EFAULT
	case !ok:
		return "", linux.ENAMETOOLONG
	case s == "":
		return "", linux.ENOENT
	}
	return s, nil
}

func errno(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(linux.Errno); ok {
		return e
	}
	return linux.EIO
}

// ret0 turns an error into a syscall result of 0 or the error.
func ret0(err error) (uint64, error) { return 0, err }
