package tests

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The gdb tests drive gdb-multiarch in batch mode against weft run --gdb, on
// tests/gdb/bin/gdbtarget (built with -O0 -g). The timeouts only catch a hang; the
// guest itself is bounded by --max-insns.

const gdbTarget = "gdbtarget"

// gdbPrepare builds the gdb test programs and returns the target's path. gdb-multiarch
// is required: scripts/setup.sh installs it, and its absence fails the test.
func gdbPrepare(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("gdb-multiarch"); err != nil {
		t.Fatalf("gdb-multiarch is missing (apt-get install -y gdb-multiarch, or scripts/setup.sh): %v", err)
	}
	dir := filepath.Join(repoRoot, "tests", "gdb")
	if out, err := exec.Command("make", "-s", "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("building tests/gdb: %v\n%s", err, out)
	}
	return filepath.Join(dir, "bin", gdbTarget)
}

// lockedBuffer collects a stream written by one goroutine and read by another.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// weftUnderGDB runs weft run --gdb 127.0.0.1:0 ARGS... and then gdb-multiarch with the
// commands cmds on it, and returns gdb's output, weft's stdout and stderr and its exit
// code.
func weftUnderGDB(t *testing.T, prog string, cmds []string, weftArgs ...string) (gdbOut, stdout, stderr string, code int) {
	t.Helper()
	args := append([]string{"run", "--max-insns", "100000000", "--gdb", "127.0.0.1:0"}, weftArgs...)
	return gdbSession(t, append(args, prog), prog, cmds)
}

// gdbSession runs weft with args (which ask for --gdb 127.0.0.1:0) and gdb-multiarch
// on it with the commands cmds and the program file prog.
func gdbSession(t *testing.T, args []string, prog string, cmds []string) (gdbOut, stdout, stderr string, code int) {
	t.Helper()
	return gdbSessionWith(t, args, prog, nil, cmds)
}

// gdbSessionWith is gdbSession with commands gdb runs before it connects (settings
// such as the sysroot, which it reads when it attaches).
func gdbSessionWith(t *testing.T, args []string, prog string, pre, cmds []string) (gdbOut, stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	weft := exec.CommandContext(ctx, weftBin, args...)
	weft.Env = []string{"PATH=/usr/bin:/bin"}
	var out lockedBuffer
	weft.Stdout = &out
	errPipe, err := weft.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := weft.Start(); err != nil {
		t.Fatal(err)
	}
	var errOut lockedBuffer
	addrCh := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(errPipe)
		re := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
		sent := false
		for sc.Scan() {
			errOut.Write([]byte(sc.Text() + "\n"))
			if m := re.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addrCh <- m[1]
				sent = true
			}
		}
		if !sent {
			close(addrCh)
		}
	}()
	addr, ok := <-addrCh
	if !ok {
		<-done
		weft.Wait()
		t.Fatalf("weft did not say where it listens; stderr:\n%s", errOut.String())
	}
	gargs := []string{"-batch", "-nx", "-ex", "set architecture riscv:rv64"}
	for _, c := range pre {
		gargs = append(gargs, "-ex", c)
	}
	gargs = append(gargs, "-ex", "target remote "+addr)
	for _, c := range cmds {
		gargs = append(gargs, "-ex", c)
	}
	gargs = append(gargs, prog)
	g := exec.CommandContext(ctx, "gdb-multiarch", gargs...)
	gout, gerr := g.CombinedOutput()
	<-done
	werr := weft.Wait()
	code = weft.ProcessState.ExitCode()
	if gerr != nil {
		t.Errorf("gdb-multiarch: %v", gerr)
	}
	if ctx.Err() != nil {
		t.Fatalf("timed out (a hang); gdb said:\n%s\nweft: %v\n%s", gout, werr, errOut.String())
	}
	return string(gout), out.String(), errOut.String(), code
}

// mustMatch checks that each pattern matches somewhere in out.
func mustMatch(t *testing.T, what, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("%s lacks %q; it was:\n%s", what, p, out)
		}
	}
}

func TestGDBBreakPrintStep(t *testing.T) {
	prog := gdbPrepare(t)
	gout, stdout, stderr, code := weftUnderGDB(t, prog, []string{
		"break compute", "continue", "print x", "info threads", "stepi",
		"info registers pc", "print ratio", "print $fcsr", "continue",
	})
	mustMatch(t, "gdb's output", gout,
		`in _start \(\)`, // stopped before the first instruction
		`Breakpoint 1 at 0x[0-9a-f]+: file gdbtarget.c, line 26\.`,
		`hit Breakpoint 1, compute \(x=13\) at gdbtarget.c:26`,
		`\$1 = 13\n`,
		// Both threads, the second by the name it gave itself, blocked in read;
		// thread ids are pPID.TID (the multiprocess extension).
		`\* 1 +Thread 2\.2 "gdbtarget" compute \(x=13\) at gdbtarget.c:26`,
		`\n  2 +Thread 2\.3 "worker" .* in (read|write) \(\)`,
		`\npc +0x[0-9a-f]+\s+0x[0-9a-f]+ <compute\+\d+>`,
		`\$2 = 1\.5\n`,
		`\$3 = 0\n`,
		`\[Inferior 1 \(process 2\) exited normally\]`,
	)
	// stepi moved the pc by one instruction: 2 or 4 bytes on from the breakpoint.
	bp := regexp.MustCompile(`Breakpoint 1 at 0x([0-9a-f]+)`).FindStringSubmatch(gout)
	pc := regexp.MustCompile(`\npc +0x([0-9a-f]+)`).FindStringSubmatch(gout)
	if bp != nil && pc != nil {
		var b, p uint64
		for _, c := range bp[1] {
			b = b*16 + uint64(strings.IndexRune("0123456789abcdef", c))
		}
		for _, c := range pc[1] {
			p = p*16 + uint64(strings.IndexRune("0123456789abcdef", c))
		}
		if p != b+2 && p != b+4 {
			t.Errorf("pc after stepi = %#x, want %#x + 2 or 4", p, b)
		}
	}
	if want := "compute=40 counter=140 ratio=10\n"; stdout != want || code != 0 {
		t.Errorf("program under gdb: stdout %q exit %d, want %q exit 0; stderr:\n%s", stdout, code, want, stderr)
	}
}

// TestGDBWatch watches the shared counter: gdb stops after main's write and then after
// the worker thread's, in that thread.
func TestGDBWatch(t *testing.T) {
	prog := gdbPrepare(t)
	gout, stdout, _, code := weftUnderGDB(t, prog, []string{
		"break compute", "continue", "watch counter", "continue", "continue", "delete", "continue",
	})
	mustMatch(t, "gdb's output", gout,
		`Hardware watchpoint 2: counter`,
		`Thread 1 "gdbtarget" hit Hardware watchpoint 2: counter\s+Old value = 0\s+New value = 40`,
		`Thread 2 "worker" hit Hardware watchpoint 2: counter\s+Old value = 40\s+New value = 140\s+worker \(arg=0x0\) at gdbtarget.c`,
		`exited normally`,
	)
	if stdout != "compute=40 counter=140 ratio=10\n" || code != 0 {
		t.Errorf("stdout %q exit %d", stdout, code)
	}
}

// TestGDBSameRun checks that a debugged run is the run without gdb: the same output,
// instruction counts and per-process summary (virtual times included), and that a
// register written from gdb changes what the program computes.
func TestGDBSameRun(t *testing.T) {
	prog := gdbPrepare(t)
	plain := exec.Command(weftBin, "run", "--summary", prog)
	var pout, perr bytes.Buffer
	plain.Stdout, plain.Stderr = &pout, &perr
	if err := plain.Run(); err != nil {
		t.Fatalf("weft run: %v\n%s", err, perr.String())
	}
	_, stdout, stderr, _ := weftUnderGDB(t, prog, []string{
		"break compute", "continue", "stepi", "stepi", "info threads", "delete", "continue",
	}, "--summary")
	summary := func(s string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, "gdb: listening") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if stdout != pout.String() || summary(stderr) != summary(perr.String()) {
		t.Errorf("with gdb:\n%s%s\nwithout:\n%s%s", stdout, stderr, pout.String(), perr.String())
	}
	gout, stdout, _, _ := weftUnderGDB(t, prog, []string{
		"break compute", "continue", "set var x = 2", "print x", "delete", "continue",
	})
	mustMatch(t, "gdb's output", gout, `\$1 = 2\n`)
	if want := "compute=7 counter=107 ratio=1.75\n"; stdout != want {
		t.Errorf("after set var x = 2: stdout %q, want %q", stdout, want)
	}
}

// rawGDB speaks the remote protocol to weft directly, for what gdb's batch mode
// cannot do: send a Ctrl-C while the guest runs.
// startRawGDB starts weft, whose arguments ask for a stub on ":0", and connects to the
// address it prints; weft is killed and the connection closed when the test ends.
func startRawGDB(t *testing.T, weft *exec.Cmd) *rawGDB {
	t.Helper()
	errPipe, err := weft.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := weft.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { weft.Process.Kill() })
	line, err := bufio.NewReader(errPipe).ReadString('\n')
	m := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("weft said %q, %v", line, err)
	}
	conn, err := net.Dial("tcp", m[1])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawGDB{t: t, conn: conn, r: bufio.NewReader(conn)}
}

type rawGDB struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func (g *rawGDB) send(b []byte) {
	g.conn.SetDeadline(time.Now().Add(time.Minute))
	if _, err := g.conn.Write(b); err != nil {
		g.t.Fatalf("writing to weft: %v", err)
	}
}

// packet sends payload as a packet and returns the reply (acks skipped).
func (g *rawGDB) packet(payload string) string {
	var sum byte
	for i := 0; i < len(payload); i++ {
		sum += payload[i]
	}
	g.send([]byte(fmt.Sprintf("$%s#%02x", payload, sum)))
	return g.reply()
}

func (g *rawGDB) reply() string {
	g.conn.SetDeadline(time.Now().Add(time.Minute))
	for {
		c, err := g.r.ReadByte()
		if err != nil {
			g.t.Fatalf("reading from weft: %v", err)
		}
		if c != '$' {
			continue
		}
		s, err := g.r.ReadString('#')
		if err != nil {
			g.t.Fatalf("reading from weft: %v", err)
		}
		g.r.Discard(2)
		g.send([]byte("+"))
		return strings.TrimSuffix(s, "#")
	}
}

func TestGDBInterruptAndKill(t *testing.T) {
	gdbPrepare(t)
	prog := filepath.Join(repoRoot, "tests", "gdb", "bin", "spin")
	weft := exec.Command(weftBin, "run", "--max-insns", "2000000000", "--gdb", ":0", prog)
	g := startRawGDB(t, weft)
	if r := g.packet("?"); r != "T05thread:2;" {
		t.Errorf("? -> %q, want T05thread:2; (stopped before the first instruction)", r)
	}
	pc0 := g.packet("p20")
	g.send([]byte("$c#63"))
	// Any delay will do: the stub notices a Ctrl-C at the start of a slice, so the
	// guest has always run at least one slice when it stops.
	time.Sleep(200 * time.Millisecond)
	g.send([]byte{0x03})
	if r := g.reply(); r != "T02thread:2;" {
		t.Errorf("after Ctrl-C: %q, want T02thread:2; (SIGINT)", r)
	}
	if pc := g.packet("p20"); pc == pc0 || len(pc) != 16 {
		t.Errorf("pc after running = %s, before %s: the guest did not run", pc, pc0)
	}
	g.send([]byte("$k#6b"))
	done := make(chan error, 1)
	go func() { done <- weft.Wait() }()
	select {
	case err := <-done:
		if code := weft.ProcessState.ExitCode(); code != 128+9 {
			t.Errorf("weft after k: %v, exit %d, want 137 (SIGKILL)", err, code)
		}
	case <-time.After(time.Minute):
		t.Fatalf("weft did not end after k")
	}
}

// weft explore's failing schedule, replayed under gdb (weft replay --gdb): gdb sees the
// same failure the schedule recorded, the assertion's SIGABRT, and the replay ends as
// the plain replay does.
func TestGDBReplay(t *testing.T) {
	gdbPrepare(t)
	dir := filepath.Join(repoRoot, "tests", "explore")
	if out, err := exec.Command("make", "-s", "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("building tests/explore: %v\n%s", err, out)
	}
	prog := filepath.Join(dir, "bin", "atomicity_bug")
	out := t.TempDir()
	r := run([]string{weftBin, "explore", "--runs", "500", "--out", out, prog}, os.Environ(), "", out)
	if r.exitCode != 1 {
		t.Fatalf("weft explore found no failure: %s\n%s", r.status, r.stderr)
	}
	schedules, _ := filepath.Glob(filepath.Join(out, "*.schedule"))
	if len(schedules) != 1 {
		t.Fatalf("schedules written: %v", schedules)
	}
	if !strings.Contains(string(r.stdout), "weft replay --gdb :0 "+schedules[0]) {
		t.Errorf("weft explore does not print the replay --gdb command:\n%s", r.stdout)
	}
	plain := run([]string{weftBin, "replay", schedules[0]}, os.Environ(), "", out)
	gdbOut, stdout, _, code := gdbSession(t, []string{"replay", "--gdb", "127.0.0.1:0", schedules[0]}, prog, []string{"continue"})
	mustMatch(t, "gdb", gdbOut, `Program terminated with signal SIGABRT`)
	if code != plain.exitCode || stdout != string(plain.stdout) {
		t.Errorf("replay under gdb: exit %d, stdout %q; plain replay: %s, stdout %q", code, stdout, plain.status, plain.stdout)
	}
}

// plainRun runs prog without gdb, with --summary, and returns its stdout and the
// summary table: what a debugged run, reverse moves and all, must still print.
func plainRun(t *testing.T, prog string) (stdout, summary string) {
	t.Helper()
	cmd := exec.Command(weftBin, "run", "--max-insns", "100000000", "--summary", prog)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("weft run %s: %v\n%s", prog, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// sameAsPlain checks that a run under gdb printed what the plain run does: the
// program's output, and the --summary table with its instruction counts and virtual
// times (the run that went on after reverse moves is the same run).
func sameAsPlain(t *testing.T, prog, stdout, stderr string) {
	t.Helper()
	pout, psum := plainRun(t, prog)
	var keep []string
	for _, l := range strings.Split(stderr, "\n") {
		if !strings.Contains(l, "gdb: listening") {
			keep = append(keep, l)
		}
	}
	if stdout != pout || strings.Join(keep, "\n") != psum {
		t.Errorf("under gdb:\n%s%s\nplain run:\n%s%s", stdout, stderr, pout, psum)
	}
}

// TestGDBReverseContinueWatch: main and a worker increment a counter racily; stopped
// in main after the join, gdb watches the counter and reverse-continues to the last
// write, which is the worker's: gdb sees it in that thread, at the increment, with
// the value before it.
func TestGDBReverseContinueWatch(t *testing.T) {
	gdbPrepare(t)
	// From the start, and from checkpoints taken every 5000 instructions.
	for _, every := range []string{"0", "5000"} {
		t.Run("checkpoints="+every, func(t *testing.T) { reverseContinueWatch(t, every) })
	}
}

func reverseContinueWatch(t *testing.T, every string) {
	prog := filepath.Join(repoRoot, "tests", "gdb", "bin", "racy")
	gout, stdout, stderr, code := weftUnderGDB(t, prog, []string{
		"break 27", "continue", "watch counter", "reverse-continue", "print counter",
		"info threads", "reverse-continue", "delete", "continue",
	}, "--summary", "--gdb-checkpoints", every)
	m := regexp.MustCompile(`^counter=(\d+)\n$`).FindStringSubmatch(stdout)
	if m == nil || code != 0 {
		t.Fatalf("stdout %q exit %d", stdout, code)
	}
	var final int
	fmt.Sscan(m[1], &final)
	mustMatch(t, "gdb's output", gout,
		`Breakpoint 1, main \(\) at racy.c:27`,
		// The last write: the worker's, with the value before it in memory.
		fmt.Sprintf(`Thread 2 "incr" hit Hardware watchpoint 2: counter\s+Old value = %d\s+New value = %d\s+(0x[0-9a-f]+ in worker \(arg=0x0\) at racy.c:17\s+)?17\t+counter\+\+;`, final, final-1),
		fmt.Sprintf(`\$1 = %d\n`, final-1),
		`\* 2 +Thread 2\.3 "incr" +0x[0-9a-f]+ in worker \(arg=0x0\) at racy.c:17`,
		// One write further back.
		fmt.Sprintf(`hit Hardware watchpoint 2: counter\s+Old value = %d\s+New value = %d`, final-1, final-2),
		`exited normally`,
	)
	sameAsPlain(t, prog, stdout, stderr)
}

// TestGDBReverseStep: reverse-stepi gives back the pc and registers of one instruction
// before; reverse-finish and reverse-next land on the call's line; at the start there
// is no history to go back to.
func TestGDBReverseStep(t *testing.T) {
	prog := gdbPrepare(t)
	for _, every := range []string{"0", "3000"} {
		t.Run("checkpoints="+every, func(t *testing.T) { reverseStep(t, prog, every) })
	}
}

func reverseStep(t *testing.T, prog, every string) {
	gout, stdout, stderr, _ := weftUnderGDB(t, prog, []string{
		"reverse-stepi",
		"break compute", "continue", "stepi", "stepi",
		"echo MARK-A\\n", "info registers", "echo MARK-END\\n",
		"stepi", "reverse-stepi",
		"echo MARK-B\\n", "info registers", "echo MARK-END\\n",
		"delete", "next", "next", "reverse-finish", "reverse-next",
		"break 41", "continue", "reverse-next", "delete", "continue",
	}, "--summary", "--gdb-checkpoints", every)
	mustMatch(t, "gdb's output", gout,
		`No more reverse-execution history.\n0x[0-9a-f]+ in _start \(\)`,
		`hit Breakpoint 1, compute \(x=13\) at gdbtarget.c:26`,
		`\n28\t\tcounter = y;\n0x[0-9a-f]+ in main \(\) at gdbtarget.c:40\n40\t\tint r = compute\(13\);\n40\t\tint r = compute\(13\);\n`,
		`hit Breakpoint 2, main \(\) at gdbtarget.c:41\n41\t.*\n40\t\tint r = compute\(13\);\n`,
		`exited normally`,
	)
	regs := func(mark string) string {
		i := strings.Index(gout, mark)
		j := strings.Index(gout[max(i, 0):], "MARK-END")
		if i < 0 || j < 0 {
			return ""
		}
		return gout[i+len(mark) : i+j]
	}
	a, b := regs("MARK-A"), regs("MARK-B")
	if a == "" || a != b || !strings.Contains(a, "pc ") || !strings.Contains(a, "ra ") {
		t.Errorf("registers after stepi, stepi, reverse-stepi differ:\n%s\nvs\n%s", a, b)
	}
	sameAsPlain(t, prog, stdout, stderr)
}

// TestGDBReadAccessWatch: a read watchpoint stops after each read of the counter, in
// the thread that read it (the worker's counter += 100, then main's printf), and not at
// compute's write; an access watchpoint stops at reads and writes, backwards too:
// reverse-continue from main's read goes to just before it, then to just before the
// worker's store, with the value before it.
func TestGDBReadAccessWatch(t *testing.T) {
	prog := gdbPrepare(t)
	gout, stdout, stderr, _ := weftUnderGDB(t, prog, []string{
		"break compute", "continue", "rwatch counter", "continue", "continue", "delete",
		"awatch counter", "reverse-continue", "reverse-continue", "continue", "continue",
		"delete", "continue",
	}, "--summary")
	mustMatch(t, "gdb's output", gout,
		`Hardware read watchpoint 2: counter\n`,
		`"worker" hit Hardware read watchpoint 2: counter\s+Value = 40\s+0x[0-9a-f]+ in worker \(arg=0x0\) at gdbtarget.c:21`,
		`"gdbtarget" hit Hardware read watchpoint 2: counter\s+Value = 140\s+0x[0-9a-f]+ in main \(\) at gdbtarget.c:44`,
		`Hardware access \(read/write\) watchpoint 3: counter\n`,
		// Backwards: main's read, then the worker's write (140 in memory after it, 40
		// before).
		`"gdbtarget" hit Hardware access \(read/write\) watchpoint 3: counter\s+Value = 140\s+main \(\) at gdbtarget.c:44`,
		`"worker" hit Hardware access \(read/write\) watchpoint 3: counter\s+Old value = 140\s+New value = 40\s+0x[0-9a-f]+ in worker \(arg=0x0\) at gdbtarget.c:21`,
		// Forwards again: the write, then main's read.
		`"worker" hit Hardware access \(read/write\) watchpoint 3: counter\s+Old value = 40\s+New value = 140`,
		`exited normally`,
	)
	if strings.Contains(gout, "gdbtarget.c:28") {
		t.Errorf("the read watchpoint stopped at compute's write:\n%s", gout)
	}
	sameAsPlain(t, prog, stdout, stderr)
}

// gdb reads the program's auxiliary vector (qXfer:auxv): `info auxv` lists the entry
// point the ELF header gives and the program headers' address.
func TestGDBAuxv(t *testing.T) {
	prog := gdbPrepare(t)
	f, err := elf.Open(prog)
	if err != nil {
		t.Fatal(err)
	}
	entry := f.Entry
	f.Close()
	gout, _, _, _ := weftUnderGDB(t, prog, []string{"info auxv", "kill"})
	mustMatch(t, "gdb's info auxv", gout,
		fmt.Sprintf(`AT_ENTRY +Entry point of program +0x%x\b`, entry),
		`AT_PHDR +Program headers for program +0x[0-9a-f]+`,
		`AT_PAGESZ +System page size +4096`,
		`AT_NULL +End of vector +0x0`,
	)
}

// A dynamically linked program of the guest root under gdb: with the root as its
// sysroot, gdb finds the dynamic linker from the auxiliary vector (qXfer:auxv, AT_BASE
// and AT_PHDR) and the libraries from the list the stub reads from the dynamic
// linker's r_debug (qXfer:libraries-svr4, one packet each time gdb looks, with libc
// once it is loaded), and a breakpoint in libc is hit there.
func TestGDBSharedLibraries(t *testing.T) {
	if standIn() {
		t.Skip("qemu-weft.sh stands in for weft: it has no --root")
	}
	gdbPrepare(t)
	root := guestRoot(t)
	prog := filepath.Join(root, "usr", "bin", "sleep")
	gout, _, _, _ := gdbSessionWith(t, []string{"run", "--root", root, "--max-insns", "100000000", "--gdb", "127.0.0.1:0", "/usr/bin/sleep", "0"},
		prog, []string{"set sysroot " + root}, []string{"break nanosleep", "set debug remote 1", "continue", "set debug remote 0", "info sharedlibrary", "kill"})
	mustMatch(t, "gdb's output", gout,
		`(?s)Breakpoint 1, .*?0x[0-9a-f]+ in (__GI___)?nanosleep .*libc\.so\.6`,
		`0x[0-9a-f]+ +0x[0-9a-f]+ +Yes.* +\S*/lib/ld-linux-riscv64-lp64d\.so\.1\n`,
		`0x[0-9a-f]+ +0x[0-9a-f]+ +Yes.* +\S*/lib/riscv64-linux-gnu/libc\.so\.6\n`,
		// The list, from the stub: the program's link map first, then libc and the
		// dynamic linker.
		`Packet received: l<library-list-svr4 version="1\.0" main-lm="0x[0-9a-f]+">\\n`+
			`<library name="/lib/riscv64-linux-gnu/libc\.so\.6" lm="0x[0-9a-f]+" l_addr="0x[0-9a-f]+" l_ld="0x[0-9a-f]+" lmid="0x0"/>\\n`+
			`<library name="/lib/ld-linux-riscv64-lp64d\.so\.1" lm="0x[0-9a-f]+" l_addr="0x[0-9a-f]+" l_ld="0x[0-9a-f]+" lmid="0x0"/>\\n`+
			`</library-list-svr4>`,
	)
}

// Threads across a fork: with detach-on-fork off gdb keeps both processes, and
// stopped in the parent after its child started a thread, `info threads` lists the
// parent's thread and both of the child's, with their names, in two inferiors. With
// schedule-multiple on both run on: the child's exit, then the parent's, end the run
// as a plain run ends.
func TestGDBThreadsAcrossFork(t *testing.T) {
	gdbPrepare(t)
	prog := filepath.Join(repoRoot, "tests", "gdb", "bin", "forker")
	gout, stdout, _, code := weftUnderGDB(t, prog, []string{"set detach-on-fork off", "set schedule-multiple on",
		"break checkpoint", "continue", "info threads", "info inferiors", "continue", "inferior 1", "continue"})
	mustMatch(t, "gdb's output", gout,
		`\[New inferior 2 \(process 3\)\]`,
		`Thread 1\.1 "forker" hit Breakpoint 1\.1, checkpoint \(\) at forker\.c:\d+`,
		`\* 1\.1 +Thread 2\.2 "forker" +checkpoint \(\)`,
		`\n  2\.1 +Thread 3\.3 "forker" +.*in read \(\)`,
		`\n  2\.2 +Thread 3\.4 "kid-worker" `,
		`\* 1 +process 2 .*forker\s+2 +process 3 .*forker`,
		`\[Inferior 2 \(process 3\) exited normally\]`,
		`\[Inferior 1 \(process 2\) exited normally\]`,
	)
	if code != 0 || stdout != "child 3 exited with 0\n" {
		t.Errorf("under gdb: exit %d, stdout %q", code, stdout)
	}
}

// forkexecSession runs tests/gdb/bin/forkexec under gdb with the commands cmds: it
// forks (or vforks, with mode "vfork") and the child execs tests/gdb/bin/execd, seen
// in the guest through a read-only --mount at /opt/gdb (gdb reads the exec'd
// program's symbols from the host file behind the mount).
func forkexecSession(t *testing.T, mode string, cmds []string, weftArgs ...string) (gdbOut, stdout string, code int) {
	t.Helper()
	gdbPrepare(t)
	bin := filepath.Join(repoRoot, "tests", "gdb", "bin")
	prog := filepath.Join(bin, "forkexec")
	args := append([]string{"run", "--max-insns", "100000000", "--gdb", "127.0.0.1:0", "--mount", bin + ":/opt/gdb"}, weftArgs...)
	args = append(args, prog, "/opt/gdb/execd")
	if mode != "" {
		args = append(args, mode)
	}
	gout, stdout, _, code := gdbSession(t, args, prog, cmds)
	if want := "execd hello 7\nchild 3 exited with 7\n"; stdout != want || code != 0 {
		t.Errorf("forkexec under gdb: stdout %q exit %d, want %q exit 0", stdout, code, want)
	}
	return gout, stdout, code
}

// follow-fork-mode child: gdb detaches the parent at the fork and follows the child,
// which stops at its breakpoint; after its exec gdb reads the new program (a
// breakpoint pending until then is hit in it) and hears of its exit.
func TestGDBFollowForkChild(t *testing.T) {
	gout, _, _ := forkexecSession(t, "", []string{
		"set follow-fork-mode child", "set breakpoint pending on", "break in_child", "break execd_main",
		"continue", "info inferiors", "print forks", "continue", "print value", "continue",
	})
	mustMatch(t, "gdb's output", gout,
		`\[Attaching after Thread 2\.2 fork to child Thread 3\.3\]`,
		`\[New inferior 2 \(process 3\)\]`,
		`\[Detaching after fork from parent process 2\]`,
		`Thread 2\.1 "forkexec" hit Breakpoint 1, in_child \(\) at forkexec\.c:\d+`,
		`\n\* 2 +process 3 .*/forkexec`,
		`\$1 = 1\n`,
		`process 3 is executing new program: \S*/tests/gdb/bin/execd`,
		`Thread 2\.1 "execd" hit Breakpoint 2, execd_main \(arg=0x[0-9a-f]+ "hello"\) at execd\.c:\d+`,
		`\$2 = 5\n`,
		`\[Inferior 2 \(process 3\) exited with code 07\]`,
	)
}

// detach-on-fork off: gdb keeps both processes; the one it does not follow stays
// stopped (gdb resumes the current inferior only) until gdb switches to it.
func TestGDBDetachOnForkOff(t *testing.T) {
	gout, _, _ := forkexecSession(t, "", []string{
		"set detach-on-fork off", "set breakpoint pending on", "break in_child", "break in_parent", "break execd_main",
		"continue", "info inferiors", "info threads", "inferior 2", "continue", "info threads", "continue",
		"print value", "continue", "info inferiors", "inferior 1", "continue",
	})
	mustMatch(t, "gdb's output", gout,
		`\[New inferior 2 \(process 3\)\]`,
		`Thread 1\.1 "forkexec" hit Breakpoint 2\.1, in_parent \(\)`,
		`\* 1 +process 2 .*/forkexec\s+2 +process 3 .*/forkexec`,
		// The child has not run since the fork.
		`\* 1\.1 +Thread 2\.2 "forkexec" in_parent \(\).*\n  2\.1 +Thread 3\.3 "forkexec" 0x[0-9a-f]+ in _Fork \(\)`,
		`\[Switching to inferior 2 \[process 3\]`,
		`Thread 2\.1 "forkexec" hit Breakpoint 1\.2, in_child \(\)`,
		`  1\.1 +Thread 2\.2 "forkexec" in_parent \(\).*\n\* 2\.1 +Thread 3\.3 "forkexec" in_child \(\)`,
		`Thread 2\.1 "execd" hit Breakpoint 3, execd_main`,
		`\$1 = 5\n`,
		`\[Inferior 2 \(process 3\) exited with code 07\]`,
		`  1 +process 2 .*/forkexec\s+\* 2 +<null> .*/execd`,
		`\[Inferior 1 \(process 2\) exited normally\]`,
	)
}

// catch fork and catch exec, following the child: gdb stops at the fork in the parent,
// then in the child at the new program's first instruction, its entry point, with the
// new program as the inferior's executable.
func TestGDBCatchForkExec(t *testing.T) {
	f, err := elf.Open(filepath.Join(repoRoot, "tests", "gdb", "bin", "execd"))
	if err == nil {
		defer f.Close()
	}
	gout, _, _ := forkexecSession(t, "", []string{
		"set follow-fork-mode child", "catch fork", "catch exec", "continue", "continue",
		"info registers pc", "info inferiors", "print value", "continue",
	})
	if err != nil {
		t.Fatal(err)
	}
	mustMatch(t, "gdb's output", gout,
		`Catchpoint 1 \(forked process 3\), 0x[0-9a-f]+ in _Fork \(\)`,
		`process 3 is executing new program: \S*/tests/gdb/bin/execd`,
		`Thread 2\.1 "execd" hit Catchpoint 2 \(exec'd \S*/tests/gdb/bin/execd\), 0x[0-9a-f]+ in _start \(\)`,
		fmt.Sprintf(`\npc +0x%x\s+0x%x <_start>`, f.Entry, f.Entry),
		`\* 2 +process 3 .*/tests/gdb/bin/execd`,
		`\$1 = 5\n`,
		`\[Inferior 2 \(process 3\) exited with code 07\]`,
	)
}

// catch vfork: the parent stops in vfork; gdb detaches the child (which shares the
// parent's memory until its exec: gdb takes the breakpoints out of both around it) and
// the run goes on. Following the child instead, with both kept, gdb catches its exec
// and then the parent runs on after vforkdone.
func TestGDBCatchVfork(t *testing.T) {
	gout, _, _ := forkexecSession(t, "vfork", []string{"catch vfork", "break in_parent", "continue", "continue", "continue"})
	mustMatch(t, "gdb's output", gout,
		`Catchpoint 1 \(vforked process 3\), 0x[0-9a-f]+ in vfork \(\)`,
		`\[Detaching after vfork from child process 3\]`,
		`Breakpoint 2, in_parent \(\)`,
		`\[Inferior 1 \(process 2\) exited normally\]`,
	)
	gout, _, _ = forkexecSession(t, "vfork", []string{
		"set follow-fork-mode child", "set detach-on-fork off", "catch vfork", "catch exec",
		"continue", "continue", "info inferiors", "continue", "inferior 1", "continue",
	})
	mustMatch(t, "gdb's output", gout,
		`Catchpoint 1 \(vforked process 3\)`,
		`\[Attaching after Thread 2\.2 vfork to child Thread 3\.3\]`,
		`Thread 2\.1 "execd" hit Catchpoint 2 \(exec'd \S*/execd\)`,
		`  1 +process 2 .*/forkexec\s+\* 2 +process 3 .*/execd`,
		`\[Inferior 2 \(process 3\) exited with code 07\]`,
		`\[Inferior 1 \(process 2\) exited normally\]`,
	)
}

// gdb's writes are part of the run: reverse moves after `set var` reach the states
// the run had, the write included (x stays 2, y is 7, and ratio is the value from
// before line 27), from the start and from checkpoints; going back before the write
// forgets it, and the run that goes on from there is the run without gdb, counts and
// all.
func TestGDBReverseAfterWrite(t *testing.T) {
	prog := gdbPrepare(t)
	for _, every := range []string{"0", "3000"} {
		t.Run("checkpoints="+every, func(t *testing.T) {
			gout, stdout, _, _ := weftUnderGDB(t, prog, []string{
				"break compute", "continue", "set var x = 2", "next", "next", "print y",
				"reverse-stepi", "print x", "print y", "reverse-next", "print y", "print ratio", "print x",
				"next", "next", "next", "print counter", "delete", "continue",
			}, "--gdb-checkpoints", every)
			mustMatch(t, "gdb's output", gout,
				`\$1 = 7\n`,
				`\$2 = 2\n\$3 = 7\n`,
				`\n27\t\tratio = y / 4\.0;\n\$4 = 7\n\$5 = 1\.5\n\$6 = 2\n`,
				`\$7 = 7\n`,
				`exited normally`,
			)
			if want := "compute=7 counter=107 ratio=1.75\n"; stdout != want {
				t.Errorf("after set var x = 2 and reverse moves: stdout %q, want %q", stdout, want)
			}
			gout, stdout, stderr, _ := weftUnderGDB(t, prog, []string{
				"break compute", "continue", "set var x = 2", "delete", "next", "next",
				"reverse-finish", "step", "print x", "continue",
			}, "--summary", "--gdb-checkpoints", every)
			mustMatch(t, "gdb's output", gout,
				`\n40\t\tint r = compute\(13\);\ncompute \(x=13\) at gdbtarget\.c:26\n.*\n\$1 = 13\n`,
				`exited normally`,
			)
			sameAsPlain(t, prog, stdout, stderr)
		})
	}
}

// Reverse execution across a fork: gdb's inferiors are those of the present, so a
// reverse move stops at the last fork (or exec, or exit) gdb heard of, where the
// history it can go back in begins. In a process gdb holds stopped (detach-on-fork
// off) reverse and forward moves re-execute the run with the other process held as it
// was, from checkpoints (whose read-only mount outlives the kernel they came from).
func TestGDBReverseAcrossFork(t *testing.T) {
	gout, _, _ := forkexecSession(t, "", []string{
		"break in_parent", "continue", "reverse-continue", "info registers pc", "continue", "continue",
	})
	mustMatch(t, "gdb's output", gout,
		`Breakpoint 1, in_parent \(\)`,
		`No more reverse-execution history\.\n0x[0-9a-f]+ in _Fork \(\)`,
		`\npc +0x[0-9a-f]+\s+0x[0-9a-f]+ <_Fork\+\d+>`,
		`Breakpoint 1, in_parent \(\)[^\n]*\n.*\n\[Inferior 1 \(process 2\) exited normally\]`,
	)
	for _, every := range []string{"0", "2000"} {
		gout, _, _ := forkexecSession(t, "", []string{
			"set detach-on-fork off", "break in_parent", "break in_child", "continue", "inferior 2", "continue",
			"stepi", "reverse-stepi", "reverse-stepi", "info threads", "continue", "continue", "inferior 1", "continue",
		}, "--gdb-checkpoints", every)
		mustMatch(t, "gdb's output", gout,
			`Thread 1\.1 "forkexec" hit Breakpoint 1\.1, in_parent \(\)`,
			`Thread 2\.1 "forkexec" hit Breakpoint 2\.2, in_child \(\)`,
			// Back to the breakpoint and one instruction before it, the parent still
			// where gdb left it.
			`Thread 2\.1 "forkexec" hit Breakpoint 2\.2, in_child \(\)[^\n]*\n[^\n]*\n0x[0-9a-f]+\t12\t`,
			`  1\.1 +Thread 2\.2 "forkexec" in_parent \(\)[^\n]*\n\* 2\.1 +Thread 3\.3 "forkexec" 0x[0-9a-f]+ in in_child \(\)`,
			`\[Inferior 2 \(process 3\) exited with code 07\]`,
			`\[Inferior 1 \(process 2\) exited normally\]`,
		)
	}
}

// The protocol of processes, spoken directly: with the multiprocess extension and
// fork events, a fork stops the guest with the child's id; resumed alone (vCont with a
// process id), the parent blocks reading a pipe its held child would write, and the
// guest waits for gdb, whose Ctrl-C stops it in the parent; resumed all, the child's
// exit and then the parent's are reported with their pids, and weft's output is the
// plain run's.
func TestGDBHeldProcessProtocol(t *testing.T) {
	gdbPrepare(t)
	prog := filepath.Join(repoRoot, "tests", "gdb", "bin", "forker")
	weft := exec.Command(weftBin, "run", "--max-insns", "100000000", "--gdb", ":0", prog)
	var stdout lockedBuffer
	weft.Stdout = &stdout
	g := startRawGDB(t, weft)
	if r := g.packet("qSupported:multiprocess+;fork-events+;vfork-events+;exec-events+"); !strings.Contains(r, ";multiprocess+") || !strings.Contains(r, ";fork-events+") {
		t.Errorf("qSupported -> %q", r)
	}
	steps := []struct{ send, want string }{
		{"?", "T05thread:p2.2;"},
		{"qC", "QCp2.2"},
		{"vCont;c:p2.-1", "T05thread:p2.2;fork:p3.3;"},
		{"qfThreadInfo", "mp2.2,p3.3"},
		// The parent alone: it waits for the child, which does not run.
		{"vCont;c:p2.-1", ""},
		{"\x03", "T02thread:p2.2;"},
		{"qfThreadInfo", "mp2.2,p3.3"},
		{"vCont;c", "W00;process:3"},
		{"vCont;c", "W00;process:2"},
	}
	for _, s := range steps {
		var r string
		switch {
		case s.send == "\x03":
			time.Sleep(100 * time.Millisecond) // any delay: the guest is idle by now or soon
			g.send([]byte{0x03})
			r = g.reply()
		case s.want == "":
			var sum byte
			for i := 0; i < len(s.send); i++ {
				sum += s.send[i]
			}
			g.send([]byte(fmt.Sprintf("$%s#%02x", s.send, sum)))
			continue
		default:
			r = g.packet(s.send)
		}
		if r != s.want {
			t.Errorf("%q -> %q, want %q", s.send, r, s.want)
		}
	}
	g.conn.Close() // gdb goes away: weft, whose guest has exited, ends
	done := make(chan error, 1)
	go func() { done <- weft.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("weft did not end")
	}
	if code := weft.ProcessState.ExitCode(); code != 0 || stdout.String() != "child 3 exited with 0\n" {
		t.Errorf("weft: exit %d, stdout %q", code, stdout.String())
	}
}

// One inferior of two detached (D;PID: the child runs on freely and execs) or killed
// (vKill;PID: the parent's waitpid sees it die before its exec), the other debugged on.
func TestGDBDetachKillInferior(t *testing.T) {
	gout, _, _ := forkexecSession(t, "", []string{
		"set detach-on-fork off", "break in_parent", "continue", "detach inferiors 2", "info inferiors", "continue",
	})
	mustMatch(t, "gdb's output", gout,
		`\[Inferior 2 \(process 3\) detached\]`,
		`\* 1 +process 2 .*\n  2 +<null> `,
		`\[Inferior 1 \(process 2\) exited normally\]`,
	)
	bin := filepath.Join(repoRoot, "tests", "gdb", "bin")
	prog := filepath.Join(bin, "forkexec")
	gout, stdout, _, code := gdbSession(t, []string{"run", "--max-insns", "100000000", "--gdb", "127.0.0.1:0",
		"--mount", bin + ":/opt/gdb", prog, "/opt/gdb/execd"}, prog, []string{
		"set detach-on-fork off", "break in_parent", "continue", "kill inferiors 2", "info inferiors", "continue",
	})
	mustMatch(t, "gdb's output", gout,
		`\* 1 +process 2 .*\n  2 +<null> `,
		`\[Inferior 1 \(process 2\) exited normally\]`,
	)
	// The child died of SIGKILL before it could exec: no output of its own, and
	// WEXITSTATUS of a killed child is 0.
	if stdout != "child 3 exited with 0\n" || code != 0 {
		t.Errorf("after kill inferiors 2: stdout %q exit %d", stdout, code)
	}
}

// An exec in the first process, in a guest root: the shell execs sleep; gdb, with the
// root as its sysroot, hears the guest path, loads sleep from the root, stops at the
// exec's first instruction (the dynamic linker's entry) and then finds libc's
// nanosleep through the new program's library list.
func TestGDBExecInGuestRoot(t *testing.T) {
	if standIn() {
		t.Skip("qemu-weft.sh stands in for weft: it has no --root")
	}
	gdbPrepare(t)
	root := guestRoot(t)
	gout, _, _, code := gdbSessionWith(t, []string{"run", "--root", root, "--max-insns", "100000000", "--gdb", "127.0.0.1:0",
		"/bin/sh", "-c", "exec /usr/bin/sleep 0"}, filepath.Join(root, "bin", "sh"), []string{"set sysroot " + root},
		[]string{"catch exec", "continue", "info inferiors", "break nanosleep", "continue", "info sharedlibrary", "continue"})
	mustMatch(t, "gdb's output", gout,
		`process 2 is executing new program: /usr/bin/sleep\n`,
		`Catchpoint 1 \(exec'd /usr/bin/sleep\), 0x[0-9a-f]+ in .* from \S*/lib/ld-linux-riscv64-lp64d\.so\.1`,
		`\* 1 +process 2 .* \S*/usr/bin/sleep`,
		`Breakpoint 2, 0x[0-9a-f]+ in (__GI___)?nanosleep \(\) from \S*/lib/riscv64-linux-gnu/libc\.so\.6`,
		`Yes.* +\S*/lib/riscv64-linux-gnu/libc\.so\.6\n`,
		`\[Inferior 1 \(process 2\) exited normally\]`,
	)
	if code != 0 {
		t.Errorf("weft exit %d", code)
	}
}
