// Package costbench measures what processes cost next to threads: creating one,
// switching between two, passing a message between two, and the memory one takes. It is
// `weft bench`.
//
// Each measurement is a C program in bench/costs (built for riscv64 into
// bench/costs/bin by `make -C bench/costs`) that runs N iterations of one operation
// between two clock_gettime(CLOCK_MONOTONIC) calls and prints the time per operation.
// The same program runs these ways:
//
//   - under weft, in-process (package run). Its clock is weft's virtual clock, so the
//     number it prints is what weft's cost model charges for the work the kernel counted
//     (internal/kernel/cost): guest instructions, traps, pages zeroed and copied,
//     page-table nodes, VMAs and fd entries copied, TLB misses, ... each at its price.
//     The run is deterministic: the same seed gives the same number. At the program's
//     two markers weft reads the kernel's work counters, so each side carries the work
//     per operation, and the sum of work times price reproduces the virtual figure.
//     A run with a trace attached cross-checks the figure against the kernel's own
//     timestamps and counts switches, forks and clones.
//   - under weft with the zero cost model (guest instructions only): how much of the
//     virtual figure is the model's prices.
//   - under weft again, timing the host: the program writes a marker line right before
//     and right after its loop, and weft writes the guest's standard output through
//     synchronously, so the host time between the two markers is the host time of
//     exactly the measured loop (no loading, start-up or teardown). Five runs: the
//     report gives their median, minimum and maximum.
//   - natively, built from the same source by the host's C compiler, when there is one:
//     five runs, median, minimum and maximum.
//
// The memory row is measured from weft's kernel instead of the guest's clock: the peak
// number of page frames in use with 2K idle children or threads minus that with K,
// divided by K.
package costbench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"weft/internal/kernel/cost"
)

// Options configure a Run.
type Options struct {
	// Dir holds the riscv64 programs (bench/costs/bin); their C sources are in its
	// parent directory. Empty means bench/costs/bin under the working directory.
	Dir string
	// Quick runs fewer iterations and one host-timed weft run per measurement instead
	// of three: seconds instead of most of a minute.
	Quick bool
	// Native also builds the programs with the host's C compiler (cc, or $CC) and runs
	// them. Without a compiler the native columns are n/a; that is not an error.
	Native bool
	// Seed is weft's seed (0 means 1, weft run's default).
	Seed uint64
	// CostModel prices the kernel's work in the weft virtual column (nil: the
	// default model); the zero column always uses cost.Zero. NoASID makes every
	// address-space switch flush the TLB.
	CostModel *cost.Model
	NoASID    bool
	// Progress, if set, receives one line per measurement as it starts.
	Progress io.Writer
}

// Report is the outcome of a Run.
type Report struct {
	Machine Machine `json:"machine"`
	Quick   bool    `json:"quick"`
	Seed    uint64  `json:"seed"`
	// Native says whether the native columns were measured; NativeNote says why not.
	Native     bool   `json:"native"`
	NativeNote string `json:"native_note,omitempty"`
	Rows       []Row  `json:"rows"`
	// CostModel names the model behind the weft virtual column, and Prices gives its
	// price of each unit of work in virtual ns: for every side of a time row,
	// Σ work[u] × prices[u] is its weft_model figure, within 1% of weft.
	CostModel string             `json:"cost_model"`
	Prices    map[string]float64 `json:"prices"`
	// ASID says whether the simulated CPUs kept tagged translations across
	// address-space switches (--asid on) or flushed (off).
	ASID bool `json:"asid"`
	// Notes explain the columns and anything worth knowing about this run.
	Notes   []string `json:"notes"`
	Elapsed float64  `json:"elapsed_s"` // host seconds the whole Run took
}

// Machine describes the host the report was made on.
type Machine struct {
	CPU       string `json:"cpu"`   // model name from /proc/cpuinfo
	Cores     int    `json:"cores"` // logical CPUs the Go runtime sees
	OS        string `json:"os"`    // GOOS/GOARCH and kernel release
	GoVersion string `json:"go_version"`
	CC        string `json:"cc,omitempty"` // the native compiler's version line
	// LoadStart and LoadEnd are the host's 1-minute load average before and after the
	// run (-1 if unknown): other work on the host inflates the host and native columns.
	LoadStart float64 `json:"load_start"`
	LoadEnd   float64 `json:"load_end"`
}

// Row is one measurement: the same operation done with processes and with threads.
type Row struct {
	Name  string `json:"name"`  // "create", "switch", "comm 64B", "comm 4KiB", "memory"
	Title string `json:"title"` // what is measured, in a few words
	// Unit is the unit of every column of the row: "ns" (per Per) or "bytes" (per Per).
	Unit string `json:"unit"`
	Per  string `json:"per"` // what one operation is: "create+exit+reap", "switch", ...
	// Iters is the iterations of one weft run (for memory: K, the runs have K and 2K
	// children or threads); NativeIters those of one native run.
	Iters       int      `json:"iters"`
	NativeIters int      `json:"native_iters,omitempty"`
	CPUs        int      `json:"cpus"`  // simulated CPUs weft ran with
	Setup       string   `json:"setup"` // how the two sides are arranged
	Process     Measure  `json:"process"`
	Thread      Measure  `json:"thread"`
	Ratio       Ratio    `json:"ratio"` // process / thread
	Notes       []string `json:"notes,omitempty"`
}

// Measure is one side (process or thread) of a row, per operation, in the row's unit.
type Measure struct {
	// Weft is weft's number: what the guest measured with clock_gettime, which in weft
	// is virtual time (ns); for memory, the growth of the frames in use (bytes).
	Weft float64 `json:"weft"`
	// WeftZero is the same with the zero cost model: guest instructions only (nil for
	// memory).
	WeftZero *float64 `json:"weft_zero"`
	// Work is what weft's kernel counted per operation between the program's markers,
	// by unit (internal/kernel/cost), and WeftModel the sum of work × price: the
	// virtual ns the model charged for it.
	Work      map[string]float64 `json:"work"`
	WeftModel float64            `json:"weft_model"`
	// WeftKernel is the kernel's own figure for the same thing, a cross-check: the
	// virtual time between the two marker writes from the trace's timestamps; for
	// memory, the pages the processes faulted in or copied on write (Summary), in bytes.
	WeftKernel float64 `json:"weft_kernel"`
	// WeftHost is the host time weft took per operation (ns; median of the runs), nil
	// where it means nothing (memory); WeftHostRange gives every run and their spread.
	WeftHost      *float64 `json:"weft_host"`
	WeftHostRange *Spread  `json:"weft_host_range,omitempty"`
	// Native is the same program built for the host (median of the runs), nil when
	// not measured.
	Native      *float64 `json:"native"`
	NativeRange *Spread  `json:"native_range,omitempty"`
	// Account is what weft's kernel did per operation, from the trace.
	Account Account `json:"account"`
}

// Account counts the kernel's work per operation, inside the measured loop.
type Account struct {
	Insns           float64 `json:"insns"` // guest instructions retired (= virtual ns of CPU)
	Syscalls        float64 `json:"syscalls"`
	ProcessSwitches float64 `json:"process_switches"`
	ThreadSwitches  float64 `json:"thread_switches"`
	Forks           float64 `json:"forks"`
	Clones          float64 `json:"clones"`
	PageFaults      float64 `json:"page_faults"`
	COWCopies       float64 `json:"cow_copies"`
}

// Spread is a measurement repeated on the host: every run, and their minimum, median
// and maximum.
type Spread struct {
	Runs   []float64 `json:"runs"`
	Min    float64   `json:"min"`
	Median float64   `json:"median"`
	Max    float64   `json:"max"`
	// Width is (max - min) / median: how far apart the runs were.
	Width float64 `json:"width"`
}

// tooWide is the Width beyond which a host measurement is too noisy to conclude from.
const tooWide = 0.25

func spread(runs []float64) *Spread {
	if len(runs) == 0 {
		return nil
	}
	s := &Spread{Runs: runs, Min: runs[0], Max: runs[0], Median: median(runs)}
	for _, v := range runs {
		s.Min, s.Max = min(s.Min, v), max(s.Max, v)
	}
	if s.Median != 0 {
		s.Width = (s.Max - s.Min) / s.Median
	}
	return s
}

// Ratio is process / thread for each column; nil where either side is missing.
type Ratio struct {
	Weft     *float64 `json:"weft"`
	WeftZero *float64 `json:"weft_zero"`
	WeftHost *float64 `json:"weft_host"`
	Native   *float64 `json:"native"`
}

// programs are the binaries Run needs in Options.Dir.
var programs = []string{"create", "switch", "comm", "memory"}

// Run measures every row. It fails when a program is missing or misbehaves under weft;
// a missing or failing host compiler only makes the native columns n/a.
func Run(o Options) (*Report, error) {
	start := time.Now()
	if o.Dir == "" {
		o.Dir = filepath.Join("bench", "costs", "bin")
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	for _, p := range programs {
		path := filepath.Join(o.Dir, p)
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s is missing: build the cost programs first with `make -C bench/costs` "+
					"(from the repository root; needs riscv64-linux-gnu-gcc)", path)
			}
			return nil, err
		}
	}
	if o.CostModel == nil {
		o.CostModel = &cost.Default
	}
	r := &Report{Machine: machine(), Quick: o.Quick, Seed: o.Seed,
		CostModel: o.CostModel.Name, Prices: o.CostModel.Prices(), ASID: !o.NoASID}

	var nat *nativeSet
	if o.Native {
		var err error
		nat, err = buildNative(filepath.Dir(o.Dir), programs)
		if err != nil {
			r.NativeNote = err.Error()
		} else {
			defer nat.cleanup()
			r.Native = true
			r.Machine.CC = nat.cc
		}
	} else {
		r.NativeNote = "not requested"
	}

	for _, s := range specs {
		row, err := s.measure(o, nat)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		r.Rows = append(r.Rows, *row)
	}
	r.Machine.LoadEnd = loadAverage()
	r.Elapsed = time.Since(start).Seconds()
	r.Notes = notes(r)
	return r, nil
}

func (o Options) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}
