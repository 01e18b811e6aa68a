package trace

import (
	"bytes"
	"encoding/json"
	"testing"
)

type chromeDoc struct {
	TraceEvents []struct {
		Ph   string         `json:"ph"`
		Name string         `json:"name"`
		Cat  string         `json:"cat"`
		Tid  int            `json:"tid"`
		Ts   json.Number    `json:"ts"`
		Dur  json.Number    `json:"dur"`
		Args map[string]any `json:"args"`
	} `json:"traceEvents"`
}

// Back-to-back steps of one task on one CPU become one slice; a step of another task,
// or a gap, starts a new one. Durations are exact: 1000 ns is 1.000 µs.
func TestChromeMergesSteps(t *testing.T) {
	var buf bytes.Buffer
	c := NewChrome(&buf)
	c.Event(&Event{Kind: ProcessName, PID: 1, TID: 1, Name: "p"})
	step := func(cpu, tid int, at, n uint64) {
		c.Event(&Event{Kind: Slice, CPU: cpu, PID: 1, TID: tid, Time: at, Dur: n, Arg: n})
	}
	// CPU 0 runs tid 1 in three steps, CPU 1 runs tid 2 in two steps in between.
	step(0, 1, 0, 1000)
	step(1, 2, 0, 1000)
	step(0, 1, 1000, 1000)
	step(1, 2, 1000, 1000)
	step(0, 1, 2000, 1000)
	step(0, 1, 3500, 500) // after a gap (a syscall): a new slice
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	var doc chromeDoc
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.Bytes())
	}
	type slice struct {
		tid     int
		ts, dur string
		insns   float64
	}
	var got []slice
	for _, e := range doc.TraceEvents {
		if e.Ph == "X" && e.Name == "running" {
			got = append(got, slice{e.Tid, e.Ts.String(), e.Dur.String(), e.Args["instructions"].(float64)})
		}
	}
	want := []slice{{1, "0.000", "3.000", 3000}, {1, "3.500", "0.500", 500}, {2, "0.000", "2.000", 2000}}
	if len(got) != len(want) {
		t.Fatalf("running slices %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("slice %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
