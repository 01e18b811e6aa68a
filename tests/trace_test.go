package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// chromeEvent is the part of a Chrome Trace Event that the checks read.
type chromeEvent struct {
	Ph   string         `json:"ph"`
	Name string         `json:"name"`
	Cat  string         `json:"cat"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur"`
	ID   int            `json:"id"`
	Args map[string]any `json:"args"`
}

func traceRun(t *testing.T, extra ...string) ([]byte, []chromeEvent) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "trace.json")
	argv := append([]string{weftBin, "run", "--trace", out}, extra...)
	argv = append(argv, filepath.Join(binDir, "_forkthreads"))
	r := run(argv, os.Environ(), "", t.TempDir())
	if r.exitCode != 0 {
		t.Fatalf("weft --trace: %s\n%s", r.status, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []chromeEvent `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the trace is not valid JSON: %v", err)
	}
	return data, doc.TraceEvents
}

// TestTraceStructure checks what Perfetto relies on: names for every process and
// thread, slices that belong to their process, CPU tracks without overlaps, and a flow
// from every fork or clone to the new task.
func TestTraceStructure(t *testing.T) {
	_, evs := traceRun(t, "--cpus", "2")
	procNames := map[int]bool{}
	threadOf := map[int]int{} // tid -> pid, from thread_name metadata
	for _, e := range evs {
		if e.Ph == "M" && e.Name == "process_name" {
			procNames[e.Pid] = true
		}
		if e.Ph == "M" && e.Name == "thread_name" && e.Pid != 0 {
			threadOf[e.Tid] = e.Pid
		}
	}
	if len(procNames) < 4 { // CPUs, parent, two children
		t.Errorf("process_name metadata for %d processes, want at least 4", len(procNames))
	}
	type span struct{ start, end float64 }
	cpu := map[int][]span{}
	starts, ends := map[int]int{}, map[int]int{}
	forks := 0
	for _, e := range evs {
		switch {
		case e.Ph == "X" && e.Cat == "task" && e.Name == "running":
			if !procNames[e.Pid] {
				t.Errorf("slice of pid %d, which has no process_name", e.Pid)
			}
			if p, ok := threadOf[e.Tid]; !ok || p != e.Pid {
				t.Errorf("slice of tid %d under pid %d; its thread_name says pid %d", e.Tid, e.Pid, p)
			}
		case e.Ph == "X" && e.Cat == "cpu":
			cpu[e.Tid] = append(cpu[e.Tid], span{e.Ts, e.Ts + e.Dur})
		case e.Ph == "s":
			starts[e.ID]++
		case e.Ph == "f":
			ends[e.ID]++
		case e.Ph == "i" && (e.Name == "fork" || e.Name == "clone"):
			forks++
		}
	}
	for c, spans := range cpu {
		sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
		for i := 1; i < len(spans); i++ {
			if spans[i].start < spans[i-1].end-1e-9 {
				t.Errorf("CPU %d: slice at %.3f starts before the previous one ends at %.3f", c, spans[i].start, spans[i-1].end)
				break
			}
		}
	}
	if forks != 2+6 {
		t.Errorf("fork and clone events = %d, want 8 (2 forks, 6 thread creations)", forks)
	}
	if len(starts) != forks {
		t.Errorf("flow starts = %d, want one per fork or clone (%d)", len(starts), forks)
	}
	for id := range starts {
		if ends[id] != 1 {
			t.Errorf("flow %d has %d ends, want 1", id, ends[id])
		}
	}
	// Viewers bind each end of an arrow to a slice of the same category that starts
	// at the same time on the same thread.
	type key struct {
		tid int
		ts  float64
	}
	sliceAt := map[key]bool{}
	for _, e := range evs {
		if e.Ph == "X" && e.Cat == "task" {
			sliceAt[key{e.Tid, e.Ts}] = true
		}
	}
	for _, e := range evs {
		if (e.Ph == "s" || e.Ph == "f") && (e.Cat != "task" || !sliceAt[key{e.Tid, e.Ts}]) {
			t.Errorf("flow %q event of tid %d at %.3f has no task slice starting there to bind to", e.Ph, e.Tid, e.Ts)
		}
	}
	cows := 0
	for _, e := range evs {
		if e.Ph == "i" && e.Name == "COW copies" {
			cows++
		}
	}
	if cows == 0 {
		t.Errorf("no COW copy events, though each child writes a page it shares with its parent")
	}
}

// TestTraceDeterminism: the same seed gives byte-identical trace files.
func TestTraceDeterminism(t *testing.T) {
	a, _ := traceRun(t, "--cpus", "4", "--seed", "7")
	b, _ := traceRun(t, "--cpus", "4", "--seed", "7")
	if !bytes.Equal(a, b) {
		t.Errorf("two traces with seed 7 differ (%d and %d bytes)", len(a), len(b))
	}
}

// TestSummary checks the per-process table: a row per process with its status and a
// totals row.
func TestSummary(t *testing.T) {
	argv := []string{weftBin, "run", "--summary", filepath.Join(binDir, "_forkthreads")}
	r := run(argv, os.Environ(), "", t.TempDir())
	if r.exitCode != 0 {
		t.Fatalf("weft --summary: %s\n%s", r.status, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(r.stderr)), "\n")
	if len(lines) < 6 || !strings.Contains(string(r.stderr), "\npage faults: ") {
		t.Fatalf("summary has %d lines, want a header, init, 3 processes, a total and the legend:\n%s", len(lines), r.stderr)
	}
	// The total's peak RSS is the guest's peak, not the sum of the processes' peaks
	// (they share pages after fork): here below the sum.
	peak := func(l string) string { f := strings.Fields(l); return f[len(f)-1] }
	if peak(lines[5]) == "4.5MiB" { // 3 x 1.5MiB
		t.Errorf("total peak RSS %s is the sum of the rows", peak(lines[5]))
	}
	for i, want := range []string{"pid", "1", "2", "3", "4", "total"} {
		f := strings.Fields(lines[i])
		if len(f) == 0 || f[0] != want {
			t.Errorf("summary line %d = %q, want it to start with %q", i, lines[i], want)
		}
	}
	if f := strings.Fields(lines[1]); len(f) < 4 || f[2] != "init" || f[3] != "running" {
		t.Errorf("pid 1 row %q: want weft's init, running", lines[1])
	}
	for _, l := range lines[3:5] {
		f := strings.Fields(l)
		// pid ppid command status(2 words) threads ...
		if f[1] != "2" || f[3] != "exit" || f[4] != "0" {
			t.Errorf("child row %q: want ppid 2 and exit 0", l)
		}
		if th, _ := strconv.Atoi(f[5]); th != 4 {
			t.Errorf("child row %q: threads = %d, want 4", l, th)
		}
	}
}

// TestTraceSize: a trace grows with the run's events, not with its instructions. The
// back-to-back steps of a 4-thread atomics program on 4 CPUs are merged into one slice
// per scheduling decision, so the file stays under 0.05 bytes per guest instruction.
func TestTraceSize(t *testing.T) {
	buildThreads(t)
	out := filepath.Join(t.TempDir(), "trace.json")
	r := run([]string{weftBin, "run", "--cpus", "4", "--trace", out, threadsBin("race_atomic")}, os.Environ(), "", t.TempDir())
	if r.exitCode != 0 {
		t.Fatalf("weft --trace: %s\n%s", r.status, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []chromeEvent `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the trace is not valid JSON: %v", err)
	}
	var insns float64
	for _, e := range doc.TraceEvents {
		if e.Ph == "X" && e.Cat == "task" && e.Name == "running" {
			insns += e.Args["instructions"].(float64)
		}
	}
	perInsn := float64(len(data)) / insns
	t.Logf("%d bytes for %.0f instructions: %.4f bytes per instruction", len(data), insns, perInsn)
	if insns < 1e6 || perInsn > 0.05 {
		t.Errorf("%d bytes for %.0f instructions = %.4f bytes per instruction, want at most 0.05", len(data), insns, perInsn)
	}
}
