// Package run runs one guest program on a fresh weft kernel: the wiring that the weft
// command, its demo and its benchmarks share.
package run

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"weft/internal/kernel"
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
	UID, GID   uint32
	Mounts     []kernel.Mount
	// RawHostIDs is kernel.Config.RawHostIDs.
	RawHostIDs bool

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
}

// Result is how a run went.
type Result struct {
	kernel.Result
	Kernel *kernel.Kernel
	Host   time.Duration // host time spent running the guest
}

// ErrNotFound wraps a program path that does not exist on the host.
var ErrNotFound = errors.New("no such file or directory")

// Program runs the executable at path (a host path) with argv. argv[0] is conventionally
// the path as the user gave it.
func Program(path string, argv []string, o Options) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	guestPath := o.GuestPath
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
	k, err := kernel.New(kernel.Config{
		Stdin: stdin, Stdout: stdout, Stderr: stderr,
		StdinTTY: o.StdinTTY, StdoutTTY: o.StdoutTTY, StderrTTY: o.StderrTTY,
		Seed: o.Seed, CPUs: o.CPUs, Quantum: o.Quantum, Step: o.Step,
		MaxInsns: o.MaxInsns, MaxMemory: o.MaxMemory, ClockStart: o.ClockStart, UID: o.UID, GID: o.GID,
		Mounts: o.Mounts, RawHostIDs: o.RawHostIDs, Syscalls: syscalls.Table(),
		Strace: o.Strace, StraceCalls: o.StraceCalls, Trace: o.Trace, Notices: notices,
		HostStopped: o.HostStopped, Closed: o.Closed,
	})
	if err != nil {
		return nil, err
	}
	if o.Setup != nil {
		o.Setup(k)
	}
	env := append(append([]string(nil), kernel.DefaultEnv...), o.Env...)
	if _, err := k.Spawn(data, guestPath, argv, dedupEnv(env)); err != nil {
		return nil, err
	}
	start := time.Now()
	res := k.Run()
	return &Result{Result: res, Kernel: k, Host: time.Since(start)}, nil
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
