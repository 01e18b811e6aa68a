package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"

	"weft/internal/demo"
	"weft/internal/run"
	"weft/internal/view"
)

const viewUsage = `usage: weft view [--listen ADDR] [--seed N] [--cpus N] [--root DIR] PROGRAM [ARGS...]

Runs PROGRAM once and serves a page on the host's loopback that shows the run: the
CPUs' timeline, and at the instant under the cursor the processes and threads, their
address spaces (which physical frames two processes share after fork, which were
copied on write), their descriptor tables (which descriptors share an open file
description) and signals. The state at an instant is rebuilt by re-running the
program, deterministically, to that virtual time. weft view prints the page's URL and
opens nothing by itself; Ctrl-C ends it.

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
	maxInsns := set.Uint64("max-insns", 1_000_000_000, "stop the run after `N` instructions (each re-execution is a whole run up to the instant shown)")
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
	s := &view.Session{Path: set.Arg(0), Argv: set.Args(), Opts: run.Options{
		Seed: *seed, CPUs: *cpus, MaxInsns: *maxInsns, Init: true, Root: *root, UID: 1000, GID: 1000,
	}}
	return serveView(s, *listen, stdout, stderr)
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
	fmt.Fprintf(stdout, "weft view: %s ran to %s (%d events); open http://%s/\n", strings.Join(s.Argv, " "), rec.Status, len(rec.Events), ln.Addr())
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
		Opts: run.Options{Seed: max(opts.Seed, 1), CPUs: 2, MaxInsns: 1_000_000_000, Init: true, UID: 1000, GID: 1000}}
	return serveView(s, listen, stdout, stderr)
}
