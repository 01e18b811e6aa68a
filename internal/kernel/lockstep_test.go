package kernel_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"weft/internal/cpu"
	"weft/internal/kernel"
	"weft/internal/kernel/cost"
	"weft/internal/syscalls"
)

// lockstepRun is what a run leaves that the guest or the user can see, or that decides
// what comes next: output, outcome, counted work, clocks, every task's accounting and
// registers.
type lockstepRun struct {
	stdout, stderr string
	res            kernel.Result
	work           cost.Work
	insns, now     uint64
	clocks, busy   []uint64
	load           [3]uint64
	tasks          []string
	lockstep       uint64
}

// runLockstep runs the program at --step 1, with lockstep runs on or off. With pause
// set, the run first pauses at that virtual time (Kernel.PauseAt, as weft view does),
// and what the run shows there is kept in paused.
func runLockstep(t *testing.T, path string, data []byte, seed uint64, cpus int, m *cost.Model, on bool,
	pause uint64, paused *lockstepRun) lockstepRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	k, err := kernel.New(kernel.Config{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Seed: seed, CPUs: cpus, Step: 1, MaxMemory: 1 << 30, MaxInsns: 5_000_000,
		UID: 1000, GID: 1000, Syscalls: syscalls.Table(), Notices: &stderr, CostModel: m,
	})
	if err != nil {
		t.Fatal(err)
	}
	k.SetLockstep(on)
	if _, err := k.Spawn(data, path, []string{path}, kernel.DefaultEnv); err != nil {
		t.Fatal(err)
	}
	if pause != 0 {
		k.PauseAt(pause)
		if res := k.Run(); res.Outcome != kernel.Paused {
			t.Fatalf("%s: outcome %d before the pause at %d ns (clock %d)", path, res.Outcome, pause, k.CPUs[0].Clock)
		}
		*paused = snapshot(k, &stdout, &stderr)
		k.PauseAt(0)
	}
	res := k.Run()
	r := snapshot(k, &stdout, &stderr)
	r.res = res
	return r
}

// snapshot is what a run shows now.
func snapshot(k *kernel.Kernel, stdout, stderr *bytes.Buffer) lockstepRun {
	var r lockstepRun
	r.stdout, r.stderr = stdout.String(), stderr.String()
	r.work, r.insns, r.now, r.load = k.Work(), k.TotalInsns(), k.Now(), k.LoadAverages()
	for _, c := range k.CPUs {
		r.clocks = append(r.clocks, c.Clock)
		r.busy = append(r.busy, c.Busy)
	}
	for _, task := range k.Tasks() {
		steps, point := task.Steps()
		r.tasks = append(r.tasks, fmt.Sprintf("tid %d: %+v steps %d point %d pc %#x x %v f %v", task.TID,
			task.Stats, steps, point, task.Ctx.PC, task.Ctx.X, task.Ctx.F))
	}
	r.lockstep = k.LockstepInsns()
	return r
}

// TestLockstepSameRun checks that running the busy CPUs in one loop at --step 1
// (lockstep.go, cpu.Lockstep) gives the very run that one slice per instruction gives:
// the same output, instruction counts, work, clocks, load averages and registers, with
// threads that contend on atomics and LR/SC (reservations that break other harts'
// write TLBs, priced TLB misses), block on futexes, take signals and timers, and fork,
// under both cost models, on 2 to 4 CPUs, on every engine. It also checks that the lockstep runs did
// run most of the instructions of the threaded programs.
func TestLockstepSameRun(t *testing.T) {
	// fork_pipe and itimer_cpu run into the instruction limit at --step 1: the
	// runs must agree on that too.
	progs := []string{"thr_atomics", "thr_mutex", "thr_barrier", "thr_condvar", "thr_signals",
		"thr_alarm", "fork_pipe", "itimer_cpu", "thr_sem"}
	defer func(e cpu.Engine) { cpu.DefaultEngine = e }(cpu.DefaultEngine)
	for _, engine := range cpu.Engines() {
		cpu.DefaultEngine = engine
		t.Run(engine.Name(), func(t *testing.T) { testLockstepSameRun(t, progs) })
	}
}

func testLockstepSameRun(t *testing.T, progs []string) {
	for i, prog := range progs {
		path, err := filepath.Abs("../../tests/c/bin/" + prog)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s is not built: run make -C tests/c", path)
		}
		for _, m := range []*cost.Model{cost.Models[0], &cost.Zero} {
			seed, cpus := uint64(i+1), 2+i%3
			// Pause thr_atomics in the middle of its threads' run, as weft view does.
			var pause uint64
			if prog == "thr_atomics" {
				pause = 250_000 + uint64(i)*7
			}
			var offPaused, onPaused lockstepRun
			off := runLockstep(t, path, data, seed, cpus, m, false, pause, &offPaused)
			on := runLockstep(t, path, data, seed, cpus, m, true, pause, &onPaused)
			if pause != 0 && (onPaused.lockstep == 0 || onPaused.insns == on.insns) {
				t.Errorf("%s: the pause at %d ns came after %d instructions, %d in lockstep runs, of %d: not in the middle",
					prog, pause, onPaused.insns, onPaused.lockstep, on.insns)
			}
			onPaused.lockstep = 0
			if !reflect.DeepEqual(onPaused, offPaused) {
				t.Errorf("%s, %d CPUs, seed %d, model %s: lockstep run differs at the pause:\n%s",
					prog, cpus, seed, m.Name, lockstepDiff(onPaused, offPaused))
			}
			if off.lockstep != 0 {
				t.Fatalf("%s: %d instructions in lockstep runs that were turned off", prog, off.lockstep)
			}
			if off.res.Outcome != kernel.Exited && off.res.Outcome != kernel.InsnLimit {
				t.Errorf("%s: outcome %d status %d: %s", prog, off.res.Outcome, off.res.Status, off.stderr)
			}
			if (prog == "thr_atomics" || prog == "thr_mutex") && on.lockstep < on.insns/2 {
				// Four threads contending all along: most of the run is interleaved.
				t.Errorf("%s, %d CPUs: lockstep runs retired %d of %d instructions, want at least half",
					prog, cpus, on.lockstep, on.insns)
			}
			t.Logf("%s, %d CPUs, model %s: %d of %d instructions in lockstep runs", prog, cpus, m.Name, on.lockstep, on.insns)
			on.lockstep = 0
			if !reflect.DeepEqual(on, off) {
				t.Errorf("%s, %d CPUs, seed %d, model %s: lockstep run differs:\n%s",
					prog, cpus, seed, m.Name, lockstepDiff(on, off))
			}
		}
	}
}

// lockstepDiff describes the fields in which on and off differ.
func lockstepDiff(on, off lockstepRun) string {
	var b strings.Builder
	a, z := reflect.ValueOf(on), reflect.ValueOf(off)
	for i := 0; i < a.NumField(); i++ {
		f := a.Type().Field(i).Name
		if f == "tasks" {
			for j := range min(len(on.tasks), len(off.tasks)) {
				if on.tasks[j] != off.tasks[j] {
					fmt.Fprintf(&b, " on: %s\noff: %s\n", on.tasks[j], off.tasks[j])
				}
			}
			if len(on.tasks) != len(off.tasks) {
				fmt.Fprintf(&b, "%d tasks with lockstep runs, %d without\n", len(on.tasks), len(off.tasks))
			}
			continue
		}
		if x, y := fmt.Sprint(a.Field(i)), fmt.Sprint(z.Field(i)); x != y {
			fmt.Fprintf(&b, "%s: %s with lockstep runs, %s without\n", f, x, y)
		}
	}
	return b.String()
}
