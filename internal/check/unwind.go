package check

import (
	"debug/elf"
	"encoding/binary"
	"sort"

	"weft/internal/mm"
)

// Unwinding the guest's stack for reports, by the program's DWARF call frame
// information (.eh_frame, which glibc's static programs carry for every function, or
// .debug_frame), as a debugger does: at pc, the FDE's rules say how to compute the
// canonical frame address (CFA: the caller's sp) from a register, and where the
// caller's registers, ra among them, were saved relative to it. debug/dwarf does not
// parse CFI, so this is a small parser of its own: the instructions GCC emits for
// RISC-V (advance_loc, def_cfa*, offset*, restore*, same_value, undefined, register,
// remember_state, restore_state); a rule it does not know (an expression) ends the
// stack there. Where a pc has no FDE, a frame pointer is tried (s0 = CFA, ra at
// CFA-8, the caller's s0 at CFA-16, as GCC lays frames out with
// -fno-omit-frame-pointer), if s0 points into the stack above sp.

const (
	maxFrames = 24
	scanWords = 512 // how far up the stack a frame without CFI is searched for its ra
	regRA     = 1
	regSP     = 2
	regFP     = 8
	numRegs   = 32
)

// Unwinder holds the call frame information of one program; it does not change once
// made, so runs in parallel share it, each unwinding through a Session of its own.
type Unwinder struct {
	fdes []fde
	text [][2]uint64 // the executable segments, where a return address may point
}

// Session unwinds stacks for one run: it caches the rows it computed, by pc, and
// returns stacks in a buffer of its own. It is not safe for concurrent use.
type Session struct {
	u     *Unwinder
	cache map[uint64]*frameRule
	buf   []uint64
	// Scratch for reads of guest memory: a buffer passed to an interface method
	// escapes, and one per read was most of the cost of an unwind.
	chunk [64 * 8]byte
	word  [8]byte
}

// Session returns a new session of u.
func (u *Unwinder) Session() *Session {
	return &Session{u: u, cache: map[uint64]*frameRule{}}
}

type fde struct {
	lo, hi uint64
	cie    *cie
	insns  []byte
}

type cie struct {
	codeAlign uint64
	dataAlign int64
	raReg     uint64
	insns     []byte
	enc       byte // pointer encoding of FDE addresses (augmentation R)
}

// rule kinds for a register
const (
	ruleSame = iota // unchanged (the default for callee-saved registers)
	ruleUndef
	ruleOffset // saved at CFA+off
	ruleReg    // in register reg
	ruleUnknown
)

type regRule struct {
	kind uint8
	reg  uint8
	off  int64
}

// frameRule is the row of the CFI table at one pc.
type frameRule struct {
	cfaReg uint64
	cfaOff int64
	ok     bool
	regs   [numRegs]regRule
	raReg  uint64
}

// NewUnwinder reads exe's call frame information. A program without any unwinds with
// frame pointers only.
func NewUnwinder(exe []byte) *Unwinder {
	u := &Unwinder{}
	f, err := elf.NewFile(bytesReaderAt(exe))
	if err != nil {
		return u
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 {
			u.text = append(u.text, [2]uint64{p.Vaddr, p.Vaddr + p.Memsz})
		}
	}
	if s := f.Section(".eh_frame"); s != nil {
		if data, err := s.Data(); err == nil {
			u.parse(data, s.Addr, true)
		}
	}
	{
		// Code built with -g but without unwind tables (the program's own, with
		// GCC's riscv64 defaults) has its rules in .debug_frame only: both count.
		if s := f.Section(".debug_frame"); s != nil {
			if data, err := s.Data(); err == nil {
				u.parse(data, 0, false)
			}
		}
	}
	sort.Slice(u.fdes, func(i, j int) bool { return u.fdes[i].lo < u.fdes[j].lo })
	return u
}

// FDEs is how many functions the unwinder has rules for.
func (u *Unwinder) FDEs() int { return len(u.fdes) }

// parse reads the CIEs and FDEs of an .eh_frame (eh) or .debug_frame at addr.
func (u *Unwinder) parse(data []byte, addr uint64, eh bool) {
	cies := map[uint64]*cie{}
	for off := uint64(0); off+4 <= uint64(len(data)); {
		length := uint64(binary.LittleEndian.Uint32(data[off:]))
		hdr := uint64(4)
		if length == 0xffffffff {
			if off+12 > uint64(len(data)) {
				return
			}
			length = binary.LittleEndian.Uint64(data[off+4:])
			hdr = 12
		}
		if length == 0 {
			if eh {
				return // the terminator
			}
			off += hdr
			continue
		}
		start, end := off+hdr, off+hdr+length
		if end > uint64(len(data)) || end < start || length < 4 {
			return
		}
		entry := data[start:end]
		id := uint64(binary.LittleEndian.Uint32(entry))
		isCIE := (eh && id == 0) || (!eh && id == 0xffffffff)
		if isCIE {
			if c := parseCIE(entry[4:]); c != nil {
				cies[off] = c
			}
		} else {
			cieOff := id // .debug_frame: offset from the section's start
			if eh {
				cieOff = start - id // .eh_frame: back from this field
			}
			c := cies[cieOff]
			if c == nil {
				c = u.cieAt(data, cieOff, eh)
				cies[cieOff] = c
			}
			if c != nil {
				u.addFDE(entry[4:], addr+start+4, c, eh)
			}
		}
		off = end
	}
}

// cieAt parses the CIE at off (an FDE may name one later in the section).
func (u *Unwinder) cieAt(data []byte, off uint64, eh bool) *cie {
	if off+4 > uint64(len(data)) {
		return nil
	}
	length := uint64(binary.LittleEndian.Uint32(data[off:]))
	if length == 0xffffffff || off+4+length > uint64(len(data)) || length < 4 {
		return nil
	}
	return parseCIE(data[off+8 : off+4+length])
}

func parseCIE(b []byte) *cie {
	if len(b) < 1 {
		return nil
	}
	version := b[0]
	b = b[1:]
	i := 0
	for i < len(b) && b[i] != 0 {
		i++
	}
	if i >= len(b) {
		return nil
	}
	aug := string(b[:i])
	b = b[i+1:]
	if version >= 4 {
		if len(b) < 2 {
			return nil
		}
		b = b[2:] // address size, segment selector size
	}
	c := &cie{}
	var n int
	c.codeAlign, n = uleb(b)
	b = b[n:]
	c.dataAlign, n = sleb(b)
	b = b[n:]
	if version == 1 {
		if len(b) < 1 {
			return nil
		}
		c.raReg = uint64(b[0])
		b = b[1:]
	} else {
		c.raReg, n = uleb(b)
		b = b[n:]
	}
	if len(aug) > 0 && aug[0] == 'z' {
		l, n := uleb(b)
		b = b[n:]
		if l > uint64(len(b)) {
			return nil
		}
		augData := b[:l]
		b = b[l:]
		for _, ch := range aug[1:] {
			switch ch {
			case 'R':
				if len(augData) > 0 {
					c.enc = augData[0]
					augData = augData[1:]
				}
			case 'L':
				if len(augData) > 0 {
					augData = augData[1:]
				}
			case 'P':
				if len(augData) > 0 {
					_, n := readPtr(augData[1:], augData[0], 0)
					augData = augData[min(len(augData), 1+n):]
				}
			}
		}
	} else if aug != "" {
		return nil // an augmentation without its size: cannot skip it
	}
	c.insns = b
	return c
}

func (u *Unwinder) addFDE(b []byte, at uint64, c *cie, eh bool) {
	enc := byte(0x00) // .debug_frame: absolute addresses
	if eh {
		enc = c.enc
	}
	lo, n := readPtr(b, enc, at)
	if n == 0 {
		return
	}
	b = b[n:]
	size, n := readPtr(b, enc&0x0f, 0)
	if n == 0 {
		return
	}
	b = b[n:]
	if eh && c.enc != 0 { // with 'z' there is the augmentation data's size
		l, n := uleb(b)
		if uint64(n)+l > uint64(len(b)) {
			return
		}
		b = b[uint64(n)+l:]
	}
	if lo == 0 || size == 0 {
		return
	}
	u.fdes = append(u.fdes, fde{lo: lo, hi: lo + size, cie: c, insns: b})
}

// readPtr reads a pointer encoded as DW_EH_PE enc at b, whose address is at; it
// returns the bytes it took (0 if it cannot).
func readPtr(b []byte, enc byte, at uint64) (uint64, int) {
	var v uint64
	var n int
	switch enc & 0x0f {
	case 0x00, 0x04, 0x0c: // absptr, udata8, sdata8
		if len(b) < 8 {
			return 0, 0
		}
		v, n = binary.LittleEndian.Uint64(b), 8
	case 0x03: // udata4
		if len(b) < 4 {
			return 0, 0
		}
		v, n = uint64(binary.LittleEndian.Uint32(b)), 4
	case 0x0b: // sdata4
		if len(b) < 4 {
			return 0, 0
		}
		v, n = uint64(int64(int32(binary.LittleEndian.Uint32(b)))), 4
	case 0x02: // udata2
		if len(b) < 2 {
			return 0, 0
		}
		v, n = uint64(binary.LittleEndian.Uint16(b)), 2
	case 0x0a: // sdata2
		if len(b) < 2 {
			return 0, 0
		}
		v, n = uint64(int64(int16(binary.LittleEndian.Uint16(b)))), 2
	case 0x01: // uleb128
		v, n = uleb(b)
	case 0x09: // sleb128
		var s int64
		s, n = sleb(b)
		v = uint64(s)
	default:
		return 0, 0
	}
	if enc&0x70 == 0x10 { // pcrel
		v += at
	}
	return v, n
}

func uleb(b []byte) (uint64, int) {
	var v uint64
	for i, c := range b {
		if i >= 10 {
			break
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return v, len(b)
}

func sleb(b []byte) (int64, int) {
	var v int64
	var shift uint
	for i, c := range b {
		if i >= 10 {
			break
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, i + 1
		}
	}
	return v, len(b)
}

// rule returns the CFI row at pc, or nil if no FDE covers pc.
func (s *Session) rule(pc uint64) *frameRule {
	if r, ok := s.cache[pc]; ok {
		return r
	}
	u := s.u
	i := sort.Search(len(u.fdes), func(i int) bool { return u.fdes[i].lo > pc }) - 1
	var r *frameRule
	if i >= 0 && pc < u.fdes[i].hi {
		f := &u.fdes[i]
		r = &frameRule{raReg: f.cie.raReg, ok: true}
		init := run(r, f.cie, f.cie.insns, f.lo, ^uint64(0), nil)
		run(r, f.cie, f.insns, f.lo, pc, &init)
	}
	if len(s.cache) < 1<<16 {
		s.cache[pc] = r
	}
	return r
}

// run executes CFI instructions from location loc until the row for pc; init is the
// CIE's initial row (for restore), nil while running the CIE's own instructions. It
// returns the row reached.
func run(r *frameRule, c *cie, insns []byte, loc, pc uint64, init *frameRule) frameRule {
	var stack []frameRule
	b := insns
	for len(b) > 0 {
		op := b[0]
		b = b[1:]
		var n int
		var x, y uint64
		var s int64
		switch op >> 6 {
		case 1: // advance_loc
			loc += uint64(op&0x3f) * c.codeAlign
			if loc > pc {
				return *r
			}
			continue
		case 2: // offset
			y, n = uleb(b)
			b = b[n:]
			setReg(r, op&0x3f, regRule{kind: ruleOffset, off: int64(y) * c.dataAlign})
			continue
		case 3: // restore
			restore(r, uint64(op&0x3f), init)
			continue
		}
		adv := func(d uint64) bool {
			loc += d * c.codeAlign
			return loc > pc
		}
		switch op {
		case 0x00: // nop
		case 0x01: // set_loc
			x, n = readPtr(b, c.enc, 0)
			if n == 0 {
				return *r
			}
			b = b[n:]
			loc = x
			if loc > pc {
				return *r
			}
		case 0x02: // advance_loc1
			if len(b) < 1 {
				return *r
			}
			d := uint64(b[0])
			b = b[1:]
			if adv(d) {
				return *r
			}
		case 0x03: // advance_loc2
			if len(b) < 2 {
				return *r
			}
			d := uint64(binary.LittleEndian.Uint16(b))
			b = b[2:]
			if adv(d) {
				return *r
			}
		case 0x04: // advance_loc4
			if len(b) < 4 {
				return *r
			}
			d := uint64(binary.LittleEndian.Uint32(b))
			b = b[4:]
			if adv(d) {
				return *r
			}
		case 0x05: // offset_extended
			x, n = uleb(b)
			b = b[n:]
			y, n = uleb(b)
			b = b[n:]
			setReg(r, byte(min(x, 255)), regRule{kind: ruleOffset, off: int64(y) * c.dataAlign})
		case 0x11: // offset_extended_sf
			x, n = uleb(b)
			b = b[n:]
			s, n = sleb(b)
			b = b[n:]
			setReg(r, byte(min(x, 255)), regRule{kind: ruleOffset, off: s * c.dataAlign})
		case 0x06: // restore_extended
			x, n = uleb(b)
			b = b[n:]
			restore(r, x, init)
		case 0x07: // undefined
			x, n = uleb(b)
			b = b[n:]
			setReg(r, byte(min(x, 255)), regRule{kind: ruleUndef})
		case 0x08: // same_value
			x, n = uleb(b)
			b = b[n:]
			setReg(r, byte(min(x, 255)), regRule{kind: ruleSame})
		case 0x09: // register
			x, n = uleb(b)
			b = b[n:]
			y, n = uleb(b)
			b = b[n:]
			if y < numRegs {
				setReg(r, byte(min(x, 255)), regRule{kind: ruleReg, reg: uint8(y)})
			} else {
				setReg(r, byte(min(x, 255)), regRule{kind: ruleUnknown})
			}
		case 0x0a: // remember_state
			stack = append(stack, *r)
		case 0x0b: // restore_state
			if len(stack) > 0 {
				*r = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		case 0x0c: // def_cfa
			x, n = uleb(b)
			b = b[n:]
			y, n = uleb(b)
			b = b[n:]
			r.cfaReg, r.cfaOff = x, int64(y)
		case 0x12: // def_cfa_sf
			x, n = uleb(b)
			b = b[n:]
			s, n = sleb(b)
			b = b[n:]
			r.cfaReg, r.cfaOff = x, s*c.dataAlign
		case 0x0d: // def_cfa_register
			x, n = uleb(b)
			b = b[n:]
			r.cfaReg = x
		case 0x0e: // def_cfa_offset
			x, n = uleb(b)
			b = b[n:]
			r.cfaOff = int64(x)
		case 0x13: // def_cfa_offset_sf
			s, n = sleb(b)
			b = b[n:]
			r.cfaOff = s * c.dataAlign
		case 0x0f: // def_cfa_expression: the CFA is unknown from here
			x, n = uleb(b)
			b = b[min(uint64(len(b)), uint64(n)+x):]
			r.ok = false
		case 0x10, 0x16: // expression, val_expression
			x, n = uleb(b)
			b = b[n:]
			y, n = uleb(b)
			b = b[min(uint64(len(b)), uint64(n)+y):]
			setReg(r, byte(min(x, 255)), regRule{kind: ruleUnknown})
		case 0x2e: // GNU_args_size
			_, n = uleb(b)
			b = b[n:]
		default:
			r.ok = false // an instruction this parser does not know
			return *r
		}
	}
	return *r
}

func setReg(r *frameRule, reg byte, rr regRule) {
	if int(reg) < numRegs {
		r.regs[reg] = rr
	}
}

func restore(r *frameRule, reg uint64, init *frameRule) {
	if reg >= numRegs {
		return
	}
	if init == nil {
		r.regs[reg] = regRule{}
		return
	}
	r.regs[reg] = init.regs[reg]
}

// Stack returns the stack of a thread stopped at pc with registers regs in mem: pc,
// then the call instructions of the frames that called it, innermost first. The slice
// is the session's: valid until its next call (a caller that keeps it copies it).
func (s *Session) Stack(regs *[32]uint64, pc uint64, mem *mm.AddressSpace) []uint64 {
	return s.unwind(regs, pc, mem)
}

// unwind is Stack for any Memory.
func (s *Session) unwind(regs *[32]uint64, pc uint64, mem Memory) []uint64 {
	var cur [numRegs]uint64
	copy(cur[:], regs[:])
	out := append(s.buf[:0], pc)
	defer func() { s.buf = out[:0] }()
	var stale uint32 // registers whose value in cur is not the frame's (not restored)
	w := s.word[:]
	load := func(a uint64) (uint64, bool) {
		if mem.Peek(w, a) != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint64(w), true
	}
	for len(out) < maxFrames {
		look := pc
		if len(out) > 1 {
			look = pc - 1 // a return address may be past its function's end (a noreturn call)
		}
		r := s.rule(look)
		next := cur
		var ra uint64
		switch {
		case r != nil && r.ok && r.cfaReg < numRegs:
			if stale&(1<<r.cfaReg) != 0 {
				return out // the CFA is based on a register not restored
			}
			cfa := cur[r.cfaReg] + uint64(r.cfaOff)
			for i, rr := range r.regs {
				switch rr.kind {
				case ruleOffset:
					// Only ra and s0 are read back: ra is the next frame, and s0 is
					// the one other register GCC bases a CFA on (a frame pointer). A
					// function saves up to 13 registers; reading them all cost most
					// of an unwind. The others are marked stale.
					if i != regRA && i != regFP {
						stale |= 1 << i
						continue
					}
					v, ok := load(cfa + uint64(rr.off))
					if !ok {
						return out
					}
					next[i] = v
					stale &^= 1 << i
				case ruleReg:
					next[i] = cur[rr.reg]
					stale = stale&^(1<<i) | (stale>>rr.reg&1)<<i
				case ruleUndef, ruleUnknown:
					next[i] = 0
					stale |= 1 << i
				}
			}
			if r.raReg >= numRegs || r.regs[r.raReg].kind == ruleUndef {
				return out // the outermost frame (_start, a thread's start)
			}
			ra = next[r.raReg]
			next[regSP] = cfa
		case r == nil && len(out) == 1:
			// No FDE (hand-written code without CFI): if it is a leaf, ra is its caller.
			ra = cur[regRA]
		case r == nil:
			fp := cur[regFP]
			if fp > cur[regSP] && fp-cur[regSP] <= 8<<20 && fp&7 == 0 && stale&(1<<regFP) == 0 {
				var ok1, ok2 bool
				ra, ok1 = load(fp - 8)
				next[regFP], ok2 = load(fp - 16)
				if ok1 && ok2 && s.plausibleRA(mem, ra) {
					next[regSP] = fp
					break
				}
			}
			// No frame pointer either (Debian's riscv64 glibc has many functions
			// without CFI: pthread_create, start_thread, malloc...): look up the stack
			// for the first word that is a plausible return address and take it as
			// this frame's saved ra, at CFA-8 as GCC saves it on RISC-V.
			ra = 0
			var ok bool
			if ra, next[regSP], ok = s.scan(mem, cur[regSP]); !ok {
				return out
			}
			stale |= 1 << regFP
		default:
			return out
		}
		if ra == 0 || (ra == pc && next[regSP] == cur[regSP]) || next[regSP] < cur[regSP] {
			return out
		}
		out = append(out, callSite(mem, ra))
		pc, cur = ra, next
	}
	return out
}

// scan looks up the stack from sp for the first plausible return address, reading
// the stack a chunk at a time; it returns it and the CFA it implies (its slot + 8).
func (s *Session) scan(mem Memory, sp uint64) (ra, cfa uint64, ok bool) {
	chunk := &s.chunk
	for base := sp; base < sp+scanWords*8; base += uint64(len(chunk)) {
		if mem.Peek(chunk[:], base) != nil {
			// The stack's top is within the chunk: word by word up to it.
			for a := base; a < base+uint64(len(chunk)); a += 8 {
				if mem.Peek(chunk[:8], a) != nil {
					return 0, 0, false
				}
				if v := binary.LittleEndian.Uint64(chunk[:8]); s.plausibleRA(mem, v) {
					return v, a + 8, true
				}
			}
			return 0, 0, false
		}
		for i := 0; i < len(chunk); i += 8 {
			if v := binary.LittleEndian.Uint64(chunk[i:]); s.plausibleRA(mem, v) {
				return v, base + uint64(i) + 8, true
			}
		}
	}
	return 0, 0, false
}

// plausibleRA reports whether v could be a return address: in the program's code,
// right after a call that saved its return address in ra. (Above a frame's sp lie its
// locals and saved registers, then its own saved ra: code pointers among the locals
// are function entries, not return addresses, so the first plausible word is its ra.)
func (s *Session) plausibleRA(mem Memory, v uint64) bool {
	in := false
	for _, t := range s.u.text {
		in = in || (v >= t[0]+4 && v < t[1])
	}
	if !in {
		return false
	}
	w := s.word[:4]
	if mem.Peek(w, v-4) == nil {
		insn := binary.LittleEndian.Uint32(w)
		if op := insn & 0x7f; (op == 0x6f || op == 0x67) && insn>>7&0x1f == regRA {
			return true // jal ra / jalr ra
		}
		if c := uint16(insn >> 16); c&0xf07f == 0x9002 && c&0x0f80 != 0 {
			return true // c.jalr
		}
	}
	return false
}

// callSite is the address of the call instruction that returns to ra: a 4-byte jal
// or jalr just before it, else a compressed c.jalr.
func callSite(mem Memory, ra uint64) uint64 {
	var w [4]byte
	if mem.Peek(w[:], ra-4) == nil {
		insn := binary.LittleEndian.Uint32(w[:])
		if op := insn & 0x7f; op == 0x6f || op == 0x67 {
			return ra - 4
		}
	}
	return ra - 2
}
