package gdbstub

import (
	"encoding/binary"
	"strings"
	"testing"

	"weft/internal/kernel"
)

func TestParseThread(t *testing.T) {
	s := &Stub{}
	cases := []struct {
		id       string
		pid, tid int
		ok       bool
	}{
		{"7", 0, 7, true},
		{"-1", 0, -1, true},
		{"0", 0, 0, true},
		{"p7.8", 7, 8, true},
		{"p7.-1", 7, -1, true},
		{"p7.0", 7, 0, true},
		{"p7", 7, -1, true},
		{"p-1.-1", -1, -1, true},
		{"p-1", -1, -1, true},
		{"pzz.1", 0, 0, false},
		{"p7.zz", 0, 0, false},
		{"zz", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, c := range cases {
		pid, tid, ok := s.parseThread(c.id)
		if ok != c.ok || ok && (pid != c.pid || tid != c.tid) {
			t.Errorf("parseThread(%q) = %d, %d, %v; want %d, %d, %v", c.id, pid, tid, ok, c.pid, c.tid, c.ok)
		}
	}
}

// With the multiprocess extension, thread ids are pPID.TID everywhere, and the
// packets that name a process (Hg, T, D;PID, vKill;PID) check that it is debugged.
func TestMultiprocessPackets(t *testing.T) {
	s, f, gdb := newFakeStub(t)
	sup := ask(t, s, gdb, "qSupported:multiprocess+;swbreak+;fork-events+;vfork-events+;exec-events+")
	for _, want := range []string{"multiprocess+", "fork-events+", "vfork-events+", "exec-events+", "qXfer:libraries-svr4:read+"} {
		if !strings.Contains(sup, want) {
			t.Errorf("qSupported reply %q lacks %s", sup, want)
		}
	}
	cases := []struct{ pkt, want string }{
		{"qC", "QCp7.7"},
		{"qfThreadInfo", "mp7.7,p7.8"},
		{"qXfer:threads:read::0,1000", "l<?xml version=\"1.0\"?>\n<threads>\n<thread id=\"p7.7\" name=\"main\"/>\n<thread id=\"p7.8\" name=\"w&#60;1&#62;\"/>\n</threads>\n"},
		{"Tp7.8", "OK"},
		{"Tp9.8", "E01"}, // thread 8 is not in process 9
		{"Hgp7.8", "OK"},
		{"Hgp9.0", "E01"}, // no process 9
		{"Hgp7.0", "OK"},  // any thread of process 7
		{"Hcp7.-1", "OK"},
		{"Z0,10100,2", "OK"}, // in process 7's address space
		{"D;9", "E01"},
		{"vKill;9", "E01"},
	}
	for _, c := range cases {
		if got := ask(t, s, gdb, c.pkt); got != c.want {
			t.Errorf("%s -> %q, want %q", c.pkt, got, c.want)
		}
	}
	if s.gThread != 7 || s.cThread != -1 {
		t.Errorf("after Hgp7.0 and Hcp7.-1: gThread %d cThread %d, want 7 and -1", s.gThread, s.cThread)
	}
	if got := s.stopReply(sigTRAP, 8, "swbreak:;"); got != "T05thread:p7.8;swbreak:;" {
		t.Errorf("stop reply %q", got)
	}

	// A fork: the child (process 9) starts with a copy of the parent's breakpoints,
	// and gdb hears of it in a stop reply naming the parent's thread.
	parent := &kernel.Task{TID: 7, TG: &kernel.ThreadGroup{PID: 7}}
	child := &kernel.Task{TID: 9, TG: &kernel.ThreadGroup{PID: 9}}
	s.Forked(parent, child, false)
	if len(s.events) != 1 || s.events[0].msg != "T05thread:p7.7;fork:p9.9;" {
		t.Fatalf("after a fork, events %+v", s.events)
	}
	if !s.breakAt(9, 0x10100) || s.bps(9) == s.bps(7) {
		t.Errorf("the fork child's breakpoints are not a copy of the parent's")
	}
	delete(s.bps(9).pcs, 0x10100)
	if !s.breakAt(7, 0x10100) {
		t.Errorf("removing the child's breakpoint removed the parent's")
	}
	// A vfork child shares the parent's set.
	vchild := &kernel.Task{TID: 10, TG: &kernel.ThreadGroup{PID: 10}}
	s.Forked(parent, vchild, true)
	if s.bps(10) != s.bps(7) || s.events[1].msg != "T05thread:p7.7;vfork:pa.a;" {
		t.Errorf("vfork: shared set %v, event %+v", s.bps(10) == s.bps(7), s.events[1])
	}
	s.VforkDone(parent)
	if s.events[2].msg != "T05thread:p7.7;vforkdone:;" {
		t.Errorf("vforkdone event %+v", s.events[2])
	}
	// Detaching one process, killing another: the session goes on with process 7.
	if got := ask(t, s, gdb, "D;9"); got != "OK" || s.attached(9) || s.detached {
		t.Errorf("D;9 -> %q, attached %v, detached %v", got, s.attached(9), s.detached)
	}
	if got := ask(t, s, gdb, "vKill;a"); got != "OK" || s.attached(10) || len(f.kills) != 1 || f.kills[0] != 10 {
		t.Errorf("vKill;a -> %q, attached %v, kills %v", got, s.attached(10), f.kills)
	}
	// A process that exits is reported with W and its pid.
	s.ProcessExited(&kernel.ThreadGroup{PID: 7}) // the first process: its exit ends the run instead
	if len(s.events) != 3 {
		t.Errorf("the first process's exit made an event: %+v", s.events)
	}
	if got := exitReply(7, 0, 3, true); got != "W07;process:3" {
		t.Errorf("exitReply = %q", got)
	}
	if got := exitReply(0, 9, 3, true); got != "X09;process:3" {
		t.Errorf("exitReply = %q", got)
	}
}

// TestLibrariesSVR4 builds a dynamic linker's list in the fake's memory: program
// headers (PT_PHDR, PT_DYNAMIC), a dynamic section with DT_DEBUG, r_debug and two link
// maps, the program's and a library's.
func TestLibrariesSVR4(t *testing.T) {
	s, f, gdb := newFakeStub(t)
	put := func(addr uint64, words ...uint64) {
		for i, w := range words {
			binary.LittleEndian.PutUint64(f.mem[addr-fakeBase+8*uint64(i):], w)
		}
	}
	auxv := func(phnum uint64) []byte {
		var b []byte
		for _, w := range []uint64{atPHDR, 0x10040, atPHENT, 56, atPHNUM, phnum, 0, 0} {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		return b
	}
	f.auxv = auxv(2)
	// Elf64_Phdr: p_type (and p_flags), p_offset, p_vaddr, ...; the program is loaded
	// 0x10000 above its addresses.
	put(0x10040, ptPHDR, 0x40, 0x40)
	put(0x10040+56, ptDYN, 0x200, 0x200)
	put(0x10200, 1, 5, dtDEBUG, 0x10300, dtNULL, 0)
	put(0x10300, 1, 0x10400)                          // r_version, r_map
	put(0x10400, 0, 0x10600, 0x10200, 0x10440, 0)     // the program
	put(0x10440, 0x7000, 0x10610, 0x7100, 0, 0x10400) // a library
	copy(f.mem[0x610:], "/lib/a<b>.so\x00")
	want := "l<library-list-svr4 version=\"1.0\" main-lm=\"0x10400\">\n" +
		"<library name=\"/lib/a&#60;b&#62;.so\" lm=\"0x10440\" l_addr=\"0x7000\" l_ld=\"0x7100\" lmid=\"0x0\"/>\n" +
		"</library-list-svr4>\n"
	if got := ask(t, s, gdb, "qXfer:libraries-svr4:read::0,1000"); got != want {
		t.Errorf("libraries-svr4 = %q, want %q", got, want)
	}
	// The list is corrupt: l_prev does not point back.
	put(0x10440+32, 0x10500)
	if got := ask(t, s, gdb, "qXfer:libraries-svr4:read::0,1000"); got != "E01" {
		t.Errorf("with a bad l_prev: %q, want E01", got)
	}
	// Before the dynamic linker fills DT_DEBUG in: no list yet.
	put(0x10200+24, 0)
	if got := ask(t, s, gdb, "qXfer:libraries-svr4:read::0,1000"); got != "l<library-list-svr4 version=\"1.0\"/>\n" {
		t.Errorf("with DT_DEBUG 0: %q", got)
	}
	// A static program: no PT_DYNAMIC.
	f.auxv = auxv(1)
	if got := ask(t, s, gdb, "qXfer:libraries-svr4:read::0,1000"); got != "E01" {
		t.Errorf("without PT_DYNAMIC: %q, want E01", got)
	}
}
