// Package adversarial runs hostile guest programs under weft with a small memory cap
// and checks weft's promise to the host: whatever a guest does, weft keeps running,
// its own resident memory stays within the cap plus a fixed overhead, it touches no
// host file beyond what was mounted, and the guest gets the error Linux would give.
//
// Each case is a C program guest/NAME.c (built to guest/bin/NAME by guest/Makefile
// through tests/guest.mk) plus one entry in the cases table below. A program prints one
// line per check, "ok: ..." or "FAIL: ...", with the helpers of adv.h, and "done" at
// its end; the test fails on any FAIL line and on a missing "done". weft runs as a
// subprocess, so the peak resident memory the test asserts is weft's own
// (getrusage's ru_maxrss for the child, as /usr/bin/time -v reports it). Wall time is
// only a guard against a hang, at minutes; the guest is bounded by --max-insns.
//
// WEFT_BIN names a prebuilt weft to test instead of building one.
package adversarial

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Bounds every case shares.
const (
	defaultCapMiB = 64
	// overheadMiB is what weft may use beyond the guest's cap: the Go runtime, the
	// interpreter's caches, the kernel's own records (issue 8: "cap plus a fixed
	// overhead, say 128 MiB").
	overheadMiB = 128
	maxInsns    = 20_000_000_000
	wallGuard   = 10 * time.Minute // a hang, not a slow machine
)

// Case is one hostile run: weft run --max-memory CAP --max-insns N FLAGS PROGRAM ARGS.
type Case struct {
	// Name is the guest program guest/bin/Name (from guest/Name.c), and the
	// subtest's name.
	Name string
	// CapMiB is --max-memory in MiB (default 64).
	CapMiB int64
	// Setup, if set, prepares host files in dir (a fresh temporary directory for the
	// case) and returns weft flags (--mount ...) and the guest's arguments.
	Setup func(t *testing.T, dir string) (flags, args []string)
	// Program, if set, names what weft is asked to run instead of the program (for cases
	// about weft's own input checks); such a case has no "done" line to expect.
	Program func(t *testing.T, dir string) string
	// Exit is weft's expected exit status.
	Exit int
	// Killed says the guest is expected to die before its "done" line.
	Killed bool
	// Stderr lists substrings weft's standard error must hold.
	Stderr []string
	// MaxStderr bounds the size of weft's standard error, if not 0.
	MaxStderr int
	// After, if set, checks the host after the run (files the guest must not have
	// changed, or must have).
	After func(t *testing.T, dir string, r *Result)
}

// Result is one run of weft.
type Result struct {
	Stdout, Stderr string
	Exit           int
	PeakRSSKiB     int64 // weft's peak resident memory (ru_maxrss)
	Wall           time.Duration
}

// hostUID is the user the test runs as; guests that must not own host files run as
// another one.
var hostUID = os.Getuid()

func otherUID() string {
	if hostUID == 4242 {
		return "4343"
	}
	return "4242"
}

var cases = []Case{
	// The file system (issue 8): memory, links, rename rules, O_PATH, host mounts.
	{Name: "tmpfs_fill"},
	{Name: "inode_fill"},
	{Name: "shm_cycle"},
	{Name: "deep_tree"},
	{Name: "hostmap", Setup: bigFile},
	{Name: "hostmap", CapMiB: 64, Setup: bigFileTouch, Exit: 128 + 9, Killed: true,
		Stderr: []string{"out of memory (weft's cap is 64 MiB)"}},
	{Name: "opath", Setup: victim, After: victimIntact},
	{Name: "symloop", Setup: hostLoops},
	{Name: "rename_rules", Setup: mountIn("/home/user/m", true)},
	{Name: "hostrw", Setup: hostPair, After: hostPairSwapped},
	{Name: "creat_dangling"},
	{Name: "mountdot", Setup: mountAt("/tmp/../srv")},
	// weft's own input: the program and the command line.
	{Name: "mount_proc", Program: hello, Setup: mountAt("/tmp/../proc"), Exit: exitCannotRun,
		Stderr: []string{`mount "/proc": the guest path must be absolute, not / and not under /proc`}},
	{Name: "run_dev_zero", Program: fixed("/dev/zero"), Exit: exitCannotRun, Stderr: []string{"not a regular file (a character device)"}},
	{Name: "run_fifo", Program: fifo, Exit: exitCannotRun, Stderr: []string{"not a regular file (a FIFO)"}},
	{Name: "run_directory", Program: func(*testing.T, string) string { return binDir }, Exit: exitCannotRun,
		Stderr: []string{"not a regular file (a directory)"}},
	{Name: "huge_interp", Program: hugeInterp, Exit: exitCannotRun, MaxStderr: 1024,
		Stderr: []string{"program header 0: interpreter path", "is not in the file or not a path"}},
	// Memory the kernel holds for processes, threads, mappings and signals.
	{Name: "mm_forks"},
	{Name: "mm_threads"},
	{Name: "mm_maxmap"},
	{Name: "mm_vma_fork"},
	{Name: "mm_sparse_fork"},
	{Name: "mm_signals"},
	{Name: "mm_futex"},
	// Each stat walks 80,000 path components; the kernel counts them against
	// --max-insns, so the run ends at the limit instead of taking minutes.
	{Name: "walk_loop", Setup: withFlags("--max-insns", "1000000"), Exit: 124, Killed: true, Stderr: []string{"--max-insns"}},
}

// exitCannotRun is weft's status for a program it cannot run (cmd/weft).
const exitCannotRun = 126

// withFlags is a Setup that only adds weft flags, e.g. a smaller --max-insns (a later
// flag wins over the default one).
func withFlags(flags ...string) func(*testing.T, string) ([]string, []string) {
	return func(*testing.T, string) ([]string, []string) { return flags, nil }
}

var weftBin string

const binDir = "guest/bin"

func TestMain(m *testing.M) {
	os.Exit(setup(m))
}

func setup(m *testing.M) int {
	if out, err := exec.Command("make", "-s", "-C", "guest").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "adversarial: building the guest programs failed: %v\n%s", err, out)
		return 1
	}
	if env := os.Getenv("WEFT_BIN"); env != "" {
		abs, err := filepath.Abs(env)
		if err != nil {
			fmt.Fprintf(os.Stderr, "adversarial: WEFT_BIN: %v\n", err)
			return 1
		}
		weftBin = abs
		return m.Run()
	}
	tmp, err := os.MkdirTemp("", "weft-adversarial-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "adversarial:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	weftBin = filepath.Join(tmp, "weft")
	cmd := exec.Command("go", "build", "-o", weftBin, "weft/cmd/weft")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "adversarial: go build weft/cmd/weft failed: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// TestAdversarial runs every case, one at a time (each measures weft's own peak
// memory, and the machine is shared).
func TestAdversarial(t *testing.T) {
	var table strings.Builder
	table.WriteString("| case | cap | weft's peak RSS | exit |\n| --- | --- | --- | --- |\n")
	seen := map[string]int{}
	for _, c := range cases {
		name := c.Name
		if seen[name]++; seen[name] > 1 {
			name += "_" + strconv.Itoa(seen[name])
		}
		t.Run(name, func(t *testing.T) {
			r := runCase(t, c)
			capMiB := c.CapMiB
			if capMiB == 0 {
				capMiB = defaultCapMiB
			}
			fmt.Fprintf(&table, "| %s | %d MiB | %d MiB | %d |\n", name, capMiB, r.PeakRSSKiB>>10, r.Exit)
		})
	}
	t.Logf("peak resident memory per case:\n%s", table.String())
}

func runCase(t *testing.T, c Case) *Result {
	dir := t.TempDir()
	var flags, args []string
	if c.Setup != nil {
		flags, args = c.Setup(t, dir)
	}
	prog := filepath.Join(binDir, c.Name)
	if c.Program != nil {
		prog = c.Program(t, dir)
	}
	capMiB := c.CapMiB
	if capMiB == 0 {
		capMiB = defaultCapMiB
	}
	argv := append([]string{"run", "--max-memory", strconv.FormatInt(capMiB, 10) + "M",
		"--max-insns", strconv.FormatInt(maxInsns, 10)}, flags...)
	argv = append(append(argv, prog), args...)
	r := run(t, argv)
	t.Logf("weft %s: exit %d, peak RSS %d MiB, %.1f s", strings.Join(argv, " "), r.Exit, r.PeakRSSKiB>>10, r.Wall.Seconds())

	if r.Exit != c.Exit {
		t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.Exit, c.Exit, r.Stdout, clip(r.Stderr))
	}
	if c.Program == nil {
		for _, line := range strings.Split(r.Stdout, "\n") {
			if strings.HasPrefix(line, "FAIL") {
				t.Errorf("guest: %s", line)
			}
		}
		if !c.Killed && !strings.Contains(r.Stdout, "\ndone\n") {
			t.Errorf("the guest did not finish (no \"done\" line)\nstdout:\n%s\nstderr:\n%s", r.Stdout, clip(r.Stderr))
		}
	}
	for _, s := range c.Stderr {
		if !strings.Contains(r.Stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, clip(r.Stderr))
		}
	}
	if c.MaxStderr > 0 && len(r.Stderr) > c.MaxStderr {
		t.Errorf("stderr is %d bytes, want at most %d:\n%s", len(r.Stderr), c.MaxStderr, clip(r.Stderr))
	}
	if limit := (capMiB + overheadMiB) << 10; r.PeakRSSKiB > limit {
		t.Errorf("weft's peak RSS %d MiB, want at most the cap plus %d MiB (%d MiB)", r.PeakRSSKiB>>10, overheadMiB, limit>>10)
	}
	if c.After != nil {
		c.After(t, dir, r)
	}
	return r
}

// run runs weft with argv and measures it.
func run(t *testing.T, argv []string) *Result {
	ctx, cancel := context.WithTimeout(context.Background(), wallGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, weftBin, argv...)
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := &Result{Stdout: stdout.String(), Stderr: stderr.String(), Wall: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("weft did not end within %v (a hang)\nstdout:\n%s", wallGuard, clip(r.Stdout))
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		r.Exit = exitErr.ExitCode()
	default:
		t.Fatalf("running weft: %v", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSSKiB = ru.Maxrss // KiB on Linux
	}
	return r
}

func clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + fmt.Sprintf("... (%d more bytes)", len(s)-4000)
	}
	return s
}

// Setups and checks.

func fixed(path string) func(*testing.T, string) string {
	return func(*testing.T, string) string { return path }
}

func hello(*testing.T, string) string { return filepath.Join(binDir, "mountdot") }

func mountAt(guest string) func(*testing.T, string) ([]string, []string) {
	return func(t *testing.T, dir string) ([]string, []string) {
		write(t, filepath.Join(dir, "marker"), "x", 0o644)
		return []string{"--mount", dir + ":" + guest}, nil
	}
}

func mountIn(guest string, rw bool) func(*testing.T, string) ([]string, []string) {
	return func(t *testing.T, dir string) ([]string, []string) {
		spec := dir + ":" + guest
		if rw {
			spec += ":rw"
		}
		return []string{"--mount", spec}, []string{guest}
	}
}

func write(t *testing.T, path, data string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // whatever the umask
		t.Fatal(err)
	}
}

// bigFile makes a sparse 1 GiB host file with markers at its start, middle and last
// page, and mounts it read-only at /mnt.
func bigFile(t *testing.T, dir string) ([]string, []string) {
	f, err := os.Create(filepath.Join(dir, "big"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const gib = 1 << 30
	for off, mark := range map[int64]string{0: "MARK0", gib / 2: "MARK1", gib - 4096: "MARK2"} {
		if _, err := f.WriteAt([]byte(mark), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(gib); err != nil {
		t.Fatal(err)
	}
	return []string{"--mount", dir + ":/mnt"}, []string{"/mnt/big"}
}

func bigFileTouch(t *testing.T, dir string) ([]string, []string) {
	flags, args := bigFile(t, dir)
	return flags, append(args, "touch")
}

// victim is a 0644 file the guest's user does not own, in a read-write mount.
func victim(t *testing.T, dir string) ([]string, []string) {
	write(t, filepath.Join(dir, "victim"), "precious data\n", 0o644)
	// --raw-host-ids: the guest sees the host's owner (the user running the test, root
	// in CI), not itself as an idmapped mount would show it.
	return []string{"--raw-host-ids", "--uid", otherUID(), "--gid", otherUID(), "--mount", dir + ":/mnt:rw"}, []string{"/mnt/victim"}
}

func victimIntact(t *testing.T, dir string, _ *Result) {
	b, err := os.ReadFile(filepath.Join(dir, "victim"))
	if err != nil || string(b) != "precious data\n" {
		t.Errorf("the host file was changed: %q, %v", b, err)
	}
}

// hostLoops makes symbolic link loops on the host, mounted at /mnt.
func hostLoops(t *testing.T, dir string) ([]string, []string) {
	for link, target := range map[string]string{"hl": "hl/x", "ha": "hb", "hb": "ha"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"--mount", dir + ":/mnt"}, []string{"/mnt"}
}

// hostPair makes f1 ("one"), f2 ("two") and a directory d holding "inside", in a
// read-write mount the guest owns (it runs as the host's user).
func hostPair(t *testing.T, dir string) ([]string, []string) {
	write(t, filepath.Join(dir, "f1"), "one", 0o644)
	write(t, filepath.Join(dir, "f2"), "two", 0o644)
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "d", "inside"), "", 0o644)
	id := strconv.Itoa(hostUID)
	return []string{"--uid", id, "--gid", strconv.Itoa(os.Getgid()), "--mount", dir + ":/mnt:rw"}, []string{"/mnt"}
}

func hostPairSwapped(t *testing.T, dir string, _ *Result) {
	if b, err := os.ReadFile(filepath.Join(dir, "f1")); err != nil || string(b) != "two" {
		t.Errorf("host f1 = %q, %v; want \"two\" (the exchange did not reach the host)", b, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "f1")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("host f1's mode = %v, %v; want 0600 (chmod did not reach the host)", st.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "f2", "inside")); err != nil {
		t.Errorf("host f2 is not the directory d: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "d")); err != nil || string(b) != "one" {
		t.Errorf("host d = %q, %v; want the file \"one\"", b, err)
	}
}

func fifo(t *testing.T, dir string) string {
	p := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// hugeInterp writes a riscv64 ELF header whose PT_INTERP is hostile bytes
// (escape sequences, newlines, NULs in the middle; 416 KB).
func hugeInterp(t *testing.T, dir string) string {
	interp := bytes.Repeat([]byte("\x1b[31mEVIL\n\x07\x00/lib/ld"), 394_000/18)
	b := make([]byte, 120, 120+len(interp))
	copy(b, "\x7fELF\x02\x01\x01")
	le := binary.LittleEndian
	le.PutUint16(b[16:], 2)   // ET_EXEC
	le.PutUint16(b[18:], 243) // EM_RISCV
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[24:], 0x10000) // e_entry
	le.PutUint64(b[32:], 64)      // e_phoff
	le.PutUint16(b[52:], 64)      // e_ehsize
	le.PutUint16(b[54:], 56)      // e_phentsize
	le.PutUint16(b[56:], 1)       // e_phnum
	le.PutUint16(b[58:], 64)      // e_shentsize
	le.PutUint32(b[64:], 3)       // PT_INTERP
	le.PutUint32(b[68:], 4)
	le.PutUint64(b[72:], 120) // p_offset
	le.PutUint64(b[96:], uint64(len(interp)))
	le.PutUint64(b[104:], uint64(len(interp)))
	le.PutUint64(b[112:], 1)
	b = append(b, interp...)
	p := filepath.Join(dir, "interp.elf")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
