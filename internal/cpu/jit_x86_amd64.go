package cpu

import (
	"encoding/binary"
	"math"
)

// A small x86-64 assembler: just the instructions the compiler engine emits, each with
// its encoding written out (Intel SDM volume 2). Every memory operand uses a 32-bit
// displacement (mod 10), so that one form serves every base register.

// x86 general registers, by their encoding.
const (
	rAX = iota
	rCX
	rDX
	rBX
	rSP
	rBP
	rSI
	rDI
	r8
	r9
	r10
	r11
	r12
	r13
	r14
	r15
	noReg = -1
)

// x86 condition codes (the low nibble of Jcc and SETcc).
const (
	ccB  = 0x2 // below (unsigned <)
	ccAE = 0x3 // above or equal (unsigned >=)
	ccE  = 0x4
	ccNE = 0x5
	ccA  = 0x7 // above (unsigned >)
	ccP  = 0xa // parity (unordered, after ucomisd)
	ccNP = 0xb
	ccL  = 0xc // less (signed <)
	ccGE = 0xd // greater or equal (signed >=)
)

// Group-1 arithmetic operations: the /digit of 81 /n and the base of the r/m, reg forms.
const (
	aluAdd = 0
	aluOr  = 1
	aluAnd = 4
	aluSub = 5
	aluXor = 6
	aluCmp = 7
)

// Group-2 shifts: the /digit of C1 /n and D3 /n.
const (
	shShl = 4
	shShr = 5
	shSar = 7
)

// mem is a memory operand: [base + index*scale + disp].
type mem struct {
	base, index int
	scale       uint8 // 1, 2, 4 or 8 (with an index)
	disp        int32
}

// at is [base + disp].
func at(base int, disp int32) mem { return mem{base: base, index: noReg, disp: disp} }

// atIdx is [base + index + disp].
func atIdx(base, index int, disp int32) mem {
	return mem{base: base, index: index, scale: 1, disp: disp}
}

type label struct {
	pos   int   // bound position, -1 until bound
	fixes []int // positions of rel32 fields that jump to it
}

// x86asm collects machine code.
type x86asm struct {
	b      []byte
	labels []label
}

func (a *x86asm) byte1(v ...byte) { a.b = append(a.b, v...) }

func (a *x86asm) u32(v uint32) { a.b = binary.LittleEndian.AppendUint32(a.b, v) }

// rex emits a REX prefix when one is needed: a 64-bit operand (w), an extended
// register in reg, index or base, or a byte register of SPL to DIL (byteReg).
func (a *x86asm) rex(w bool, reg, index, base int, byteReg bool) {
	var r byte
	if w {
		r |= 8
	}
	if reg >= 8 {
		r |= 4
	}
	if index >= 8 {
		r |= 2
	}
	if base >= 8 {
		r |= 1
	}
	if r != 0 || (byteReg && reg >= 4) {
		a.byte1(0x40 | r)
	}
}

// modrmMem emits the ModRM, SIB and displacement bytes of m with reg in the reg field.
func (a *x86asm) modrmMem(reg int, m mem) {
	if m.index == noReg && m.base&7 != rSP {
		a.byte1(0x80 | byte(reg&7)<<3 | byte(m.base&7))
	} else {
		idx := byte(rSP) // no index
		var ss byte
		if m.index != noReg {
			idx = byte(m.index & 7)
			ss = map[uint8]byte{1: 0, 2: 1, 4: 2, 8: 3}[m.scale]
		}
		a.byte1(0x80|byte(reg&7)<<3|4, ss<<6|idx<<3|byte(m.base&7))
	}
	a.u32(uint32(m.disp))
}

// opMem emits opcode with a memory operand: op reg, m (or op m, reg, per the opcode).
func (a *x86asm) opMem(w bool, op []byte, reg int, m mem, byteReg bool) {
	idx := m.index
	if idx == noReg {
		idx = 0
	}
	a.rex(w, reg, idx, m.base, byteReg)
	a.byte1(op...)
	a.modrmMem(reg, m)
}

// opReg emits opcode with a register operand: ModRM mod 11, reg and rm.
func (a *x86asm) opReg(w bool, op []byte, reg, rm int) {
	a.rex(w, reg, 0, rm, false)
	a.byte1(op...)
	a.byte1(0xc0 | byte(reg&7)<<3 | byte(rm&7))
}

// load: mov r64, m.
func (a *x86asm) load(r int, m mem) { a.opMem(true, []byte{0x8b}, r, m, false) }

// load32: mov r32, m (zero-extends).
func (a *x86asm) load32(r int, m mem) { a.opMem(false, []byte{0x8b}, r, m, false) }

// store: mov m, r64.
func (a *x86asm) store(m mem, r int) { a.opMem(true, []byte{0x89}, r, m, false) }

// storeN: mov m, r of size bytes (1, 2, 4, 8).
func (a *x86asm) storeN(size int, m mem, r int) {
	switch size {
	case 1:
		a.opMem(false, []byte{0x88}, r, m, true)
	case 2:
		a.byte1(0x66)
		a.opMem(false, []byte{0x89}, r, m, false)
	case 4:
		a.opMem(false, []byte{0x89}, r, m, false)
	default:
		a.store(m, r)
	}
}

// loadExt loads size bytes at m into r, sign- or zero-extended to 64 bits.
func (a *x86asm) loadExt(size int, signed bool, r int, m mem) {
	switch {
	case size == 8:
		a.load(r, m)
	case size == 4 && signed:
		a.opMem(true, []byte{0x63}, r, m, false) // movsxd
	case size == 4:
		a.load32(r, m)
	case size == 2 && signed:
		a.opMem(true, []byte{0x0f, 0xbf}, r, m, false)
	case size == 2:
		a.opMem(false, []byte{0x0f, 0xb7}, r, m, false)
	case signed:
		a.opMem(true, []byte{0x0f, 0xbe}, r, m, false)
	default:
		a.opMem(false, []byte{0x0f, 0xb6}, r, m, false)
	}
}

// storeImm: mov qword m, imm32 (sign-extended).
func (a *x86asm) storeImm(m mem, imm int32) {
	a.opMem(true, []byte{0xc7}, 0, m, false)
	a.u32(uint32(imm))
}

// movRR: mov dst, src (64-bit).
func (a *x86asm) movRR(dst, src int) { a.opReg(true, []byte{0x89}, src, dst) }

// mov32RR: mov dst, src (32-bit, which clears dst's upper half).
func (a *x86asm) mov32RR(dst, src int) { a.opReg(false, []byte{0x89}, src, dst) }

// movImm: dst = v, in the shortest of the three forms.
func (a *x86asm) movImm(dst int, v uint64) {
	switch {
	case v <= math.MaxUint32:
		a.rex(false, 0, 0, dst, false)
		a.byte1(0xb8 + byte(dst&7))
		a.u32(uint32(v))
	case int64(v) >= math.MinInt32 && int64(v) <= math.MaxInt32:
		a.opReg(true, []byte{0xc7}, 0, dst)
		a.u32(uint32(v))
	default:
		a.rex(true, 0, 0, dst, false)
		a.byte1(0xb8 + byte(dst&7))
		a.b = binary.LittleEndian.AppendUint64(a.b, v)
	}
}

// aluMem: op r, m (add, or, and, sub, xor, cmp), 64-bit or 32-bit.
func (a *x86asm) aluMem(w bool, op, r int, m mem) {
	a.opMem(w, []byte{byte(op<<3 | 3)}, r, m, false)
}

// aluRR: op dst, src.
func (a *x86asm) aluRR(w bool, op, dst, src int) {
	a.opReg(w, []byte{byte(op<<3 | 1)}, src, dst)
}

// aluImm: op r, imm32 (sign-extended to 64 bits when w).
func (a *x86asm) aluImm(w bool, op, r int, imm int32) {
	if imm >= -128 && imm <= 127 {
		a.opReg(w, []byte{0x83}, op, r)
		a.byte1(byte(int8(imm)))
		return
	}
	a.opReg(w, []byte{0x81}, op, r)
	a.u32(uint32(imm))
}

// aluMemImm: op qword m, imm32.
func (a *x86asm) aluMemImm(op int, m mem, imm int32) {
	a.opMem(true, []byte{0x81}, op, m, false)
	a.u32(uint32(imm))
}

// shiftImm: shl/shr/sar r, n.
func (a *x86asm) shiftImm(w bool, op, r int, n uint8) {
	a.opReg(w, []byte{0xc1}, op, r)
	a.byte1(n)
}

// shiftCL: shl/shr/sar r, cl.
func (a *x86asm) shiftCL(w bool, op, r int) { a.opReg(w, []byte{0xd3}, op, r) }

// imulMem: imul r, m (the low half of the product).
func (a *x86asm) imulMem(w bool, r int, m mem) { a.opMem(w, []byte{0x0f, 0xaf}, r, m, false) }

// unary emits F7 /n on r: 3 neg, 4 mul, 5 imul, 6 div, 7 idiv (rdx:rax forms).
func (a *x86asm) unary(w bool, n, r int) { a.opReg(w, []byte{0xf7}, n, r) }

// unaryMem emits F7 /n on m.
func (a *x86asm) unaryMem(w bool, n int, m mem) { a.opMem(w, []byte{0xf7}, n, m, false) }

// movsxd: r64 = sign-extended low 32 bits of src.
func (a *x86asm) movsxd(dst, src int) { a.opReg(true, []byte{0x63}, dst, src) }

// setcc: the low byte of r (rax to rbx only) = condition; then zero-extends it.
func (a *x86asm) setcc(cc byte, r int) {
	a.opReg(false, []byte{0x0f, 0x90 | cc}, 0, r)
	a.opReg(false, []byte{0x0f, 0xb6}, r, r) // movzx r32, r8
}

// cqo sign-extends rax into rdx; cdq eax into edx.
func (a *x86asm) cqo() { a.byte1(0x48, 0x99) }
func (a *x86asm) cdq() { a.byte1(0x99) }

func (a *x86asm) ret() { a.byte1(0xc3) }

// jmpMem: jmp qword m.
func (a *x86asm) jmpMem(m mem) { a.opMem(false, []byte{0xff}, 4, m, false) }

// testRR: test a, b (64-bit or 32-bit).
func (a *x86asm) testRR(w bool, x, y int) { a.opReg(w, []byte{0x85}, y, x) }

func (a *x86asm) newLabel() int {
	a.labels = append(a.labels, label{pos: -1})
	return len(a.labels) - 1
}

func (a *x86asm) bind(l int) { a.labels[l].pos = len(a.b) }

// jcc jumps to l if cc holds.
func (a *x86asm) jcc(cc byte, l int) {
	a.byte1(0x0f, 0x80|cc)
	a.rel(l)
}

// jmp jumps to l.
func (a *x86asm) jmp(l int) {
	a.byte1(0xe9)
	a.rel(l)
}

func (a *x86asm) rel(l int) {
	a.labels[l].fixes = append(a.labels[l].fixes, len(a.b))
	a.u32(0)
}

// finish resolves the jumps to labels; every label used must be bound.
func (a *x86asm) finish() []byte {
	for _, l := range a.labels {
		for _, f := range l.fixes {
			if l.pos < 0 {
				panic("jit: jump to an unbound label")
			}
			binary.LittleEndian.PutUint32(a.b[f:], uint32(int32(l.pos-(f+4))))
		}
	}
	return a.b
}

// SSE and AVX scalar floating point, on xmm0 to xmm7 only (no REX for them; xmm15
// is the Go internal ABI's zero register and never touched).

// sse emits prefix 0F op with xmm registers reg and rm: addsd (F2 58) and the like.
func (a *x86asm) sse(prefix, op byte, reg, rm int) {
	if prefix != 0 {
		a.byte1(prefix)
	}
	a.byte1(0x0f, op, 0xc0|byte(reg&7)<<3|byte(rm&7))
}

// movqToX: movq xmm, r64. movqFromX: movq r64, xmm.
func (a *x86asm) movqToX(x, r int) {
	a.byte1(0x66)
	a.opReg(true, []byte{0x0f, 0x6e}, x, r)
}

func (a *x86asm) movqFromX(r, x int) {
	a.byte1(0x66)
	a.opReg(true, []byte{0x0f, 0x7e}, x, r)
}

// movdToX: movd xmm, r32. movdFromX: movd r32, xmm (zero-extends).
func (a *x86asm) movdToX(x, r int) {
	a.byte1(0x66)
	a.opReg(false, []byte{0x0f, 0x6e}, x, r)
}

func (a *x86asm) movdFromX(r, x int) {
	a.byte1(0x66)
	a.opReg(false, []byte{0x0f, 0x7e}, x, r)
}

// cvtsi2s: cvtsi2sd (prefix F2) or cvtsi2ss (F3) xmm, dword m.
func (a *x86asm) cvtsi2s(prefix byte, x int, m mem) {
	a.byte1(prefix)
	a.opMem(false, []byte{0x0f, 0x2a}, x, m, false)
}

// fmadd213: xmm(dst) = xmm(dst)*xmm(src1) + xmm(src2), rounded once: vfmadd213sd, or
// vfmadd213ss when single (VEX.LIG.66.0F38 A9, W1 for double).
func (a *x86asm) fmadd213(single bool, dst, src1, src2 int) {
	w := byte(0x80)
	if single {
		w = 0
	}
	a.byte1(0xc4, 0xe2, w|byte(^src1&15)<<3|1, 0xa9, 0xc0|byte(dst&7)<<3|byte(src2&7))
}

// ldmxcsr and stmxcsr load and store MXCSR from and to m.
func (a *x86asm) ldmxcsr(m mem) { a.opMem(false, []byte{0x0f, 0xae}, 2, m, false) }
func (a *x86asm) stmxcsr(m mem) { a.opMem(false, []byte{0x0f, 0xae}, 3, m, false) }

// orByteMem: or byte m, r8.
func (a *x86asm) orByteMem(m mem, r int) { a.opMem(false, []byte{0x08}, r, m, true) }
