package cpu

import (
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"

	x86 "golang.org/x/arch/x86/x86asm"

	"weft/internal/mm"
)

func init() {
	// In this package's tests the compiler engine translates a block the first time
	// it runs, and chains few blocks per entry, so that the short programs of the
	// engine tests run mostly as machine code and leave it often.
	jitHot, jitChainMax = 1, 5
}

// TestX86Encoding checks the assembler's encodings against x/arch's x86 decoder: each
// must decode, whole, to the instruction meant.
func TestX86Encoding(t *testing.T) {
	tests := []struct {
		emit func(a *x86asm)
		want string
	}{
		{func(a *x86asm) { a.load(rAX, at(r15, 8)) }, "mov rax, qword ptr [r15+0x8]"},
		{func(a *x86asm) { a.load(r9, at(rSP, -16)) }, "mov r9, qword ptr [rsp-0x10]"},
		{func(a *x86asm) { a.load(rDX, atIdx(r14, rDX, 0x40)) }, "mov rdx, qword ptr [r14+rdx+0x40]"},
		{func(a *x86asm) { a.load(rAX, atIdx(r13, r12, 0)) }, "mov rax, qword ptr [r13+r12]"},
		{func(a *x86asm) { a.load32(rAX, at(r15, 0x100)) }, "mov eax, dword ptr [r15+0x100]"},
		{func(a *x86asm) { a.store(at(r13, 24), rDX) }, "mov qword ptr [r13+0x18], rdx"},
		{func(a *x86asm) { a.storeN(1, atIdx(rDX, rCX, 8), rSI) }, "mov byte ptr [rdx+rcx+0x8], sil"},
		{func(a *x86asm) { a.storeN(2, atIdx(rDX, rCX, 8), rSI) }, "mov word ptr [rdx+rcx+0x8], si"},
		{func(a *x86asm) { a.storeN(4, atIdx(rDX, rCX, 8), rSI) }, "mov dword ptr [rdx+rcx+0x8], esi"},
		{func(a *x86asm) { a.storeN(8, atIdx(rDX, rCX, 8), r10) }, "mov qword ptr [rdx+rcx+0x8], r10"},
		{func(a *x86asm) { a.loadExt(1, true, rAX, atIdx(rDX, rCX, 8)) }, "movsx rax, byte ptr [rdx+rcx+0x8]"},
		{func(a *x86asm) { a.loadExt(1, false, rAX, at(rDX, 8)) }, "movzx eax, byte ptr [rdx+0x8]"},
		{func(a *x86asm) { a.loadExt(2, true, rAX, at(rDX, 8)) }, "movsx rax, word ptr [rdx+0x8]"},
		{func(a *x86asm) { a.loadExt(2, false, rAX, at(rDX, 8)) }, "movzx eax, word ptr [rdx+0x8]"},
		{func(a *x86asm) { a.loadExt(4, true, rAX, at(rDX, 8)) }, "movsxd rax, dword ptr [rdx+0x8]"},
		{func(a *x86asm) { a.storeImm(at(r15, 16), -5) }, "mov qword ptr [r15+0x10], -0x5"},
		{func(a *x86asm) { a.movRR(rCX, rAX) }, "mov rcx, rax"},
		{func(a *x86asm) { a.movRR(r11, r8) }, "mov r11, r8"},
		{func(a *x86asm) { a.movImm(rAX, 7) }, "mov eax, 0x7"},
		{func(a *x86asm) { a.movImm(r9, 0xffffffff) }, "mov r9d, -0x1"},
		{func(a *x86asm) { a.movImm(rCX, ^uint64(1)) }, "mov rcx, -0x2"},
		{func(a *x86asm) { a.movImm(rCX, 1<<63) }, "mov rcx, 0x8000000000000000"},
		{func(a *x86asm) { a.aluMem(true, aluAdd, rAX, at(r15, 8)) }, "add rax, qword ptr [r15+0x8]"},
		{func(a *x86asm) { a.aluMem(true, aluCmp, rCX, at(r14, 8)) }, "cmp rcx, qword ptr [r14+0x8]"},
		{func(a *x86asm) { a.aluMem(false, aluSub, rAX, at(r15, 8)) }, "sub eax, dword ptr [r15+0x8]"},
		{func(a *x86asm) { a.aluRR(true, aluOr, rCX, r12) }, "or rcx, r12"},
		{func(a *x86asm) { a.aluRR(false, aluXor, rAX, rAX) }, "xor eax, eax"},
		{func(a *x86asm) { a.aluImm(true, aluAnd, rDX, -2) }, "and rdx, -0x2"},
		{func(a *x86asm) { a.aluImm(false, aluAnd, rDX, 8191) }, "and edx, 0x1fff"},
		{func(a *x86asm) { a.aluImm(true, aluSub, rAX, 64) }, "sub rax, 0x40"},
		{func(a *x86asm) { a.aluMemImm(aluSub, at(r13, 8), 1) }, "sub qword ptr [r13+0x8], 0x1"},
		{func(a *x86asm) { a.shiftImm(true, shShr, rCX, 12) }, "shr rcx, 0xc"},
		{func(a *x86asm) { a.shiftImm(false, shSar, rAX, 3) }, "sar eax, 0x3"},
		{func(a *x86asm) { a.shiftCL(true, shShl, rAX) }, "shl rax, cl"},
		{func(a *x86asm) { a.imulMem(true, rAX, at(r15, 8)) }, "imul rax, qword ptr [r15+0x8]"},
		{func(a *x86asm) { a.imulMem(false, rAX, at(r15, 8)) }, "imul eax, dword ptr [r15+0x8]"},
		{func(a *x86asm) { a.unaryMem(true, 4, at(r15, 8)) }, "mul qword ptr [r15+0x8]"},
		{func(a *x86asm) { a.unaryMem(true, 5, at(r15, 8)) }, "imul qword ptr [r15+0x8]"},
		{func(a *x86asm) { a.unary(true, 7, rCX) }, "idiv rcx"},
		{func(a *x86asm) { a.unary(false, 6, rCX) }, "div ecx"},
		{func(a *x86asm) { a.unary(true, 3, rAX) }, "neg rax"},
		{func(a *x86asm) { a.unary(true, 2, rCX) }, "not rcx"},
		{func(a *x86asm) { a.movsxd(rAX, rAX) }, "movsxd rax, eax"},
		{func(a *x86asm) { a.cqo() }, "cqo"},
		{func(a *x86asm) { a.cdq() }, "cdq"},
		{func(a *x86asm) { a.ret() }, "ret"},
		{func(a *x86asm) { a.jmpMem(at(rCX, 16)) }, "jmp qword ptr [rcx+0x10]"},
		{func(a *x86asm) { a.testRR(false, rAX, rAX) }, "test eax, eax"},
		{func(a *x86asm) { a.opMem(true, []byte{0x8d}, rCX, mem{base: rCX, index: rCX, scale: 2}, false) }, "lea rcx, ptr [rcx+2*rcx]"},
		{func(a *x86asm) { a.opReg(false, []byte{0xff}, 4, rAX) }, "jmp rax"},
		{func(a *x86asm) { a.sse(0xf2, 0x58, 0, 1) }, "addsd xmm0, xmm1"},
		{func(a *x86asm) { a.sse(0xf3, 0x5e, 0, 1) }, "divss xmm0, xmm1"},
		{func(a *x86asm) { a.sse(0xf2, 0x51, 0, 0) }, "sqrtsd xmm0, xmm0"},
		{func(a *x86asm) { a.sse(0xf3, 0x5a, 0, 0) }, "cvtss2sd xmm0, xmm0"},
		{func(a *x86asm) { a.sse(0x66, 0x2e, 0, 1) }, "ucomisd xmm0, xmm1"},
		{func(a *x86asm) { a.sse(0, 0x2f, 1, 0) }, "comiss xmm1, xmm0"},
		{func(a *x86asm) { a.movqToX(1, rAX) }, "movq xmm1, rax"},
		{func(a *x86asm) { a.movqFromX(rAX, 0) }, "movq rax, xmm0"},
		{func(a *x86asm) { a.movdToX(2, rAX) }, "movd xmm2, eax"},
		{func(a *x86asm) { a.movdFromX(rAX, 0) }, "movd eax, xmm0"},
		{func(a *x86asm) { a.cvtsi2s(0xf2, 0, at(r15, 48)) }, "cvtsi2sd xmm0, dword ptr [r15+0x30]"},
		{func(a *x86asm) { a.ldmxcsr(at(r13, 32)) }, "ldmxcsr dword ptr [r13+0x20]"},
		{func(a *x86asm) { a.fmadd213(false, 0, 1, 2) }, "vfmadd213sd xmm0, xmm1, xmm2"},
		{func(a *x86asm) { a.fmadd213(true, 0, 1, 2) }, "vfmadd213ss xmm0, xmm1, xmm2"},
		{func(a *x86asm) { a.stmxcsr(at(r13, 32)) }, "stmxcsr dword ptr [r13+0x20]"},
		{func(a *x86asm) { a.orByteMem(at(r15, 0x900), rCX) }, "or byte ptr [r15+0x900], cl"},
	}
	for _, tt := range tests {
		var a x86asm
		tt.emit(&a)
		code := a.finish()
		in, err := x86.Decode(code, 64)
		if err != nil {
			t.Errorf("% x: %v, want %s", code, err, tt.want)
			continue
		}
		if got := x86.IntelSyntax(in, 0, nil); got != tt.want || in.Len != len(code) {
			t.Errorf("% x = %s (%d of %d bytes), want %s", code, got, in.Len, len(code), tt.want)
		}
	}
}

// TestX86Jumps checks the jumps to labels and setcc, which come in sequences.
func TestX86Jumps(t *testing.T) {
	var a x86asm
	l := a.newLabel()
	a.jcc(ccNE, l) // forward: over the setcc and the ret
	a.setcc(ccL, rAX)
	a.ret()
	a.bind(l)
	a.jmp(l) // to itself
	code := a.finish()
	var got []string
	for pc := 0; pc < len(code); {
		in, err := x86.Decode(code[pc:], 64)
		if err != nil {
			t.Fatalf("% x at %d: %v", code, pc, err)
		}
		got = append(got, x86.IntelSyntax(in, uint64(pc), nil))
		pc += in.Len
	}
	want := "jnz .+0x7; setl al; movzx eax, al; ret; jmp 0xd" // (the decoder prints a jcc relative to the next instruction, a jmp absolute)
	if s := strings.Join(got, "; "); s != want {
		t.Errorf("got %s, want %s", s, want)
	}
}

// TestJITAgrees runs random programs of every operation the compiler translates
// (integer, M extension, loads and stores of every size, some across a page boundary
// or to unmapped memory, branches, jumps, calls and returns, moves to and from FP
// registers), each in a loop so that its blocks run as machine code, on every engine.
func TestJITAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	reg := func() uint8 { return uint8(1 + rng.IntN(15)) }
	base := func() uint8 { return uint8(8 + rng.IntN(8)) } // x8-x15 point into the stack
	rops := []Op{ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND, ADDW, SUBW, SLLW, SRLW, SRAW,
		MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU, MULW, DIVW, DIVUW, REMW, REMUW}
	iops := []Op{ADDI, SLTI, SLTIU, XORI, ORI, ANDI, ADDIW}
	shops := []Op{SLLI, SRLI, SRAI}
	shwops := []Op{SLLIW, SRLIW, SRAIW}
	loads := []Op{LB, LH, LW, LD, LBU, LHU, LWU}
	stores := []Op{SB, SH, SW, SD}
	for prog := 0; prog < 400; prog++ {
		// x16 counts the loop down; the registers start with values that catch the
		// edge cases (division by zero and overflow, sign bits).
		words := []uint32{asmI(ADDI, 16, 0, int64(2+rng.IntN(4)))}
		for r := uint8(1); r < 8; r++ {
			switch rng.IntN(4) {
			case 0:
				words = append(words, asmI(ADDI, r, 0, -1))
			case 1:
				words = append(words, asmI(ADDI, r, 0, 1), asmI(SLLI, r, r, 63))
			case 2:
				words = append(words, asmU(LUI, r, 0x80000000-(1<<32)))
			default:
				words = append(words, asmU(LUI, r, int64(rng.IntN(1<<20))<<12), asmI(ADDI, r, r, int64(rng.IntN(4096))-2048))
			}
		}
		top := len(words)
		n := 4 + rng.IntN(24)
		for i := 0; i < n; i++ {
			r := reg()
			switch rng.IntN(12) {
			case 0, 1, 2:
				words = append(words, asmR(rops[rng.IntN(len(rops))], r, reg(), reg()))
			case 3:
				words = append(words, asmI(iops[rng.IntN(len(iops))], r, reg(), int64(rng.IntN(4096))-2048))
			case 4:
				words = append(words, asmI(shops[rng.IntN(3)], r, reg(), int64(rng.IntN(64))),
					asmI(shwops[rng.IntN(3)], reg(), reg(), int64(rng.IntN(32))))
			case 5:
				words = append(words, asmI(loads[rng.IntN(len(loads))], r, base(), int64(rng.IntN(64))-32))
			case 6:
				words = append(words, asmS(stores[rng.IntN(len(stores))], reg(), base(), int64(rng.IntN(64))-32))
			case 7:
				// Across the boundary between the stack's two pages (x17 points at
				// it), or now and then to unmapped memory (x0).
				b := uint8(17)
				if rng.IntN(8) == 0 {
					b = 0
				}
				words = append(words, asmU(LUI, 17, int64(fuzzStackTop-mm.PageSize)))
				if rng.IntN(2) == 0 {
					words = append(words, asmI(loads[rng.IntN(len(loads))], r, b, int64(rng.IntN(16))-8))
				} else {
					words = append(words, asmS(stores[rng.IntN(len(stores))], reg(), b, int64(rng.IntN(16))-8))
				}
			case 8:
				words = append(words, asmB([]Op{BEQ, BNE, BLT, BGE, BLTU, BGEU}[rng.IntN(6)], r, reg(), 8), asmI(ADDI, reg(), reg(), 3))
			case 9:
				// A call to the next instruction but one, which returns.
				words = append(words, asmJAL(1, 8), asmJAL(0, 8), asmI(JALR, 0, 1, 0))
			case 10:
				words = append(words, asmFP(FMV_D_X, 1, r, 0, 0), asmFP(FSGNJ_D, 2, 1, 1+uint8(rng.IntN(2)), 0),
					asmFP(FMV_X_D, reg(), 2, 0, 0))
			default:
				words = append(words, encode(Inst{Op: FENCE}), asmI(ADDI, r, r, 1))
			}
		}
		back := int64(top-len(words)-1) * 4
		words = append(words, asmI(ADDI, 16, 16, -1), asmB(BNE, 16, 0, back), uint32(ecall))
		checkEngines(t, assembleWords(words))
	}
}

// TestJITMprotectRefused runs TestJITAgrees's programs on a host that refuses to make a
// chunk of machine code writable again, or executable again once written: the blocks
// run on the block engine, or their page goes, and every engine still agrees.
func TestJITMprotectRefused(t *testing.T) {
	jitDualViews = false // private chunks, made writable to append
	defer func() { jitMprotect, jitDualViews = syscall.Mprotect, true }()
	for _, refuse := range []int{syscall.PROT_READ | syscall.PROT_WRITE, syscall.PROT_READ | syscall.PROT_EXEC} {
		refused := 0
		jitMprotect = func(b []byte, prot int) error {
			if prot == refuse {
				refused++
				return syscall.ENOMEM
			}
			return syscall.Mprotect(b, prot)
		}
		TestJITAgrees(t)
		if refused == 0 {
			t.Fatalf("no mprotect to %#x was refused: the programs never appended to a chunk", refuse)
		}
	}
}

// li64 loads v into r (using x31).
func li64(r uint8, v uint64) []uint32 {
	li32 := func(r uint8, v int32) []uint32 {
		lo := int64(v << 20 >> 20)
		return []uint32{asmU(LUI, r, int64(int32(int64(v)-lo))), asmI(ADDIW, r, r, lo)}
	}
	w := li32(r, int32(v>>32))
	w = append(w, asmI(SLLI, r, r, 32))
	w = append(w, li32(31, int32(v))...)
	return append(w, asmI(SLLI, 31, 31, 32), asmI(SRLI, 31, 31, 32), asmR(ADD, r, r, 31))
}

// TestJITFloatAgrees runs random floating-point programs on every engine: the
// operations the compiler translates with the host's SSE and FMA3 arithmetic, on
// operands that catch the edge cases (signed zeros, infinities, quiet and signaling
// NaNs, subnormals, the largest numbers, single values not NaN-boxed), with the
// dynamic rounding mode sometimes not round-to-nearest-even, the flags read and
// cleared, and static rounding modes the compiler leaves to the block engine.
func TestJITFloatAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	doubles := []uint64{0, 1 << 63, 0x3ff8000000000000, 0xc002000000000000, 0x7ff0000000000000,
		0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001, 1, 0x000fffffffffffff,
		0x7fefffffffffffff, 0x0010000000000000, 0x2000000000000000, 0x4008000000000000, 0x3fb999999999999a}
	singles := []uint32{0, 1 << 31, 0x3fc00000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 1,
		0x007fffff, 0x7f7fffff, 0x00800000, 0x20000000, 0x40400000, 0x3dcccccd}
	dops := []Op{FADD_D, FSUB_D, FMUL_D, FDIV_D, FSQRT_D, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D,
		FEQ_D, FLT_D, FLE_D, FSGNJ_D, FSGNJN_D, FSGNJX_D, FCVT_D_W, FCVT_S_D, FMV_X_D}
	sops := []Op{FADD_S, FSUB_S, FMUL_S, FDIV_S, FSQRT_S, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S,
		FEQ_S, FLT_S, FLE_S, FSGNJ_S, FSGNJN_S, FSGNJX_S, FCVT_S_W, FCVT_D_S, FMV_X_W, FMV_W_X}
	freg := func() uint8 { return uint8(rng.IntN(8)) }
	for prog := 0; prog < 400; prog++ {
		words := []uint32{asmI(ADDI, 16, 0, int64(2+rng.IntN(3)))}
		for f := uint8(0); f < 8; f++ {
			v := doubles[rng.IntN(len(doubles))]
			switch rng.IntN(4) {
			case 0:
				v = rng.Uint64()
			case 1:
				v = 0xffffffff_00000000 | uint64(singles[rng.IntN(len(singles))])
			case 2:
				if rng.IntN(4) == 0 {
					v = uint64(singles[rng.IntN(len(singles))]) // not NaN-boxed
				} else {
					v = 0xffffffff_00000000 | uint64(rng.Uint32())
				}
			}
			words = append(words, li64(5, v)...)
			words = append(words, asmFP(FMV_D_X, f, 5, 0, 0))
		}
		words = append(words, asmI(ADDI, 6, 0, int64(rng.IntN(200))-100))
		top := len(words)
		for i, n := 0, 4+rng.IntN(20); i < n; i++ {
			ops := dops
			if rng.IntN(2) == 0 {
				ops = sops
			}
			o := ops[rng.IntN(len(ops))]
			rm := []uint8{0, 7, 7, 1}[rng.IntN(4)]
			switch o {
			case FEQ_D, FLT_D, FLE_D, FEQ_S, FLT_S, FLE_S:
				rm = map[Op]uint8{FEQ_D: 2, FLT_D: 1, FLE_D: 0, FEQ_S: 2, FLT_S: 1, FLE_S: 0}[o]
				words = append(words, encode(Inst{Op: o, Rd: uint8(7 + rng.IntN(3)), Rs1: freg(), Rs2: freg(), RM: rm}))
			case FCVT_D_W, FCVT_S_W, FMV_W_X:
				words = append(words, encode(Inst{Op: o, Rd: freg(), Rs1: 6, RM: rm}))
			case FMV_X_D, FMV_X_W:
				words = append(words, encode(Inst{Op: o, Rd: uint8(7 + rng.IntN(3)), Rs1: freg()}))
			default:
				words = append(words, encode(Inst{Op: o, Rd: freg(), Rs1: freg(), Rs2: freg(), Rs3: freg(), RM: rm}))
			}
			switch rng.IntN(10) {
			case 0:
				// fsrm: round to nearest even, or towards zero (then the
				// dynamic rounding mode is the block engine's).
				words = append(words, asmCSR(CSRRWI, 10, csrFrm, uint8(rng.IntN(2))))
			case 1:
				words = append(words, asmCSR(CSRRS, 11, csrFflags, 0)) // frflags
			case 2:
				words = append(words, asmCSR(CSRRW, 12, csrFcsr, 0)) // fscsr x0
			case 3:
				words = append(words, asmCSR(CSRRCI, 13, csrFflags, uint8(rng.IntN(32))))
			case 4:
				words = append(words, asmI(ADDI, 6, 6, 7))
			}
		}
		back := int64(top-len(words)-1) * 4
		words = append(words, asmI(ADDI, 16, 16, -1), asmB(BNE, 16, 0, back),
			asmCSR(CSRRS, 14, csrFcsr, 0), uint32(ecall))
		checkEngines(t, assembleWords(words))
	}
}
