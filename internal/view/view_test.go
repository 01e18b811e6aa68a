package view

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"weft/internal/run"
	"weft/internal/trace"
)

// The fork_cow lesson forks after filling 4 MiB: between the fork and the child's
// exec, both processes map the same frames (shared, copy-on-write) except the page the
// child wrote, and their descriptors share open file descriptions.
func TestForkSharesFrames(t *testing.T) {
	const prog = "../../examples/bin/fork_cow"
	if _, err := os.Stat(prog); err != nil {
		t.Fatalf("%v: build the lesson programs first with `make -C examples`", err)
	}
	s := &Session{Path: prog, Argv: []string{prog}, Opts: run.Options{Seed: 1, CPUs: 2, Init: true, MaxInsns: 1e9}}
	rec, err := s.Record()
	if err != nil {
		t.Fatal(err)
	}
	var fork, exec uint64
	for _, e := range rec.Events {
		switch {
		case e.Kind == trace.Fork && fork == 0:
			fork = e.Time
		case e.Kind == trace.Exec && exec == 0:
			exec = e.Time
		}
	}
	if fork == 0 || exec <= fork {
		t.Fatalf("no fork then exec in the trace (fork %d, exec %d)", fork, exec)
	}
	st, err := s.StateAt((fork+exec)/2, nil)
	if err != nil {
		t.Fatal(err)
	}
	var parent, child *Process
	for i := range st.Processes {
		switch p := &st.Processes[i]; p.PID {
		case 2:
			parent = p
		case 3:
			child = p
		}
	}
	if parent == nil || child == nil || child.PPID != 2 {
		t.Fatalf("processes at the instant: %+v, want pid 2 and its child 3", st.Processes)
	}
	big := func(p *Process) *Map {
		for i := range p.Maps {
			if m := &p.Maps[i]; m.End-m.Start >= 4<<20 && m.Name == "" {
				return m
			}
		}
		t.Fatalf("pid %d has no 4 MiB anonymous mapping: %+v", p.PID, p.Maps)
		return nil
	}
	pm, cm := big(parent), big(child)
	same, sharedPages := 0, 0
	for i := range min(len(pm.Pages), len(cm.Pages)) {
		if pm.Pages[i].Frame == cm.Pages[i].Frame {
			same++
		}
		if cm.Pages[i].Shared {
			sharedPages++
		}
	}
	if same < 1000 || same == len(cm.Pages) || sharedPages != same {
		t.Errorf("the buffer's pages: %d of %d frames the same in parent and child (%d marked shared); want all but the copied ones",
			same, len(cm.Pages), sharedPages)
	}
	if len(parent.FDs) < 3 || len(child.FDs) < 3 || parent.FDs[1].OFD != child.FDs[1].OFD {
		t.Errorf("standard output after fork: parent %+v, child %+v, want one open file description", parent.FDs, child.FDs)
	}
	// A later instant reached by letting the paused run go on is the one a fresh run
	// reaches, and so is an earlier one reached by running again.
	later := exec + (exec-fork)/2
	resumed, err := s.StateAt(later, nil)
	if err != nil {
		t.Fatal(err)
	}
	fresh := &Session{Path: s.Path, Argv: s.Argv, Opts: s.Opts, NoCheckpoints: true}
	want, err := fresh.StateAt(later, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(resumed, want) {
		t.Errorf("the state at %d reached by resuming differs from a fresh run's", later)
	}
	back, err := s.StateAt((fork+exec)/2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, back) {
		t.Errorf("going back to an instant rebuilt a different state")
	}
}

// An instant reached from a checkpoint is the instant a run from the start reaches:
// the whole state, at instants spread over the run, forward and backward.
func TestCheckpointsSameState(t *testing.T) {
	const prog = "../../examples/bin/fork_cow"
	opts := run.Options{Seed: 3, CPUs: 2, Init: true, MaxInsns: 1e9}
	s := &Session{Path: prog, Argv: []string{prog}, Opts: opts}
	rec, err := s.Record()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Checkpoints < 2 || rec.CheckpointBytes == 0 {
		t.Fatalf("the run of %d ns took %d checkpoints (%d bytes); want several", rec.End, rec.Checkpoints, rec.CheckpointBytes)
	}
	fresh := &Session{Path: prog, Argv: []string{prog}, Opts: opts, NoCheckpoints: true}
	restored := 0
	for _, f := range []uint64{7, 3, 5, 1, 9, 2} {
		at := rec.End * f / 10
		got, err := s.StateAt(at, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fresh.StateAt(at, nil)
		if err != nil {
			t.Fatal(err)
		}
		from := "no checkpoint"
		if cp := s.cps.before(at); cp != nil {
			from = fmt.Sprintf("the checkpoint at %d", cp.Time())
			restored++
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("the state at %d (from %s) differs from a run's from the start", at, from)
		}
	}
	if restored < 3 {
		t.Errorf("only %d of the instants were reached from a checkpoint", restored)
	}
}

// A run that sleeps for ten hours of virtual time is recorded in a few pauses (one per
// doubling of the idle stretch, not one per millisecond), and an instant in the middle
// of the sleep is the one a run from the start reaches.
func TestCheckpointsAcrossSleep(t *testing.T) {
	const prog = "../../tests/c/bin/_sleep"
	if _, err := os.Stat(prog); err != nil {
		t.Fatalf("%v: make -C tests/c builds it", err)
	}
	opts := run.Options{Seed: 1, CPUs: 2, Init: true, MaxInsns: 1e8}
	s := &Session{Path: prog, Argv: []string{"_sleep", "36000"}, Opts: opts}
	rec, err := s.Record()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != "exit 0" || rec.Output != "sleeping 36000 s\nawake\n" || rec.Checkpoints < 1 {
		t.Fatalf("recorded %s, output %q, %d checkpoints", rec.Status, rec.Output, rec.Checkpoints)
	}
	at := rec.End / 2
	got, err := s.StateAt(at, nil)
	if err != nil {
		t.Fatal(err)
	}
	fresh := &Session{Path: prog, Argv: []string{"_sleep", "36000"}, Opts: opts, NoCheckpoints: true}
	want, err := fresh.StateAt(at, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the state in the middle of the sleep differs from a run's from the start")
	}
}

func TestHandler(t *testing.T) {
	s := &Session{Path: "../../examples/bin/hello", Argv: []string{"hello"}, Opts: run.Options{Seed: 1, CPUs: 1, MaxInsns: 1e8}}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		r, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := r.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return r, b.String()
	}
	if r, body := get("/"); r.StatusCode != 200 || !strings.Contains(body, "weft view") {
		t.Errorf("GET / = %d, page without its title", r.StatusCode)
	}
	r, body := get("/api/run")
	var rec Record
	if r.StatusCode != 200 || json.Unmarshal([]byte(body), &rec) != nil || !strings.Contains(rec.Output, "Hello") || rec.Status != "exit 0" {
		t.Errorf("GET /api/run = %d %q", r.StatusCode, body[:min(len(body), 200)])
	}
	if r, _ := get("/api/state?at=x"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /api/state?at=x = %d, want 400", r.StatusCode)
	}
	if r, body := get("/api/state?at=1000"); r.StatusCode != 200 || !strings.Contains(body, `"processes"`) {
		t.Errorf("GET /api/state?at=1000 = %d %q", r.StatusCode, body[:min(len(body), 200)])
	}
}

// A record keeps a bounded number of events, says how many it dropped and from when,
// and still shows every instant, the ones past its timeline included.
func TestRecordBoundsEvents(t *testing.T) {
	const prog = "../../examples/bin/fork_cow"
	opts := run.Options{Seed: 3, CPUs: 2, Init: true, MaxInsns: 1e9}
	full, err := (&Session{Path: prog, Argv: []string{prog}, Opts: opts}).Record()
	if err != nil {
		t.Fatal(err)
	}
	const keep = 10
	if len(full.Events) <= keep {
		t.Fatalf("the run made only %d events", len(full.Events))
	}
	s := &Session{Path: prog, Argv: []string{prog}, Opts: opts, MaxEvents: keep}
	rec, err := s.Record()
	if err != nil {
		t.Fatal(err)
	}
	// The bound applies after slices merge, so the record holds the first keep events
	// of the full record, and the full record's count past them is what was dropped
	// or merged.
	if len(rec.Events) != keep || !reflect.DeepEqual(rec.Events, full.Events[:keep]) {
		t.Fatalf("kept %d events, want the first %d of the full record's %d", len(rec.Events), keep, len(full.Events))
	}
	if rec.Dropped < uint64(len(full.Events)-keep) || rec.DroppedFrom != full.Events[keep].Time {
		t.Errorf("dropped %d from %d; the full record has %d more, the first at %d", rec.Dropped, rec.DroppedFrom, len(full.Events)-keep, full.Events[keep].Time)
	}
	if rec.End < full.End || rec.Status != full.Status {
		t.Errorf("the bounded record ends at %d with %q, the full one at %d with %q", rec.End, rec.Status, full.End, full.Status)
	}
	st, err := s.StateAt(full.End, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Time != full.End {
		t.Errorf("the state past the timeline is at %d, want %d", st.Time, full.End)
	}
}
