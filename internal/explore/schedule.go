package explore

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"weft/internal/guestprof"
	"weft/internal/kernel/sched"
)

// scheduleVersion is the format of schedule files; Read refuses others but version 1,
// whose "mix" strategy was PCT and POS by turns (now "pctpos") and which had no
// interest line.
const scheduleVersion = 2

// Schedule is a failing run written down: the program (and its hash), how it was run,
// and the scheduling decisions that differ from the default, which Replay repeats. The
// file is text, one item per line, so that it reads and diffs well.
type Schedule struct {
	Program    string
	SHA256     string
	Argv, Env  []string
	CPUs       int
	KernelSeed uint64
	MaxInsns   uint64
	Grain      uint64
	// The strategy and seed that found the failure; with ByStrategy the replay
	// regenerates their choices (K and Profile are what they were given) instead of
	// following Decisions.
	Strategy   string
	Schedule   int // the schedule's number in its campaign (mix alternates by it)
	Depth      int
	Seed, K    uint64
	Profile    map[int]uint64
	Interest   map[int]uint64 // interesting events per TID (SURW's profile)
	ByStrategy bool
	Failure    string
	// AllAccesses and Race are those Options of the campaign.
	AllAccesses bool
	Race        bool
	Checker     bool // Options.Check
	Decisions   []sched.Decision
	// where describes each decision's point in source terms (annotate).
	where []string
}

// annotate names each decision's point in exe's source terms.
func (s *Schedule) annotate(exe []byte) {
	z := guestprof.NewSymbolizer(exe)
	s.where = s.where[:0]
	for _, d := range s.Decisions {
		s.where = append(s.where, z.Where(d.PC))
	}
}

// Describe writes the decisions as a person reads them.
func (s *Schedule) Describe(w io.Writer) {
	for i, d := range s.Decisions {
		where := fmt.Sprintf("0x%x", d.PC)
		if i < len(s.where) {
			where = s.where[i]
		}
		if d.Running {
			fmt.Fprintf(w, "  preempt tid %d after %d instructions, before the %s at %s; run tid %d\n",
				d.TID, d.Insns, pointWhat(d.Point), where, d.Next)
		} else {
			fmt.Fprintf(w, "  when tid %d left its CPU (%d instructions, at %s), run tid %d instead of the queue's head\n",
				d.TID, d.Insns, where, d.Next)
		}
	}
}

func pointWhat(p sched.Point) string {
	switch p {
	case sched.Sync:
		return "atomic or fence"
	case sched.Syscall:
		return "system call"
	case sched.Access:
		return "load or store"
	}
	return "instruction"
}

// Policy returns the policy that repeats the schedule.
func (s *Schedule) Policy() sched.Policy {
	if !s.ByStrategy {
		return sched.NewReplay(s.Grain, s.Decisions)
	}
	o := Options{Strategy: s.Strategy, Grain: s.Grain, Depth: s.Depth}
	return o.policy(s.Schedule, s.Seed, profile{choices: s.K, steps: s.Profile, interest: s.Interest})
}

// Options returns the run options of the schedule's program (for a replay).
func (s *Schedule) Options(exe []byte) Options {
	o := Options{Path: s.Program, Argv: s.Argv, Env: s.Env, CPUs: s.CPUs, MaxInsns: s.MaxInsns,
		Seed: s.KernelSeed, Grain: s.Grain, AllAccesses: s.AllAccesses, Race: s.Race, Check: s.Checker}
	o.setAccessPoints(exe)
	return o
}

// AccessPoints is the filter of plain-access points the schedule was found with
// (run.Options.AccessPoints).
func (s *Schedule) AccessPoints(exe []byte) func(pc uint64) bool {
	o := s.Options(exe)
	return o.accessPoints
}

// Check fails when exe is not the program the schedule was written for.
func (s *Schedule) Check(exe []byte) error {
	h := sha256.Sum256(exe)
	if got := hex.EncodeToString(h[:]); got != s.SHA256 {
		return fmt.Errorf("the program changed since the schedule was written (its sha256 is %.16s..., the schedule's %.16s...): a schedule replays only the exact program it was found in; run weft explore again", got, s.SHA256)
	}
	return nil
}

// Write writes the schedule file.
func (s *Schedule) Write(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "weft-schedule %d\n", scheduleVersion)
	fmt.Fprintf(b, "# weft replay THIS-FILE repeats the failure exactly.\n")
	fmt.Fprintf(b, "failure %s\n", s.Failure)
	fmt.Fprintf(b, "program %s\n", strconv.Quote(s.Program))
	fmt.Fprintf(b, "sha256 %s\n", s.SHA256)
	fmt.Fprintf(b, "argv%s\n", quoteAll(s.Argv))
	fmt.Fprintf(b, "env%s\n", quoteAll(s.Env))
	fmt.Fprintf(b, "cpus %d\nkernel-seed %d\nmax-insns %d\ngrain %d\n", s.CPUs, s.KernelSeed, s.MaxInsns, s.Grain)
	if s.AllAccesses {
		fmt.Fprint(b, "access-points all\n")
	}
	if s.Race {
		fmt.Fprint(b, "race on\n")
	}
	if s.Checker {
		fmt.Fprint(b, "check on\n")
	}
	fmt.Fprintf(b, "strategy %s schedule %d depth %d k %d seed %d\n", s.Strategy, s.Schedule, s.Depth, s.K, s.Seed)
	if s.ByStrategy {
		for _, p := range []struct {
			key string
			m   map[int]uint64
		}{{"profile", s.Profile}, {"interest", s.Interest}} {
			if p.key == "interest" && len(p.m) == 0 {
				continue
			}
			tids := make([]int, 0, len(p.m))
			for t := range p.m {
				tids = append(tids, t)
			}
			slices.Sort(tids)
			fmt.Fprint(b, p.key)
			for _, t := range tids {
				fmt.Fprintf(b, " %d:%d", t, p.m[t])
			}
			fmt.Fprint(b, "\n")
		}
		fmt.Fprint(b, "replay by-strategy\n")
	} else {
		fmt.Fprint(b, "replay decisions\n")
	}
	fmt.Fprintf(b, "# %d decisions, %d of them preemptions; each: tid instructions next-tid kind point pc\n",
		len(s.Decisions), Preemptions(s.Decisions))
	for i, d := range s.Decisions {
		if i < len(s.where) {
			fmt.Fprintf(b, "# %s\n", s.where[i])
		}
		kind := "switch"
		if d.Running {
			kind = "preempt"
		}
		fmt.Fprintf(b, "decision %d %d %d %s %s 0x%x\n", d.TID, d.Insns, d.Next, kind, d.Point, d.PC)
	}
	return b.Flush()
}

func quoteAll(ss []string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(" " + strconv.Quote(s))
	}
	return b.String()
}

// unquoteAll splits a line of quoted strings.
func unquoteAll(s string) ([]string, error) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, err
		}
		v, _ := strconv.Unquote(q)
		out = append(out, v)
		s = s[len(q):]
	}
	return out, nil
}

// ReadSchedule reads a schedule file.
func ReadSchedule(path string) (*Schedule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSchedule(string(data))
}

// ParseSchedule parses the text of a schedule file.
func ParseSchedule(text string) (*Schedule, error) {
	s := &Schedule{Profile: map[int]uint64{}, Interest: map[int]uint64{}}
	lines := strings.Split(text, "\n")
	v1 := len(lines) > 0 && lines[0] == "weft-schedule 1"
	if len(lines) == 0 || (lines[0] != fmt.Sprintf("weft-schedule %d", scheduleVersion) && !v1) {
		return nil, fmt.Errorf("not a weft schedule file of version %d (its first line must be \"weft-schedule %d\")", scheduleVersion, scheduleVersion)
	}
	points := map[string]sched.Point{"budget": sched.Budget, "sync": sched.Sync, "syscall": sched.Syscall, "idle": sched.Idle, "access": sched.Access}
	var sawProgram, sawSHA bool
	for n, line := range lines[1:] {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		bad := func(err error) error {
			if err == nil {
				err = fmt.Errorf("malformed")
			}
			return fmt.Errorf("schedule line %d (%s): %w", n+2, key, err)
		}
		var err error
		switch key {
		case "failure":
			s.Failure = rest
		case "program":
			s.Program, err = strconv.Unquote(rest)
			sawProgram = err == nil
		case "sha256":
			s.SHA256, sawSHA = rest, len(rest) == 64
		case "argv":
			s.Argv, err = unquoteAll(rest)
		case "env":
			s.Env, err = unquoteAll(rest)
		case "cpus":
			s.CPUs, err = strconv.Atoi(rest)
			if err == nil && (s.CPUs < 1 || s.CPUs > 64) {
				err = fmt.Errorf("cpus %d not in 1..64", s.CPUs)
			}
		case "kernel-seed":
			s.KernelSeed, err = strconv.ParseUint(rest, 10, 64)
		case "max-insns":
			s.MaxInsns, err = strconv.ParseUint(rest, 10, 64)
		case "access-points":
			s.AllAccesses = rest == "all"
			if !s.AllAccesses {
				err = fmt.Errorf("%q is not all", rest)
			}
		case "check":
			s.Checker = rest == "on"
			if !s.Checker {
				err = fmt.Errorf("%q is not on", rest)
			}
		case "race":
			s.Race = rest == "on"
			if !s.Race {
				err = fmt.Errorf("%q is not on", rest)
			}
		case "grain":
			s.Grain, err = strconv.ParseUint(rest, 10, 64)
		case "strategy":
			_, err = fmt.Sscanf(rest, "%s schedule %d depth %d k %d seed %d", &s.Strategy, &s.Schedule, &s.Depth, &s.K, &s.Seed)
			if v1 && s.Strategy == "mix" {
				s.Strategy = "pctpos"
			}
			if err == nil && !slices.Contains(Strategies, s.Strategy) {
				err = fmt.Errorf("unknown strategy %q", s.Strategy)
			}
		case "profile", "interest":
			m := s.Profile
			if key == "interest" {
				m = s.Interest
			}
			for _, f := range strings.Fields(rest) {
				var t int
				var c uint64
				if _, err = fmt.Sscanf(f, "%d:%d", &t, &c); err != nil {
					break
				}
				m[t] = c
			}
		case "replay":
			switch rest {
			case "by-strategy":
				s.ByStrategy = true
			case "decisions":
			default:
				err = fmt.Errorf("%q is neither by-strategy nor decisions", rest)
			}
		case "decision":
			var d sched.Decision
			var kind, point string
			_, err = fmt.Sscanf(rest, "%d %d %d %s %s 0x%x", &d.TID, &d.Insns, &d.Next, &kind, &point, &d.PC)
			p, ok := points[point]
			if err == nil && (!ok || (kind != "preempt" && kind != "switch")) {
				err = fmt.Errorf("kind %q or point %q unknown", kind, point)
			}
			d.Point, d.Running = p, kind == "preempt"
			s.Decisions = append(s.Decisions, d)
		default:
			err = fmt.Errorf("unknown item")
		}
		if err != nil {
			return nil, bad(err)
		}
	}
	if !sawProgram || !sawSHA || len(s.Argv) == 0 || s.CPUs == 0 {
		return nil, fmt.Errorf("schedule file lacks its program, sha256, argv or cpus line")
	}
	if s.Grain == 0 {
		s.Grain = 1
	}
	return s, nil
}
