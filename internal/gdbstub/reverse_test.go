package gdbstub

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestReexecStreams: a re-executed run writes nothing the runs before it wrote, and
// goes on writing past that point; an abandoned run writes and reads nothing more; a
// re-executed run reads the chunks the first run read, in the same pieces, then the
// host's input.
func TestReexecStreams(t *testing.T) {
	s := &Stub{}
	var host bytes.Buffer
	w1 := s.Output(&host)
	r1 := s.Input(strings.NewReader("abcdefgh"))
	io.WriteString(w1, "hello ")
	buf := make([]byte, 3)
	if n, _ := r1.Read(buf); string(buf[:n]) != "abc" {
		t.Fatalf("first read %q", buf[:n])
	}
	io.WriteString(w1, "world")
	s.gen++ // the run is abandoned
	if n, err := w1.Write([]byte("late")); n != 4 || err != nil {
		t.Errorf("abandoned write: %d, %v", n, err)
	}
	if n, err := r1.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("abandoned read: %d, %v", n, err)
	}
	w2, r2 := s.Output(&host), s.Input(nil)
	io.WriteString(w2, "hel")
	if n, _ := r2.Read(make([]byte, 8)); n != 3 {
		t.Errorf("replayed read gave %d bytes, want the 3 of the first run", n)
	}
	io.WriteString(w2, "lo world, again")
	if n, _ := r2.Read(buf); string(buf[:n]) != "def" {
		t.Errorf("read past the tape: %q", buf[:n])
	}
	if got := host.String(); got != "hello world, again" {
		t.Errorf("host got %q", got)
	}
}

// TestInstantOrder: instants order by slice, then by instructions.
func TestInstantOrder(t *testing.T) {
	if !(instant{1, 5}).less(instant{2, 0}) || !(instant{2, 0}).less(instant{2, 1}) || (instant{2, 1}).less(instant{2, 1}) {
		t.Error("instant order")
	}
}

// TestReverseWithoutKernel: a stub that debugs no kernel refuses bs and bc and does
// not advertise them.
func TestReverseWithoutKernel(t *testing.T) {
	s, _, gdb := newFakeStub(t)
	if r := ask(t, s, gdb, "qSupported:multiprocess+"); strings.Contains(r, "Reverse") {
		t.Errorf("qSupported = %q", r)
	}
	if r := ask(t, s, gdb, "bs"); r != "E01" {
		t.Errorf("bs -> %q", r)
	}
	if r := ask(t, s, gdb, "bc"); r != "E01" {
		t.Errorf("bc -> %q", r)
	}
}
