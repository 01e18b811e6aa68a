// Package demo is `weft demo`: a guided tour of what an operating system does for
// processes and threads, told by running small C programs under weft and showing
// what weft's kernel measured while they ran.
//
// Each lesson makes one claim (a process has its own address space, fork copies on
// write, threads share memory, races lose updates ...), runs its program or
// programs from examples/lessons (built into examples/bin by `make -C examples`),
// and prints three things: the program's own key output, the evidence that the
// kernel collected — its per-process accounting, its trace events, and snapshots of
// each process taken at the moment it exited — and a short explanation.
//
// The text is deterministic: the same seed gives the same text, except for
// host-time measurements, which are always printed as "[host ...]" so that tests
// can mask them (see HostTime).
package demo

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"weft/internal/kernel/cost"
)

// Lesson is one stop of the tour.
type Lesson struct {
	Name  string // short name, as given on the command line: "fork-cow"
	Title string // one line: "fork copies memory lazily; exec replaces; wait reaps"
	// Programs are the lesson's executables, by file name in the lesson directory.
	Programs []string
	// Step is the --step the lesson runs its first program with (0: weft's default),
	// so that weft demo --view shows the run the lesson's text describes.
	Step uint64

	measure func(e *env) (evidence, error)
}

// evidence is what a lesson measured; it prints itself.
type evidence interface {
	write(p *printer)
}

// Options change how the tour runs and prints.
type Options struct {
	// Seed seeds every run (scheduling and random bytes), as weft run's --seed
	// does (whose default is 1). Lessons that compare seeds use Seed, Seed+1, ...
	Seed uint64
	// Width wraps the explanations (default 80).
	Width int
	// Verbose also shows every run's full output, not just the key lines.
	Verbose bool
	// CostModel prices the kernel's work in every run (nil: cost.Default); NoASID
	// makes every address-space switch flush the CPU's TLB.
	CostModel *cost.Model
	NoASID    bool
}

// env is what a lesson's measure function works with.
type env struct {
	dir  string
	opts Options
}

var lessons = []Lesson{
	addressSpaces,
	resources,
	forkCOW,
	scheduling,
	threadsShare,
	races,
	costs,
	faults,
	ipc,
}

// Lessons returns the tour's lessons, in order.
func Lessons() []Lesson {
	return append([]Lesson(nil), lessons...)
}

// List prints each lesson's name and title, one a line: what `weft demo --list`
// shows.
func List(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, l := range lessons {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", i+1, l.Name, l.Title)
	}
	return tw.Flush()
}

// lookup returns the lessons named, in the order given, or all of them.
func lookup(names []string) ([]Lesson, error) {
	if len(names) == 0 {
		return Lessons(), nil
	}
	var out []Lesson
	for _, n := range names {
		found := false
		for _, l := range lessons {
			if l.Name == n {
				out = append(out, l)
				found = true
			}
		}
		if !found {
			var valid []string
			for _, l := range lessons {
				valid = append(valid, l.Name)
			}
			return nil, fmt.Errorf("no lesson %q (valid: %s)", n, strings.Join(valid, ", "))
		}
	}
	return out, nil
}

// Check reports an error naming the first program of the selected lessons that is
// missing from dir, and how to build it.
func Check(dir string, names []string) error {
	ls, err := lookup(names)
	if err != nil {
		return err
	}
	return check(dir, ls)
}

func check(dir string, ls []Lesson) error {
	for _, l := range ls {
		for _, p := range l.Programs {
			path := filepath.Join(dir, p)
			if _, err := os.Stat(path); err != nil {
				return missingError(path)
			}
		}
	}
	return nil
}

// Run runs the lessons named (all of them, in tour order, if names is empty) with the
// programs in dir, and writes the tour to w. It checks that every program is there
// before it runs anything.
func Run(w io.Writer, dir string, names []string, opts Options) error {
	_, err := tour(w, dir, names, opts)
	return err
}

// tour is Run, returning what each lesson measured.
func tour(w io.Writer, dir string, names []string, opts Options) ([]evidence, error) {
	ls, err := lookup(names)
	if err != nil {
		return nil, err
	}
	if err := check(dir, ls); err != nil {
		return nil, err
	}
	p := newPrinter(w, opts)
	e := &env{dir: dir, opts: opts}
	start := time.Now()
	whole := len(names) == 0
	if whole {
		p.para("weft demo: a tour of processes and threads in %d lessons. Each lesson runs a small C "+
			"program (examples/lessons) under weft, shows what it printed, then what weft's kernel measured "+
			"while it ran, and why. Every run is deterministic: the same seed (now %d) gives the same text, "+
			"except the times marked [host ...], which are measured on this machine.", len(lessons), opts.Seed)
		p.blank()
	}
	var evs []evidence
	for _, l := range ls {
		ev, err := l.measure(e)
		if err != nil {
			return evs, fmt.Errorf("lesson %s: %w", l.Name, err)
		}
		evs = append(evs, ev)
		p.heading(l)
		ev.write(p)
		p.blank()
		if p.err != nil {
			return evs, p.err
		}
	}
	if whole {
		p.line("The tour ran %d lessons %s.", len(ls), HostTime(time.Since(start)))
	}
	return evs, p.err
}

// HostTime formats a host duration the one way the tour prints host times, so that
// they are easy to tell from virtual times, and to mask: "[host 1.23ms]".
func HostTime(d time.Duration) string {
	return "[host " + roundDuration(d) + "]"
}

// HostRE matches what HostTime (and hostRatio) print.
var HostRE = regexp.MustCompile(`\[host [^\]]*\]`)

func roundDuration(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", float64(d)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// hostRatio prints a ratio of two host durations, marked as host time.
func hostRatio(a, b time.Duration) string {
	if b <= 0 {
		return "[host -]"
	}
	return fmt.Sprintf("[host %.1fx]", float64(a)/float64(b))
}

// model is the cost model the lessons' runs use.
func (e *env) model() *cost.Model {
	if e.opts.CostModel != nil {
		return e.opts.CostModel
	}
	return &cost.Default
}
