package loader

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"weft/internal/mm"
)

// ---- A small ELF64 builder, so the tests need no cross compiler. ----

type phdr struct {
	Type                             elf.ProgType
	Flags                            elf.ProgFlag
	Off, Vaddr, Filesz, Memsz, Align uint64
}

type elfFile struct {
	Class   elf.Class // default ELFCLASS64
	Data    elf.Data  // default ELFDATA2LSB
	Type    elf.Type
	Machine elf.Machine
	Entry   uint64
	Progs   []phdr
	Body    map[uint64][]byte // bytes at file offsets
	Size    uint64            // file size; 0: just past the last byte written
}

const ehdrSize, phdrSize = 64, 56

func (e elfFile) bytes() []byte {
	if e.Class == 0 {
		e.Class = elf.ELFCLASS64
	}
	if e.Data == 0 {
		e.Data = elf.ELFDATA2LSB
	}
	size := uint64(ehdrSize + phdrSize*len(e.Progs))
	for off, b := range e.Body {
		size = max(size, off+uint64(len(b)))
	}
	if e.Size != 0 {
		size = e.Size
	}
	buf := make([]byte, max(size, ehdrSize+phdrSize*uint64(len(e.Progs))))
	copy(buf, elf.ELFMAG)
	buf[elf.EI_CLASS] = byte(e.Class)
	buf[elf.EI_DATA] = byte(e.Data)
	buf[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var le binary.ByteOrder = binary.LittleEndian
	if e.Data == elf.ELFDATA2MSB {
		le = binary.BigEndian
	}
	le.PutUint16(buf[16:], uint16(e.Type))
	le.PutUint16(buf[18:], uint16(e.Machine))
	le.PutUint32(buf[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(buf[24:], e.Entry)
	le.PutUint64(buf[32:], ehdrSize) // e_phoff
	le.PutUint16(buf[52:], ehdrSize)
	le.PutUint16(buf[54:], phdrSize)
	le.PutUint16(buf[56:], uint16(len(e.Progs)))
	le.PutUint16(buf[58:], 64) // e_shentsize
	for i, p := range e.Progs {
		b := buf[ehdrSize+phdrSize*i:]
		le.PutUint32(b[0:], uint32(p.Type))
		le.PutUint32(b[4:], uint32(p.Flags))
		le.PutUint64(b[8:], p.Off)
		le.PutUint64(b[16:], p.Vaddr)
		le.PutUint64(b[24:], p.Vaddr) // p_paddr
		le.PutUint64(b[32:], p.Filesz)
		le.PutUint64(b[40:], p.Memsz)
		le.PutUint64(b[48:], max(p.Align, mm.PageSize))
	}
	for off, b := range e.Body {
		copy(buf[off:], b)
	}
	return buf[:size]
}

// The minimal program: a text segment holding the headers and code at 0x10000, and a
// data segment with a .bss tail at 0x12000.
const (
	textVaddr = 0x10000
	codeOff   = 0x100
	entry     = textVaddr + codeOff
	dataOff   = 0x1000
	dataVaddr = 0x12000
)

var code = []byte{0x93, 0x08, 0xd0, 0x05, 0x73, 0x00, 0x00, 0x00} // li a7, 93; ecall

func minimalELF() elfFile {
	return elfFile{
		Type: elf.ET_EXEC, Machine: elf.EM_RISCV, Entry: entry,
		Progs: []phdr{
			{Type: elf.PT_LOAD, Flags: elf.PF_R | elf.PF_X, Off: 0, Vaddr: textVaddr, Filesz: codeOff + 8, Memsz: codeOff + 8},
			{Type: elf.PT_LOAD, Flags: elf.PF_R | elf.PF_W, Off: dataOff, Vaddr: dataVaddr, Filesz: 16, Memsz: 0x100},
		},
		Body: map[uint64][]byte{codeOff: code, dataOff: []byte("initialized data")},
	}
}

func TestParseInterp(t *testing.T) {
	f := minimalELF()
	f.Progs = append(f.Progs, phdr{Type: elf.PT_INTERP, Flags: elf.PF_R, Off: 0x200, Filesz: 33})
	f.Body[0x200] = []byte("/lib/ld-linux-riscv64-lp64d.so.1\x00")
	b, err := Parse(f.bytes())
	if err != nil {
		t.Fatalf("Parse(dynamically linked) = %v", err)
	}
	if want := "/lib/ld-linux-riscv64-lp64d.so.1"; b.Interp != want {
		t.Errorf("Interp = %q, want %q", b.Interp, want)
	}
}

func TestParseErrors(t *testing.T) {
	x86 := minimalELF()
	x86.Machine = elf.EM_X86_64
	class32 := minimalELF().bytes()
	class32[elf.EI_CLASS] = byte(elf.ELFCLASS32)
	interp := minimalELF()
	interp.Progs = append(interp.Progs, phdr{Type: elf.PT_INTERP, Flags: elf.PF_R, Off: 0x200, Filesz: 33})
	interp.Body[0x200] = []byte("/lib/ld-linux-riscv64-lp64d.so.1\x00")
	unterminated := minimalELF()
	unterminated.Progs = append(unterminated.Progs, phdr{Type: elf.PT_INTERP, Flags: elf.PF_R, Off: 0x200, Filesz: 8})
	unterminated.Body[0x200] = []byte("/lib/ld-")
	dynamic := minimalELF()
	dynamic.Progs = append(dynamic.Progs, phdr{Type: elf.PT_DYNAMIC, Flags: elf.PF_R | elf.PF_W, Off: dataOff, Vaddr: dataVaddr, Filesz: 16, Memsz: 16})
	truncated := minimalELF()
	truncated.Progs[1].Filesz = 0x2000
	truncated.Progs[1].Memsz = 0x2000
	overlap := minimalELF()
	overlap.Progs[0].Memsz = 0x1800              // text covers [0x10000, 0x11800)
	overlap.Progs[1].Vaddr = textVaddr + dataOff // data starts at 0x11000
	bigEndian := minimalELF()
	bigEndian.Data = elf.ELFDATA2MSB // the builder writes the header big-endian too
	rel := minimalELF()
	rel.Type = elf.ET_REL
	fileBig := minimalELF()
	fileBig.Progs[1].Memsz = 8
	misaligned := minimalELF()
	misaligned.Progs[1].Vaddr = dataVaddr + 8
	outside := minimalELF()
	outside.Progs[1].Vaddr = 0x7fff_ffff_f000
	noLoad := minimalELF()
	noLoad.Progs = []phdr{{Type: elf.PT_NOTE, Off: 0x200, Filesz: 4}}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not an ELF file"},
		{"a script", []byte("#!/bin/sh\necho hi\n"), "not an ELF file"},
		{"three bytes", []byte("\x7fEL"), "not an ELF file"},
		{"32-bit", class32, "64-bit"},
		{"x86-64", x86.bytes(), "not a RISC-V program"},
		{"interpreter path not terminated", unterminated.bytes(), "not one NUL-terminated string"},
		{"PT_DYNAMIC", dynamic.bytes(), "names no interpreter"},
		{"truncated segment", truncated.bytes(), "past the end of the file"},
		{"overlapping segments", overlap.bytes(), "overlaps"},
		{"big-endian", bigEndian.bytes(), "big-endian"},
		{"relocatable", rel.bytes(), "not an executable"},
		{"file size > memory size", fileBig.bytes(), "exceeds memory size"},
		{"offset and address disagree", misaligned.bytes(), "modulo the page size"},
		{"outside the address space", outside.bytes(), "outside the user address space"},
		{"no PT_LOAD", noLoad.bytes(), "no loadable segments"},
		{"header cut short", minimalELF().bytes()[:40], "malformed ELF file"},
	} {
		b, err := Parse(c.data)
		if err == nil {
			t.Errorf("Parse(%s) succeeded (%d loads), want an error containing %q", c.name, len(b.loads), c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s) = %q, want it to contain %q", c.name, err, c.want)
		}
		var le *Error
		if !errors.As(err, &le) {
			t.Errorf("Parse(%s) error is %T, want *loader.Error", c.name, err)
		}
	}
}

func readStr(t *testing.T, as *mm.AddressSpace, addr uint64) string {
	t.Helper()
	s, ok, err := as.ReadString(addr, 4096)
	if err != nil || !ok {
		t.Fatalf("reading a string at 0x%x: ok=%v err=%v", addr, ok, err)
	}
	return s
}

func TestLoadMinimal(t *testing.T) {
	b, err := Parse(minimalELF().bytes())
	if err != nil {
		t.Fatal(err)
	}
	as := mm.New(&mm.Pool{})
	img, err := b.Load(as, "/bin/prog")
	if err != nil {
		t.Fatal(err)
	}
	if img.Entry != entry || img.Bias != 0 {
		t.Errorf("entry 0x%x bias 0x%x, want 0x%x, 0", img.Entry, img.Bias, entry)
	}
	if img.Phdr != textVaddr+ehdrSize || img.Phnum != 2 || img.Phent != phdrSize {
		t.Errorf("phdr 0x%x phnum %d phent %d, want 0x%x, 2, %d", img.Phdr, img.Phnum, img.Phent, textVaddr+ehdrSize, phdrSize)
	}
	if img.BrkStart != dataVaddr+mm.PageSize || as.Brk != img.BrkStart {
		t.Errorf("brk start 0x%x (as 0x%x), want 0x%x", img.BrkStart, as.Brk, dataVaddr+mm.PageSize)
	}
	got := make([]byte, len(code))
	if err := as.ReadAt(got, entry); err != nil || !bytes.Equal(got, code) {
		t.Errorf("code at the entry point = %x (%v), want %x", got, err, code)
	}
	data := make([]byte, 32)
	if err := as.ReadAt(data, dataVaddr); err != nil || string(data[:16]) != "initialized data" || !bytes.Equal(data[16:], make([]byte, 16)) {
		t.Errorf("data segment = %q (%v), want the initialized bytes then zeros", data, err)
	}
	if _, fault := as.Page(entry, mm.Store); fault == nil || fault.Kind != mm.Protection {
		t.Errorf("text segment writable: %v", fault)
	}
	if _, fault := as.Page(entry, mm.Fetch); fault != nil {
		t.Errorf("text segment not executable: %v", fault)
	}
	if _, fault := as.Page(dataVaddr, mm.Fetch); fault == nil {
		t.Errorf("data segment executable")
	}

	args := &StackArgs{
		Argv: []string{"prog", "arg one"}, Envp: []string{"A=1", "HOME=/root"},
		ExecFn: "/bin/prog", UID: 1000, EUID: 1000, GID: 100, EGID: 100,
		Random: [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
	}
	sp, err := SetupStack(as, img, args)
	if err != nil {
		t.Fatal(err)
	}
	if sp%16 != 0 || sp >= StackTop || sp < StackTop-StackSize {
		t.Fatalf("sp = 0x%x: want 16-byte aligned, in the stack", sp)
	}
	word := func(i int) uint64 {
		v, err := as.ReadU64(sp + uint64(8*i))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if argc := word(0); argc != 2 {
		t.Fatalf("argc = %d, want 2", argc)
	}
	i := 1
	for _, want := range args.Argv {
		if s := readStr(t, as, word(i)); s != want {
			t.Errorf("argv[%d] = %q, want %q", i-1, s, want)
		}
		i++
	}
	if word(i) != 0 {
		t.Errorf("argv not NULL-terminated")
	}
	i++
	for _, want := range args.Envp {
		if s := readStr(t, as, word(i)); s != want {
			t.Errorf("envp = %q, want %q", s, want)
		}
		i++
	}
	if word(i) != 0 {
		t.Errorf("envp not NULL-terminated")
	}
	i++
	aux := map[uint64]uint64{}
	var order []uint64
	for ; ; i += 2 {
		k, v := word(i), word(i+1)
		if k == AT_NULL {
			break
		}
		if _, dup := aux[k]; dup {
			t.Errorf("auxv key %d twice", k)
		}
		aux[k] = v
		order = append(order, k)
		if len(order) > 64 {
			t.Fatal("auxv has no AT_NULL")
		}
	}
	for k, want := range map[uint64]uint64{AT_PAGESZ: 4096, AT_ENTRY: entry, AT_PHDR: textVaddr + ehdrSize,
		AT_PHNUM: 2, AT_PHENT: phdrSize, AT_UID: 1000, AT_GID: 100, AT_HWCAP: HWCAP, AT_SECURE: 0} {
		if got, ok := aux[k]; !ok || got != want {
			t.Errorf("auxv[%d] = 0x%x (present %v), want 0x%x", k, got, ok, want)
		}
	}
	rnd := make([]byte, 16)
	if err := as.ReadAt(rnd, aux[AT_RANDOM]); err != nil || !bytes.Equal(rnd, args.Random[:]) {
		t.Errorf("AT_RANDOM points at %x (%v), want %x", rnd, err, args.Random)
	}
	if aux[AT_RANDOM] <= sp || aux[AT_RANDOM]+16 > StackTop {
		t.Errorf("AT_RANDOM 0x%x is not in the stack above sp", aux[AT_RANDOM])
	}
	if s := readStr(t, as, aux[AT_EXECFN]); s != "/bin/prog" {
		t.Errorf("AT_EXECFN = %q, want /bin/prog", s)
	}
}

func TestLoadStaticPIE(t *testing.T) {
	e := minimalELF()
	e.Type = elf.ET_DYN
	e.Entry = codeOff
	e.Progs[0].Vaddr = 0
	e.Progs[1].Vaddr = dataVaddr - textVaddr
	e.Progs = append(e.Progs, phdr{Type: elf.PT_DYNAMIC, Flags: elf.PF_R | elf.PF_W, Off: dataOff, Vaddr: dataVaddr - textVaddr, Filesz: 16, Memsz: 16})
	b, err := Parse(e.bytes())
	if err != nil {
		t.Fatal(err)
	}
	as := mm.New(&mm.Pool{})
	img, err := b.Load(as, "pie")
	if err != nil {
		t.Fatal(err)
	}
	if img.Bias != PIEBase || img.Entry != PIEBase+codeOff {
		t.Errorf("static-pie: bias 0x%x entry 0x%x, want 0x%x, 0x%x", img.Bias, img.Entry, uint64(PIEBase), uint64(PIEBase+codeOff))
	}
	got := make([]byte, len(code))
	if err := as.ReadAt(got, img.Entry); err != nil || !bytes.Equal(got, code) {
		t.Errorf("code at the entry point = %x (%v)", got, err)
	}
}

func TestSetupStackTooLong(t *testing.T) {
	b, err := Parse(minimalELF().bytes())
	if err != nil {
		t.Fatal(err)
	}
	as := mm.New(&mm.Pool{})
	img, err := b.Load(as, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = SetupStack(as, img, &StackArgs{Argv: []string{strings.Repeat("x", 200<<10)}})
	if !errors.Is(err, ErrArgsTooLong) {
		t.Errorf("SetupStack with a 200 KiB argument = %v, want ErrArgsTooLong", err)
	}
}

// helloPath is a real static riscv64 binary, built by tests/c's Makefile.
const helloPath = "../../tests/c/bin/hello"

func TestLoadRealBinary(t *testing.T) {
	data, err := os.ReadFile(helloPath)
	if err != nil {
		t.Skipf("no %s (run make -C tests/c): %v", helloPath, err)
	}
	b, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	as := mm.New(&mm.Pool{})
	img, err := b.Load(as, "/hello")
	if err != nil {
		t.Fatal(err)
	}
	if img.Entry != f.Entry+img.Bias {
		t.Errorf("entry 0x%x, want 0x%x", img.Entry, f.Entry+img.Bias)
	}
	if _, fault := as.Page(img.Entry, mm.Fetch); fault != nil {
		t.Errorf("entry point not executable: %v", fault)
	}
	found := false
	for _, s := range b.Symbols {
		found = found || s.Name == "main"
	}
	if !found {
		t.Errorf("no symbol main among %d symbols", len(b.Symbols))
	}
	sp, err := SetupStack(as, img, &StackArgs{Argv: []string{"hello"}, ExecFn: "/hello"})
	if err != nil || sp%16 != 0 {
		t.Errorf("SetupStack = 0x%x, %v", sp, err)
	}
}

// TestStaticPIEBelowTheStack: Parse bounds a segment's p_vaddr+p_memsz by PIEBase, but a
// static-pie is then moved up by PIEBase, so a (pathological) static-pie whose segments
// reach past StackTop-PIEBase lands in the stack area, and SetupStack's mapping silently
// replaces part of the image. The file must be refused (by Parse, Load or SetupStack),
// or the image must survive.
func TestStaticPIEBelowTheStack(t *testing.T) {
	e := minimalELF()
	e.Type = elf.ET_DYN
	e.Entry = codeOff
	e.Progs[0].Vaddr = 0
	e.Progs[1].Vaddr = StackTop - PIEBase - mm.PageSize // biased: the stack's last page
	e.Progs[1].Memsz = 2 * mm.PageSize
	e.Progs = append(e.Progs, phdr{Type: elf.PT_DYNAMIC, Flags: elf.PF_R | elf.PF_W, Off: dataOff, Vaddr: e.Progs[1].Vaddr, Filesz: 16, Memsz: 16})
	b, err := Parse(e.bytes())
	if err != nil {
		return // refused: fine
	}
	as := mm.New(&mm.Pool{})
	img, err := b.Load(as, "pie")
	if err != nil {
		return
	}
	if _, err := SetupStack(as, img, &StackArgs{Argv: []string{"pie"}}); err != nil {
		return
	}
	addr := img.Bias + e.Progs[1].Vaddr
	got := make([]byte, 16)
	if err := as.ReadAt(got, addr); err != nil || string(got) != "initialized data" {
		t.Errorf("static-pie data segment at 0x%x (inside the stack mapping %+v) now reads %q (%v): the stack replaced it",
			addr, as.Find(addr), got, err)
	}
}
