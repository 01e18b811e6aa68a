package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"weft/internal/check"
	"weft/internal/demo"
	"weft/internal/explore"
	"weft/internal/race"
	"weft/internal/run"
	"weft/internal/view"
)

const viewUsage = `usage: weft view [--listen ADDR] [--seed N] [--cpus N] [--root DIR] PROGRAM [ARGS...]
       weft view [--listen ADDR] SCHEDULE


Runs PROGRAM once and serves a page on the host's loopback that shows the run: the
CPUs' timeline, and at the instant under the cursor the processes and threads, their
address spaces (which physical frames two processes share after fork, which were
copied on write), their descriptor tables (which descriptors share an open file
description) and signals. The state at an instant is rebuilt deterministically: from
the last of the checkpoints taken while the program first ran (copies of the whole
machine, thinned to stay within --checkpoint-memory), running on to that virtual time. weft view prints the page's URL and
opens nothing by itself; Ctrl-C ends it.

Given a schedule file that weft explore wrote, it shows that failing run: the program
the schedule names, under the schedule's decisions, as weft replay runs it.

flags:
`

func cmdView(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("view", flag.ContinueOnError)
	set.SetOutput(stderr)
	set.Usage = func() { fmt.Fprint(stderr, viewUsage); set.PrintDefaults() }
	listen := set.String("listen", "127.0.0.1:0", "serve the page on `ADDR` (host:port; port 0 picks a free one)")
	seed := set.Uint64("seed", 1, "the run's seed")
	cpus := set.Int("cpus", 2, "simulated CPUs")
	root := set.String("root", "", "a guest root `DIR`, as weft run --root")
	maxInsns := set.Uint64("max-insns", 1_000_000_000, "stop the run after `N` instructions")
	maxMem := set.String("max-memory", "4G", "cap on the guest's memory (`SIZE`, as weft run --max-memory)")
	cpMem := set.String("checkpoint-memory", "512M", "bound on the memory of the run's checkpoints (`SIZE`; 0: none, every instant is a run from the start)")
	if err := set.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if set.NArg() == 0 {
		fmt.Fprintln(stderr, "weft: view: no program given (weft view --help)")
		return exitUsage
	}
	if *cpus < 1 || *cpus > 64 {
		fmt.Fprintf(stderr, "weft: view: --cpus %d: must be between 1 and 64\n", *cpus)
		return exitUsage
	}
	mem, err := parseSize(*maxMem)
	if err != nil {
		fmt.Fprintf(stderr, "weft: view: --max-memory %q: %v\n", *maxMem, err)
		return exitUsage
	}
	var cpBytes uint64
	if *cpMem != "0" {
		if cpBytes, err = parseSize(*cpMem); err != nil {
			fmt.Fprintf(stderr, "weft: view: --checkpoint-memory %q: %v\n", *cpMem, err)
			return exitUsage
		}
	}
	var s *view.Session
	if set.NArg() == 1 && isSchedule(set.Arg(0)) {
		var status int
		if s, status = scheduleSession(set.Arg(0), stderr); s == nil {
			return status
		}
	} else {
		s = &view.Session{Path: set.Arg(0), Argv: set.Args(), Opts: run.Options{
			Seed: *seed, CPUs: *cpus, MaxInsns: *maxInsns, Init: true, Root: *root, UID: 1000, GID: 1000,
		}}
	}
	s.Opts.MaxMemory = mem
	// Copies of the guest are host memory it caused: within its own cap too.
	s.CheckpointBytes, s.NoCheckpoints = min(cpBytes, mem), cpBytes == 0
	return serveView(s, *listen, stdout, stderr)
}

// isSchedule says whether path is a schedule file rather than a program: it starts
// with the schedule's magic line.
func isSchedule(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len("weft-schedule "))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == "weft-schedule "
}

// scheduleSession is the session of a schedule's replay: its program, arguments,
// environment, CPUs and seeds, and a fresh replay policy for every re-execution (a
// policy counts the decisions it applied). It returns nil and the exit status when the
// schedule cannot be replayed.
func scheduleSession(path string, stderr io.Writer) (*view.Session, int) {
	sch, err := explore.ReadSchedule(path)
	if err != nil {
		fmt.Fprintf(stderr, "weft: view: %s: %v\n", path, err)
		return nil, exitUsage
	}
	exe, err := os.ReadFile(sch.Program)
	if err != nil {
		fmt.Fprintf(stderr, "weft: view: %v\n", err)
		return nil, exitNotFound
	}
	if err := sch.Check(exe); err != nil {
		fmt.Fprintf(stderr, "weft: view: %s: %v\n", sch.Program, err)
		return nil, exitCannotRun
	}
	if sch.Checker {
		if _, err := check.New(exe); err != nil {
			fmt.Fprintf(stderr, "weft: view: %s: --check: %v\n", sch.Program, err)
			return nil, exitCannotRun
		}
	}
	s := &view.Session{Path: sch.Program, Argv: sch.Argv,
		Title: "weft replay " + filepath.Base(path), Text: "A failing schedule that weft explore found: " + sch.Failure + ".",
		Opts: run.Options{Env: sch.Env, Seed: sch.KernelSeed, CPUs: sch.CPUs, MaxInsns: sch.MaxInsns, Init: true,
			AccessPoints: sch.AccessPoints(exe), Data: exe},
		Fresh: func(o *run.Options) {
			o.Policy = sch.Policy()
			if sch.Race {
				o.Race = race.New()
			}
			if sch.Checker {
				// The checker changes the run (its quarantine delays frees): the
				// schedule holds only with it.
				o.Check, _ = check.New(exe)
			}
		}}
	return s, 0
}

// serveView records the session's run and serves its page until weft is stopped.
func serveView(s *view.Session, listen string, stdout, stderr io.Writer) int {
	rec, err := s.Record()
	if err != nil {
		fmt.Fprintf(stderr, "weft: %s: %v\n", s.Path, err)
		return exitCannotRun
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(stderr, "weft: view: --listen %s: %v\n", listen, err)
		return exitUsage
	}
	cps := fmt.Sprintf("%d checkpoints in %.1f MiB", rec.Checkpoints, float64(rec.CheckpointBytes)/(1<<20))
	if rec.CheckpointError != "" {
		cps = "no checkpoints: " + rec.CheckpointError
	}
	fmt.Fprintf(stdout, "weft view: %s ran to %s (%d events, %s); open http://%s/\n", strings.Join(s.Argv, " "), rec.Status, len(rec.Events), cps, ln.Addr())
	if rec.Dropped > 0 {
		fmt.Fprintf(stderr, "weft: view: the run made %d events past the %d kept; the timeline ends at %d ns (every instant can still be shown)\n", rec.Dropped, len(rec.Events), rec.DroppedFrom)
	}
	if err := http.Serve(ln, s.Handler()); err != nil {
		fmt.Fprintf(stderr, "weft: view: %v\n", err)
		return exitInternal
	}
	return 0
}

// viewDemo opens one lesson in weft view: its first program's run, with the text the
// tour prints for the lesson (measured now) beside the picture.
func viewDemo(dir string, names []string, listen string, opts demo.Options, stdout, stderr io.Writer) int {
	if len(names) != 1 {
		fmt.Fprintln(stderr, "weft: demo --view: name one lesson ('weft demo --list' lists them)")
		return exitUsage
	}
	var lesson *demo.Lesson
	for _, l := range demo.Lessons() {
		if l.Name == names[0] {
			lesson = &l
		}
	}
	if lesson == nil {
		fmt.Fprintf(stderr, "weft: demo --view: no lesson %q ('weft demo --list' lists them)\n", names[0])
		return exitUsage
	}
	var text strings.Builder
	if err := demo.Run(&text, dir, names, opts); err != nil {
		fmt.Fprintf(stderr, "weft: demo: %v\n", err)
		return exitUsage
	}
	prog := filepath.Join(dir, lesson.Programs[0])
	s := &view.Session{Path: prog, Argv: []string{lesson.Programs[0]}, Title: lesson.Title, Text: text.String(),
		Opts: run.Options{Seed: max(opts.Seed, 1), CPUs: 2, Step: lesson.Step, MaxInsns: 1_000_000_000, Init: true, UID: 1000, GID: 1000}}
	return serveView(s, listen, stdout, stderr)
}
