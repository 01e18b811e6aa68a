package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// weft view in a real headless Chromium (Debian's chromium, driven through the DevTools
// protocol): the fork-cow lesson's program between its fork and the child's exec. The
// page, after its scripts ran and fetched the state at that instant, must show the two
// address spaces' 4 MiB buffers with every page on the same frame, shared, but the one
// the child wrote. Then a click on the timeline, in the middle of one of the child's
// time slices, must show the child running on that CPU, and the step buttons must move
// to the next scheduling decision and one instruction back; at each instant the
// threads on the page are those of the machine.
func TestViewInChromium(t *testing.T) {
	prog := filepath.Join(repoRoot, "examples", "bin", "fork_cow")
	if _, err := os.Stat(prog); err != nil {
		t.Fatalf("%v (make -C examples builds the lesson programs)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	url := startView(t, ctx, prog)
	var rec struct {
		Events []struct {
			Kind, Time, Dur uint64
			PID, TID, CPU   int
		}
	}
	getJSON(t, url+"api/run", &rec)
	var fork, execAt uint64
	for _, e := range rec.Events {
		if e.Kind == 3 && fork == 0 { // trace.Fork
			fork = e.Time
		}
		if e.Kind == 5 && execAt == 0 { // trace.Exec
			execAt = e.Time
		}
	}
	if fork == 0 || execAt <= fork {
		t.Fatalf("no fork then exec in the run's trace")
	}
	at := (fork + execAt) / 2
	b := startBrowser(t, ctx, 1400, 1000)
	b.navigate(fmt.Sprintf("%s#t=%d", url, at))
	b.waitFor(fmt.Sprintf("document.body.dataset.shown === %q", fmt.Sprint(at)))

	// The mapping with the most resident pages in each process is the buffer; its
	// pages, in order, as [frame, shared, copied on write].
	var buffers map[string][][3]any
	b.eval(`(() => {
		const out = {};
		for (const row of document.querySelectorAll("tr[data-pid]")) {
			const pages = [...row.querySelectorAll("span.pg")].map((p) => [p.dataset.frame, p.classList.contains("sh"), p.classList.contains("cw")]);
			if (pages.length > (out[row.dataset.pid] || []).length) out[row.dataset.pid] = pages;
		}
		return out;
	})()`, &buffers)
	parent, child := buffers["2"], buffers["3"]
	if len(parent) < 1024 || len(parent) != len(child) {
		t.Fatalf("buffers on the page: parent %d pages, child %d, want the same 1024 or more", len(parent), len(child))
	}
	differ := 0
	for i := range parent {
		if parent[i][0] != child[i][0] {
			differ++
			if child[i][2] != true || parent[i][2] != false {
				t.Errorf("page %d: the child's copy is not shown copied on write, or the parent's original is", i)
			}
		} else if parent[i][1] != true || child[i][1] != true || parent[i][2] != false || child[i][2] != false {
			t.Errorf("page %d: the same frame in both, not shown shared (or shown copied)", i)
		}
	}
	if differ != 1 {
		t.Errorf("%d of %d pages on different frames after the child's one write, want 1", differ, len(parent))
	}
	if dir := os.Getenv("WEFT_SCREENSHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "view-fork-cow.png"), b.screenshot(), 0o644)
	}

	// Click the middle of the child's longest time slice on the timeline: the page
	// must show the instant clicked, with the child running on that slice's CPU.
	var slice struct {
		Time, Dur uint64
		CPU, TID  int
	}
	for _, e := range rec.Events {
		if e.Kind == 0 && e.PID == 3 && e.Dur > slice.Dur { // trace.Slice
			slice.Time, slice.Dur, slice.CPU, slice.TID = e.Time, e.Dur, e.CPU, e.TID
		}
	}
	if slice.Dur == 0 {
		t.Fatal("the child never ran in the trace")
	}
	var pos struct{ X, Y float64 }
	b.eval(fmt.Sprintf(`(() => {
		const svg = document.getElementById("lanes"), r = svg.getBoundingClientRect();
		const scale = r.width / svg.viewBox.baseVal.width;
		return {x: r.left + xOf(%d) * scale, y: r.top + (%d * 22 + 11) * scale};
	})()`, slice.Time+slice.Dur/2, slice.CPU), &pos)
	b.click(pos.X, pos.Y)
	b.waitFor(fmt.Sprintf("document.body.dataset.shown !== %q", fmt.Sprint(at)))
	shown := pageInstant(b)
	if shown < slice.Time || shown >= slice.Time+slice.Dur {
		t.Fatalf("clicked the child's slice [%d, %d) on CPU %d, the page shows the instant %d", slice.Time, slice.Time+slice.Dur, slice.CPU, shown)
	}
	threads := pageThreads(b)
	t.Logf("clicked slice [%d,+%d) cpu %d tid %d: shown %d, threads %v", slice.Time, slice.Dur, slice.CPU, slice.TID, shown, threads)
	if th := threads[slice.TID]; !strings.HasPrefix(th.State, "running") || th.CPU != slice.CPU {
		t.Errorf("at %d (in the child's slice on CPU %d) the page shows thread %d as %q on CPU %d", shown, slice.CPU, slice.TID, th.State, th.CPU)
	}
	checkThreadsMatch(t, url, shown, threads)

	// The step buttons: to the next scheduling decision, then one instruction back.
	var next uint64
	for _, e := range rec.Events {
		if e.Kind == 0 && e.Time > shown && (next == 0 || e.Time < next) {
			next = e.Time
		}
	}
	b.eval(`document.getElementById("nextsched").click()`, nil)
	b.waitFor(fmt.Sprintf("document.body.dataset.shown === %q", fmt.Sprint(next)))
	checkThreadsMatch(t, url, next, pageThreads(b))
	b.eval(`document.getElementById("previns").click()`, nil)
	b.waitFor(fmt.Sprintf("document.body.dataset.shown === %q", fmt.Sprint(next-1)))
	checkThreadsMatch(t, url, next-1, pageThreads(b))

	// The threads' timeline: a lane per thread that ran, and a click on the middle of
	// the parent's longest bar shows the parent running on that bar's CPU.
	tids := map[int]bool{}
	var bar struct {
		Time, Dur uint64
		CPU, TID  int
	}
	for _, e := range rec.Events {
		if e.Kind == 0 {
			tids[e.TID] = true
			if e.PID == 2 && e.Dur > bar.Dur {
				bar.Time, bar.Dur, bar.CPU, bar.TID = e.Time, e.Dur, e.CPU, e.TID
			}
		}
	}
	var lanes int
	b.eval(`new Set([...document.querySelectorAll("#tlanes rect.ran")].map((r) => r.dataset.tid)).size`, &lanes)
	if lanes != len(tids) {
		t.Errorf("the threads' timeline has lanes for %d threads that ran, the trace %d", lanes, len(tids))
	}
	before := pageInstant(b)
	b.eval(fmt.Sprintf(`(() => {
		const svg = document.getElementById("tlanes"), r = svg.getBoundingClientRect();
		const scale = r.width / svg.viewBox.baseVal.width;
		const bar = [...svg.querySelectorAll('rect.ran[data-tid="%d"]')].find((e) => +e.getAttribute("x") <= xOf(%d) && xOf(%d) <= +e.getAttribute("x") + +e.getAttribute("width"));
		bar.scrollIntoView({block: "center"});
		const br = bar.getBoundingClientRect(), rr = svg.getBoundingClientRect();
		return {x: rr.left + xOf(%d) * scale, y: br.top + br.height / 2};
	})()`, bar.TID, bar.Time+bar.Dur/2, bar.Time+bar.Dur/2, bar.Time+bar.Dur/2), &pos)
	b.click(pos.X, pos.Y)
	b.waitFor(fmt.Sprintf("document.body.dataset.shown !== %q", fmt.Sprint(before)))
	shown = pageInstant(b)
	if shown < bar.Time || shown >= bar.Time+bar.Dur {
		t.Fatalf("clicked the parent's bar [%d, %d) on the threads' timeline, the page shows the instant %d", bar.Time, bar.Time+bar.Dur, shown)
	}
	threads = pageThreads(b)
	if th := threads[bar.TID]; !strings.HasPrefix(th.State, "running") || th.CPU != bar.CPU {
		t.Errorf("at %d (in the parent's slice on CPU %d) the page shows thread %d as %q on CPU %d", shown, bar.CPU, bar.TID, th.State, th.CPU)
	}
	checkThreadsMatch(t, url, shown, threads)
}

type pageThread struct {
	State string
	CPU   int
}

// pageInstant is the virtual time whose state the page shows.
func pageInstant(b *browser) uint64 {
	var s string
	b.eval(`document.body.dataset.shown`, &s)
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		b.t.Fatalf("the page shows the instant %q", s)
	}
	return n
}

// pageThreads reads every thread's state as the page shows it.
func pageThreads(b *browser) map[int]pageThread {
	var list []struct {
		TID   int
		CPU   int
		State string
	}
	b.eval(`[...document.querySelectorAll("div[data-tid]")].map((d) => ({tid: +d.dataset.tid, cpu: +d.dataset.cpu, state: d.dataset.state}))`, &list)
	out := map[int]pageThread{}
	for _, th := range list {
		out[th.TID] = pageThread{th.State, th.CPU}
	}
	return out
}

// checkThreadsMatch compares the threads the page shows with the server's state at
// the same instant.
func checkThreadsMatch(t *testing.T, url string, at uint64, page map[int]pageThread) {
	t.Helper()
	var st struct {
		Processes []struct {
			Threads []struct {
				TID   int
				CPU   int
				State string
			}
		}
	}
	getJSON(t, fmt.Sprintf("%sapi/state?at=%d", url, at), &st)
	n := 0
	for _, p := range st.Processes {
		for _, th := range p.Threads {
			n++
			if got := page[th.TID]; got.State != th.State || got.CPU != th.CPU {
				t.Errorf("at %d thread %d: the page shows %q on CPU %d, the machine has %q on CPU %d", at, th.TID, got.State, got.CPU, th.State, th.CPU)
			}
		}
	}
	if n != len(page) {
		t.Errorf("at %d the page shows %d threads, the machine has %d", at, len(page), n)
	}
}

// weft view SCHEDULE shows the failing run a schedule file describes: the same failure
// and output as weft replay gives.
func TestViewSchedule(t *testing.T) {
	dir := filepath.Join(repoRoot, "tests", "explore")
	if out, err := exec.Command("make", "-s", "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("building tests/explore: %v\n%s", err, out)
	}
	out := t.TempDir()
	r := run([]string{weftBin, "explore", "--runs", "500", "--out", out, filepath.Join(dir, "bin", "atomicity_bug")}, os.Environ(), "", out)
	if r.exitCode != 1 {
		t.Fatalf("weft explore found no failure: %s\n%s", r.status, r.stderr)
	}
	schedules, _ := filepath.Glob(filepath.Join(out, "*.schedule"))
	if len(schedules) != 1 {
		t.Fatalf("schedules written: %v", schedules)
	}
	plain := run([]string{weftBin, "replay", schedules[0]}, os.Environ(), "", out)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	url := startView(t, ctx, schedules[0])
	var rec struct{ Status, Output string }
	getJSON(t, url+"api/run", &rec)
	if rec.Status != "killed by SIGABRT" || plain.exitCode != 128+6 {
		t.Errorf("weft view: %q; weft replay: %s", rec.Status, plain.status)
	}
	if !strings.Contains(rec.Output, "Assertion") || !strings.Contains(string(plain.stderr), strings.TrimSpace(rec.Output)) {
		t.Errorf("weft view's run printed %q; weft replay's %q", rec.Output, plain.stderr)
	}
}

// startView starts weft view with args and returns the URL of its page; weft ends with
// ctx or with the test.
func startView(t testing.TB, ctx context.Context, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, weftBin, append([]string{"view", "--listen", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("weft view printed no URL: %v", err)
	}
	url := regexp.MustCompile(`http://\S+/`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	return url
}

// getJSON decodes what url serves into v.
func getJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// weft demo --view opens a lesson in weft view: the lesson's text beside the run of
// its program, and that run is the one the text describes (the races lesson runs its
// program with --step 7: the counter the page's run printed is the text's).
func TestDemoView(t *testing.T) {
	// No wall-clock bound: the lesson's runs are bounded by instructions, and go
	// test's -timeout catches a weft that hangs.
	cmd := exec.Command(weftBin, "demo", "--dir", filepath.Join(repoRoot, "examples", "bin"),
		"--view", "--listen", "127.0.0.1:0", "races")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := bufio.NewReader(out)
	url := ""
	for url == "" {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("weft demo --view printed no URL: %v", err)
		}
		url = regexp.MustCompile(`http://\S+/`).FindString(line)
	}
	var rec struct{ Title, Text, Output, Status string }
	getJSON(t, url+"api/run", &rec)
	counter := regexp.MustCompile(`none: counter = \d+`)
	inText, inRun := counter.FindString(rec.Text), counter.FindString(rec.Output)
	if !strings.Contains(rec.Title, "lose updates") || rec.Status != "exit 0" {
		t.Errorf("the page's lesson is %q, its run ended %q", rec.Title, rec.Status)
	}
	if inText == "" || inText != inRun {
		t.Errorf("the lesson's text says %q, the run shown printed %q", inText, inRun)
	}
}
