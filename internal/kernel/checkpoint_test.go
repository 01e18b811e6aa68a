package kernel_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"weft/internal/cpu"
	"weft/internal/kernel"
	"weft/internal/kernel/sched"
	"weft/internal/mm"
	"weft/internal/run"
	"weft/internal/trace"
)

// outcome is everything a run shows: output, status and the --summary table
// (instruction counts, virtual times, memory) of every process.
type outcome struct {
	stdout, stderr string
	res            kernel.Result
	summary        string
	insns          uint64
}

func (o outcome) String() string {
	return fmt.Sprintf("status %d signal %v outcome %d insns %d\nstdout:\n%s\nstderr:\n%s\nsummary:\n%s",
		o.res.Status, o.res.Signal, o.res.Outcome, o.insns, o.stdout, o.stderr, o.summary)
}

func finish(k *kernel.Kernel, res kernel.Result, stdout, stderr string) outcome {
	var sum bytes.Buffer
	_, peak := k.Memory()
	trace.WriteSummary(&sum, k.Summary(), peak)
	return outcome{stdout: stdout, stderr: stderr, res: res, summary: sum.String(), insns: k.TotalInsns()}
}

// checkpointCase is one program and how to run it.
type checkpointCase struct {
	path string
	args []string
	opts run.Options
	// policy makes a fresh policy for each run (nil: the default time slices).
	policy func() sched.Policy
}

func (c checkpointCase) options(stdout, stderr *bytes.Buffer, pauseAt uint64) run.Options {
	o := c.opts
	o.Stdout, o.Stderr, o.Notices = stdout, stderr, stderr
	o.PauseAt = pauseAt
	if c.policy != nil {
		o.Policy = c.policy()
	}
	return o
}

// TestCheckpointDeterminism runs each program straight to its end and, separately, to
// an instant T, checkpoints it there, and runs to the end (a) a kernel restored from
// the checkpoint, (b) the original kernel, (c) a second kernel restored from the
// checkpoint after the original went on: all four must agree byte for byte on output,
// status and the --summary table.
func TestCheckpointDeterminism(t *testing.T) {
	bin := "../../tests/c/bin/"
	corpus := "../../tests/explore/bin/"
	var cases []checkpointCase
	for _, p := range []string{"hello", "fork_basic", "fork_pipe", "fork_fds", "thr_mutex", "thr_condvar",
		"thr_signals", "thr_alarm", "timerfd", "itimer_cpu", "sock_unix", "select", "pidfd", "thr_sem", "wait_status",
		"fileio", "fileops", "mmap", "thr_shmfile", "fork_env", "epoll", "thr_epoll", "eventfd", "signalfd", "thr_rtsig", "pipe_size"} {
		cases = append(cases, checkpointCase{path: bin + p, opts: run.Options{Seed: 7, CPUs: 2}})
	}
	for _, n := range []string{"aba", "atomicity", "bank", "checkact", "dcl", "lockorder", "lostwakeup",
		"order", "philosophers", "ringbuf", "rwstarve", "wsqueue"} {
		for _, s := range []string{"_bug", "_fixed"} {
			seed := uint64(len(n))
			cases = append(cases, checkpointCase{path: corpus + n + s, opts: run.Options{Seed: 1, CPUs: 1, Init: true, MaxInsns: 50_000_000},
				policy: func() sched.Policy { return sched.NewPCT(seed, 200, 3, 50) }})
		}
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) { checkCheckpoint(t, c) })
	}
}

// checkCheckpoint runs c straight to its end and, separately, to instants T, checkpoints
// it there, and runs to the end the restored kernels and the original (see
// TestCheckpointDeterminism).
func checkCheckpoint(t *testing.T, c checkpointCase) {
	if _, err := os.Stat(c.path); err != nil {
		t.Fatalf("%s: %v (make -C tests/c; make -C tests/expect; make -C tests/explore)", c.path, err)
	}
	argv := append([]string{c.path}, c.args...)
	var so, se bytes.Buffer
	r, err := run.Program(c.path, argv, c.options(&so, &se, 0))
	if err != nil {
		t.Fatal(err)
	}
	straight := finish(r.Kernel, r.Result, so.String(), se.String())
	var end uint64 // the virtual time at the end: the latest CPU clock
	for _, c := range r.Kernel.CPUs {
		end = max(end, c.Clock)
	}
	taken := 0
	for _, frac := range []uint64{5, 2} {
		at := max(end/frac, 1)
		var so, se bytes.Buffer
		r, err := run.Program(c.path, argv, c.options(&so, &se, at))
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != kernel.Paused {
			continue // it ended before T (time runs on after the main exit)
		}
		k := r.Kernel
		ck, err := k.Checkpoint()
		if err != nil {
			t.Fatalf("Checkpoint at %d ns: %v", at, err)
		}
		taken++
		t.Logf("checkpoint at %d ns: %d insns, %d bytes held", at, ck.Insns(), ck.Bytes())
		preOut, preErr := so.String(), se.String()
		restore := func() outcome {
			var o, e bytes.Buffer
			nk, err := ck.Restore(kernel.RestoreConfig{Stdout: &o, Stderr: &e, Notices: &e})
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			checkDisjoint(t, k, nk)
			res := nk.Run()
			out := finish(nk, res, preOut+o.String(), preErr+e.String())
			ck.Recycle(nk) // the next restore reuses its frames, decode caches, TLBs
			return out
		}
		// The second restore comes after the original went on: what the
		// original changed (memory, files) must not show in the checkpoint.
		first := restore()
		k.PauseAt(0)
		res := k.Run()
		orig := finish(k, res, so.String(), se.String())
		restored := []outcome{first, restore()}
		for i, got := range append([]outcome{orig}, restored...) {
			if got.String() != straight.String() {
				what := [...]string{"the original continued", "restore 1", "restore 2"}[i]
				t.Errorf("checkpoint at %d ns (%d insns, %d bytes held): %s differs from the straight run:\n--- got\n%s\n--- want\n%s",
					at, ck.Insns(), ck.Bytes(), what, got, straight)
			}
		}
	}
	if taken == 0 {
		t.Errorf("no checkpoint taken: the run never paused before its end at %d ns", end)
	}
}

// checkDisjoint walks the restored kernel's object graph and fails if any pointer
// reaches an object of the original kernel's graph, except shared immutables.
func checkDisjoint(t *testing.T, orig, restored *kernel.Kernel) {
	t.Helper()
	old := map[uintptr]bool{}
	walkGraph(reflect.ValueOf(orig), func(p uintptr, _ reflect.Type) { old[p] = true })
	bad := 0
	walkGraph(reflect.ValueOf(restored), func(p uintptr, ty reflect.Type) {
		if old[p] && bad < 5 {
			bad++
			t.Errorf("the restored kernel reaches the original's %v at 0x%x", ty, p)
		}
	})
}

// sharedTypes are immutable and shared by design between a kernel and its restored
// copies.
var sharedTypes = map[string]bool{
	"kernel.SyscallTable": true, "kernel.Syscall": true, "cost.Model": true, "loader.Binary": true,
	"errors.errorString": true, "os.File": true,
}

// walkGraph calls fn for every pointer (to a non-shared type) reachable from v.
func walkGraph(v reflect.Value, fn func(p uintptr, t reflect.Type)) {
	seen := map[[2]uintptr]bool{}
	var walk func(p unsafe.Pointer, t reflect.Type)
	visit := func(p unsafe.Pointer, t reflect.Type) {
		if p == nil || t.Size() == 0 || sharedTypes[t.String()] {
			return
		}
		if t == reflect.TypeOf(mm.Frame{}) && (*mm.Frame)(p).Refs() == 0 {
			return // a file's page no one maps: shared until changed (vfs/freeze.go)
		}
		key := [2]uintptr{uintptr(p), uintptr(reflect.ValueOf(t).Pointer())}
		if seen[key] {
			return
		}
		seen[key] = true
		fn(uintptr(p), t)
		walk(p, t)
	}
	walk = func(p unsafe.Pointer, t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer:
			visit(*(*unsafe.Pointer)(p), t.Elem())
		case reflect.Struct:
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				walk(unsafe.Add(p, f.Offset), f.Type)
			}
		case reflect.Array:
			for i := 0; i < t.Len(); i++ {
				walk(unsafe.Add(p, uintptr(i)*t.Elem().Size()), t.Elem())
			}
		case reflect.Slice:
			s := reflect.NewAt(t, p).Elem()
			if s.Len() > 0 && t.Elem().Size() > 0 {
				visit(s.UnsafePointer(), reflect.ArrayOf(s.Len(), t.Elem()))
			}
		case reflect.Map:
			m := reflect.NewAt(t, p).Elem()
			if m.IsNil() {
				return
			}
			it := m.MapRange()
			for it.Next() {
				for _, x := range []reflect.Value{it.Key(), it.Value()} {
					tmp := reflect.New(x.Type())
					tmp.Elem().Set(x)
					walk(tmp.UnsafePointer(), x.Type())
				}
			}
		case reflect.Interface:
			x := reflect.NewAt(t, p).Elem()
			if x.IsNil() {
				return
			}
			d := x.Elem()
			if d.Kind() == reflect.Pointer {
				visit(d.UnsafePointer(), d.Type().Elem())
				return
			}
			tmp := reflect.New(d.Type())
			tmp.Elem().Set(d)
			walk(tmp.UnsafePointer(), d.Type())
		}
	}
	visit(v.UnsafePointer(), v.Type().Elem())
}

// stopper is a debugger that records a task's registers when it is about to execute
// its instruction number at (counting from 0): what reverse execution does, restoring
// a checkpoint and re-executing to an exact instruction.
type stopper struct {
	tid int
	at  uint64
	got *cpu.Context
}

// Limit asks to see every instruction until the one it waits for.
func (s *stopper) Limit() uint64 {
	if s.got == nil {
		return 1
	}
	return 0
}

func (s *stopper) Check(t *kernel.Task, insns uint64) {
	if s.got == nil && t.TID == s.tid && insns == s.at {
		c := t.Ctx
		s.got = &c
	}
}

// TestCheckpointToExactInstruction reaches one instruction of a thread from the start
// and from a checkpoint taken before it, with a debugger attached: the registers there
// are the same.
func TestCheckpointToExactInstruction(t *testing.T) {
	path := "../../tests/c/bin/thr_mutex"
	opts := func(d kernel.Debugger, pauseAt uint64) run.Options {
		return run.Options{Seed: 3, CPUs: 2, PauseAt: pauseAt, Setup: func(k *kernel.Kernel) {
			if d != nil {
				k.SetDebugger(d)
			}
		}}
	}
	r, err := run.Program(path, []string{path}, opts(nil, 0))
	if err != nil {
		t.Fatal(err)
	}
	var end uint64
	for _, c := range r.Kernel.CPUs {
		end = max(end, c.Clock)
	}
	// The second thread (tid 2's sibling: the first one created), half-way through its
	// instructions.
	var tid int
	var n uint64
	for _, task := range r.Kernel.Tasks() {
		if task.TID != task.TG.PID && tid == 0 {
			tid, n = task.TID, task.Insns()
		}
	}
	if tid == 0 || n < 100 {
		t.Fatalf("thr_mutex: no second thread with instructions (tid %d, %d insns)", tid, n)
	}
	want := &stopper{tid: tid, at: n / 2}
	if _, err := run.Program(path, []string{path}, opts(want, 0)); err != nil {
		t.Fatal(err)
	}
	if want.got == nil {
		t.Fatalf("tid %d never reached instruction %d", tid, n/2)
	}
	// A checkpoint early in the run, then re-execution with the debugger.
	p, err := run.Program(path, []string{path}, opts(nil, end/10))
	if err != nil || p.Outcome != kernel.Paused {
		t.Fatalf("run to %d ns: %v, outcome %d", end/10, err, p.Outcome)
	}
	ck, err := p.Kernel.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	got := &stopper{tid: tid, at: n / 2}
	k, err := ck.Restore(kernel.RestoreConfig{Debugger: got})
	if err != nil {
		t.Fatal(err)
	}
	k.Run()
	if got.got == nil || *got.got != *want.got {
		t.Errorf("registers of tid %d at instruction %d: from the checkpoint %+v, from the start %+v", tid, n/2, got.got, want.got)
	}
}

// A checkpoint's host mounts outlive the kernel it was taken from: the os.Root the
// mount reads through is shared, not copied (a copy's descriptor was closed by the
// original's finalizer once that kernel was collected).
func TestCheckpointMountOutlivesKernel(t *testing.T) {
	path := "../../tests/gdb/bin/gdbtarget"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := run.Program(path, []string{path}, run.Options{PauseAt: 1000,
		Mounts: []kernel.Mount{{Host: dir, Guest: "/mnt"}}})
	if err != nil {
		t.Fatal(err)
	}
	ck, err := r.Kernel.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	r = nil
	for range 3 {
		runtime.GC() // the original kernel, and its os.Root, are garbage now
	}
	k, err := ck.Restore(kernel.RestoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if !k.FS.OnHost("/mnt/f") {
		t.Errorf("the restored kernel cannot see /mnt/f on its read-only host mount")
	}
}

// A kernel with a writable host mount cannot be checkpointed (the host cannot be rolled
// back); with a read-only one it can, and the restored kernel runs as the original.
func TestCheckpointHostMounts(t *testing.T) {
	path := "../../tests/c/bin/hello"
	dir := t.TempDir()
	for _, writable := range []bool{true, false} {
		var so bytes.Buffer
		r, err := run.Program(path, []string{path}, run.Options{Stdout: &so, PauseAt: 1000,
			Mounts: []kernel.Mount{{Host: dir, Guest: "/mnt", Writable: writable}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != kernel.Paused {
			t.Fatalf("hello ended before 1000 ns")
		}
		ck, err := r.Kernel.Checkpoint()
		if writable {
			if !errors.Is(err, kernel.ErrCheckpoint) || !strings.Contains(err.Error(), "writable host mount") {
				t.Errorf("Checkpoint with a writable mount = %v, want ErrCheckpoint naming the mount", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Checkpoint with a read-only mount: %v", err)
		}
		pre := so.String()
		var o bytes.Buffer
		k, err := ck.Restore(kernel.RestoreConfig{Stdout: &o})
		if err != nil {
			t.Fatal(err)
		}
		res := k.Run()
		r.Kernel.PauseAt(0)
		orig := r.Kernel.Run()
		if res != orig || pre+o.String() != so.String() || o.String() == "" {
			t.Errorf("restored: %+v %q; original: %+v %q", res, o.String(), orig, so.String())
		}
	}
}

// TestCheckpointHugetlb checkpoints a run that holds huge pages: the pool, hugetlb
// mappings (private, shared, copied after fork), a hugetlbfs mount and its files.
func TestCheckpointHugetlb(t *testing.T) {
	checkCheckpoint(t, checkpointCase{path: "../../tests/expect/bin/hugetlb", opts: run.Options{Seed: 7, CPUs: 2, UID: 0, GID: 0}})
}
