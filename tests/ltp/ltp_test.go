// Package ltp runs the Linux Test Project's syscall tests (../shared/ltp, built for
// riscv64 by its build.sh) under weft and compares each test's result with
// expected.txt: the tests that must pass, and for every other one the result it has now
// and why. A test that stops passing fails the suite; so does one that starts passing
// (move it to "pass" with -update, and say so in the commit).
//
// The build takes a few minutes and is cached (WEFT_LTP_DIR, or the user's cache
// directory, keyed by the LTP commit). Each test line runs in a fresh weft, as root,
// under weft's init (so that the test's processes have a living parent as under a
// shell), in the default guest root (scripts/rootfs.sh: Debian's /bin/sh, cp and the
// rest that LTP's library runs, /etc/passwd with nobody), with LTP's programs mounted
// at $LTPROOT/testcases/bin (/opt/ltp) and on PATH. Their temporary directories
// (TMPDIR) are in /var/tmp, on the guest root's own file system (an overlay, as
// statfs says), not in the guest's /tmp (a tmpfs), as on a Linux machine whose /tmp is
// on disk: LTP's lease tests refuse to run on tmpfs.
//
//	go test ./tests/ltp/                 # run and compare
//	go test ./tests/ltp/ -update         # rewrite expected.txt from this run
//	go test ./tests/ltp/ -run 'TestLTP/LTP/kill01$' # one test (-v prints its output)
package ltp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"weft/tests/internal/guestroot"
)

var update = flag.Bool("update", false, "rewrite expected.txt with this run's results")

// Results, from LTP's exit status (a bit mask: 1 TFAIL, 2 TBROK, 4 TWARN, 32 TCONF).
const (
	pass = "pass"
	fail = "fail"
	brok = "brok"
	warn = "warn"
	conf = "conf"
)

// maxInsns bounds one test's run: the slowest passing test (setrlimit06, which spins
// until RLIMIT_CPU's hard limit of 2 s, twice) retires about 4,500 million
// instructions; a test that runs past this is livelocked (or spinning on a feature weft
// lacks) and is reported as such, whatever the machine's speed.
const maxInsns = 10_000_000_000

// hangAfter only catches a weft that hangs: a guest is bounded by maxInsns. It is far
// above what any test takes (fork13's million forks took 686 s on a 2-core machine at
// a load of 20), so that a slow, loaded machine never turns a pass into a "hang".
const hangAfter = 25 * time.Minute

type testLine struct {
	name string
	argv []string // program and arguments
}

type outcome struct {
	result string // pass, fail, brok, warn, conf, or what ended it (insn-limit, SIGSEGV, ...)
	output string
}

func TestLTP(t *testing.T) {
	dir := ltpDir(t)
	weft := buildWeft(t)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := guestroot.Path(filepath.Join(wd, "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	lines := readRuntest(t, dir)
	expected := readExpected(t)

	results := make(map[string]outcome, len(lines))
	var mu sync.Mutex
	sem := make(chan struct{}, max(1, parallelism()))
	t.Run("LTP", func(t *testing.T) {
		for _, l := range lines {
			t.Run(l.name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				o := runOne(weft, root, dir, l, 2)
				mu.Lock()
				results[l.name] = o
				mu.Unlock()
				want, known := expected[l.name]
				switch {
				case *update:
				case !known:
					t.Errorf("%s: %s, not in expected.txt (run with -update)", l.name, o.result)
				case want.result == pass && o.result != pass:
					t.Errorf("%s: %s, expected to pass:\n%s", l.name, o.result, tail(o.output, 40))
				case want.result != pass && o.result == pass:
					t.Errorf("%s passes now (expected.txt says %s: %s): move it to pass with -update", l.name, want.result, want.reason)
				}
				if o.result == pass && !*update && known && want.result == pass {
					// A scheduling bug shows as a test that passes on some CPU
					// counts and not others.
					for _, cpus := range []int{1, 4} {
						// TCONF is the test saying it needs more CPUs, not a bug; a test
						// that runs for a fixed (virtual) time retires more instructions
						// with more CPUs, and may reach maxInsns there.
						o2 := runOne(weft, root, dir, l, cpus)
						if o2.result == "insn-limit" && cpus > 2 {
							t.Logf("%s reaches the instruction limit with %d CPUs", l.name, cpus)
							continue
						}
						if o2.result != pass && o2.result != conf {
							t.Errorf("%s passes with 2 CPUs but not with %d: %s\n%s", l.name, cpus, o2.result, tail(o2.output, 40))
						}
					}
				}
				if testing.Verbose() {
					t.Logf("%s: %s\n%s", l.name, o.result, o.output)
				}
			})
		}
	})
	counts := map[string]int{}
	for _, o := range results {
		counts[o.result]++
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sum []string
	for _, k := range keys {
		sum = append(sum, fmt.Sprintf("%d %s", counts[k], k))
	}
	t.Logf("LTP under weft: %d tests: %s", len(results), strings.Join(sum, ", "))
	if *update {
		writeExpected(t, results, expected)
	}
}

// runOne runs one test line in a fresh weft, in the guest root root.
func runOne(weft, root, dir string, l testLine, cpus int) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), hangAfter)
	defer cancel()
	bin := filepath.Join(dir, "bin")
	// The machine has been up an hour, as a test machine has: LTP's time-namespace
	// tests set offsets of -10 s, which Linux refuses while CLOCK_MONOTONIC is below 10 s.
	args := []string{"run", "--root", root, "--init", "--uid", "0", "--gid", "0", "--cpus", strconv.Itoa(cpus),
		"--uptime", "1h", "--max-insns", strconv.Itoa(maxInsns), "--max-memory", "1G",
		"--mount", bin + ":/opt/ltp/testcases/bin",
		"--env", "PATH=/opt/ltp/testcases/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"--env", "LTPROOT=/opt/ltp", "--env", "TMPDIR=/var/tmp", "--env", "LTP_COLORIZE_OUTPUT=0",
		"/opt/ltp/testcases/bin/" + l.argv[0]}
	args = append(args, l.argv[1:]...)
	cmd := exec.CommandContext(ctx, weft, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	o := outcome{output: out.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		o.result = "hang"
	case err == nil:
		o.result = pass
	case errors.As(err, &ee):
		o.result = classify(ee.ExitCode())
	default:
		o.result = "error"
	}
	return o
}

// classify names an exit status: LTP's bit mask, or what weft says ended the run.
func classify(code int) string {
	switch {
	case code == 124:
		return "insn-limit"
	case code == 123:
		return "deadlock"
	case code >= 125 && code <= 127:
		return fmt.Sprintf("weft-%d", code)
	case code > 128:
		return fmt.Sprintf("signal-%d", code-128)
	case code&2 != 0:
		return brok
	case code&1 != 0:
		return fail
	case code&4 != 0:
		return warn
	case code&32 != 0:
		return conf
	}
	return fmt.Sprintf("exit-%d", code)
}

func parallelism() int {
	if n, err := strconv.Atoi(os.Getenv("WEFT_LTP_JOBS")); err == nil && n > 0 {
		return n
	}
	return 2
}

// ltpDir returns a directory with the built LTP subset, building it if needed.
func ltpDir(t *testing.T) string {
	t.Helper()
	shared, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "ltp"))
	if err != nil {
		t.Fatal(err)
	}
	commit, err := os.ReadFile(filepath.Join(shared, "COMMIT"))
	if err != nil {
		t.Fatalf("the LTP subset is not beside the project: %v", err)
	}
	dir := os.Getenv("WEFT_LTP_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(cache, "weft", "ltp-"+strings.Fields(string(commit))[0][:12])
	}
	if entries, err := os.ReadDir(filepath.Join(dir, "bin")); err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, "runtest")); err == nil {
			return dir
		}
	}
	t.Logf("building the LTP subset into %s (a few minutes)", dir)
	cmd := exec.Command("bash", filepath.Join(shared, "build.sh"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, tail(string(out), 40))
	}
	return dir
}

func buildWeft(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "weft")
	cmd := exec.Command("go", "build", "-o", out, "weft/cmd/weft")
	cmd.Dir = filepath.Join("..", "..")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	return out
}

// readRuntest reads LTP's test lines whose program was built. Names are unique: a
// second line with a name already seen is LTP's mistake and is skipped.
func readRuntest(t *testing.T, dir string) []testLine {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "runtest"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	var lines []testLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || seen[fields[0]] {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "bin", fields[1])); err != nil {
			continue
		}
		seen[fields[0]] = true
		lines = append(lines, testLine{name: fields[0], argv: fields[1:]})
	}
	return lines
}

type expectation struct{ result, reason string }

// buildPath matches the directory of the LTP build in a message.
var buildPath = regexp.MustCompile(`\S*/testcases/kernel/syscalls/`)

var expectedLine = regexp.MustCompile(`^(\S+)\s+(\S+)(?:\s+#\s*(.*))?$`)

// readExpected reads expected.txt: "NAME RESULT # reason" per line.
func readExpected(t *testing.T) map[string]expectation {
	t.Helper()
	b, err := os.ReadFile("expected.txt")
	if err != nil && !*update {
		t.Fatal(err)
	}
	m := map[string]expectation{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if g := expectedLine.FindStringSubmatch(line); g != nil {
			m[g[1]] = expectation{g[2], g[3]}
		}
	}
	return m
}

func writeExpected(t *testing.T, results map[string]outcome, old map[string]expectation) {
	var b strings.Builder
	b.WriteString("# LTP syscall tests under weft: NAME RESULT # why it does not pass.\n" +
		"# Written by `go test ./tests/ltp/ -update`; the reasons are kept from the old file.\n")
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := results[n].result
		if r == pass {
			fmt.Fprintf(&b, "%s %s\n", n, r)
			continue
		}
		reason := old[n].reason
		if reason == "" || old[n].result != r {
			reason = firstProblem(results[n].output)
		}
		fmt.Fprintf(&b, "%s %s # %s\n", n, r, reason)
	}
	if err := os.WriteFile("expected.txt", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// firstProblem picks the line of a test's output that best says why it did not pass.
func firstProblem(out string) string {
	for _, key := range []string{"TBROK", "TFAIL", "not implemented", "TCONF", "killed by", "weft:"} {
		for _, l := range strings.Split(out, "\n") {
			// glibc asks nscd through a socket before it reads /etc/passwd: that
			// notice is no reason.
			if strings.Contains(l, key) && !strings.Contains(l, "socket (198)") {
				// Paths into the LTP build differ from machine to machine.
				l = buildPath.ReplaceAllString(l, "")
				return strings.Join(strings.Fields(l), " ")
			}
		}
	}
	return "unknown"
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
