package check

import (
	"encoding/binary"
	"testing"
)

// ehFrame builds an .eh_frame at addr: one CIE (CFA = sp, data alignment -8, ra in
// x1, FDE addresses pc-relative sdata4) and an FDE per function with its CFI.
func ehFrame(addr uint64, fns []struct {
	lo, hi uint64
	cfi    []byte
}) []byte {
	le32 := func(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
	cie := []byte{1, 'z', 'R', 0, 1, 0x78, 1, 1, 0x1b, 0x0c, 2, 0}
	for len(cie)%4 != 0 {
		cie = append(cie, 0)
	}
	out := le32(nil, uint32(4+len(cie)))
	out = le32(out, 0)
	out = append(out, cie...)
	for _, f := range fns {
		start := len(out)
		body := le32(nil, uint32(start+4)) // back to the CIE at 0
		at := addr + uint64(start) + 8     // where pc_begin lies
		body = le32(body, uint32(int32(int64(f.lo)-int64(at))))
		body = le32(body, uint32(f.hi-f.lo))
		body = append(body, 0) // no augmentation data
		body = append(body, f.cfi...)
		for (len(body)+4)%4 != 0 {
			body = append(body, 0)
		}
		out = le32(out, uint32(len(body)))
		out = append(out, body...)
	}
	return le32(out, 0)
}

func TestUnwindCFI(t *testing.T) {
	fns := []struct {
		lo, hi uint64
		cfi    []byte
	}{
		// f: addi sp,-32; sd ra,24(sp); sd s0,16(sp)
		{0x1000, 0x1100, []byte{0x44, 0x0e, 32, 0x81, 1, 0x88, 2}},
		// g: addi sp,-16 and ra at cfa-8, with remember/restore around an epilogue
		// (epilogue at 0x2082, code after it from 0x2084)
		{0x2000, 0x2100, []byte{0x42, 0x0e, 16, 0x81, 1, 0x0a, 0x02, 0x80, 0xc1, 0x0e, 0, 0x42, 0x0b}},
		// h: the outermost frame, ra undefined
		{0x3000, 0x3100, []byte{0x07, 1, 0x42, 0x0e, 16}},
	}
	const sect = 0x50000
	un := &Unwinder{}
	un.parse(ehFrame(sect, fns), sect, true)
	u := un.Session()
	if un.FDEs() != 3 {
		t.Fatalf("FDEs = %d, want 3", un.FDEs())
	}
	m := &fakeMem{base: 0x7000, b: make([]byte, 0x2000)}
	m.put64(0x8018, 0x2044) // f's saved ra: into g
	m.put64(0x8010, 0x1234) // f's saved s0
	m.put64(0x8028, 0x3010) // g's saved ra: into h
	var regs [32]uint64
	regs[2], regs[1] = 0x8000, 0x1111 // ra is stale in f's body: it was saved
	got := u.unwind(&regs, 0x1010, m)
	want := []uint64{0x1010, 0x2042, 0x300e} // the calls (no code mapped: 2 bytes back)
	if !equal(got, want) {
		t.Errorf("stack in f's body = %x, want %x", got, want)
	}
	// At f's entry, before the prologue: CFA = sp, ra still in its register.
	regs[2], regs[1] = 0x8020, 0x2044
	if got := u.unwind(&regs, 0x1000, m); !equal(got, []uint64{0x1000, 0x2042, 0x300e}) {
		t.Errorf("stack at f's entry = %x", got)
	}
	// In g's epilogue ra is restored and the CFA is sp; after it, restore_state
	// brings back the remembered row.
	if r := u.rule(0x2083); r == nil || r.cfaOff != 0 || r.regs[1].kind != ruleSame {
		t.Errorf("rule at 0x2083 = %+v, want CFA sp+0, ra in its register", r)
	}
	if r := u.rule(0x2090); r == nil || r.cfaOff != 16 || r.regs[1].kind != ruleOffset {
		t.Errorf("rule at 0x2090 = %+v, want CFA sp+16, ra saved", r)
	}
	if r := u.rule(0x4000); r != nil {
		t.Errorf("rule outside every FDE = %+v", r)
	}
	// Garbage: sp nowhere mapped stops the walk, it does not fail.
	regs[2] = 0xdead0000
	if got := u.unwind(&regs, 0x1010, m); len(got) != 1 {
		t.Errorf("stack with a bad sp = %x, want the pc alone", got)
	}
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
