package gdbstub

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"weft/internal/kernel"
	"weft/internal/mm"
)

// Signals in stop replies (gdb's numbering is Linux's for these).
const (
	sigINT  = 2
	sigTRAP = 5
)

// Stub serves one gdb connection for one run. It implements kernel.Debugger: install
// it with Attach, and call Exited when the run ends.
//
// Every field but interrupt and noAck belongs to the run goroutine.
type Stub struct {
	ln     net.Listener
	conn   io.ReadWriteCloser
	pkts   chan packet // from the reader goroutine; closed when the connection ends
	target Target
	kt     *kernelTarget // target when it is a kernel, else nil

	// interrupt is set by the reader goroutine on Ctrl-C; noAck after
	// QStartNoAckMode (the reader stops acknowledging).
	interrupt atomic.Bool
	noAck     atomic.Bool

	connected bool // a connection was accepted (or given) and the initial stop made
	detached  bool // gdb detached or the connection ended: the run goes on alone
	running   bool // gdb resumed the guest and waits for a stop reply

	// procs are the processes gdb debugs, each with its address space's software
	// (Z0) and hardware (Z1) breakpoints; without the multiprocess extension, one
	// set for all, at 0 (process.go).
	procs   map[int]*bpSet
	multi   bool // gdb speaks the multiprocess extension: thread ids pPID.TID
	forkEv  bool // gdb wants fork, vfork and exec events
	vforkEv bool
	execEv  bool
	events  []event            // process events not reported yet
	resumed map[int]bool       // the processes gdb resumed, if not all (Holds)
	watchMM []*mm.AddressSpace // each watchpoint's address space, as of the last Check
	watches []watch            // watchpoints (Z2, Z3, Z4)
	pending *access            // the access of the last instruction seen, with Z3/Z4 set

	// step is the pending single step, if any: it ends when thread stepTID's
	// position (retired count or pc) changes.
	step      bool
	stepTID   int
	stepInsns uint64
	stepPC    uint64
	// skip lets the thread that stopped at a breakpoint execute the instruction it
	// stopped at when resumed without a step over it.
	skipTID   int
	skipPC    uint64
	skipInsns uint64

	// checkTID and checkInsns are the arguments of the Check in progress: the
	// thread that is about to run may be in the middle of a slice, its retired
	// count not yet in its stats.
	checkTID   int
	checkInsns uint64

	last    int // the thread that executed the last instruction seen
	gThread int // Hg: the thread whose registers and memory g, p, m... address
	cThread int // Hc
	stopTID int // the thread the last stop reply named
	stopMsg string
	exited  bool // the run has ended: only '?', k and D are left

	// Reverse execution (reverse.go).
	mode          int // modeLive, modeScan or modeSeek
	rev           *reverse
	cur           instant // the instant of the Check in progress
	lastLimit     uint64  // the Limit last returned
	hist          []histRec
	abandoned     bool   // the kernel debugged was given up for a re-execution
	reexec        bool   // the caller re-executes runs (Output, Input, Rewinding)
	noReverse     string // why reverse execution is refused, if it is
	gen           int    // the run being debugged: abandoned runs' streams go quiet
	streams       map[io.Writer]*outStream
	tape          *inTape
	writers       []*genWriter // the current run's (Output)
	reader        *genReader   // the current run's (Input)
	points        []savedPoint // checkpoints, oldest first (checkpoint.go)
	every         uint64       // instructions between checkpoints
	pausing       bool         // a pause for a checkpoint was asked for
	noCheckpoints bool         // CheckpointEvery(0)
	limit         uint64       // bytes all checkpoints may hold (CheckpointLimit; 0: no bound)
	// floor is the instant of the last process event reported: reverse moves stop
	// there (process.go).
	floor instant
	// writes are gdb's writes to the guest, in the order made; wnext is the next
	// one a re-execution makes again (writes.go).
	writes []dbgWrite
	wnext  int

	// Log, if set, receives each packet exchanged (--gdb-log, tests).
	Log io.Writer
}

type watch struct {
	kind int // watchWrite, watchRead or watchAccess
	pid  int
	addr uint64
	old  []byte // write watchpoints: the bytes last seen; else as long as the range
}

// Listen makes a stub that waits on addr for gdb: "HOST:PORT" (":0" or
// "127.0.0.1:0" picks a free port) or, with a '/' in it, a Unix socket path.
func Listen(addr string) (*Stub, error) {
	network := "tcp"
	if strings.Contains(addr, "/") {
		network = "unix"
	} else if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr // the loopback only: a debugger can write guest memory
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	return &Stub{ln: ln, procs: map[int]*bpSet{0: newBPSet()}}, nil
}

// newConnStub makes a stub on an established connection (tests).
func newConnStub(conn io.ReadWriteCloser, t Target) *Stub {
	s := &Stub{conn: conn, target: t, procs: map[int]*bpSet{0: newBPSet()}}
	s.startReader()
	return s
}

// Addr is where the stub listens.
func (s *Stub) Addr() net.Addr { return s.ln.Addr() }

// Attach makes the stub the debugger of k; exe is the host path of the program, which
// gdb reads for its symbols (qXfer:exec-file).
func (s *Stub) Attach(k *kernel.Kernel, exe string) {
	if s.kt != nil {
		// A re-execution: the same program, in a new kernel.
		s.kt.k = k
		s.abandoned = false
	} else {
		s.kt = &kernelTarget{k: k, exe: exe}
		s.target = s.kt
	}
	k.SetDebugger(s)
}

func (s *Stub) startReader() {
	s.pkts = make(chan packet, 16)
	go func() {
		defer close(s.pkts)
		r := bufio.NewReader(s.conn)
		for {
			p, err := readPacket(r)
			if errors.Is(err, errChecksum) {
				if !s.noAck.Load() {
					s.conn.Write([]byte{'-'})
				}
				continue
			}
			if err != nil {
				return
			}
			if p.interrupt {
				s.interrupt.Store(true)
			} else if !s.noAck.Load() {
				if _, err := s.conn.Write([]byte{'+'}); err != nil {
					return
				}
			}
			s.pkts <- p
		}
	}()
}

// Limit implements kernel.Debugger.
func (s *Stub) Limit() uint64 {
	n := uint64(0)
	switch {
	case s.detached || s.abandoned:
	case s.mode != modeLive:
		n = s.reverseLimit()
	case s.step || (s.kt == nil && (s.anyBreaks() || len(s.watches) > 0)):
		// A step needs every instruction; so do breakpoints and watchpoints when
		// the hart does not look for them (a target that is not a kernel).
		n = 1
	}
	s.lastLimit = n
	return n
}

// Check implements kernel.Debugger: it decides whether the guest stops before t's
// next instruction and, if so, serves gdb until gdb resumes it.
func (s *Stub) Check(t *kernel.Task, insns uint64) {
	if s.detached || s.abandoned {
		return
	}
	at := s.instantOf(t, insns)
	s.cur = at
	if s.mode != modeLive {
		s.replayWrites(at)
	}
	if s.mode == modeLive || s.mode == modeSeek {
		s.record(t.TID, insns, at)
	}
	switch s.mode {
	case modeLive:
		s.maybePause(at)
	case modeScan:
		s.scanCheck(t, insns, at)
		return
	case modeSeek:
		if !s.seekCheck(at) {
			return
		}
		s.last = t.TID
		s.checkTID, s.checkInsns = t.TID, insns
		if s.hasAccessWatches() {
			s.noteAccess(t.TG.PID, t.TID, insns, &t.Ctx) // a forward step makes it again
		}
		s.forgetAfter(at)
		s.stop(t.TID, s.stopReply(sigTRAP, t.TID, s.rev.toWhy))
		return
	}
	if !s.connected {
		if s.kt != nil {
			s.kt.mainPID = t.TG.PID
			s.kt.mainExe = t.TG.Exe
		}
		if s.conn == nil {
			c, err := s.ln.Accept()
			s.ln.Close()
			if err != nil {
				s.detached = true
				return
			}
			s.conn = c
			s.startReader()
		}
		s.connected = true
		s.last = t.TID
		s.checkTID, s.checkInsns = t.TID, insns
		s.stop(t.TID, s.stopReply(sigTRAP, t.TID, ""))
		return
	}
	if len(s.events) > 0 {
		s.checkTID, s.checkInsns = t.TID, insns
		if !s.reportEvents(t.TID, at) {
			return
		}
	}
	if !s.attached(t.TG.PID) {
		// A process gdb does not debug runs freely: only Ctrl-C stops the guest here,
		// in a thread gdb knows.
		if s.interrupt.Load() {
			if tid := s.firstAttachedThread(); tid != 0 {
				s.interrupt.Store(false)
				s.stop(tid, s.stopReply(sigINT, tid, ""))
			}
		}
		return
	}
	tid, pc := t.TID, t.Ctx.PC
	s.checkTID, s.checkInsns = tid, insns
	prev := s.last
	s.last = tid
	skip := false
	if s.skipTID != 0 && tid == s.skipTID {
		skip = pc == s.skipPC && insns == s.skipInsns
		s.skipTID = 0
	}
	var accessWhy string
	var accessBy access
	if s.hasAccessWatches() {
		accessWhy, accessBy = s.noteAccess(t.TG.PID, tid, insns, &t.Ctx)
	}
	switch {
	case s.interrupt.Swap(false):
		s.stop(tid, s.stopReply(sigINT, tid, ""))
	case s.stepDone(tid, insns, pc):
		s.stop(tid, s.stopReply(sigTRAP, tid, ""))
	case s.breakAt(t.TG.PID, pc) && !skip:
		s.stop(tid, s.stopReply(sigTRAP, tid, "swbreak:;"))
	case accessWhy != "":
		// A read or access watchpoint: reported after the access, in the thread
		// that made it.
		if s.alive(accessBy.tid) {
			tid = accessBy.tid
		}
		s.stop(tid, s.stopReply(sigTRAP, tid, accessWhy))
	default:
		if w := s.watchHit(); w != nil {
			// The write was made by the thread that ran the instruction before this
			// one (or by the kernel on its behalf): it is reported, after the write,
			// as a hardware watchpoint reports it.
			if s.alive(prev) {
				tid = prev
			}
			s.stop(tid, s.stopReply(sigTRAP, tid, fmt.Sprintf("watch:%x;", w.addr)))
		}
	}
}

// stepDone reports whether the pending step has ended with the thread at tid about to
// run: it is the stepped thread and it has moved, or the stepped thread is gone (it
// exited in a system call) and tid is where the guest stops instead.
func (s *Stub) stepDone(tid int, insns, pc uint64) bool {
	if !s.step {
		return false
	}
	if tid == s.stepTID {
		return insns != s.stepInsns || pc != s.stepPC
	}
	return !s.alive(s.stepTID)
}

func (s *Stub) alive(tid int) bool {
	_, ok := s.target.Regs(tid)
	return ok
}

// watchHit returns the first write watchpoint whose bytes changed since it was set or
// last reported, updating what it remembers.
func (s *Stub) watchHit() *watch {
	for i := range s.watches {
		w := &s.watches[i]
		if w.kind != watchWrite {
			continue
		}
		cur := make([]byte, len(w.old))
		if s.target.ReadMem(w.pid, w.addr, cur) != nil {
			continue
		}
		if !bytes.Equal(cur, w.old) {
			w.old = cur
			return w
		}
	}
	return nil
}

// stop reports a stop of thread tid to gdb (if gdb waits for one) and serves packets
// until gdb resumes the guest, detaches or goes away.
func (s *Stub) stop(tid int, msg string) {
	s.step = false
	s.stopTID, s.stopMsg = tid, msg
	s.gThread, s.cThread = tid, tid
	if s.running {
		s.running = false
		s.send(msg)
	}
	s.serve()
}

// serve answers gdb's packets while the guest is stopped, until one resumes it.
func (s *Stub) serve() {
	for p := range s.pkts {
		if p.interrupt {
			s.interrupt.Store(false) // already stopped
			continue
		}
		if resume := s.handle(p.data); resume || s.detached {
			return
		}
	}
	s.detach() // the connection ended
}

func (s *Stub) detach() {
	s.detached = true
	s.step = false
	s.procs = map[int]*bpSet{}
	s.watches = nil
	s.events = nil
}

// Breakpoints implements kernel.HartDebugger.
func (s *Stub) Breakpoints(t *kernel.Task) []uint64 {
	if s.detached || s.abandoned {
		return nil
	}
	if b := s.bps(t.TG.PID); b != nil {
		return b.sorted()
	}
	return nil
}

// Watching implements kernel.HartDebugger: it also notes each watchpoint's address
// space for Watches (a process's changes when it execs).
func (s *Stub) Watching() bool {
	if s.detached || s.abandoned || len(s.watches) == 0 || s.kt == nil {
		return false
	}
	s.watchMM = s.watchMM[:0]
	for _, w := range s.watches {
		var as *mm.AddressSpace
		if g := s.kt.group(w.pid); g != nil {
			as = g.MM
		}
		s.watchMM = append(s.watchMM, as)
	}
	return true
}

// Watches implements kernel.HartDebugger: the pages of a write watchpoint are watched
// for stores, those of read and access watchpoints for every access.
func (s *Stub) Watches(as *mm.AddressSpace, addr uint64, acc mm.Access) bool {
	page := addr >> mm.PageShift
	for i, w := range s.watches {
		if i >= len(s.watchMM) || s.watchMM[i] != as || (w.kind == watchWrite && acc != mm.Store) {
			continue
		}
		if page >= w.addr>>mm.PageShift && page <= (w.addr+uint64(len(w.old))-1)>>mm.PageShift {
			return true
		}
	}
	return false
}

func (s *Stub) send(payload string) {
	if s.Log != nil {
		fmt.Fprintf(s.Log, "<- %s\n", payload)
	}
	if _, err := s.conn.Write(frame([]byte(payload))); err != nil {
		s.detach()
	}
}

// Exited tells gdb that the run ended: pid 1 exited with status, or was killed by
// signal sig (non-zero). It then serves gdb until it leaves or kills the target.
func (s *Stub) Exited(status, sig int) {
	if s.ln != nil && s.conn == nil {
		s.ln.Close()
	}
	if s.conn == nil || s.detached {
		if s.conn != nil {
			s.conn.Close()
		}
		return
	}
	// Events noted in the run's last moments come first.
	for len(s.events) > 0 && s.running && !s.detached {
		e := s.events[0]
		s.events = s.events[1:]
		s.running = false
		s.send(e.msg)
		s.stopMsg = e.msg
		s.serveExited()
	}
	if s.detached {
		s.conn.Close()
		return
	}
	s.stopMsg = exitReply(status, sig, s.mainPID(), s.multi)
	if s.running {
		s.running = false
		s.send(s.stopMsg)
	}
	s.exited = true
	s.serveExited()
	s.conn.Close()
}

// serveExited serves gdb once the run has ended, until it resumes, leaves or kills.
func (s *Stub) serveExited() {
	for p := range s.pkts {
		if p.interrupt {
			continue
		}
		if s.handle(p.data) || s.detached {
			return
		}
	}
	s.detached = true
}

// handle answers one packet; it reports whether the packet resumed the guest.
func (s *Stub) handle(pkt string) (resume bool) {
	if s.Log != nil {
		fmt.Fprintf(s.Log, "-> %s\n", pkt)
	}
	reply, resume := s.dispatch(pkt)
	if !resume {
		s.send(reply)
		if pkt == "QStartNoAckMode" {
			s.noAck.Store(true)
		}
	}
	return resume
}

func (s *Stub) dispatch(pkt string) (reply string, resume bool) {
	if pkt == "" {
		return "", false
	}
	if s.exited {
		return s.dispatchExited(pkt)
	}
	switch pkt[0] {
	case '?':
		return s.stopMsg, false
	case 'g':
		c, ok := s.target.Regs(s.gThread)
		if !ok {
			return "E01", false
		}
		return encodeRegs(&c), false
	case 'G':
		c, ok := s.target.Regs(s.gThread)
		if !ok || !decodeRegs(&c, pkt[1:]) || !s.setRegs(s.gThread, c) {
			return "E01", false
		}
		return "OK", false
	case 'p':
		n, ok := parseHex(pkt[1:])
		c, alive := s.target.Regs(s.gThread)
		if !ok || !alive || n >= numRegs {
			return "E01", false
		}
		return encodeReg(&c, int(n)), false
	case 'P':
		num, val, _ := strings.Cut(pkt[1:], "=")
		n, ok := parseHex(num)
		c, alive := s.target.Regs(s.gThread)
		if !ok || !alive || n >= numRegs {
			return "E01", false
		}
		v, ok := decodeReg(int(n), val)
		if !ok || !setReg(&c, int(n), v) || !s.setRegs(s.gThread, c) {
			return "E01", false
		}
		return "OK", false
	case 'm':
		return s.readMem(pkt[1:]), false
	case 'M':
		return s.writeMem(pkt[1:]), false
	case 'H':
		if len(pkt) < 3 {
			return "E01", false
		}
		pid, tid, ok := s.parseThread(pkt[2:])
		if !ok {
			return "E01", false
		}
		switch pkt[1] {
		case 'g':
			// Any thread of a process names the process (memory, breakpoints).
			if t := s.threadOf(pid, tid); t > 0 {
				s.gThread = t
			} else if pid > 0 {
				return "E01", false
			}
		case 'c':
			if tid > 0 {
				s.cThread = tid
			} else {
				s.cThread = -1
			}
		default:
			return "E01", false
		}
		return "OK", false
	case 'T':
		pid, tid, ok := s.parseThread(pkt[1:])
		if ok && tid > 0 && s.alive(tid) && (pid <= 0 || s.pidOf(tid) == pid) {
			return "OK", false
		}
		return "E01", false
	case 'c', 'C':
		s.setResumed(nil)
		s.resume(0)
		return "", true
	case 's', 'S':
		s.setResumed(nil)
		s.resume(s.threadOr(s.cThread))
		return "", true
	case 'D':
		if p, ok := strings.CutPrefix(pkt, "D;"); ok {
			pid, ok := parseHex(p)
			if !ok {
				return "E01", false
			}
			return s.detachProcess(int(pid))
		}
		s.send("OK")
		s.detach()
		return "", true
	case 'k':
		s.target.Kill()
		s.detach()
		return "", true
	case 'Z', 'z':
		return s.breakpoint(pkt), false
	case 'b':
		// bs and bc: reverse-stepi and reverse-continue.
		if pkt == "bs" || pkt == "bc" {
			return s.reverseStart(pkt == "bs")
		}
		return "", false
	case 'v':
		return s.vPacket(pkt)
	case 'q':
		return s.query(pkt), false
	case 'Q':
		if pkt == "QStartNoAckMode" {
			return "OK", false
		}
		return "", false
	}
	return "", false
}

// dispatchExited answers gdb once the run has ended: it may only ask why, kill or
// detach.
func (s *Stub) dispatchExited(pkt string) (string, bool) {
	switch pkt[0] {
	case '?':
		return s.stopMsg, false
	case 'k', 'D':
		s.detached = true
		return "OK", true
	case 'v':
		if strings.HasPrefix(pkt, "vKill") {
			s.detached = true
			return "OK", true
		}
	}
	if strings.HasPrefix(pkt, "qSupported") {
		return s.query(pkt), false
	}
	return "E01", false
}

// threadOr is tid, or the thread of the last stop for "any" (0) and "all" (-1).
func (s *Stub) threadOr(tid int) int {
	if tid <= 0 {
		return s.stopTID
	}
	return tid
}

// resume lets the guest run; a non-zero stepTID single-steps that thread.
func (s *Stub) resume(stepTID int) {
	s.running = true
	s.step = false
	if stepTID != 0 {
		if c, ok := s.target.Regs(stepTID); ok {
			s.step, s.stepTID, s.stepPC = true, stepTID, c.PC
			s.stepInsns = s.insnsOf(stepTID)
		}
	}
	// The thread that stopped at a breakpoint goes past it (gdb may already step it
	// over, with the breakpoint removed; then this changes nothing).
	if c, ok := s.target.Regs(s.stopTID); ok && s.breakAt(s.pidOf(s.stopTID), c.PC) {
		s.skipTID, s.skipPC, s.skipInsns = s.stopTID, c.PC, s.insnsOf(s.stopTID)
	}
}

// insnsOf is what Check will be told thread tid has retired when it next runs.
func (s *Stub) insnsOf(tid int) uint64 {
	if tid == s.checkTID {
		return s.checkInsns
	}
	if s.kt != nil {
		if t := s.kt.task(tid); t != nil {
			return t.Insns()
		}
	}
	if f, ok := s.target.(interface{ Insns(int) uint64 }); ok {
		return f.Insns(tid)
	}
	return 0
}

// pidOf is the process of thread tid (the last stopped thread's for none).
func (s *Stub) pidOf(tid int) int {
	tid = s.threadOr(tid)
	for _, t := range s.target.Threads() {
		if t.TID == tid {
			return t.PID
		}
	}
	return 0
}

func (s *Stub) parseAddrLen(args string) (addr, n uint64, ok bool) {
	a, l, found := strings.Cut(args, ",")
	if !found {
		return 0, 0, false
	}
	addr, ok1 := parseHex(a)
	n, ok2 := parseHex(l)
	return addr, n, ok1 && ok2
}

func (s *Stub) readMem(args string) string {
	addr, n, ok := s.parseAddrLen(args)
	if !ok {
		return "E01"
	}
	n = min(n, packetSize/2-8)
	if addr+n < addr {
		return "E14" // wraps around the address space
	}
	buf := make([]byte, n)
	// Read what can be read: a read that runs into an unmapped page returns the
	// bytes before it, as the protocol allows.
	got := 0
	for got < len(buf) {
		chunk := min(len(buf)-got, 4096-int((addr+uint64(got))&4095))
		if s.target.ReadMem(s.pidOf(s.gThread), addr+uint64(got), buf[got:got+chunk]) != nil {
			break
		}
		got += chunk
	}
	if got == 0 && n > 0 {
		return "E14" // EFAULT
	}
	return encodeHex(buf[:got])
}

func (s *Stub) writeMem(args string) string {
	loc, data, found := strings.Cut(args, ":")
	addr, n, ok := s.parseAddrLen(loc)
	b, okData := decodeHex(data)
	if !found || !ok || !okData || uint64(len(b)) != n {
		return "E01"
	}
	if addr+n < addr {
		return "E14"
	}
	if s.writeGuest(s.pidOf(s.gThread), addr, b) != nil {
		return "E14"
	}
	return "OK"
}

// breakpoint handles Z and z packets: type 0 and 1 (breakpoints, checked against the pc
// before each instruction; guest memory is never patched) and 2 (write watchpoints).
func (s *Stub) breakpoint(pkt string) string {
	insert := pkt[0] == 'Z'
	parts := strings.Split(pkt[1:], ",")
	if len(parts) < 3 {
		return "E01"
	}
	addr, ok1 := parseHex(parts[1])
	kind, ok2 := parseHex(strings.SplitN(parts[2], ";", 2)[0])
	if !ok1 || !ok2 {
		return "E01"
	}
	switch parts[0] {
	case "0", "1":
		// In the address space of the process Hg names.
		b := s.bps(s.pidOf(s.gThread))
		if b == nil {
			return "E01"
		}
		if insert {
			b.pcs[addr] = true
		} else {
			delete(b.pcs, addr)
		}
		b.list = nil
		return "OK"
	case "2", "3", "4":
		k := int(parts[0][0] - '0')
		pid := s.pidOf(s.gThread)
		if !insert {
			for i, w := range s.watches {
				if w.kind == k && w.addr == addr && uint64(len(w.old)) == kind && w.pid == pid {
					s.watches = append(s.watches[:i], s.watches[i+1:]...)
					break
				}
			}
			return "OK"
		}
		if kind == 0 || kind > 64 {
			return "E01"
		}
		old := make([]byte, kind)
		if s.target.ReadMem(pid, addr, old) != nil {
			return "E14"
		}
		s.watches = append(s.watches, watch{kind: k, pid: pid, addr: addr, old: old})
		s.pending = nil
		if s.kt != nil {
			s.kt.hideWatched(pid, addr, kind) // no cached translation may bypass the stub
		}
		return "OK"
	}
	return ""
}

func (s *Stub) vPacket(pkt string) (string, bool) {
	switch {
	case pkt == "vCont?":
		return "vCont;c;C;s;S", false
	case strings.HasPrefix(pkt, "vCont;"):
		// Each action applies to its thread, or to all threads left; the first
		// that applies to a thread wins. weft runs every thread of a process
		// while one steps (gdb's scheduler-locking off), so only the step's thread
		// and the processes resumed matter.
		step := 0
		resumed := map[int]bool{}
		for _, a := range strings.Split(pkt[len("vCont;"):], ";") {
			act, id, hasID := strings.Cut(a, ":")
			if act == "" || !strings.ContainsRune("cCsS", rune(act[0])) {
				continue
			}
			if pid, _, ok := s.parseThread(id); !hasID || !ok || pid <= 0 {
				resumed = nil // every thread (a bare TID: without multiprocess)
			} else if resumed != nil {
				resumed[pid] = true
			}
			if (act[0] != 's' && act[0] != 'S') || step != 0 {
				continue
			}
			tid := s.cThread
			if hasID {
				pid, t, ok := s.parseThread(id)
				if !ok {
					return "E01", false
				}
				tid = s.threadOf(pid, t)
			}
			step = s.threadOr(tid)
		}
		if !s.multi {
			resumed = nil
		}
		s.setResumed(resumed)
		s.resume(step)
		return "", true
	case strings.HasPrefix(pkt, "vKill"):
		pid := 0
		if p, ok := strings.CutPrefix(pkt, "vKill;"); ok {
			v, ok := parseHex(p)
			if !ok {
				return "E01", false
			}
			pid = int(v)
		}
		return s.killProcess(pid)
	case pkt == "vMustReplyEmpty":
		return "", false
	}
	return "", false
}

func (s *Stub) query(pkt string) string {
	switch {
	case strings.HasPrefix(pkt, "qSupported"):
		s.supported(pkt)
		more := ""
		if s.canReverse() {
			more = ";ReverseStep+;ReverseContinue+"
		}
		if s.multi {
			more += ";multiprocess+"
		}
		if s.forkEv {
			more += ";fork-events+"
		}
		if s.vforkEv {
			more += ";vfork-events+"
		}
		if s.execEv {
			more += ";exec-events+"
		}
		return fmt.Sprintf("PacketSize=%x;qXfer:features:read+;qXfer:threads:read+;qXfer:exec-file:read+;qXfer:auxv:read+;qXfer:libraries-svr4:read+;vContSupported+;QStartNoAckMode+;swbreak+%s", packetSize, more)
	case pkt == "qAttached" || strings.HasPrefix(pkt, "qAttached:"):
		return "0" // weft started the program: gdb kills it when it quits
	case pkt == "qC":
		return "QC" + s.threadID(s.pidOf(s.stopTID), s.stopTID)
	case pkt == "qfThreadInfo":
		var b strings.Builder
		for i, t := range s.gdbThreads() {
			if i == 0 {
				b.WriteString("m")
			} else {
				b.WriteString(",")
			}
			b.WriteString(s.threadID(t.PID, t.TID))
		}
		if b.Len() == 0 {
			return "l"
		}
		return b.String()
	case pkt == "qsThreadInfo":
		return "l"
	case strings.HasPrefix(pkt, "qThreadExtraInfo,"):
		_, tid, ok := s.parseThread(pkt[len("qThreadExtraInfo,"):])
		for _, t := range s.gdbThreads() {
			if ok && t.TID == tid {
				return encodeHex([]byte(t.Name))
			}
		}
		return "E01"
	case strings.HasPrefix(pkt, "qXfer:"):
		return s.xfer(pkt[len("qXfer:"):])
	}
	return ""
}

func (s *Stub) threads() []Thread {
	ts := s.target.Threads()
	sort.Slice(ts, func(i, j int) bool { return ts[i].TID < ts[j].TID })
	return ts
}

// gdbThreads are the threads of the processes gdb debugs.
func (s *Stub) gdbThreads() []Thread {
	var out []Thread
	for _, t := range s.threads() {
		if s.attached(t.PID) {
			out = append(out, t)
		}
	}
	return out
}

// xfer answers qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH.
func (s *Stub) xfer(args string) string {
	f := strings.SplitN(args, ":", 4)
	if len(f) != 4 || f[1] != "read" {
		return ""
	}
	off, n, ok := s.parseAddrLen(f[3])
	if !ok {
		return "E01"
	}
	var doc string
	switch f[0] {
	case "features":
		if f[2] != "target.xml" {
			return "E00"
		}
		doc = targetXML
	case "threads":
		var b strings.Builder
		b.WriteString("<?xml version=\"1.0\"?>\n<threads>\n")
		for _, t := range s.gdbThreads() {
			fmt.Fprintf(&b, "<thread id=\"%s\" name=\"%s\"/>\n", s.threadID(t.PID, t.TID), xmlEscape(t.Name))
		}
		b.WriteString("</threads>\n")
		doc = b.String()
	case "exec-file":
		pid := s.pidOf(s.gThread)
		if f[2] != "" {
			p, ok := parseHex(f[2])
			if !ok {
				return "E01"
			}
			pid = int(p)
		}
		doc = s.target.ExecFile(pid)
		if doc == "" {
			return "E01"
		}
	case "auxv":
		// Binary: frame escapes the bytes the protocol reserves.
		auxv := s.target.Auxv(s.pidOf(s.gThread))
		if auxv == nil {
			return "E01"
		}
		doc = string(auxv)
	case "libraries-svr4":
		// The annex (start=, prev=) is only sent to a stub that says
		// augmented-libraries-svr4-read+, which this one does not.
		lib, err := s.librariesSVR4(s.pidOf(s.gThread))
		if err != nil {
			return "E01"
		}
		doc = lib
	default:
		return ""
	}
	if off >= uint64(len(doc)) {
		return "l"
	}
	n = min(n, packetSize-8)
	end := min(uint64(len(doc)), off+n)
	if end == uint64(len(doc)) {
		return "l" + doc[off:end]
	}
	return "m" + doc[off:end]
}

func xmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<', '>', '&', '"', '\'':
			b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
		default:
			if r < 0x20 {
				b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
