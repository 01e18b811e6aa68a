// Package guestprof writes a guest program's instruction profile in pprof's format, with
// the program's functions (from its ELF symbol table) and source lines (from its DWARF
// line table, when it has one), so that `go tool pprof` shows where a guest spends its
// instructions.
//
// The protobuf encoding is written by hand: pprof's profile.proto needs only varints,
// length-delimited fields and packed repeated integers, so a dependency would buy little.
package guestprof

import (
	"bytes"
	"compress/gzip"
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"io"
	"path/filepath"
	"sort"
)

// Write writes counts (instructions retired by address) as a gzipped pprof profile,
// symbolized with the ELF program in exe. A program without symbols still gives a
// profile, by address.
func Write(w io.Writer, exe []byte, counts map[uint64]uint64) error {
	sym := newSymbolizer(exe)
	p := &builder{strings: map[string]int64{"": 0}, strs: []string{""}, funcs: map[string]uint64{}}

	pcs := make([]uint64, 0, len(counts))
	for pc, n := range counts {
		if n != 0 {
			pcs = append(pcs, pc)
		}
	}
	sort.Slice(pcs, func(i, j int) bool { return pcs[i] < pcs[j] })

	var body bytes.Buffer
	// sample_type (1): instructions/count.
	body.Write(field(1, message(varintField(1, p.str("instructions")), varintField(2, p.str("count")))))
	for i, pc := range pcs {
		loc := uint64(i + 1)
		body.Write(field(2, message(packed(1, []uint64{loc}), packed(2, []uint64{counts[pc]}))))
	}
	for i, pc := range pcs {
		loc := uint64(i + 1)
		name, file, line := sym.lookup(pc)
		var lineMsg []byte
		if name != "" {
			key := name + "\x00" + file
			fid, ok := p.funcs[key]
			if !ok {
				fid = uint64(len(p.funcs) + 1)
				p.funcs[key] = fid
				p.fnMsgs = append(p.fnMsgs, field(5, message(varintField(1, int64(fid)),
					varintField(2, p.str(name)), varintField(3, p.str(name)), varintField(4, p.str(file)))))
			}
			lineMsg = field(4, message(varintField(1, int64(fid)), varintField(2, int64(line))))
		}
		body.Write(field(4, message(varintField(1, int64(loc)), varintField(3, int64(pc)), lineMsg)))
	}
	for _, f := range p.fnMsgs {
		body.Write(f)
	}
	for _, s := range p.strs {
		body.Write(field(6, []byte(s)))
	}
	// period_type (11) and period (12): one instruction. Its strings are in the table
	// already (sample_type added them).
	body.Write(field(11, message(varintField(1, p.str("instructions")), varintField(2, p.str("count")))))
	body.Write(varintField(12, 1))
	return writeGzip(w, body.Bytes())
}

type builder struct {
	strings map[string]int64
	strs    []string
	funcs   map[string]uint64
	fnMsgs  [][]byte
}

func (p *builder) str(s string) int64 {
	if i, ok := p.strings[s]; ok {
		return i
	}
	i := int64(len(p.strs))
	p.strings[s] = i
	p.strs = append(p.strs, s)
	return i
}

func writeGzip(w io.Writer, b []byte) error {
	z := gzip.NewWriter(w)
	if _, err := z.Write(b); err != nil {
		return err
	}
	return z.Close()
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// varintField encodes field num (wire type 0) with value v.
func varintField(num int, v int64) []byte {
	b := appendVarint(nil, uint64(num)<<3)
	return appendVarint(b, uint64(v))
}

// field encodes field num as length-delimited bytes (wire type 2).
func field(num int, data []byte) []byte {
	b := appendVarint(nil, uint64(num)<<3|2)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

func message(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// packed encodes a packed repeated integer field.
func packed(num int, vs []uint64) []byte {
	var d []byte
	for _, v := range vs {
		d = appendVarint(d, v)
	}
	return field(num, d)
}

// symbolizer maps addresses to functions and lines.
type symbolizer struct {
	funcs []elf.Symbol // FUNC symbols by address
	lines []lineEntry  // by address
}

type lineEntry struct {
	addr uint64
	file string
	line int
}

func newSymbolizer(exe []byte) *symbolizer {
	s := &symbolizer{}
	f, err := elf.NewFile(bytes.NewReader(exe))
	if err != nil {
		return s
	}
	defer f.Close()
	if syms, err := f.Symbols(); err == nil {
		for _, sym := range syms {
			if elf.ST_TYPE(sym.Info) == elf.STT_FUNC && sym.Value != 0 {
				s.funcs = append(s.funcs, sym)
			}
		}
		sort.Slice(s.funcs, func(i, j int) bool { return s.funcs[i].Value < s.funcs[j].Value })
	}
	if d, err := f.DWARF(); err == nil {
		r := d.Reader()
		for {
			cu, err := r.Next()
			if err != nil || cu == nil {
				break
			}
			if cu.Tag != dwarf.TagCompileUnit {
				r.SkipChildren()
				continue
			}
			lr, err := d.LineReader(cu)
			if err == nil && lr != nil {
				var e dwarf.LineEntry
				for lr.Next(&e) == nil {
					switch {
					case e.EndSequence:
						// Past a sequence's end no line is known (until the next one).
						s.lines = append(s.lines, lineEntry{addr: e.Address})
					case e.File != nil:
						s.lines = append(s.lines, lineEntry{e.Address, e.File.Name, e.Line})
					}
				}
			}
			r.SkipChildren()
		}
		sort.SliceStable(s.lines, func(i, j int) bool { return s.lines[i].addr < s.lines[j].addr })
	}
	return s
}

// lookup returns the function containing pc and, when DWARF says, its source line.
func (s *symbolizer) lookup(pc uint64) (name, file string, line int) {
	i := sort.Search(len(s.funcs), func(i int) bool { return s.funcs[i].Value > pc }) - 1
	if i >= 0 {
		f := s.funcs[i]
		if pc < f.Value+f.Size || f.Size == 0 {
			name = f.Name
		}
	}
	j := sort.Search(len(s.lines), func(j int) bool { return s.lines[j].addr > pc }) - 1
	if j >= 0 {
		file, line = s.lines[j].file, s.lines[j].line
	}
	return name, file, line
}

// Symbolizer names a program's addresses in source terms, for reports outside a
// profile (weft explore's preemption points).
type Symbolizer struct{ s *symbolizer }

// NewSymbolizer reads the ELF symbols and DWARF line table of the program exe; what
// it lacks, it leaves out.
func NewSymbolizer(exe []byte) *Symbolizer { return &Symbolizer{newSymbolizer(exe)} }

// Where returns "function+0xoff (file:line)", or as much of it as is known, or the
// address in hex.
func (z *Symbolizer) Where(pc uint64) string {
	s := z.s
	out := fmt.Sprintf("0x%x", pc)
	i := sort.Search(len(s.funcs), func(i int) bool { return s.funcs[i].Value > pc }) - 1
	if i >= 0 && (pc < s.funcs[i].Value+s.funcs[i].Size || s.funcs[i].Size == 0) {
		out = fmt.Sprintf("%s+0x%x", s.funcs[i].Name, pc-s.funcs[i].Value)
	}
	if _, file, line := s.lookup(pc); file != "" {
		out += fmt.Sprintf(" (%s:%d)", filepath.Base(file), line)
	}
	return out
}

// HasSource reports whether the program's DWARF line table covers pc: code built with
// -g (in a static program, usually the program's own and not the C library's).
func (z *Symbolizer) HasSource(pc uint64) bool {
	_, file, _ := z.s.lookup(pc)
	return file != ""
}

// HasLines reports whether the program has a DWARF line table at all.
func (z *Symbolizer) HasLines() bool { return len(z.s.lines) > 0 }
