package gdbstub

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"weft/internal/cpu"
)

func TestFrame(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "$#00"},
		{"OK", "$OK#9a"},
		{"g", "$g#67"},
		// '#', '$', '}' and '*' are escaped as '}' and the byte xor 0x20; the
		// checksum covers what is sent.
		{"a#b", "$a}\x03b#" + fmt.Sprintf("%02x", ('a'+'}'+0x03+'b')&0xff)},
		{"*}", "$}\x0a}\x5d#" + fmt.Sprintf("%02x", ('}'+0x0a+'}'+0x5d)&0xff)},
	}
	for _, c := range cases {
		if got := string(frame([]byte(c.in))); got != c.want {
			t.Errorf("frame(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReadPacket(t *testing.T) {
	cases := []struct {
		in   string
		want packet
		err  bool
	}{
		{"$g#67", packet{data: "g"}, false},
		{"++-$OK#9a", packet{data: "OK"}, false}, // acks before a packet are skipped
		{"\x03", packet{interrupt: true}, false},
		{"$g#68", packet{}, true}, // bad checksum
		{"$g#zz", packet{}, true},
		{"$g", packet{}, true}, // cut short
	}
	for _, c := range cases {
		got, err := readPacket(bufio.NewReader(strings.NewReader(c.in)))
		if (err != nil) != c.err || (err == nil && got != c.want) {
			t.Errorf("readPacket(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.err)
		}
	}
	// Round trip through frame, with every byte that needs escaping.
	for _, s := range []string{"M10,4:23242a7d", "a}b#c$d*e", strings.Repeat("x", 1000)} {
		got, err := readPacket(bufio.NewReader(bytes.NewReader(frame([]byte(s)))))
		if err != nil || got.data != s {
			t.Errorf("readPacket(frame(%q)) = %q, %v", s, got.data, err)
		}
	}
	// A peer that never ends its packet is cut off, not buffered without end.
	big := "$" + strings.Repeat("x", maxPacket+1) + "#00"
	if _, err := readPacket(bufio.NewReader(strings.NewReader(big))); err == nil {
		t.Errorf("readPacket accepted a %d-byte packet", maxPacket+1)
	}
}

// fakeTarget is two threads of process 7 over 64 KiB of memory at 0x10000.
type fakeTarget struct {
	regs   map[int]*cpu.Context
	mem    []byte
	killed bool
	kills  []int  // KillProcess
	auxv   []byte // Auxv, if set
}

const fakeBase = 0x10000

func newFake() *fakeTarget {
	f := &fakeTarget{regs: map[int]*cpu.Context{7: {}, 8: {}}, mem: make([]byte, 0x10000)}
	for i := range 32 {
		f.regs[7].X[i] = uint64(i) * 0x0101010101010101
		f.regs[7].F[i] = 0x3ff0000000000000 + uint64(i)
	}
	f.regs[7].X[0] = 0
	f.regs[7].PC = 0x10abc
	f.regs[7].FCSR = 0x5<<5 | 0x3
	f.regs[8].PC = 0x10100
	return f
}

func (f *fakeTarget) Threads() []Thread {
	return []Thread{{TID: 8, PID: 7, Name: "w<1>"}, {TID: 7, PID: 7, Name: "main"}}
}
func (f *fakeTarget) Regs(tid int) (cpu.Context, bool) {
	if c, ok := f.regs[tid]; ok {
		return *c, true
	}
	return cpu.Context{}, false
}
func (f *fakeTarget) SetRegs(tid int, c cpu.Context) bool {
	if _, ok := f.regs[tid]; !ok {
		return false
	}
	f.regs[tid] = &c
	return true
}
func (f *fakeTarget) span(pid int, addr uint64, n int) ([]byte, error) {
	if pid != 7 || addr < fakeBase || addr-fakeBase+uint64(n) > uint64(len(f.mem)) {
		return nil, fmt.Errorf("fault at %#x", addr)
	}
	return f.mem[addr-fakeBase : addr-fakeBase+uint64(n)], nil
}
func (f *fakeTarget) ReadMem(pid int, addr uint64, buf []byte) error {
	s, err := f.span(pid, addr, len(buf))
	if err == nil {
		copy(buf, s)
	}
	return err
}
func (f *fakeTarget) WriteMem(pid int, addr uint64, buf []byte) error {
	s, err := f.span(pid, addr, len(buf))
	if err == nil {
		copy(s, buf)
	}
	return err
}
func (f *fakeTarget) ExecFile(pid int) string { return "/bin/prog" }
func (f *fakeTarget) Auxv(pid int) []byte {
	if f.auxv != nil {
		return f.auxv
	}
	return []byte(fakeAuxv)
}

// fakeAuxv is AT_PAGESZ 0x2310 (a '#' to escape) and AT_NULL, as little-endian words.
const fakeAuxv = "\x06\x00\x00\x00\x00\x00\x00\x00\x10\x23\x00\x00\x00\x00\x00\x00" + "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

func (f *fakeTarget) Kill()               { f.killed = true }
func (f *fakeTarget) KillProcess(pid int) { f.kills = append(f.kills, pid) }

// newFakeStub is a stub on a fake target stopped at thread 7, with the gdb end of the
// connection.
func newFakeStub(t *testing.T) (*Stub, *fakeTarget, net.Conn) {
	ours, theirs := net.Pipe()
	t.Cleanup(func() { ours.Close(); theirs.Close() })
	f := newFake()
	s := newConnStub(ours, f)
	s.connected = true
	s.stopTID, s.gThread, s.cThread = 7, 7, 7
	s.stopMsg = "T05thread:7;"
	return s, f, theirs
}

// ask sends pkt to the stub's handler and returns its reply, as gdb sees it.
func ask(t *testing.T, s *Stub, gdb net.Conn, pkt string) string {
	t.Helper()
	s.noAck.Store(true)
	ch := make(chan string, 1)
	go func() {
		r := bufio.NewReader(gdb)
		p, err := readPacket(r)
		if err != nil {
			ch <- "read error: " + err.Error()
			return
		}
		ch <- p.data
	}()
	if s.handle(pkt) {
		t.Fatalf("%q resumed the guest", pkt)
	}
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("no reply to %q", pkt)
	}
	return ""
}

func TestRegisterPackets(t *testing.T) {
	s, f, gdb := newFakeStub(t)
	g := ask(t, s, gdb, "g")
	if want := 2 * (33*8 + 32*8 + 3*4); len(g) != want {
		t.Fatalf("g reply is %d hex digits, want %d", len(g), want)
	}
	if x1 := g[16:32]; x1 != "0101010101010101" {
		t.Errorf("g: x1 = %s, want 0101010101010101", x1)
	}
	if pc := g[32*16 : 33*16]; pc != "bc0a010000000000" {
		t.Errorf("g: pc = %s, want bc0a010000000000 (0x10abc little-endian)", pc)
	}
	cases := []struct{ pkt, want string }{
		{"p20", "bc0a010000000000"},   // pc
		{"p21", "000000000000f03f"},   // f0 = 1.0
		{"p41", "03000000"},           // fflags
		{"p42", "05000000"},           // frm
		{"p43", "a3000000"},           // fcsr
		{"p44", "E01"},                // no register 68
		{"P5=efbeadde00000000", "OK"}, // t0
		{"p5", "efbeadde00000000"},
		{"P0=0100000000000000", "OK"}, // writes to x0 vanish
		{"p0", "0000000000000000"},
		{"P43=1f000000", "OK"}, // fcsr: flags only, frm 0
		{"p42", "00000000"},
		{"P5=12", "E01"}, // wrong width
		{"Hg8", "OK"},
		{"p20", "0001010000000000"},
		{"Hg63", "OK"}, // a thread that does not exist
		{"g", "E01"},
		{"Hg7", "OK"},
		{"Hx7", "E01"},
	}
	for _, c := range cases {
		if got := ask(t, s, gdb, c.pkt); got != c.want {
			t.Errorf("%s -> %q, want %q", c.pkt, got, c.want)
		}
	}
	if f.regs[7].X[5] != 0xdeadbeef || f.regs[7].X[0] != 0 || f.regs[7].FCSR != 0x1f {
		t.Errorf("after P: t0 %#x x0 %#x fcsr %#x", f.regs[7].X[5], f.regs[7].X[0], f.regs[7].FCSR)
	}
	// G writes back what g read, with one register changed.
	g = ask(t, s, gdb, "g")
	g2 := g[:10*16] + "2a00000000000000" + g[11*16:]
	if got := ask(t, s, gdb, "G"+g2); got != "OK" || f.regs[7].X[10] != 42 {
		t.Errorf("G -> %q, a0 = %d, want OK and 42", got, f.regs[7].X[10])
	}
	if got := ask(t, s, gdb, "G"+g2[:len(g2)-1]); got != "E01" {
		t.Errorf("G with an odd length -> %q, want E01", got)
	}
}

func TestMemoryPackets(t *testing.T) {
	s, f, gdb := newFakeStub(t)
	cases := []struct{ pkt, want string }{
		{"M10010,4:deadbeef", "OK"},
		{"m10010,4", "deadbeef"},
		{"m1000e,4", "0000dead"},
		{"m0,4", "E14"},        // unmapped: EFAULT
		{"M0,1:00", "E14"},     // unmapped
		{"m1fffe,4", "0000"},   // runs off the end: the bytes before it
		{"M10010,2:00", "E01"}, // length does not match the data
		{"mzz,4", "E01"},       //
		{"M10010,1:0", "E01"},  // odd hex
		{"m10000,0", ""},       // nothing asked, nothing read
		{"Z0,10abc,4", "OK"},   // breakpoints never touch memory
		{"m10abc,2", "0000"},   //
		{"z0,10abc,4", "OK"},   //
		{"Z2,10010,4", "OK"},   // write watchpoint
		{"Z2,0,4", "E14"},      // on unmapped memory
		{"Z3,10010,4", "OK"},   // read watchpoint
		{"Z4,10010,8", "OK"},   // access watchpoint
		{"z3,10010,4", "OK"},   //
		{"z4,10010,8", "OK"},   //
		{"Z5,10010,8", ""},     // no such kind
		{"Z2,10010,0", "E01"},  //
		{"z2,10010,4", "OK"},   //
	}
	for _, c := range cases {
		if got := ask(t, s, gdb, c.pkt); got != c.want {
			t.Errorf("%s -> %q, want %q", c.pkt, got, c.want)
		}
	}
	if !bytes.Equal(f.mem[0x10:0x14], []byte{0xde, 0xad, 0xbe, 0xef}) {
		t.Errorf("memory after M = % x", f.mem[0x10:0x14])
	}
	if s.anyBreaks() || len(s.watches) != 0 {
		t.Errorf("after z0 and z2: %d breakpoints, %d watchpoints left", len(s.procs[0].pcs), len(s.watches))
	}
}

func TestQueries(t *testing.T) {
	s, f, gdb := newFakeStub(t)
	cases := []struct{ pkt, want string }{
		{"?", "T05thread:7;"},
		{"qC", "QC7"},
		{"qAttached", "0"},
		{"qfThreadInfo", "m7,8"}, // in TID order
		{"qsThreadInfo", "l"},
		{"T8", "OK"},
		{"T9", "E01"},
		{"Tp7.8", "OK"},
		{"vCont?", "vCont;c;C;s;S"},
		{"qXfer:threads:read::0,1000", "l<?xml version=\"1.0\"?>\n<threads>\n<thread id=\"7\" name=\"main\"/>\n<thread id=\"8\" name=\"w&#60;1&#62;\"/>\n</threads>\n"},
		{"qXfer:exec-file:read:7:0,1000", "l/bin/prog"},
		{"qXfer:exec-file:read:7:1,3", "mbin"}, // offsets and lengths in hex
		{"qXfer:exec-file:read:7:100,3", "l"},
		{"qXfer:auxv:read::0,1000", "l" + fakeAuxv}, // binary, escaped on the wire
		{"qXfer:features:read:other.xml:0,10", "E00"},
		{"qThreadExtraInfo,7", encodeHex([]byte("main"))},
		{"qUnknown", ""},
	}
	for _, c := range cases {
		if got := ask(t, s, gdb, c.pkt); got != c.want {
			t.Errorf("%s -> %q, want %q", c.pkt, got, c.want)
		}
	}
	sup := ask(t, s, gdb, "qSupported:multiprocess+;swbreak+;xmlRegisters=i386")
	for _, f := range []string{"PacketSize=4000", "qXfer:features:read+", "qXfer:threads:read+", "qXfer:exec-file:read+", "qXfer:auxv:read+", "vContSupported+"} {
		if !strings.Contains(sup, f) {
			t.Errorf("qSupported reply %q lacks %s", sup, f)
		}
	}
	// The target description, read in pieces as gdb reads it, is the whole document.
	var doc strings.Builder
	for off := 0; ; {
		r := ask(t, s, gdb, fmt.Sprintf("qXfer:features:read:target.xml:%x,%x", off, 200))
		doc.WriteString(r[1:])
		off += len(r) - 1
		if r[0] == 'l' {
			break
		}
		if r[0] != 'm' || off > 1<<16 {
			t.Fatalf("target.xml read at %d: %q", off, r)
		}
	}
	if doc.String() != targetXML {
		t.Errorf("target.xml read in pieces differs from targetXML")
	}
	for _, want := range []string{"<architecture>riscv:rv64</architecture>", `name="org.gnu.gdb.riscv.fpu"`, `<reg name="ft0" bitsize="64" type="riscv_double" regnum="33"/>`, `<reg name="fcsr" bitsize="32" type="int" regnum="67"`} {
		if !strings.Contains(targetXML, want) {
			t.Errorf("targetXML lacks %s", want)
		}
	}
	_ = f
}

func TestResumePackets(t *testing.T) {
	s, f, gdb := newFakeStub(t)
	go func() { // the replies (D's OK) are not looked at
		var b [256]byte
		for {
			if _, err := gdb.Read(b[:]); err != nil {
				return
			}
		}
	}()
	cases := []struct {
		pkt      string
		step     bool
		stepTID  int
		detached bool
	}{
		{"c", false, 0, false},
		{"s", true, 7, false},
		{"vCont;s:8;c", true, 8, false},
		{"vCont;c", false, 0, false},
		{"vCont;s:p7.7", true, 7, false},
		{"Hc8", false, 0, false}, // not a resume: skipped below
		{"s", true, 8, false},
		{"D", false, 0, true},
	}
	for _, c := range cases {
		if c.pkt[0] == 'H' {
			s.handle(c.pkt)
			continue
		}
		s.detached = false
		if !s.handle(c.pkt) {
			t.Errorf("%s did not resume", c.pkt)
			continue
		}
		if s.step != c.step || (c.step && s.stepTID != c.stepTID) || s.detached != c.detached || !s.running && !c.detached {
			t.Errorf("%s: step %v tid %d detached %v running %v; want step %v tid %d detached %v",
				c.pkt, s.step, s.stepTID, s.detached, s.running, c.step, c.stepTID, c.detached)
		}
	}
	s.detached = false
	if !s.handle("k") || !f.killed || !s.detached {
		t.Errorf("k: killed %v detached %v", f.killed, s.detached)
	}
}

// TestInterrupt checks that a Ctrl-C from gdb, a lone 0x03 byte between packets, asks
// the running guest to stop, and that packets are acknowledged until no-ack mode.
func TestInterrupt(t *testing.T) {
	s, _, gdb := newFakeStub(t)
	acks := make(chan byte, 4)
	go func() {
		var b [1]byte
		for {
			if _, err := gdb.Read(b[:]); err != nil {
				return
			}
			acks <- b[0]
		}
	}()
	if _, err := gdb.Write([]byte("$?#3f")); err != nil {
		t.Fatal(err)
	}
	if a := <-acks; a != '+' {
		t.Errorf("packet acknowledged with %q, want '+'", a)
	}
	if p := <-s.pkts; p.data != "?" {
		t.Errorf("reader passed on %+v, want ?", p)
	}
	if _, err := gdb.Write([]byte{0x03}); err != nil {
		t.Fatal(err)
	}
	if p := <-s.pkts; !p.interrupt || !s.interrupt.Load() {
		t.Errorf("after 0x03: packet %+v, interrupt flag %v", p, s.interrupt.Load())
	}
}

// TestMalformedPackets: whatever gdb (or anything else on the socket) sends, the stub
// answers without panicking.
func TestMalformedPackets(t *testing.T) {
	s, _, gdb := newFakeStub(t)
	go func() {
		var b [4096]byte
		for {
			if _, err := gdb.Read(b[:]); err != nil {
				return
			}
		}
	}()
	s.noAck.Store(true)
	for _, p := range []string{"p", "P", "P=", "Pzz=00", "m", "m,", "m1,", "m,1", "mffffffffffffffff,ffffffffffffffff",
		"M", "M1,1", "M1,1:", "H", "Hg", "Hgzz", "Hgp", "Hgp1.", "T", "Tzz", "Z", "Z0", "Z0,", "Z0,1", "Z9,1,1",
		"Z2,1,ffffffffffffffff", "z2", "qXfer", "qXfer:", "qXfer:features:read:target.xml:ffffffffffffffff,ffffffffffffffff",
		"qXfer:exec-file:read:zz:0,1", "qThreadExtraInfo,", "vCont;", "vCont;s:zz", "vCont;;", "G", "G0", "Q", "q", "v", "\x00",
		"D;", "D;zz", "vKill;", "vKill;zz", "Hgp-1.-1", "Hcp", "Tp", "Tp7.", "vCont;c:pzz.1", "vCont;s:p7.zz",
		"qXfer:libraries-svr4:read::0,1000", "qXfer:libraries-svr4:read:start=0:0,10",
		"qSupported:multiprocess+;fork-events+", "Hgp-1.-1", "D;7"} {
		s.detached = false
		s.handle(p)
	}
}
