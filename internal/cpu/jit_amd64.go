package cpu

import (
	"syscall"
	"unsafe"

	"weft/internal/mm"
)

// The compiler engine (WEFT_ENGINE=jit) is the block engine with a second tier: a
// block that has run jitHot times is translated into x86-64 machine code, which then
// runs in its place. Translated blocks jump straight to each other's code (the
// chaining of the block engine, done by the host's jumps), under the same rules: a
// block runs only when the budget covers all of it, a chain is followed only while
// the TLB set's link is the one it was made under, and an indirect jump only to the
// target its block saw last or to the block the set's jump cache holds for it. The
// machine code returns to Go (exits) when:
//
//   - a successor is not translated or not chained yet, or the budget does not cover
//     it, or jitChainMax blocks ran since the entry (so that the Go runtime, which
//     cannot preempt machine code of its own making, gets its goroutine back often);
//   - an operation is one the compiler does not translate (system calls, atomics, the
//     counter CSRs, floating point other than arithmetic, comparisons, sign
//     injection and moves, or in a rounding mode other than round to nearest even, a
//     NaN operand of a fused multiply-add, a single operand not NaN-boxed) or a load
//     or store misses the inline TLB probe: the block engine then runs the block from
//     that operation on, exactly as it would have (the miss is counted there, and the
//     access done, by the same code).
//
// So every stop, count and counter is the block engine's, which is the interpreter's.
//
// Machine code state: the guest registers stay in the Hart (h.x, h.f); r15 points at
// the Hart, r14 at its TLB set, r13 at the executor's jitCtx; r12 and r11 hold the
// set's read and write tags. Besides those registers, the code holds Go pointers only
// as immediates: the addresses of its blocks' chain records (chain, indirect), which
// each block keeps alive (block.jit) and which go with the code when its page does. It
// reads Go memory only (guest frames, TLB entries, chain records), so the garbage
// collector, which does not move heap objects, needs to know nothing of it; it uses no
// stack beyond the return address the trampoline (jit_amd64.s) pushed.

type jitEngine struct{}

func (jitEngine) Name() string { return "jit" }
func (jitEngine) newExecutor(h *Hart) executor {
	return &blockExec{h: h, jit: &jitState{}}
}

// Compiler translates hot blocks of the block engine to x86-64 machine code (amd64
// hosts only).
var Compiler Engine = jitEngine{}

func archEngines() []Engine { return []Engine{Compiler} }

var (
	// jitHot is how many times a block runs in the block engine before it is
	// translated.
	jitHot uint8 = 32
	// jitChainMax bounds the blocks run per entry into machine code (a block has at
	// most maxBlockInsns instructions).
	jitChainMax int64 = 256
)

// jitCall runs machine code at code (jit_amd64.s).
//
//go:noescape
func jitCall(code uintptr, h *Hart, tlb *tlbSet, ctx *jitCtx, tag, wtag uint64)

// jitCtx is what the machine code and Go exchange at an entry and an exit.
type jitCtx struct {
	left  uint64 // the run's budget left: a chained block takes its n from it
	chain int64  // blocks that may still be entered by a chain
	exit  uint64 // how the code exited: kind | op<<8 | block id<<32
	next  uint64 // jitFall, jitTaken, jitIndirect: the guest address to go on at
	mx    uint32 // MXCSR at the exit (and scratch for the machine code)
}

// mxcsrFlags maps MXCSR's exception flags (IE, DE, ZE, OE, UE, PE: bits 0 to 5) to
// fflags (NV, DZ, OF, UF, NX: bits 4 to 0). The denormal-operand flag has no
// counterpart. The host's SSE arithmetic decides them as RISC-V does (IEEE 754, with
// tininess detected after rounding) for the operations jitGen translates.
var mxcsrFlags = func() (t [64]uint8) {
	for m := range t {
		for _, p := range [][2]int{{0, 4}, {2, 3}, {3, 2}, {4, 1}, {5, 0}} {
			if m&(1<<p[0]) != 0 {
				t[m] |= 1 << p[1]
			}
		}
	}
	return t
}()

// jitCPUID returns ecx of the host's CPUID leaf.
func jitCPUID(leaf uint32) (ecx uint32)

// hostFMA says whether the host has FMA3 (CPUID.1:ECX bit 12), with the AVX state
// enabled by the OS (OSXSAVE, bit 27, and AVX, bit 28), for the fused multiply-adds.
var hostFMA = jitCPUID(1)&(1<<12|1<<27|1<<28) == 1<<12|1<<27|1<<28

// jitState is one executor's part of the compiler engine.
type jitState struct {
	ctx jitCtx
}

// jitBlock is a block's machine code and the chains it follows. The machine code
// reads the chain records; Go writes them, between runs of machine code. It holds no
// pointers (the code reads it by its address).
type jitBlock struct {
	next  [2]uintptr // entries of the chained successors (slots as block.next)
	link  [2]uint64  // the TLB set's link when next[i] was set; 0: none
	pc1   uint64     // the guest address next[1] is for (a jalr's last target)
	entry uintptr    // the code: budget and chain checks, then body
	body  uintptr    // the code past the checks (an entry from Go, already charged)
}

// noJIT marks a block whose first operation the compiler does not translate.
var noJIT = &jitBlock{}

// jitPage is the machine code of one blockPage's blocks, in chunks unmapped when the
// page goes.
type jitPage struct {
	chunks []codeChunk
	used   int      // bytes used of the last chunk
	ids    []uint32 // ids of the page's translated blocks (codeCache.jitBlocks)
}

// codeChunk is host memory for machine code, never writable and executable at once
// (W^X): two views of one memory file, x executable and w writable, so that code is
// appended with no system call; or, where the host refuses that (no memfd_create, or
// memory files made non-executable by vm.memfd_noexec), one private mapping x alone,
// made writable to append and executable again after.
type codeChunk struct {
	x, w []byte
}

const jitChunkSize = 4 << 10 // the host's page

// release unmaps the page's machine code and frees its blocks' ids. No machine code
// runs (the page goes while Go runs), and no chain will lead into it: the page's
// release (codeCache.release) gives every TLB set a new link.
func (p *jitPage) release(c *codeCache) {
	for _, ch := range p.chunks {
		for _, m := range [][]byte{ch.x, ch.w} {
			if m == nil {
				continue
			}
			if err := syscall.Munmap(m); err != nil {
				panic("jit: munmap: " + err.Error())
			}
		}
	}
	p.chunks = nil
	for _, id := range p.ids {
		c.jitBlocks[id] = nil
		c.jitFree = append(c.jitFree, id)
	}
	p.ids = nil
}

// Hooks for tests: jitMprotect changes a private chunk's protection when code is
// appended to it, and jitDualViews says whether to try the two views of a memory file
// first.
var (
	jitMprotect  = syscall.Mprotect
	jitDualViews = true
)

const sysMemfdCreate = 319 // memfd_create(2) on amd64

var jitMemfdName = []byte("weft-jit\x00")

// newChunk maps size bytes for machine code, with code at its start; ok false if the
// host refuses executable memory.
func newChunk(code []byte, size int) (c codeChunk, ok bool) {
	if jitDualViews {
		const mfdCloexec = 1
		fd, _, e := syscall.Syscall(sysMemfdCreate, uintptr(unsafe.Pointer(&jitMemfdName[0])), mfdCloexec, 0)
		if e == 0 {
			defer syscall.Close(int(fd))
			if syscall.Ftruncate(int(fd), int64(size)) == nil {
				if w, err := syscall.Mmap(int(fd), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED); err == nil {
					copy(w, code)
					if x, err := syscall.Mmap(int(fd), 0, size, syscall.PROT_READ|syscall.PROT_EXEC, syscall.MAP_SHARED); err == nil {
						return codeChunk{x: x, w: w}, true
					}
					syscall.Munmap(w)
				}
			}
		}
	}
	m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return codeChunk{}, false
	}
	copy(m, code)
	if syscall.Mprotect(m, syscall.PROT_READ|syscall.PROT_EXEC) != nil {
		// A host that refuses executable memory (a security policy).
		syscall.Munmap(m)
		return codeChunk{}, false
	}
	return codeChunk{x: m}, true
}

// place copies code into the page's machine code and returns its address, or 0 if
// the host refuses the memory (then the block engine runs the block). New mappings
// are charged to the code cache.
func (p *blockPage) place(code []byte) uintptr {
	if p.jit == nil {
		p.jit = &jitPage{}
	}
	jp := p.jit
	n := len(jp.chunks)
	aligned := (len(code) + 15) &^ 15 // each block's code starts 16-byte aligned
	if n == 0 || jp.used+len(code) > len(jp.chunks[n-1].x) {
		size := (len(code) + jitChunkSize - 1) / jitChunkSize * jitChunkSize
		c, ok := newChunk(code, size)
		if !ok {
			return 0
		}
		jp.chunks, jp.used = append(jp.chunks, c), aligned
		p.charge(int64(size))
		return uintptr(unsafe.Pointer(&c.x[0]))
	}
	c := jp.chunks[n-1]
	addr := uintptr(unsafe.Pointer(&c.x[jp.used]))
	if c.w != nil {
		copy(c.w[jp.used:], code) // bytes no code has used yet
		jp.used += aligned
		return addr
	}
	// Appending to a private chunk that holds code already: it was executable
	// before, so the host lets it be again, unless it runs out of room for mappings
	// (ENOMEM). Refused while still executable, the block runs on the block engine;
	// refused once writable, the chunk's code can run no more, so the whole page
	// goes, as when it is evicted (its blocks are decoded and translated anew, and
	// nothing chains into the chunk, which goes too).
	if jitMprotect(c.x, syscall.PROT_READ|syscall.PROT_WRITE) != nil {
		return 0
	}
	copy(c.x[jp.used:], code)
	jp.used += aligned
	if jitMprotect(c.x, syscall.PROT_READ|syscall.PROT_EXEC) != nil {
		p.drop()
		return 0
	}
	return addr
}

// jitRun runs *bp, which the block engine has just charged to left, as machine code
// if it has some (translating it if it got hot), and reports how the code exited:
// *bp becomes the block the exit is about, *next the address to go on at, and the
// int the operation to resume at (jitResume).
func (e *blockExec) jitRun(bp **block, left, next *uint64) (int, int) {
	b := *bp
	jb := b.jit
	if jb == nil {
		if b.hot++; b.hot < jitHot || !b.page.valid {
			return jitNone, 0
		}
		jb = e.compile(b)
		b.jit = jb
	}
	if jb.body == 0 || !b.page.valid {
		return jitNone, 0
	}
	h := e.h
	s := h.tlb
	c := &e.jit.ctx
	c.left, c.chain = *left, jitChainMax
	jitCall(jb.body, h, s, c, s.tag, s.wtag)
	h.fflags |= mxcsrFlags[c.mx&0x3f]
	*left = c.left
	kind, k := int(c.exit&0xff), int(c.exit>>8&0xffffff)
	nb := h.bus.code.jitBlocks[c.exit>>32]
	*bp, *next = nb, c.next
	// Chain what the block engine has chained since, so that the next time the
	// machine code goes on by itself.
	switch kind {
	case jitFall, jitTaken:
		slot := kind - jitFall
		if t := nb.next[slot]; t != nil && nb.link[slot] == s.link && t.jit != nil && t.jit.entry != 0 {
			nb.jit.next[slot], nb.jit.link[slot] = t.jit.entry, s.link
		}
	case jitIndirect:
		if t := nb.next[1]; t != nil && t.pc == c.next && nb.link[1] == s.link && t.jit != nil && t.jit.entry != 0 {
			nb.jit.next[1], nb.jit.link[1], nb.jit.pc1 = t.jit.entry, s.link, t.pc
		}
	}
	return kind, k
}

// compile translates b; noJIT if its first operation cannot be.
func (e *blockExec) compile(b *block) *jitBlock {
	c := &e.h.bus.code
	var id uint32
	if n := len(c.jitFree); n > 0 {
		id, c.jitFree = c.jitFree[n-1], c.jitFree[:n-1]
	} else {
		id = uint32(len(c.jitBlocks))
		c.jitBlocks = append(c.jitBlocks, nil)
	}
	jb := &jitBlock{}
	code, body := jitGen(b, jb, id)
	var addr uintptr
	if code != nil {
		addr = b.page.place(code)
	}
	if addr == 0 || !b.page.valid { // (placing may evict, but never b's own page)
		c.jitFree = append(c.jitFree, id)
		return noJIT
	}
	c.jitBlocks[id] = b
	b.page.jit.ids = append(b.page.jit.ids, id)
	jb.entry, jb.body = addr, addr+uintptr(body)
	// The machine code is charged with its mapping (place); the record and its
	// number here.
	b.page.charge(int64(unsafe.Sizeof(jitBlock{})) + 12)
	return jb
}

// Offsets the machine code uses.
var (
	offF        = int32(unsafe.Offsetof(Hart{}.f))
	offSync     = int32(unsafe.Offsetof(Hart{}.SyncPoints))
	offFflags   = int32(unsafe.Offsetof(Hart{}.fflags))
	offFrm      = int32(unsafe.Offsetof(Hart{}.frm))
	offMX       = int32(unsafe.Offsetof(jitCtx{}.mx))
	offRTLB     = int32(unsafe.Offsetof(tlbSet{}.rtlb))
	offWTLB     = int32(unsafe.Offsetof(tlbSet{}.wtlb))
	offLink     = int32(unsafe.Offsetof(tlbSet{}.link))
	offData     = int32(unsafe.Offsetof(mm.Frame{}.Data))
	offLeft     = int32(unsafe.Offsetof(jitCtx{}.left))
	offChain    = int32(unsafe.Offsetof(jitCtx{}.chain))
	offExit     = int32(unsafe.Offsetof(jitCtx{}.exit))
	offNext     = int32(unsafe.Offsetof(jitCtx{}.next))
	offJBNext   = int32(unsafe.Offsetof(jitBlock{}.next))
	offJBLink   = int32(unsafe.Offsetof(jitBlock{}.link))
	offJBPC1    = int32(unsafe.Offsetof(jitBlock{}.pc1))
	offJBEntry  = int32(unsafe.Offsetof(jitBlock{}.entry))
	offJC       = int32(unsafe.Offsetof(tlbSet{}.jc))
	offJCPC     = int32(unsafe.Offsetof(jcEntry{}.pc))
	offJCLink   = int32(unsafe.Offsetof(jcEntry{}.link))
	offJCBlock  = int32(unsafe.Offsetof(jcEntry{}.b))
	offBlockJIT = int32(unsafe.Offsetof(block{}.jit))
)

// The machine code indexes the TLBs and the jump cache by entry sizes of 16 and 24.
var (
	_ [unsafe.Sizeof(tlbEntry{}) - 16]struct{}
	_ [16 - unsafe.Sizeof(tlbEntry{})]struct{}
	_ [unsafe.Sizeof(jcEntry{}) - 24]struct{}
	_ [24 - unsafe.Sizeof(jcEntry{})]struct{}
)

// Host registers with a fixed role.
const (
	regHart = r15
	regTLB  = r14
	regCtx  = r13
	regTag  = r12
	regWTag = r11
)

func xr(i uint8) mem { return at(regHart, int32(i)*8) }
func fr(i uint8) mem { return at(regHart, offF+int32(i&31)*8) }

// jitGen translates b's operations up to the first it cannot (where the block engine
// takes over), returning the code and the offset of its body; nil if it translates
// none. rec is the block's chain record, id its number.
func jitGen(b *block, rec *jitBlock, id uint32) ([]byte, int) {
	g := &jitGenerator{b: b, rec: rec, id: id}
	a := &g.a
	// Entry by a chain: take the block from the chain bound and the budget.
	notEntered := a.newLabel()
	a.aluMemImm(aluSub, at(regCtx, offChain), 1)
	a.jcc(ccB, notEntered)
	a.load(rAX, at(regCtx, offLeft))
	a.aluImm(true, aluSub, rAX, int32(b.n))
	a.jcc(ccB, notEntered)
	a.store(at(regCtx, offLeft), rAX)
	body := len(a.b)
	ended := false
	for k := range b.ops {
		if !g.op(k) {
			if k == 0 {
				return nil, 0
			}
			g.exit(jitResume, k)
			ended = true
			break
		}
		if endsBlock(b.ops[k].op) && b.ops[k].code != bJALF {
			ended = true
		}
	}
	if !ended {
		g.chain(0, b.end)
	}
	a.bind(notEntered)
	g.exit(jitEnter, 0)
	for _, s := range g.stubs {
		s()
	}
	for k, l := range g.resume {
		if l != 0 {
			a.bind(l)
			g.exit(jitResume, k)
		}
	}
	return a.finish(), body
}

type jitGenerator struct {
	a      x86asm
	b      *block
	rec    *jitBlock
	id     uint32
	stubs  []func()               // out-of-line code, emitted after the body
	resume [maxBlockInsns + 1]int // labels of exits to the block engine at op k (0: none yet)
}

// exit stores the exit word and returns to Go.
func (g *jitGenerator) exit(kind, k int) {
	g.a.movImm(rAX, uint64(kind)|uint64(k)<<8|uint64(g.id)<<32)
	g.a.store(at(regCtx, offExit), rAX)
	g.a.ret()
}

// resumeAt is the label of the exit that hands operation k to the block engine.
func (g *jitGenerator) resumeAt(k int) int {
	if g.resume[k] == 0 { // (label 0 is the prologue's, made first)
		g.resume[k] = g.a.newLabel()
	}
	return g.resume[k]
}

// chain goes on at the guest address next through chain slot: to the successor's
// code if the record holds a chain made under the TLB set's current link, else back
// to Go.
func (g *jitGenerator) chain(slot int, next uint64) {
	a := &g.a
	out := a.newLabel()
	a.movImm(rCX, uint64(uintptr(unsafe.Pointer(g.rec))))
	a.load(rDX, at(rCX, offJBLink+int32(slot)*8))
	a.aluMem(true, aluCmp, rDX, at(regTLB, offLink))
	a.jcc(ccNE, out)
	a.jmpMem(at(rCX, offJBNext+int32(slot)*8))
	a.bind(out)
	a.movImm(rAX, next)
	a.store(at(regCtx, offNext), rAX)
	g.exit(jitFall+slot, 0)
}

// indirect goes on at the guest address in rdx (a jalr's target): to the target the
// block saw last, or else to the block the TLB set's jump cache holds for it, if
// either has machine code and was found under the current link.
func (g *jitGenerator) indirect() {
	a := &g.a
	jc, out := a.newLabel(), a.newLabel()
	a.movImm(rCX, uint64(uintptr(unsafe.Pointer(g.rec))))
	a.aluMem(true, aluCmp, rDX, at(rCX, offJBPC1))
	a.jcc(ccNE, jc)
	a.load(rAX, at(rCX, offJBLink+8))
	a.aluMem(true, aluCmp, rAX, at(regTLB, offLink))
	a.jcc(ccNE, jc)
	a.jmpMem(at(rCX, offJBNext+8))
	a.bind(jc)
	// The jump cache, as blockExec.lookup probes it: the entry at (pc>>1)%jcSize.
	a.load(rAX, at(regTLB, offJC))
	a.testRR(true, rAX, rAX)
	a.jcc(ccE, out)
	a.mov32RR(rCX, rDX)
	a.shiftImm(false, shShr, rCX, 1)
	a.aluImm(false, aluAnd, rCX, jcSize-1)
	a.opMem(true, []byte{0x8d}, rCX, mem{base: rCX, index: rCX, scale: 2}, false) // lea rcx, [rcx+rcx*2]
	a.shiftImm(false, shShl, rCX, 3)                                              // 24-byte entries
	a.aluRR(true, aluAdd, rAX, rCX)
	a.aluMem(true, aluCmp, rDX, at(rAX, offJCPC))
	a.jcc(ccNE, out)
	a.load(rCX, at(rAX, offJCLink))
	a.aluMem(true, aluCmp, rCX, at(regTLB, offLink))
	a.jcc(ccNE, out)
	a.load(rAX, at(rAX, offJCBlock))
	a.load(rAX, at(rAX, offBlockJIT))
	a.testRR(true, rAX, rAX)
	a.jcc(ccE, out)
	a.load(rAX, at(rAX, offJBEntry))
	a.testRR(true, rAX, rAX)
	a.jcc(ccE, out)
	a.opReg(false, []byte{0xff}, 4, rAX) // jmp rax
	a.bind(out)
	a.store(at(regCtx, offNext), rDX)
	g.exit(jitIndirect, 0)
}

// probe looks the address in rax up in a TLB (offTLB, with the tag in tagReg) as the
// block engine's fast path does, jumping to slow where that would take the slow path.
// On a hit rdx is the frame and rcx the offset in the page; rax is kept.
func (g *jitGenerator) probe(offTLB int32, tagReg int, slow int) {
	a := &g.a
	a.movRR(rCX, rAX)
	a.shiftImm(true, shShr, rCX, mm.PageShift)
	a.movRR(rDX, rCX)
	a.aluImm(false, aluAnd, rDX, tlbSize-1) // 32-bit: clears the upper half
	a.shiftImm(false, shShl, rDX, 4)        // 16-byte entries
	a.aluRR(true, aluXor, rCX, tagReg)
	a.aluMem(true, aluCmp, rCX, atIdx(regTLB, rDX, offTLB))
	a.jcc(ccNE, slow)
	a.mov32RR(rCX, rAX)
	a.aluImm(false, aluAnd, rCX, mm.PageMask)
	a.aluImm(false, aluCmp, rCX, mm.PageSize-8)
	a.jcc(ccA, slow)
	a.load(rDX, atIdx(regTLB, rDX, offTLB+8))
}

// loadVal loads the value of a load operation (o) at [rdx+rcx] into rax, extended as
// the operation extends it, and stores it to its destination.
func (g *jitGenerator) loadVal(o Op, rd uint8) {
	a := &g.a
	m := atIdx(rDX, rCX, offData)
	switch o {
	case LB:
		a.loadExt(1, true, rAX, m)
	case LH:
		a.loadExt(2, true, rAX, m)
	case LW:
		a.loadExt(4, true, rAX, m)
	case LD, FLD:
		a.loadExt(8, false, rAX, m)
	case LBU:
		a.loadExt(1, false, rAX, m)
	case LHU:
		a.loadExt(2, false, rAX, m)
	case LWU, FLW:
		a.loadExt(4, false, rAX, m)
	}
	switch o {
	case FLW:
		g.box()
		a.store(fr(rd), rAX)
	case FLD:
		a.store(fr(rd), rAX)
	default:
		a.store(xr(rd), rAX)
	}
}

func fitsInt32(v int64) bool { return v == int64(int32(v)) }

// The x86 operation of a guest ALU or shift operation, and the guest load a fused
// add-and-load does (built once, not per translated operation).
var (
	aluOf = map[Op]int{ADDI: aluAdd, XORI: aluXor, ORI: aluOr, ANDI: aluAnd,
		ADD: aluAdd, SUB: aluSub, XOR: aluXor, OR: aluOr, AND: aluAnd, ADDW: aluAdd, SUBW: aluSub}
	shiftOf = map[Op]int{SLLI: shShl, SRLI: shShr, SRAI: shSar, SLL: shShl, SRL: shShr, SRA: shSar,
		SLLW: shShl, SRLW: shShr, SRAW: shSar, SLLIW: shShl, SRLIW: shShr, SRAIW: shSar}
	addLoadOp = map[bcode]Op{bAddLD: LD, bAddLW: LW, bAddLWU: LWU, bAddLBU: LBU}
	// The SSE opcode of a floating-point add, sub, mul or div.
	sseArith = map[Op]byte{FADD_D: 0x58, FADD_S: 0x58, FMUL_D: 0x59, FMUL_S: 0x59,
		FSUB_D: 0x5c, FSUB_S: 0x5c, FDIV_D: 0x5e, FDIV_S: 0x5e}
)

var branchCC = [...]byte{BEQ - BEQ: ccE, BNE - BEQ: ccNE, BLT - BEQ: ccL, BGE - BEQ: ccGE, BLTU - BEQ: ccB, BGEU - BEQ: ccAE}

// op translates operation k of the block; false if the compiler does not, and then it
// has emitted nothing (the block engine runs the operation from its start).
func (g *jitGenerator) op(k int) bool {
	a := &g.a
	b := g.b
	op := &b.ops[k]
	link := b.pc + uint64(int64(op.off)) + uint64(op.len)
	if !fitsInt32(op.imm) && op.code != bLI && op.code != bLiLD && op.code != bLiLW &&
		op.code != bJALF && op.code != bcode(JAL) && !isBranch(op.op) {
		return false
	}
	imm := int32(op.imm)
	switch op.code {
	case bLI:
		if fitsInt32(op.imm) {
			a.storeImm(xr(op.rd), imm)
		} else {
			a.movImm(rAX, uint64(op.imm))
			a.store(xr(op.rd), rAX)
		}
	case bMV:
		a.load(rAX, xr(op.rs1))
		a.store(xr(op.rd), rAX)
	case bJALF:
		a.movImm(rAX, link)
		a.store(xr(op.rd), rAX)
	case bShAdd:
		a.load(rAX, xr(op.rs1))
		a.shiftImm(true, shShl, rAX, uint8(op.imm2&63))
		a.aluMem(true, aluAdd, rAX, xr(op.rs2))
		a.store(xr(op.rd), rAX)
	case bAddiAdd:
		a.load(rAX, xr(op.rs1))
		a.aluImm(true, aluAdd, rAX, op.imm2)
		a.aluMem(true, aluAdd, rAX, xr(op.rs2))
		a.store(xr(op.rd), rAX)
	case bMV2:
		a.load(rAX, xr(op.rs1))
		a.store(xr(op.rd), rAX)
		a.load(rAX, xr(op.rs2))
		a.store(xr(op.rs3), rAX)
	case bAddLD, bAddLW, bAddLWU, bAddLBU:
		a.load(rAX, xr(op.rs1))
		a.aluMem(true, aluAdd, rAX, xr(op.rs2))
		a.movRR(rBX, rAX)
		a.aluImm(true, aluAdd, rAX, imm)
		g.probe(offRTLB, regTag, g.resumeAt(k))
		a.store(xr(op.rs3), rBX)
		g.loadVal(addLoadOp[op.code], op.rd)
	case bLiLD, bLiLW:
		a.movImm(rAX, uint64(op.imm)+uint64(op.imm2))
		g.probe(offRTLB, regTag, g.resumeAt(k))
		if fitsInt32(op.imm) {
			a.storeImm(xr(op.rs3), imm)
		} else {
			a.movImm(rBX, uint64(op.imm))
			a.store(xr(op.rs3), rBX)
		}
		o := LD
		if op.code == bLiLW {
			o = LW
		}
		g.loadVal(o, op.rd)
	case bcode(JAL):
		a.movImm(rAX, link)
		a.store(xr(op.rd), rAX)
		g.chain(1, uint64(op.imm))
	case bcode(JALR):
		a.load(rDX, xr(op.rs1))
		a.aluImm(true, aluAdd, rDX, imm)
		a.aluImm(true, aluAnd, rDX, -2)
		a.movImm(rAX, link)
		a.store(xr(op.rd), rAX)
		g.indirect()
	case bcode(LB), bcode(LH), bcode(LW), bcode(LD), bcode(LBU), bcode(LHU), bcode(LWU), bcode(FLW), bcode(FLD):
		a.load(rAX, xr(op.rs1))
		a.aluImm(true, aluAdd, rAX, imm)
		g.probe(offRTLB, regTag, g.resumeAt(k))
		g.loadVal(op.op, op.rd)
	case bcode(SB), bcode(SH), bcode(SW), bcode(SD), bcode(FSW), bcode(FSD):
		a.load(rAX, xr(op.rs1))
		a.aluImm(true, aluAdd, rAX, imm)
		g.probe(offWTLB, regWTag, g.resumeAt(k))
		if op.op == FSW || op.op == FSD {
			a.load(rSI, fr(op.rs2))
		} else {
			a.load(rSI, xr(op.rs2))
		}
		a.storeN(int(storeSize[op.op]), atIdx(rDX, rCX, offData), rSI)
	case bcode(BEQ), bcode(BNE), bcode(BLT), bcode(BGE), bcode(BLTU), bcode(BGEU):
		g.branch(op.op, op.rs1, op.rs2, uint64(op.imm))
	case bAddiBEQ, bAddiBNE, bAddiBLT, bAddiBGE, bAddiBLTU, bAddiBGEU:
		a.load(rAX, xr(op.rs1))
		a.aluImm(true, aluAdd, rAX, op.imm2)
		a.store(xr(op.rd), rAX)
		g.branch(BEQ+Op(op.code-bAddiBEQ), op.rs2, op.rs3, uint64(op.imm))
	case bcode(ADDI), bcode(XORI), bcode(ORI), bcode(ANDI):
		a.load(rAX, xr(op.rs1))
		a.aluImm(true, aluOf[op.op], rAX, imm)
		a.store(xr(op.rd), rAX)
	case bcode(SLTI), bcode(SLTIU):
		a.load(rCX, xr(op.rs1))
		a.aluImm(true, aluCmp, rCX, imm)
		cc := byte(ccL)
		if op.op == SLTIU {
			cc = ccB
		}
		a.setcc(cc, rAX)
		a.store(xr(op.rd), rAX)
	case bcode(SLLI), bcode(SRLI), bcode(SRAI):
		a.load(rAX, xr(op.rs1))
		a.shiftImm(true, shiftOf[op.op], rAX, uint8(op.imm&63))
		a.store(xr(op.rd), rAX)
	case bcode(ADD), bcode(SUB), bcode(XOR), bcode(OR), bcode(AND):
		a.load(rAX, xr(op.rs1))
		a.aluMem(true, aluOf[op.op], rAX, xr(op.rs2))
		a.store(xr(op.rd), rAX)
	case bcode(SLT), bcode(SLTU):
		a.load(rCX, xr(op.rs1))
		a.aluMem(true, aluCmp, rCX, xr(op.rs2))
		cc := byte(ccL)
		if op.op == SLTU {
			cc = ccB
		}
		a.setcc(cc, rAX)
		a.store(xr(op.rd), rAX)
	case bcode(SLL), bcode(SRL), bcode(SRA), bcode(SLLW), bcode(SRLW), bcode(SRAW):
		w := op.op == SLL || op.op == SRL || op.op == SRA
		a.load(rCX, xr(op.rs2))
		a.load(rAX, xr(op.rs1))
		a.shiftCL(w, shiftOf[op.op], rAX) // the host masks the count as the guest does
		if !w {
			a.movsxd(rAX, rAX)
		}
		a.store(xr(op.rd), rAX)
	case bcode(ADDIW):
		a.load32(rAX, xr(op.rs1))
		a.aluImm(false, aluAdd, rAX, imm)
		a.movsxd(rAX, rAX)
		a.store(xr(op.rd), rAX)
	case bcode(SLLIW), bcode(SRLIW), bcode(SRAIW):
		a.load32(rAX, xr(op.rs1))
		a.shiftImm(false, shiftOf[op.op], rAX, uint8(op.imm&31))
		a.movsxd(rAX, rAX)
		a.store(xr(op.rd), rAX)
	case bcode(ADDW), bcode(SUBW):
		a.load32(rAX, xr(op.rs1))
		a.aluMem(false, aluOf[op.op], rAX, xr(op.rs2))
		a.movsxd(rAX, rAX)
		a.store(xr(op.rd), rAX)
	case bcode(MUL):
		a.load(rAX, xr(op.rs1))
		a.imulMem(true, rAX, xr(op.rs2))
		a.store(xr(op.rd), rAX)
	case bcode(MULW):
		a.load32(rAX, xr(op.rs1))
		a.imulMem(false, rAX, xr(op.rs2))
		a.movsxd(rAX, rAX)
		a.store(xr(op.rd), rAX)
	case bcode(MULH), bcode(MULHU):
		a.load(rAX, xr(op.rs1))
		n := 5 // imul: signed
		if op.op == MULHU {
			n = 4
		}
		a.unaryMem(true, n, xr(op.rs2))
		a.store(xr(op.rd), rDX)
	case bcode(MULHSU):
		// The unsigned high half, less rs2 if rs1 is negative.
		a.load(rAX, xr(op.rs1))
		a.movRR(rCX, rAX)
		a.unaryMem(true, 4, xr(op.rs2))
		a.shiftImm(true, shSar, rCX, 63)
		a.aluMem(true, aluAnd, rCX, xr(op.rs2))
		a.aluRR(true, aluSub, rDX, rCX)
		a.store(xr(op.rd), rDX)
	case bcode(DIV), bcode(DIVU), bcode(REM), bcode(REMU), bcode(DIVW), bcode(DIVUW), bcode(REMW), bcode(REMUW):
		g.div(op)
	case bcode(FMV_X_D):
		a.load(rAX, fr(op.rs1))
		a.store(xr(op.rd), rAX)
	case bcode(FMV_D_X):
		a.load(rAX, xr(op.rs1))
		a.store(fr(op.rd), rAX)
	case bcode(FSGNJ_D):
		g.fpSign(k, op)
	case bcode(FADD_D), bcode(FSUB_D), bcode(FMUL_D), bcode(FDIV_D), bcode(FSQRT_D),
		bcode(FADD_S), bcode(FSUB_S), bcode(FMUL_S), bcode(FDIV_S), bcode(FSQRT_S),
		bcode(FMADD_D), bcode(FMSUB_D), bcode(FNMSUB_D), bcode(FNMADD_D),
		bcode(FMADD_S), bcode(FMSUB_S), bcode(FNMSUB_S), bcode(FNMADD_S),
		bcode(FCVT_D_W), bcode(FCVT_S_W), bcode(FCVT_D_S), bcode(FCVT_S_D):
		return g.fpArith(k, op)
	case bcode(FEQ_D), bcode(FLT_D), bcode(FLE_D), bcode(FEQ_S), bcode(FLT_S), bcode(FLE_S):
		g.fpCompare(k, op)
	case bcode(FSGNJ_S), bcode(FSGNJN_S), bcode(FSGNJX_S), bcode(FSGNJN_D), bcode(FSGNJX_D):
		g.fpSign(k, op)
	case bcode(FMV_X_W):
		a.loadExt(4, true, rAX, fr(op.rs1))
		a.store(xr(op.rd), rAX)
	case bcode(FMV_W_X):
		a.load32(rAX, xr(op.rs1))
		g.box()
		a.store(fr(op.rd), rAX)
	case bcode(CSRRW), bcode(CSRRS), bcode(CSRRC), bcode(CSRRWI), bcode(CSRRSI), bcode(CSRRCI):
		return g.csr(op)
	case bcode(FENCE):
		// Nothing to do, unless the hart stops at scheduling points: then the block
		// engine decides.
		a.loadExt(1, false, rAX, at(regHart, offSync))
		a.testRR(false, rAX, rAX)
		a.jcc(ccNE, g.resumeAt(k))
	default:
		return false
	}
	return true
}

// branch compares x[rs1] and x[rs2] as o does: taken, it goes on at target (slot 1),
// out of line; not taken, at the block's end (slot 0), which follows.
func (g *jitGenerator) branch(o Op, rs1, rs2 uint8, target uint64) {
	a := &g.a
	a.load(rAX, xr(rs1))
	a.aluMem(true, aluCmp, rAX, xr(rs2))
	taken := a.newLabel()
	a.jcc(branchCC[o-BEQ], taken)
	g.stubs = append(g.stubs, func() {
		a.bind(taken)
		g.chain(1, target)
	})
	g.chain(0, g.b.end)
}

// div translates the division operations, with the ISA's results for a zero divisor
// and for signed overflow, where the host's divide would trap.
func (g *jitGenerator) div(op *bop) {
	a := &g.a
	w := op.op == DIV || op.op == DIVU || op.op == REM || op.op == REMU
	signed := op.op == DIV || op.op == REM || op.op == DIVW || op.op == REMW
	quot := op.op == DIV || op.op == DIVU || op.op == DIVW || op.op == DIVUW
	done, zero := a.newLabel(), a.newLabel()
	if w {
		a.load(rAX, xr(op.rs1))
		a.load(rCX, xr(op.rs2))
	} else {
		a.load32(rAX, xr(op.rs1))
		a.load32(rCX, xr(op.rs2))
	}
	a.testRR(w, rCX, rCX)
	a.jcc(ccE, zero)
	if signed {
		normal := a.newLabel()
		a.aluImm(w, aluCmp, rCX, -1)
		a.jcc(ccNE, normal)
		// x / -1 = -x (the most negative number stays itself); x % -1 = 0.
		if quot {
			a.unary(w, 3, rAX) // neg
		} else {
			a.aluRR(false, aluXor, rAX, rAX)
		}
		a.jmp(done)
		a.bind(normal)
		if w {
			a.cqo()
		} else {
			a.cdq()
		}
		a.unary(w, 7, rCX) // idiv
	} else {
		a.aluRR(false, aluXor, rDX, rDX)
		a.unary(w, 6, rCX) // div
	}
	if !quot {
		a.movRR(rAX, rDX)
	}
	a.jmp(done)
	a.bind(zero)
	// Division by zero: all ones, or the dividend for a remainder.
	if quot {
		a.movImm(rAX, ^uint64(0))
	}
	a.bind(done)
	if !w {
		a.movsxd(rAX, rAX)
	}
	a.store(xr(op.rd), rAX)
}

// isSingle reports whether a floating-point operation is single precision (the
// conversions: whether its result is).
func isSingle(o Op) bool {
	switch o {
	case FADD_S, FSUB_S, FMUL_S, FDIV_S, FSQRT_S, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S,
		FCVT_S_W, FCVT_S_D, FEQ_S, FLT_S, FLE_S, FSGNJ_S, FSGNJN_S, FSGNJX_S:
		return true
	}
	return false
}

// roundsNearestEven makes the code go on only when op rounds to nearest, ties to
// even, as the host's MXCSR does (Go never changes its rounding): a static rm of
// RNE, or the dynamic rm with frm RNE; otherwise the block engine runs op. False if
// op's static rounding mode is another.
func (g *jitGenerator) roundsNearestEven(k int, op *bop) bool {
	switch op.rm {
	case 0:
		return true
	case 7:
		g.a.loadExt(1, false, rAX, at(regHart, offFrm))
		g.a.testRR(false, rAX, rAX)
		g.a.jcc(ccNE, g.resumeAt(k))
		return true
	}
	return false
}

// loadF loads f[r] into xmm x through rax; for a single-precision operand, only if it
// is properly NaN-boxed (else the block engine runs op k, which reads it as the
// canonical NaN). neg flips its sign first.
func (g *jitGenerator) loadF(k int, single bool, x int, r uint8, neg bool) {
	a := &g.a
	a.load(rAX, fr(r))
	if single {
		g.checkBoxed(k)
	}
	if neg {
		a.movImm(rCX, signBit(single))
		a.aluRR(true, aluXor, rAX, rCX)
	}
	if single {
		a.movdToX(x, rAX)
	} else {
		a.movqToX(x, rAX)
	}
}

// checkBoxed makes the code go on only if rax holds a properly NaN-boxed single
// (else the block engine runs op k). It uses rcx.
func (g *jitGenerator) checkBoxed(k int) {
	a := &g.a
	a.movRR(rCX, rAX)
	a.shiftImm(true, shShr, rCX, 32)
	a.aluImm(false, aluCmp, rCX, -1)
	a.jcc(ccNE, g.resumeAt(k))
}

// box NaN-boxes the single in rax's low half. It uses rcx.
func (g *jitGenerator) box() {
	g.a.movImm(rCX, 0xffffffff_00000000)
	g.a.aluRR(true, aluOr, rAX, rCX)
}

// signBit is the sign bit of a double, or of a single.
func signBit(single bool) uint64 {
	if single {
		return 1 << 31
	}
	return 1 << 63
}

// comisPrefix is the prefix of (u)comisd, or of (u)comiss (none).
func comisPrefix(single bool) byte {
	if single {
		return 0
	}
	return 0x66
}

// storeResult stores xmm0 to f[rd]: the canonical NaN for any NaN (the host makes
// other NaNs), NaN-boxed if single.
func (g *jitGenerator) storeResult(single bool, rd uint8) {
	a := &g.a
	done := a.newLabel()
	if single {
		a.movdFromX(rAX, 0)
		a.sse(0, 0x2e, 0, 0) // ucomiss xmm0, xmm0
		a.jcc(ccNP, done)
		a.movImm(rAX, canonicalNaN32)
		a.bind(done)
		g.box()
	} else {
		a.movqFromX(rAX, 0)
		a.sse(0x66, 0x2e, 0, 0) // ucomisd xmm0, xmm0
		a.jcc(ccNP, done)
		a.movImm(rAX, 0x7ff8_0000_0000_0000)
		a.bind(done)
	}
	a.store(fr(rd), rAX)
}

// fpArith translates the rounding operations with the host's SSE (and FMA3)
// arithmetic, when they round to nearest even.
func (g *jitGenerator) fpArith(k int, op *bop) bool {
	a := &g.a
	single := isSingle(op.op)
	fma := false
	switch op.op {
	case FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S:
		fma = true
		if !hostFMA {
			return false
		}
	}
	if !g.roundsNearestEven(k, op) {
		return false
	}
	prefix := byte(0xf2) // scalar double
	if single {
		prefix = 0xf3
	}
	switch op.op {
	case FCVT_D_W, FCVT_S_W:
		a.cvtsi2s(prefix, 0, xr(op.rs1))
	case FCVT_D_S:
		g.loadF(k, true, 0, op.rs1, false)
		a.sse(0xf3, 0x5a, 0, 0) // cvtss2sd xmm0, xmm0
	case FCVT_S_D:
		g.loadF(k, false, 0, op.rs1, false)
		a.sse(0xf2, 0x5a, 0, 0) // cvtsd2ss xmm0, xmm0
	case FSQRT_D, FSQRT_S:
		g.loadF(k, single, 0, op.rs1, false)
		a.sse(prefix, 0x51, 0, 0)
	default:
		if !fma {
			g.loadF(k, single, 0, op.rs1, false)
			g.loadF(k, single, 1, op.rs2, false)
			a.sse(prefix, sseArith[op.op], 0, 1)
			break
		}
		// The negated forms flip the signs of the product and the addend, as execFP
		// does. A NaN operand goes to the block engine: the ISA wants the invalid
		// flag for infinity times zero plus a quiet NaN, which the host need not give.
		negA := op.op == FNMSUB_D || op.op == FNMADD_D || op.op == FNMSUB_S || op.op == FNMADD_S
		negC := op.op == FMSUB_D || op.op == FNMADD_D || op.op == FMSUB_S || op.op == FNMADD_S
		g.loadF(k, single, 0, op.rs1, negA)
		g.loadF(k, single, 1, op.rs2, false)
		g.loadF(k, single, 2, op.rs3, negC)
		ucomi := comisPrefix(single)
		for x := 0; x < 3; x++ {
			a.sse(ucomi, 0x2e, x, x)
			a.jcc(ccP, g.resumeAt(k))
		}
		a.fmadd213(single, 0, 1, 2)
	}
	g.storeResult(single, op.rd)
	return true
}

// fpCompare translates feq, flt and fle: ucomis (quiet: invalid only for a
// signaling NaN) for feq, comis (invalid for any NaN) for the others, as the ISA
// wants.
func (g *jitGenerator) fpCompare(k int, op *bop) {
	a := &g.a
	single := isSingle(op.op)
	g.loadF(k, single, 0, op.rs1, false)
	g.loadF(k, single, 1, op.rs2, false)
	pre := comisPrefix(single)
	switch op.op {
	case FEQ_D, FEQ_S:
		a.sse(pre, 0x2e, 0, 1) // ucomis xmm0, xmm1: equal is ZF and not PF
		a.setcc(ccE, rAX)
		a.setcc(ccNP, rCX)
		a.aluRR(false, aluAnd, rAX, rCX)
	case FLT_D, FLT_S:
		a.sse(pre, 0x2f, 1, 0) // comis xmm1, xmm0: rs2 above rs1 (unordered is not)
		a.setcc(ccA, rAX)
	default:
		a.sse(pre, 0x2f, 1, 0)
		a.setcc(ccAE, rAX)
	}
	a.store(xr(op.rd), rAX)
}

// fpSign translates the sign injections (single ones on NaN-boxed operands; with
// those, 64-bit operations on bit 31 keep the box).
func (g *jitGenerator) fpSign(k int, op *bop) {
	a := &g.a
	single := isSingle(op.op)
	for _, r := range []uint8{op.rs1, op.rs2} {
		if single {
			a.load(rAX, fr(r))
			g.checkBoxed(k)
		}
	}
	a.load(rAX, fr(op.rs1))
	a.load(rDX, fr(op.rs2))
	a.movImm(rCX, signBit(single))
	switch op.op {
	case FSGNJX_D, FSGNJX_S:
		a.aluRR(true, aluAnd, rDX, rCX)
		a.aluRR(true, aluXor, rAX, rDX)
	default:
		if op.op == FSGNJN_D || op.op == FSGNJN_S {
			a.unary(true, 2, rDX) // not
		}
		a.aluRR(true, aluAnd, rDX, rCX)
		a.unary(true, 2, rCX) // not
		a.aluRR(true, aluAnd, rAX, rCX)
		a.aluRR(true, aluOr, rAX, rDX)
	}
	a.store(fr(op.rd), rAX)
}

// csr translates the accesses to fflags, frm and fcsr (the counters need the
// instruction count, which only the block engine knows). The flags the host gathered
// in MXCSR since the entry go to fflags first.
func (g *jitGenerator) csr(op *bop) bool {
	a := &g.a
	num := uint64(op.imm) & 0xfff
	if num != csrFflags && num != csrFrm && num != csrFcsr {
		return false
	}
	// Merge MXCSR's flags into fflags and clear them.
	a.stmxcsr(at(regCtx, offMX))
	a.load32(rAX, at(regCtx, offMX))
	a.movImm(rDX, uint64(uintptr(unsafe.Pointer(&mxcsrFlags))))
	a.mov32RR(rCX, rAX)
	a.aluImm(false, aluAnd, rCX, 0x3f)
	a.loadExt(1, false, rCX, atIdx(rDX, rCX, 0))
	a.orByteMem(at(regHart, offFflags), rCX)
	a.aluImm(false, aluAnd, rAX, ^0x3f)
	a.storeN(4, at(regCtx, offMX), rAX)
	a.ldmxcsr(at(regCtx, offMX))
	// old in rax, the source in rcx, the new value in rdx.
	switch num {
	case csrFflags:
		a.loadExt(1, false, rAX, at(regHart, offFflags))
	case csrFrm:
		a.loadExt(1, false, rAX, at(regHart, offFrm))
	default:
		a.loadExt(1, false, rAX, at(regHart, offFrm))
		a.shiftImm(false, shShl, rAX, 5)
		a.loadExt(1, false, rCX, at(regHart, offFflags))
		a.aluRR(false, aluOr, rAX, rCX)
	}
	var write bool
	switch op.op {
	case CSRRW, CSRRS, CSRRC:
		a.load(rCX, xr(op.rs1))
		write = op.op == CSRRW || op.rs1 != 0
	default:
		a.movImm(rCX, uint64(op.rs1)) // the 5-bit immediate
		write = op.op == CSRRWI || op.rs1 != 0
	}
	if write {
		a.movRR(rDX, rCX)
		switch op.op {
		case CSRRS, CSRRSI:
			a.aluRR(true, aluOr, rDX, rAX)
		case CSRRC, CSRRCI:
			a.unary(true, 2, rDX) // not
			a.aluRR(true, aluAnd, rDX, rAX)
		}
		switch num {
		case csrFflags:
			a.aluImm(false, aluAnd, rDX, 0x1f)
			a.storeN(1, at(regHart, offFflags), rDX)
		case csrFrm:
			a.aluImm(false, aluAnd, rDX, 7)
			a.storeN(1, at(regHart, offFrm), rDX)
		default:
			a.movRR(rSI, rDX)
			a.aluImm(false, aluAnd, rSI, 0x1f)
			a.storeN(1, at(regHart, offFflags), rSI)
			a.shiftImm(false, shShr, rDX, 5)
			a.aluImm(false, aluAnd, rDX, 7)
			a.storeN(1, at(regHart, offFrm), rDX)
		}
	}
	a.store(xr(op.rd), rAX)
	return true
}
