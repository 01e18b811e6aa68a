package costbench

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// binDir is where `make -C bench/costs` puts the guests, from this package's directory.
var binDir = filepath.Join("..", "..", "bench", "costs", "bin")

var (
	quickOnce   sync.Once
	quickResult *Report
	quickErr    error
)

// quickReport runs the quick suite once for every test that needs it. The guests must
// have been built: a missing build is a failure, not a skip.
func quickReport(t *testing.T) *Report {
	t.Helper()
	for _, p := range programs {
		if _, err := os.Stat(filepath.Join(binDir, p)); err != nil {
			t.Fatalf("the cost programs are not built (%v): run `make -C bench/costs` from the repository root "+
				"first (needs riscv64-linux-gnu-gcc)", err)
		}
	}
	quickOnce.Do(func() {
		quickResult, quickErr = Run(Options{Dir: binDir, Quick: true, Seed: 1})
	})
	if quickErr != nil {
		t.Fatalf("Run(quick) = %v", quickErr)
	}
	return quickResult
}

func row(t *testing.T, r *Report, name string) *Row {
	t.Helper()
	for i := range r.Rows {
		if r.Rows[i].Name == name {
			return &r.Rows[i]
		}
	}
	t.Fatalf("the report has no row %q", name)
	return nil
}

func TestEveryWeftMeasurementIsPositive(t *testing.T) {
	r := quickReport(t)
	want := []string{"create", "switch", "comm 64B", "comm 4KiB", "memory"}
	if len(r.Rows) != len(want) {
		t.Fatalf("%d rows, want %d (%v)", len(r.Rows), len(want), want)
	}
	for i, name := range want {
		w := r.Rows[i]
		if w.Name != name {
			t.Errorf("row %d is %q, want %q", i, w.Name, name)
		}
		for _, side := range []struct {
			kind string
			m    Measure
		}{{"process", w.Process}, {"thread", w.Thread}} {
			m := side.m
			if !(m.Weft > 0) || !(m.WeftKernel > 0) {
				t.Errorf("%s %s: weft = %v, weft kernel = %v; want both > 0", name, side.kind, m.Weft, m.WeftKernel)
			}
			if w.Unit == "ns" {
				if m.WeftHost == nil || !(*m.WeftHost > 0) {
					t.Errorf("%s %s: weft host = %v, want > 0", name, side.kind, m.WeftHost)
				}
				// The kernel's timestamps and the guest's clock are the same virtual time.
				if d := math.Abs(m.Weft-m.WeftKernel) / m.Weft; d > 0.02 {
					t.Errorf("%s %s: guest clock %.1f ns, kernel timestamps %.1f ns per op; want within 2%%",
						name, side.kind, m.Weft, m.WeftKernel)
				}
				if !(m.Account.Insns > 0) || !(m.Account.Syscalls > 0) {
					t.Errorf("%s %s: account = %+v, want instructions and syscalls", name, side.kind, m.Account)
				}
				// The work the kernel counted, at the model's prices, is the virtual
				// time the guest measured (up to the few calls around the markers).
				if d := math.Abs(m.Weft-m.WeftModel) / m.Weft; d > 0.01 {
					t.Errorf("%s %s: guest clock %.1f ns, Σ work × price %.1f ns per op; want within 1%%",
						name, side.kind, m.Weft, m.WeftModel)
				}
				if m.WeftZero == nil || math.Abs(*m.WeftZero-m.Work["insn"])/m.Work["insn"] > 0.01 {
					t.Errorf("%s %s: zero-model figure %v, instructions %.1f per op; want them equal",
						name, side.kind, m.WeftZero, m.Work["insn"])
				}
				if rg := m.WeftHostRange; rg == nil || len(rg.Runs) < 5 || !(rg.Min <= rg.Median && rg.Median <= rg.Max) {
					t.Errorf("%s %s: host range %+v, want at least 5 runs with min <= median <= max", name, side.kind, rg)
				}
			}
			if m.Native != nil {
				t.Errorf("%s %s: native = %v without Options.Native", name, side.kind, *m.Native)
			}
		}
		for _, note := range w.Notes {
			if strings.Contains(note, "deterministic") || strings.Contains(note, "tracing changed") {
				t.Errorf("%s: %s", name, note)
			}
		}
	}
}

// The rows exercise what they are meant to, and a fork does the work a thread clone does
// not: it copies a page-table root, the VMAs, the fd table and the signal table.
func TestRowsDoTheirWork(t *testing.T) {
	r := quickReport(t)
	c := row(t, r, "create")
	for _, u := range []string{"pt_node_copy", "vma_copy", "fd_copy", "sigaction_copy", "proc_init"} {
		if !(c.Process.Work[u] >= 1) || c.Thread.Work[u] != 0 {
			t.Errorf("create: %s = %v per process, %v per thread; want >= 1 and 0", u, c.Process.Work[u], c.Thread.Work[u])
		}
	}
	if c.Process.Work["task_init"] != 1 || c.Thread.Work["task_init"] != 1 {
		t.Errorf("create: task_init = %v per process, %v per thread; want 1 and 1",
			c.Process.Work["task_init"], c.Thread.Work["task_init"])
	}
	if c.Process.Account.Forks != 1 || c.Process.Account.Clones != 0 {
		t.Errorf("create process: %v forks, %v clones per op; want 1, 0", c.Process.Account.Forks, c.Process.Account.Clones)
	}
	if c.Thread.Account.Clones != 1 || c.Thread.Account.Forks != 0 {
		t.Errorf("create thread: %v clones, %v forks per op; want 1, 0", c.Thread.Account.Clones, c.Thread.Account.Forks)
	}
	s := row(t, r, "switch")
	if p := s.Process.Account; math.Abs(p.ProcessSwitches-1) > 0.01 || p.ThreadSwitches != 0 {
		t.Errorf("switch process: %v process and %v thread switches per switch; want 1, 0", p.ProcessSwitches, p.ThreadSwitches)
	}
	if th := s.Thread.Account; math.Abs(th.ThreadSwitches-1) > 0.01 || th.ProcessSwitches != 0 {
		t.Errorf("switch thread: %v thread and %v process switches per switch; want 1, 0", th.ThreadSwitches, th.ProcessSwitches)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := quickReport(t)
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatalf("WriteJSON = %v", err)
	}
	var back Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("the JSON does not parse back: %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("JSON round trip changed the report:\ngot  %+v\nwant %+v", back, *r)
	}

	// The field names scripts rely on.
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	rows, _ := raw["rows"].([]any)
	if len(rows) != len(r.Rows) {
		t.Fatalf("JSON rows = %d, want %d", len(rows), len(r.Rows))
	}
	first, _ := rows[0].(map[string]any)
	for _, k := range []string{"name", "unit", "per", "process", "thread", "ratio"} {
		if _, ok := first[k]; !ok {
			t.Errorf("JSON row has no %q: %v", k, first)
		}
	}
	proc, _ := first["process"].(map[string]any)
	for _, k := range []string{"weft", "weft_zero", "weft_model", "work", "weft_kernel", "weft_host", "weft_host_range",
		"native", "account"} {
		if _, ok := proc[k]; !ok {
			t.Errorf("JSON measure has no %q: %v", k, proc)
		}
	}
	if proc["native"] != nil {
		t.Errorf("JSON native = %v, want null when not measured", proc["native"])
	}
	prices, _ := raw["prices"].(map[string]any)
	if prices["insn"] != 1.0 || raw["cost_model"] != "default" {
		t.Errorf("JSON prices = %v, cost_model = %v; want insn at 1 ns, the default model", prices, raw["cost_model"])
	}
	if m, _ := raw["machine"].(map[string]any); m["cpu"] == "" || m["go_version"] == "" {
		t.Errorf("JSON machine = %v, want cpu and go_version", m)
	}
}

func TestWriteText(t *testing.T) {
	r := quickReport(t)
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatalf("WriteText = %v", err)
	}
	text := buf.String()
	for _, w := range r.Rows {
		if !strings.Contains(text, "\n"+w.Name+" ") {
			t.Errorf("the text has no table line for row %q:\n%s", w.Name, text)
		}
	}
	for _, want := range []string{"weft virtual (default)", "weft virtual (zero)", "weft host", "native", "p/t", "n/a",
		r.Machine.CPU, r.Machine.GoVersion, "what makes the difference", "page_copied", "virtual"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text does not contain %q:\n%s", want, text)
		}
	}
}

func TestMissingBinariesSayHowToBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bin")
	_, err := Run(Options{Dir: dir, Quick: true})
	if err == nil {
		t.Fatal("Run with no binaries succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "make -C bench/costs") || !strings.Contains(msg, filepath.Join(dir, "create")) {
		t.Errorf("Run with no binaries = %q, want the missing file and `make -C bench/costs`", msg)
	}
}

func TestNoCompilerMeansNoNativeNumbers(t *testing.T) {
	t.Setenv("CC", filepath.Join(t.TempDir(), "no-such-cc"))
	if _, err := buildNative(filepath.Dir(binDir), programs); err == nil {
		t.Error("buildNative with a missing compiler succeeded")
	}
}

func TestParseResult(t *testing.T) {
	out := "@@cost-begin\nnoise\ncost name=switch kind=thread iters=10 ops=20 total_ns=2000 per_op_ns=100.0 pinned=1\n"
	r, err := parseResult(out)
	if err != nil {
		t.Fatalf("parseResult = %v", err)
	}
	if v, err := r.float("per_op_ns"); err != nil || v != 100 {
		t.Errorf("per_op_ns = %v, %v; want 100", v, err)
	}
	if r["kind"] != "thread" || r["pinned"] != "1" {
		t.Errorf("parseResult = %v", r)
	}
	if _, err := r.float("missing"); err == nil {
		t.Error("float of a missing key succeeded")
	}
	if _, err := parseResult("no result here\n"); err == nil {
		t.Error("parseResult without a cost line succeeded")
	}
	if _, err := parseResult("cost name=x broken\n"); err == nil {
		t.Error("parseResult of a malformed line succeeded")
	}
}

func TestFormatting(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		unit string
		v    *float64
		want string
	}{
		{"ns", nil, "n/a"},
		{"ns", f(442.6), "443ns"},
		{"ns", f(2300.3), "2.30µs"},
		{"ns", f(27205.1), "27.2µs"},
		{"ns", f(1.5e6), "1.50ms"},
		{"bytes", f(512), "512B"},
		{"bytes", f(20480), "20.0KiB"},
		{"bytes", f(3 << 20), "3.00MiB"},
	} {
		if got := value(c.unit, c.v); got != c.want {
			t.Errorf("value(%q, %v) = %q, want %q", c.unit, c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
