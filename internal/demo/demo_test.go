package demo

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"weft/internal/abi/linux"
	"weft/internal/kernel/cost"
)

var update = flag.Bool("update", false, "rewrite testdata/tour.golden from this run")

// lessonDir is where `make -C examples` puts the lesson programs.
const lessonDir = "../../examples/bin"

// needPrograms fails the test, never skips it, when the lesson programs are missing.
func needPrograms(t *testing.T) {
	t.Helper()
	if err := Check(lessonDir, nil); err != nil {
		t.Fatalf("%v\n(the demo's tests run the lesson programs: from the repository root, run `make -C examples`)", err)
	}
}

// The whole tour runs once, for the golden test and the evidence tests together.
var (
	tourOnce sync.Once
	tourText string
	tourEvs  []evidence
	tourErr  error
)

func runTour(t *testing.T) (string, []evidence) {
	t.Helper()
	needPrograms(t)
	tourOnce.Do(func() {
		var b bytes.Buffer
		tourEvs, tourErr = tour(&b, lessonDir, nil, Options{Seed: 1})
		tourText = b.String()
	})
	if tourErr != nil {
		t.Fatalf("the tour failed: %v\n%s", tourErr, tourText)
	}
	return tourText, tourEvs
}

// mask replaces what may differ between runs and machines: host times, and the
// directory the programs were found in.
func mask(s string) string {
	s = HostRE.ReplaceAllString(s, "[host]")
	return strings.ReplaceAll(s, lessonDir+"/", "examples/bin/")
}

func TestTourGolden(t *testing.T) {
	text, _ := runTour(t)
	got := mask(text)
	golden := filepath.Join("testdata", "tour.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with go test ./internal/demo -run TestTourGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("the tour's text differs from %s (rerun with -update if the change is intended):\n%s",
			golden, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n want %q\n  got %q", i+1, a, b)
		}
	}
	return "(no difference)"
}

// evidenceOf returns the evidence of the lesson called name, of type E.
func evidenceOf[E evidence](t *testing.T, name string) E {
	t.Helper()
	_, evs := runTour(t)
	for i, l := range lessons {
		if l.Name == name {
			ev, ok := evs[i].(E)
			if !ok {
				t.Fatalf("lesson %s: evidence is %T", name, evs[i])
			}
			return ev
		}
	}
	t.Fatalf("no lesson %s", name)
	panic("unreachable")
}

func TestAddressSpacesEvidence(t *testing.T) {
	ev := evidenceOf[*addressSpacesEvidence](t, "address-spaces")
	if ev.parent.mmID == ev.child.mmID {
		t.Errorf("parent and child share address space #%d, want two", ev.parent.mmID)
	}
	if p, c := ev.parent.values["value"], ev.child.values["value"]; p != 1 || c != 2 {
		t.Errorf("value at %#x: parent %d, child %d; want 1 and 2", ev.addr, p, c)
	}
	if ev.sameValuePage {
		t.Errorf("value's page is one physical page in both processes, want two")
	}
	if !ev.sameCodePage {
		t.Errorf("main's code page is two physical pages, want one shared page")
	}
	if ev.child.shared == 0 || ev.child.shared >= ev.child.resident {
		t.Errorf("child: %d of %d resident pages shared, want some but not all", ev.child.shared, ev.child.resident)
	}
	if ev.childMem.COWCopies == 0 || ev.parentMem.COWCopies == 0 {
		t.Errorf("COW copies: parent %d, child %d; want both > 0 (each wrote value)", ev.parentMem.COWCopies, ev.childMem.COWCopies)
	}
}

func TestResourcesEvidence(t *testing.T) {
	ev := evidenceOf[*resourcesEvidence](t, "resources")
	parent, child := ev.procs[0], ev.procs[1]
	fd3 := func(v resourceView) string {
		for _, f := range v.fds {
			if f.fd == 3 {
				return f.path
			}
		}
		return ""
	}
	if got := fd3(parent); got != "/tmp/parent.log" {
		t.Errorf("parent's fd 3 = %q, want /tmp/parent.log", got)
	}
	if got := fd3(child); got != "/tmp/child.log" {
		t.Errorf("child's fd 3 = %q, want /tmp/child.log", got)
	}
	if parent.greeting != "hello" || child.greeting != "bonjour" {
		t.Errorf("GREETING: parent %q, child %q; want hello and bonjour", parent.greeting, child.greeting)
	}
	if c := parent.creds; c.UID != 0 || c.EUID != 0 {
		t.Errorf("parent's uid/euid = %d/%d, want 0/0", c.UID, c.EUID)
	}
	if c := child.creds; c.UID != 1000 || c.EUID != 1000 || c.SUID != 1000 {
		t.Errorf("child's uid/euid/suid = %d/%d/%d, want 1000/1000/1000", c.UID, c.EUID, c.SUID)
	}
	if child.setuids != 1 || child.denied != 1 || parent.setuids != 0 || parent.denied != 0 {
		t.Errorf("setuid/EACCES: parent %d/%d, child %d/%d; want 0/0 and 1/1",
			parent.setuids, parent.denied, child.setuids, child.denied)
	}
}

func TestForkCOWEvidence(t *testing.T) {
	ev := evidenceOf[*forkCOWEvidence](t, "fork-cow")
	a, b := ev.runs[0], ev.runs[1]
	for _, fr := range ev.runs {
		if fr.writeCopies != 1 {
			t.Errorf("%d MiB: the child's one write copied %d pages, want 1", fr.mib, fr.writeCopies)
		}
		if copied := fr.resident - fr.shared; copied > 1 {
			t.Errorf("%d MiB: fork left %d of %d pages unshared, want at most 1 (the child's TID)", fr.mib, copied, fr.resident)
		}
		if fr.childStatus != "exit 7" || !fr.reaped {
			t.Errorf("%d MiB: the exec'd child ended %q, reaped %v; want exit 7, reaped", fr.mib, fr.childStatus, fr.reaped)
		}
	}
	if grow := uint64(b.mib-a.mib) << 20 / 4096; b.resident-a.resident < grow {
		t.Errorf("resident pages at fork: %d and %d, want the larger run %d pages larger", a.resident, b.resident, grow)
	}
	if a.forkTime != b.forkTime || a.forkTime == 0 {
		t.Errorf("fork's virtual time: %d MiB %dns, %d MiB %dns; want the same, not 0", a.mib, a.forkTime, b.mib, b.forkTime)
	}
	if a.forkWork != b.forkWork || a.forkWork[cost.PTNodeCopy] == 0 || a.forkWork[cost.PTNodeCopy] > 4 {
		t.Errorf("fork's counted work: %d MiB %v, %d MiB %v; want the same, with 1 to 4 page-table nodes copied",
			a.mib, a.forkWork, b.mib, b.forkWork)
	}
	if a.resident-a.shared != b.resident-b.shared {
		t.Errorf("pages fork copied: %d and %d, want the same for both sizes", a.resident-a.shared, b.resident-b.shared)
	}
}

func TestSchedulingEvidence(t *testing.T) {
	ev := evidenceOf[*schedulingEvidence](t, "scheduling")
	workers := 0
	for _, th := range ev.threads {
		if th.label == "main" {
			continue
		}
		workers++
		if th.invol == 0 || th.slices < 2 {
			t.Errorf("worker %s: %d preemptions in %d slices, want it preempted", th.label, th.invol, th.slices)
		}
		if len(th.cpus) != 2 {
			t.Errorf("worker %s ran on CPUs %v, want both", th.label, th.cpus)
		}
	}
	if workers != 4 {
		t.Errorf("%d workers, want 4", workers)
	}
	// Once the workers exist, both CPUs run one of them all the time. (Before, the
	// main thread starts up alone: how long that takes is the cost model's business.)
	var start uint64
	for _, s := range ev.slices[0] {
		if s.tid != 1 && (start == 0 || s.start < start) {
			start = s.start
		}
	}
	for _, c := range ev.cpus {
		var busy uint64
		for _, s := range ev.slices[0] {
			if s.cpu == c.id && s.start+s.dur > start {
				busy += s.start + s.dur - max(s.start, start)
			}
		}
		if busy*10 < (ev.end-start)*9 {
			t.Errorf("CPU %d busy %dns of the %dns after the first worker started, want at least 90%%", c.id, busy, ev.end-start)
		}
	}
	if ev.prints[0] != ev.prints[1] {
		t.Errorf("the same seed gave two schedules: %08x, %08x", ev.prints[0], ev.prints[1])
	}
	if ev.prints[0] == ev.prints[2] {
		t.Errorf("seeds %d and %d gave the same schedule %08x", ev.seeds[0], ev.seeds[2], ev.prints[0])
	}
	if ev.runs[0].stdout != ev.runs[2].stdout {
		t.Errorf("the workers' results changed with the seed")
	}
}

func TestThreadsShareEvidence(t *testing.T) {
	ev := evidenceOf[*threadsShareEvidence](t, "threads-share")
	if ev.processes != 1 || len(ev.tids) != 3 || ev.forks != 0 || ev.clones != 2 {
		t.Errorf("%d processes, %d threads, %d forks, %d clones; want 1, 3, 0, 2", ev.processes, len(ev.tids), ev.forks, ev.clones)
	}
	if ev.spaces != 1 {
		t.Errorf("%d address spaces among the threads, want 1", ev.spaces)
	}
	if ev.shared != 42 {
		t.Errorf("shared = %d at exit, want 42", ev.shared)
	}
	if got := fdList(ev.fds); !strings.Contains(got, "3 /tmp/shared.txt") {
		t.Errorf("descriptor table at exit: %s, want 3 /tmp/shared.txt", got)
	}
}

func TestRacesEvidence(t *testing.T) {
	ev := evidenceOf[*racesEvidence](t, "races")
	if len(ev.results) != len(raceVersions) {
		t.Fatalf("%d versions measured, want %d", len(ev.results), len(raceVersions))
	}
	lossy := 0
	for s, res := range ev.results[0] {
		if res.lost > 0 {
			lossy++
		}
		if res.lost < 0 || res.counter > raceExpected {
			t.Errorf("none, seed %d: counter %d, want at most %d", ev.seeds[s], res.counter, raceExpected)
		}
	}
	if lossy == 0 {
		t.Errorf("unsynchronized: no seed lost an update")
	}
	for v, row := range ev.results[1:] {
		for s, res := range row {
			if res.lost != 0 {
				t.Errorf("%s, seed %d: lost %d updates (counter %d), want none", raceVersions[v+1], ev.seeds[s], res.lost, res.counter)
			}
		}
	}
}

func TestCostsEvidence(t *testing.T) {
	ev := evidenceOf[*costsEvidence](t, "costs")
	for _, pair := range costModes {
		p, th := ev.m[pair[0]], ev.m[pair[1]]
		if p.threadS != 0 || th.procSw != 0 {
			t.Errorf("%s: %d thread switches; %s: %d process switches; want 0", pair[0], p.threadS, pair[1], th.procSw)
		}
		for _, c := range []*costRun{p, th} {
			if len(c.hosts) != costTries {
				t.Errorf("%s: %d host times, want %d", c.mode, len(c.hosts), costTries)
			}
			// The virtual figure is the counted work at the model's prices (up to the
			// marker calls' own work, a few microseconds in all).
			if got, want := float64(c.virtual), float64(c.model.Cost(c.work))/1000; got < want*0.99 || got > want*1.01 {
				t.Errorf("%s: %s virtual between the markers, Σ work × price %.0fns; want within 1%%", c.mode, vt(c.virtual), want)
			}
		}
	}
	near := func(got, want int) bool { return got >= want-2 && got <= want+2 }
	if pipe, futex := ev.m["pipe"], ev.m["futex"]; !near(pipe.procSw, 2*pipe.n) || !near(futex.threadS, 2*futex.n) {
		t.Errorf("round trips: pipe %d process switches, futex %d thread switches; want about 2 per round trip (%d, %d)",
			pipe.procSw, futex.threadS, 2*pipe.n, 2*futex.n)
	}
	// A fork copies a page-table root, the VMAs, the fd table and the signal table; a
	// thread's clone copies none of them.
	f, th := ev.m["fork"], ev.m["thread"]
	if f.nClones != f.n || th.nClones != th.n {
		t.Errorf("clone calls in the loops: fork %d, thread %d; want %d and %d", f.nClones, th.nClones, f.n, th.n)
	}
	for _, u := range []cost.Unit{cost.PTNodeCopy, cost.VMACopy, cost.FDCopy, cost.SigActionCopy, cost.ProcInit} {
		if f.perClone(u) < 1 || th.perClone(u) != 0 {
			t.Errorf("%s per clone call: fork %.1f, thread %.1f; want >= 1 and 0", u, f.perClone(u), th.perClone(u))
		}
	}
	if f.perClone(cost.TaskInit) != 1 || th.perClone(cost.TaskInit) != 1 {
		t.Errorf("task_init per clone call: fork %.1f, thread %.1f; want 1 and 1", f.perClone(cost.TaskInit), th.perClone(cost.TaskInit))
	}
}

func TestIPCEvidence(t *testing.T) {
	ev := evidenceOf[*ipcEvidence](t, "ipc")
	// Counted per round trip: the calls each side makes, the bytes the kernel copies
	// (a 32-byte message and a 32-byte answer, each copied in and out of the kernel;
	// a futex word of 4 bytes read per FUTEX_WAIT), and the switches on one CPU.
	tests := []struct {
		mode          string
		calls         map[string]int
		bytes         uint64
		procSw, thrSw int
	}{
		{"pipe", map[string]int{"write": 2, "read": 2}, 128, 2, 0},
		{"socket", map[string]int{"sendto": 2, "recvfrom": 2}, 128, 2, 0},
		{"shm", map[string]int{"futex": 4}, 8, 2, 0},
		{"threads", map[string]int{"futex": 6}, 8, 0, 2},
	}
	for _, tc := range tests {
		c := ev.m[tc.mode]
		for name, n := range tc.calls {
			if got := c.calls[name]; got != n*ipcRounds {
				t.Errorf("%s: %d %s calls in %d round trips, want %d", tc.mode, got, name, ipcRounds, n*ipcRounds)
			}
		}
		if got := c.work[cost.ByteCopied]; got != tc.bytes*ipcRounds {
			t.Errorf("%s: the kernel copied %d bytes, want %d", tc.mode, got, tc.bytes*ipcRounds)
		}
		if c.procSw != tc.procSw*ipcRounds || c.threadSw != tc.thrSw*ipcRounds {
			t.Errorf("%s: %d process and %d thread switches, want %d and %d", tc.mode, c.procSw, c.threadSw,
				tc.procSw*ipcRounds, tc.thrSw*ipcRounds)
		}
	}
}

func TestFaultsEvidence(t *testing.T) {
	ev := evidenceOf[*faultsEvidence](t, "faults")
	c := ev.crasher
	if c.signal != linux.SIGSEGV {
		t.Errorf("crasher ended %s, want SIGSEGV", c.status)
	}
	if len(c.threads) != 4 {
		t.Errorf("crasher had %d threads, want 4", len(c.threads))
	}
	for _, th := range c.threads {
		if !th.dead || !th.withFault {
			t.Errorf("crasher's thread %d: dead %v, ended with the fault %v; want both", th.tid, th.dead, th.withFault)
		}
	}
	if s := ev.sibling; s.signal != 0 || s.code != 0 || s.exit <= ev.crashTime {
		t.Errorf("sibling ended %s at %dns, want exit 0 after the fault (%dns)", s.status, s.exit, ev.crashTime)
	}
	if p := ev.parent; p.status != "exit 0" {
		t.Errorf("parent ended %s, want exit 0", p.status)
	}
}

func TestLessonOrder(t *testing.T) {
	want := []string{"address-spaces", "resources", "fork-cow", "scheduling", "threads-share", "races", "costs", "faults", "ipc"}
	ls := Lessons()
	if len(ls) != len(want) {
		t.Fatalf("%d lessons, want %d", len(ls), len(want))
	}
	for i, l := range ls {
		if l.Name != want[i] || l.Title == "" || len(l.Programs) == 0 {
			t.Errorf("lesson %d = %q (title %q, programs %v), want %q with a title and programs", i+1, l.Name, l.Title, l.Programs, want[i])
		}
	}
}

func TestList(t *testing.T) {
	var b bytes.Buffer
	if err := List(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != len(lessons) {
		t.Fatalf("List printed %d lines, want %d:\n%s", len(lines), len(lessons), b.String())
	}
	for i, l := range lessons {
		if !strings.Contains(lines[i], l.Name) || !strings.Contains(lines[i], l.Title) {
			t.Errorf("List line %d = %q, want %s and its title", i+1, lines[i], l.Name)
		}
	}
}

func TestMissingProgram(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	err := Run(&b, dir, []string{"races"}, Options{Seed: 1})
	if !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("Run with no programs: %v, want the missing-program error", err)
	}
	for _, want := range []string{filepath.Join(dir, "races"), "make -C examples"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if b.Len() != 0 {
		t.Errorf("Run printed %q before failing, want nothing", b.String())
	}
}

func TestUnknownLesson(t *testing.T) {
	err := Run(&bytes.Buffer{}, lessonDir, []string{"nosuch"}, Options{})
	if err == nil || !strings.Contains(err.Error(), `"nosuch"`) || !strings.Contains(err.Error(), "address-spaces") {
		t.Errorf("Run(nosuch) = %v, want an error naming it and the valid lessons", err)
	}
}

// TestSameSeedSameText runs a lesson twice, and one with another seed: the text must
// repeat exactly with the seed (lesson 7 has host times, so a lesson without them).
func TestSameSeedSameText(t *testing.T) {
	needPrograms(t)
	text := func(seed uint64) string {
		var b bytes.Buffer
		if err := Run(&b, lessonDir, []string{"scheduling"}, Options{Seed: seed, Verbose: true}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b, c := text(5), text(5), text(6)
	if a != b {
		t.Errorf("two runs with seed 5 differ:\n%s", firstDiff(a, b))
	}
	if a == c {
		t.Errorf("seeds 5 and 6 gave the same text")
	}
}

func TestWrap(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(&b, Options{Width: 30})
	p.para("%s", strings.Repeat("word ", 20)+"µµµµµ")
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		if n := len([]rune(l)); n > 30 {
			t.Errorf("line %q is %d runes wide, want at most 30", l, n)
		}
	}
}

func TestHostTime(t *testing.T) {
	for _, d := range []time.Duration{500, 1500, 2 * time.Millisecond, 3 * time.Second} {
		s := HostTime(d)
		if HostRE.FindString(s) != s {
			t.Errorf("HostTime(%v) = %q, which HostRE does not match whole", d, s)
		}
	}
	if s := hostRatio(3, 2); HostRE.FindString(s) != s {
		t.Errorf("hostRatio = %q, which HostRE does not match whole", s)
	}
}
