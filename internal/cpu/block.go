package cpu

import (
	"encoding/binary"
	"unsafe"

	"weft/internal/mm"
)

// The block engine decodes straight-line runs of instructions (basic blocks) once and
// runs each as a unit: the budget is charged per block, not per instruction; a block
// remembers the blocks that followed it (chaining), so a taken branch or a jump skips
// the page translation and the lookup; and common pairs of instructions are fused into
// one operation. When the budget ends inside a block, the engine runs exactly the
// instructions the budget allows, one operation per instruction, so that stops, counts
// and therefore whole runs are the same as the interpreter's.

// maxBlockInsns bounds a block, so that building one costs little and op.n fits a byte.
const maxBlockInsns = 64

// bop is one operation of a block: an instruction prepared as the interpreter's slot is,
// or a fused pair.
type bop struct {
	inst
	code bcode // what to execute: an Op, or a specialised or fused form
	n    uint8 // instructions of the block before this operation
	off  int16 // offset from the block's start of the instruction that may stop (a followed jump can lead backwards)
	imm2 int32 // a fused pair's second immediate
}

// bcode is a bop's operation: the Ops, then forms only the block engine makes.
type bcode uint8

const (
	bLI bcode = bcode(numOps) + iota // x[rd] = imm: lui, auipc, li, and lui/auipc+addi(w)
	bMV                              // x[rd] = x[rs1] (addi rd, rs, 0)
	// addi rd, rs1, imm2 followed by a branch on rs2, rs3 to imm: loop counters.
	bAddiBEQ
	bAddiBNE
	bAddiBLT
	bAddiBGE
	bAddiBLTU
	bAddiBGEU
	bShAdd   // slli r, rs1, imm2; add r, r, rs2: x[rd] = x[rs1]<<imm2 + x[rs2]
	bAddiAdd // addi r, rs1, imm2; add r, r, rs2: x[rd] = x[rs1] + imm2 + x[rs2]
	bMV2     // mv rd, rs1; mv rs3, rs2
	// add rs3, rs1, rs2 then a load to rd from imm(rs3): indexed loads.
	bAddLD
	bAddLW
	bAddLWU
	bAddLBU
	// li rs3, imm then a load to rd from imm2(rs3): globals (auipc+ld).
	bLiLD
	bLiLW
	bJALF // jal within the page: link, and the block goes on at the target
	numBcodes
)

// block is a decoded basic block. Its last operation is the only one that can transfer
// control; any operation can stop the hart.
type block struct {
	page  *blockPage
	pc    uint64 // address of the first instruction
	end   uint64 // address after the last instruction: where a block falls through
	n     uint32 // instructions
	ops   []bop
	plain []bop // one operation per instruction, unfused: built when a budget ends inside
	// next caches the successors: [0] where the block falls through, [1] where its
	// direct branch or jump goes (for a jalr, its last target). link[i] is the TLB
	// set's link when next[i] was found: a flush of the set (a mapping changed) or a
	// decoded page going stale anywhere on the bus breaks every chain.
	next [2]*block
	link [2]uint64
	size int64 // host bytes charged for the block
	// The compiler engine's: the block's machine code (nil until it got hot), and how
	// many times it ran before.
	jit *jitBlock
	hot uint8
}

// blockPage holds the blocks that start in one frame, as mapped at one virtual page.
type blockPage struct {
	vpn    uint64
	frame  *mm.Frame
	valid  bool
	cc     *codeCache
	size   int64
	blocks map[uint16]*block // by the offset of their first instruction
	jit    *jitPage          // the compiler engine's machine code for the blocks
}

// charge adds size host bytes to the page and to its code cache (which may evict
// other pages to stay within its bounds, never this one).
func (p *blockPage) charge(size int64) {
	p.size += size
	p.cc.charge(size, p)
}

func (p *blockPage) Invalidate() {
	if p.valid {
		p.valid = false
		if p.jit != nil {
			p.jit.release(p.cc)
		}
		p.cc.release(p.size)
	}
}

func (p *blockPage) isValid() bool { return p.valid }

func (p *blockPage) drop() {
	p.Invalidate()
	if p.frame.Decoded == mm.Invalidator(p) {
		p.frame.Decoded = nil
	}
}

const (
	blockPageSize = int64(unsafe.Sizeof(blockPage{})) + 64 // and its map's header
	blockSize     = int64(unsafe.Sizeof(block{})) + 32     // and its map entry
	bopSize       = int64(unsafe.Sizeof(bop{}))
)

// jcSize is the number of entries of a TLB set's jump cache: block lookups by address
// for indirect jumps and unchained successors.
const jcSize = 4096

type jcEntry struct {
	pc   uint64
	link uint64
	b    *block
}

// blockExec runs one hart with the block engine.
type blockExec struct {
	h       *Hart
	jit     *jitState          // the compiler engine's state; nil for the block engine
	scratch [maxBlockInsns]bop // build's work space
	// stopv is the stop of an operation that exec1 (or cross) reported as resStop.
	stopv Stop
}

// How the compiler engine's machine code exited (jitRun), about a block.
const (
	jitNone     = iota // the block has no machine code: the block engine runs it
	jitFall            // the block ran and falls through to next (chain slot 0)
	jitTaken           // the block ran and branched or jumped to next (slot 1)
	jitIndirect        // the block ran and ended in jalr to next
	jitEnter           // the block was not entered (budget or chain bound): enter it in Go
	jitResume          // the block engine runs the block from operation op on
)

// Results of exec1.
const (
	resEnd      = iota // ran every operation: continue at the block's end
	resTaken           // the last operation branched or jumped to a direct target
	resIndirect        // jalr, fence.i: continue at next, not chained
	resStop            // the operation stopped the hart
)

// lookup finds or builds the block at pc.
func (e *blockExec) lookup(pc uint64) (*block, *mm.Fault) {
	h := e.h
	s := h.tlb
	if s.jc == nil {
		s.jc = new([jcSize]jcEntry)
	}
	j := &s.jc[(pc>>1)%jcSize]
	if j.pc == pc && j.link == s.link {
		return j.b, nil
	}
	vpn := pc >> mm.PageShift
	f, fault := h.page(pc, mm.Fetch)
	if fault != nil {
		return nil, fault
	}
	p, _ := f.Decoded.(*blockPage)
	if p == nil || !p.valid || p.vpn != vpn {
		if f.Decoded != nil {
			f.Decoded.Invalidate()
		}
		p = &blockPage{vpn: vpn, frame: f, valid: true, cc: &h.bus.code, size: blockPageSize,
			blocks: map[uint16]*block{}}
		h.bus.code.add(p, p.size)
		f.Decoded = p
		// The frame may sit in any hart's write TLB: flush them, so that stores to it
		// take the slow path, which invalidates the page.
		h.bus.flushWrites(nil)
	}
	off := uint16(pc & mm.PageMask)
	b := p.blocks[off]
	if b == nil {
		b = e.build(p, pc, true)
		p.charge(b.size)
		p.blocks[off] = b
	}
	*j = jcEntry{pc: pc, link: s.link, b: b}
	return b, nil
}

// build decodes the block at pc, fusing pairs when fuse is set. It reads the frame
// directly; an instruction that crosses into the next page is a block of its own (an
// opCross operation), fetched afresh each time it runs, as the next page may change.
func (e *blockExec) build(p *blockPage, pc uint64, fuse bool) *block {
	// Decode into the executor's scratch array, then copy out exactly what the block
	// needs: no garbage from growing slices (decoding is most of the cost of code
	// that runs once).
	b := &block{page: p, pc: pc, ops: e.scratch[:0]}
	data := &p.frame.Data
	a := pc
	follow := e.h.bus.Profile == nil
	for b.n < maxBlockInsns {
		off := a & mm.PageMask
		if off >= mm.PageSize {
			break
		}
		if a&^mm.PageMask != pc&^mm.PageMask {
			break // ran off the page
		}
		lo := binary.LittleEndian.Uint16(data[off:])
		var raw uint32
		switch {
		case InstLen(lo) == 2:
			raw = uint32(lo)
		case off+4 <= mm.PageSize:
			raw = binary.LittleEndian.Uint32(data[off:])
		default:
			if b.n == 0 {
				b.ops = append(b.ops, bop{inst: inst{op: opCross, len: 4}, code: bcode(opCross)})
				b.n, a = 1, a+4
			}
			b.end = a
			b.ops = append([]bop(nil), b.ops...)
			b.size = blockSize + int64(len(b.ops))*bopSize
			return b
		}
		in := prepare(Decode(raw), a)
		if in.op == ILLEGAL {
			in.imm = int64(raw) // exec reports the bits
		}
		op := bop{inst: in, code: codeOf(&in), n: uint8(b.n), off: int16(int64(a - pc))}
		if in.op == JAL && uint64(in.imm)&^mm.PageMask == pc&^mm.PageMask && follow {
			// A jump or call within the page: the block goes on at its target, so a
			// call to a nearby function costs no block transition. Not while
			// profiling, whose counts are per block and must stay in one function.
			op.code = bJALF
			b.ops = append(b.ops, op)
			a = uint64(in.imm)
			b.n++
			continue
		}
		a += uint64(in.len)
		b.n++
		if fuse && len(b.ops) > 0 {
			if f, ok := fusePair(&b.ops[len(b.ops)-1], &op); ok {
				b.ops[len(b.ops)-1] = f
				if endsBlock(in.op) {
					break
				}
				continue
			}
		}
		b.ops = append(b.ops, op)
		if endsBlock(in.op) {
			break
		}
	}
	b.end = a
	b.ops = append([]bop(nil), b.ops...)
	b.size = blockSize + int64(len(b.ops))*bopSize
	return b
}

// codeOf is the operation the block engine executes for in: its Op, or a specialised
// form (LUI and AUIPC, already made absolute by prepare, are constants).
func codeOf(in *inst) bcode {
	switch {
	case in.op == LUI || in.op == AUIPC, in.op == ADDI && in.rs1 == 0:
		return bLI
	case in.op == ADDI && in.imm == 0:
		return bMV
	}
	return bcode(in.op)
}

// fusePair returns the one operation that does what a then b do, if there is one. The
// fused operation reports the position of the one of the pair that may stop the hart
// (a load), and does everything before it first, so a stop leaves the state the pair
// would.
func fusePair(a, b *bop) (bop, bool) {
	switch {
	case a.code == bLI && (b.op == ADDI || b.op == ADDIW) && b.rs1 == a.rd && b.rd == a.rd:
		// lui/auipc/li then addi(w) of the same register: a constant.
		f := *a
		v := a.imm + b.imm
		if b.op == ADDIW {
			v = int64(int32(v))
		}
		f.imm = v
		return f, true
	case a.code == bcode(SLLI) && b.code == bcode(ADD) && b.rd == a.rd && a.rd != zeroReg &&
		(b.rs1 == a.rd) != (b.rs2 == a.rd):
		f := *a
		f.code, f.imm2, f.rs2 = bShAdd, int32(a.imm), other(b, a.rd)
		return f, true
	case a.code == bcode(ADDI) && b.code == bcode(ADD) && b.rd == a.rd && a.rd != zeroReg &&
		(b.rs1 == a.rd) != (b.rs2 == a.rd):
		f := *a
		f.code, f.imm2, f.rs2 = bAddiAdd, int32(a.imm), other(b, a.rd)
		return f, true
	case a.code == bMV && b.code == bMV:
		f := *a
		f.code, f.rs2, f.rs3 = bMV2, b.rs1, b.rd
		return f, true
	case a.code == bcode(ADD) && a.rd != zeroReg && b.rs1 == a.rd &&
		(b.code == bcode(LD) || b.code == bcode(LW) || b.code == bcode(LWU) || b.code == bcode(LBU)):
		// The load may fault: the fused operation reports the load's position, and
		// the add is done before the load is tried, as it had retired.
		f := *b
		f.code = map[bcode]bcode{bcode(LD): bAddLD, bcode(LW): bAddLW, bcode(LWU): bAddLWU, bcode(LBU): bAddLBU}[b.code]
		f.rs1, f.rs2, f.rs3 = a.rs1, a.rs2, a.rd
		return f, true
	case a.code == bLI && a.rd != zeroReg && b.rs1 == a.rd && (b.code == bcode(LD) || b.code == bcode(LW)):
		f := *b
		f.code = bLiLD
		if b.code == bcode(LW) {
			f.code = bLiLW
		}
		f.rs3, f.imm2, f.imm = a.rd, int32(b.imm), a.imm
		return f, true
	case a.op == ADDI && (a.code == bcode(ADDI) || a.code == bLI || a.code == bMV) &&
		a.rd != zeroReg && isBranch(b.op):
		f := *b
		f.code = bAddiBEQ + bcode(b.op-BEQ)
		f.rd, f.rs1, f.imm2 = a.rd, a.rs1, int32(a.imm)
		f.rs2, f.rs3 = b.rs1, b.rs2
		f.n, f.off = a.n, a.off
		return f, true
	}
	return bop{}, false
}

// other returns the source of add b that is not r.
func other(b *bop, r uint8) uint8 {
	if b.rs1 == r {
		return b.rs2
	}
	return b.rs1
}

func isBranch(o Op) bool { return o >= BEQ && o <= BGEU }

// endsBlock reports whether an operation ends a block: it may transfer control, or it
// changes the decoded code.
func endsBlock(o Op) bool {
	switch o {
	case JAL, JALR, BEQ, BNE, BLT, BGE, BLTU, BGEU, ECALL, EBREAK, FENCE_I, ILLEGAL:
		return true
	}
	return false
}

// readCode copies guest bytes for the hart's own use (an instruction that crosses a
// page, an illegal instruction's bits). Unlike the kernel's ReadAt it is no kernel
// work, so it counts none: every engine must count the same work.
func (h *Hart) readCode(buf []byte, addr uint64) error {
	for len(buf) > 0 {
		f, fault := h.page(addr, mm.Load)
		if fault != nil {
			return fault
		}
		n := copy(buf, f.Data[addr&mm.PageMask:])
		buf, addr = buf[n:], addr+uint64(n)
	}
	return nil
}

// rawAt reads the instruction bits at pc for an illegal-instruction stop.
func (h *Hart) rawAt(pc uint64, length uint8) uint32 {
	var b [4]byte
	if h.readCode(b[:length], pc) != nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b[:])
}
