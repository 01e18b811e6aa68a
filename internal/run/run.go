// Package run runs one guest program on a fresh weft kernel: the wiring that the weft
// command, its demo and its benchmarks share.
package run

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"weft/internal/abi/linux"
	"weft/internal/check"
	"weft/internal/kernel"
	"weft/internal/kernel/cost"
	"weft/internal/kernel/sched"
	"weft/internal/loader"
	"weft/internal/mm"
	"weft/internal/race"
	"weft/internal/syscalls"
	"weft/internal/trace"
)

// Options configure a run. The zero value runs with weft's defaults and no output.
type Options struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// TTY says which of the streams are terminals on the host.
	StdinTTY, StdoutTTY, StderrTTY bool
	// Closed says which of the streams were closed on the host (kernel.Config.Closed).
	Closed [3]bool

	Env       []string // added to kernel.DefaultEnv; a later K=V replaces an earlier one
	Seed      uint64
	CPUs      int
	Quantum   uint64
	Step      uint64
	MaxInsns  uint64
	MaxMemory uint64
	// ClockStart is kernel.Config.ClockStart.
	ClockStart uint64
	// Uptime is kernel.Config.Uptime.
	Uptime   uint64
	UID, GID uint32
	Mounts   []kernel.Mount
	// RawHostIDs is kernel.Config.RawHostIDs.
	RawHostIDs bool
	// Init is kernel.Config.Init: the program runs as pid 2 under a kernel init.
	Init bool
	// PauseAt is kernel.Config.PauseAt: the run stops, its state intact, at this
	// virtual time (weft view).
	PauseAt uint64
	// PauseAtClone is kernel.Config.PauseAtClone: the run stops at the first clone
	// (schedule search's snapshot).
	PauseAtClone bool
	// Startup, if set, schedules the run up to the first clone, and Policy from there
	// on (kernel.Config.Handover): schedule search and its replays.
	Startup sched.Policy
	// Root is kernel.Config.Root: a host directory that is the guest's root. The
	// program is then a guest path, or a name looked up on the guest's PATH.
	Root string

	// GuestPath is where the guest finds the program (its /proc/self/exe and
	// AT_EXECFN); by default /usr/local/bin/ and the file's name, so that a run does
	// not depend on where the program lies on the host.
	GuestPath string
	// Setup, if set, is called with the new kernel before the program is loaded (a
	// trace sink that inspects the kernel gets hold of it here).
	Setup func(*kernel.Kernel)

	// HostStopped is kernel.Config.HostStopped.
	HostStopped func()

	Strace      io.Writer       // one line per syscall
	StraceCalls map[string]bool // kernel.Config.StraceCalls
	Trace       trace.Sink      // kernel events
	// Notices receives weft's remarks (fault reports, unimplemented syscalls);
	// Stderr if nil.
	Notices io.Writer

	// CostModel prices the kernel's work (nil: cost.Default); NoASID makes every
	// address-space switch flush the CPU's TLB (--cost-model, --asid off).
	CostModel *cost.Model
	NoASID    bool
	// Policy is kernel.Config.Policy: who runs next (nil: time slices).
	Policy sched.Policy
	// AccessPoints is kernel.Config.AccessPoints.
	AccessPoints func(pc uint64) bool
	// Race is kernel.Config.Race.
	Race *race.Detector
	// Check and Unwind are kernel.Config.Check and kernel.Config.Unwind.
	Check  *check.Checker
	Unwind func(regs *[32]uint64, pc uint64, mem *mm.AddressSpace) []uint64
	// Data, if not nil, is the program's contents, already read from path (schedule
	// search runs one program many times); the kernel only reads it.
	Data []byte
}

// Result is how a run went.
type Result struct {
	kernel.Result
	Kernel *kernel.Kernel
	Host   time.Duration // host time spent running the guest
}

// mountedPath is where a program at host path shows in the guest through one of the
// mounts (the last that covers it), or "" if none does: a program run from a mounted
// directory finds the files beside it (its /proc/self/exe's directory) as on the host.
func mountedPath(path string, mounts []kernel.Mount) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	guest := ""
	for _, m := range mounts {
		host, err := filepath.Abs(m.Host)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(host, abs); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			guest = filepath.ToSlash(filepath.Join(m.Guest, rel))
		}
	}
	return guest
}

// Program runs the executable at path (a host path) with argv. argv[0] is conventionally
// the path as the user gave it.
func Program(path string, argv []string, o Options) (*Result, error) {
	data := o.Data
	if data == nil && o.Root == "" {
		var err error
		if data, err = readProgram(path); err != nil {
			return nil, err
		}
	}
	guestPath := o.GuestPath
	if guestPath == "" {
		guestPath = mountedPath(path, o.Mounts)
	}
	if guestPath == "" {
		guestPath = "/usr/local/bin/" + filepath.Base(path)
	}
	stdout, stderr := o.Stdout, o.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	notices := o.Notices
	if notices == nil {
		notices = stderr
	}
	stdin := o.Stdin
	if stdin == nil {
		stdin = eof{}
	}
	policy, handover := o.Policy, sched.Policy(nil)
	if o.Startup != nil {
		policy, handover = o.Startup, o.Policy
	}
	k, err := kernel.New(kernel.Config{
		Stdin: stdin, Stdout: stdout, Stderr: stderr,
		StdinTTY: o.StdinTTY, StdoutTTY: o.StdoutTTY, StderrTTY: o.StderrTTY,
		Seed: o.Seed, CPUs: o.CPUs, Quantum: o.Quantum, Step: o.Step,
		MaxInsns: o.MaxInsns, MaxMemory: o.MaxMemory, ClockStart: o.ClockStart, Uptime: o.Uptime, UID: o.UID, GID: o.GID,
		Mounts: o.Mounts, RawHostIDs: o.RawHostIDs, Syscalls: syscalls.Table(),
		Strace: o.Strace, StraceCalls: o.StraceCalls, Trace: o.Trace, Notices: notices,
		HostStopped: o.HostStopped, Closed: o.Closed, Init: o.Init, Root: o.Root, PauseAt: o.PauseAt, PauseAtClone: o.PauseAtClone,
		CostModel: o.CostModel, NoASID: o.NoASID, Policy: policy, Handover: handover, AccessPoints: o.AccessPoints, Race: o.Race,
		Check: o.Check, Unwind: o.Unwind,
	})
	if err != nil {
		return nil, err
	}
	if o.Setup != nil {
		o.Setup(k)
	}
	env := dedupEnv(append(append([]string(nil), kernel.DefaultEnv...), o.Env...))
	if o.Root != "" {
		_, err = k.SpawnGuest(path, argv, env)
		if errors.Is(err, linux.ENOENT) {
			return nil, fmt.Errorf("not in the guest root %s (%w)", o.Root, fs.ErrNotExist)
		}
	} else {
		_, err = k.Spawn(data, guestPath, argv, env)
	}
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res := k.Run()
	return &Result{Result: res, Kernel: k, Host: time.Since(start)}, nil
}

// ProgramError says why a program file cannot be read as a program: it is not a
// regular file, or it is larger than loader.MaxProgramSize.
type ProgramError struct{ Msg string }

func (e *ProgramError) Error() string { return e.Msg }

// readProgram reads the program file at path. Only a regular file is read, and at most
// loader.MaxProgramSize bytes of it: /dev/zero would never end, a FIFO would wait for
// a writer. The file is opened without blocking and checked through the open
// descriptor, so what is checked is what is read.
func readProgram(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		what := "a special file"
		switch {
		case st.IsDir():
			what = "a directory"
		case st.Mode()&fs.ModeNamedPipe != 0:
			what = "a FIFO"
		case st.Mode()&fs.ModeCharDevice != 0:
			what = "a character device"
		case st.Mode()&fs.ModeDevice != 0:
			what = "a block device"
		case st.Mode()&fs.ModeSocket != 0:
			what = "a socket"
		}
		return nil, &ProgramError{Msg: "not a regular file (" + what + "): weft runs program files"}
	}
	if st.Size() > loader.MaxProgramSize {
		return nil, &ProgramError{Msg: fmt.Sprintf("%d bytes: larger than the %d MiB weft reads as a program", st.Size(), loader.MaxProgramSize>>20)}
	}
	data, err := io.ReadAll(io.LimitReader(f, loader.MaxProgramSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > loader.MaxProgramSize { // it grew while weft read it
		return nil, &ProgramError{Msg: fmt.Sprintf("larger than the %d MiB weft reads as a program", loader.MaxProgramSize>>20)}
	}
	return data, nil
}

type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }

// dedupEnv keeps the last value given for each variable, in first-seen order.
func dedupEnv(env []string) []string {
	idx := map[string]int{}
	var out []string
	for _, kv := range env {
		k := kv
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				k = kv[:i]
				break
			}
		}
		if i, ok := idx[k]; ok {
			out[i] = kv
			continue
		}
		idx[k] = len(out)
		out = append(out, kv)
	}
	return out
}
