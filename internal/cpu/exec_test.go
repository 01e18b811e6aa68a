package cpu

// Instruction-semantics tests: small programs assembled by hand, run on a hart over a
// real address space, checked against the ISA manual.

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"weft/internal/mm"
)

// ---- A tiny assembler, written from the ISA manual's encoding tables (independent of
// decode.go; TestEncodersRoundTrip checks the two agree). ----

func rType(f7, rs2, rs1, f3, rd, opc uint32) uint32 {
	return f7<<25 | (rs2&31)<<20 | (rs1&31)<<15 | f3<<12 | (rd&31)<<7 | opc
}

func iType(imm int64, rs1, f3, rd, opc uint32) uint32 {
	return uint32(imm&0xfff)<<20 | (rs1&31)<<15 | f3<<12 | (rd&31)<<7 | opc
}

func sType(imm int64, rs2, rs1, f3, opc uint32) uint32 {
	u := uint32(imm & 0xfff)
	return u>>5<<25 | (rs2&31)<<20 | (rs1&31)<<15 | f3<<12 | (u&31)<<7 | opc
}

func bType(off int64, rs2, rs1, f3 uint32) uint32 {
	u := uint32(off & 0x1fff)
	return (u>>12&1)<<31 | (u>>5&0x3f)<<25 | (rs2&31)<<20 | (rs1&31)<<15 | f3<<12 |
		(u>>1&0xf)<<8 | (u>>11&1)<<7 | 0x63
}

func uType(imm int64, rd, opc uint32) uint32 {
	return uint32(imm)&0xfffff000 | (rd&31)<<7 | opc
}

func jType(off int64, rd uint32) uint32 {
	u := uint32(off & 0x1fffff)
	return (u>>20&1)<<31 | (u>>1&0x3ff)<<21 | (u>>11&1)<<20 | (u>>12&0xff)<<12 | (rd&31)<<7 | 0x6f
}

type encSpec struct{ opc, f3, f7 uint32 }

// Integer register-register, immediate and memory ops.
var encOps = map[Op]encSpec{
	JALR: {0x67, 0, 0},
	BEQ:  {0x63, 0, 0}, BNE: {0x63, 1, 0}, BLT: {0x63, 4, 0}, BGE: {0x63, 5, 0}, BLTU: {0x63, 6, 0}, BGEU: {0x63, 7, 0},
	LB: {0x03, 0, 0}, LH: {0x03, 1, 0}, LW: {0x03, 2, 0}, LD: {0x03, 3, 0}, LBU: {0x03, 4, 0}, LHU: {0x03, 5, 0}, LWU: {0x03, 6, 0},
	SB: {0x23, 0, 0}, SH: {0x23, 1, 0}, SW: {0x23, 2, 0}, SD: {0x23, 3, 0},
	FLW: {0x07, 2, 0}, FLD: {0x07, 3, 0}, FSW: {0x27, 2, 0}, FSD: {0x27, 3, 0},
	ADDI: {0x13, 0, 0}, SLTI: {0x13, 2, 0}, SLTIU: {0x13, 3, 0}, XORI: {0x13, 4, 0}, ORI: {0x13, 6, 0}, ANDI: {0x13, 7, 0},
	SLLI: {0x13, 1, 0}, SRLI: {0x13, 5, 0}, SRAI: {0x13, 5, 0x20},
	ADDIW: {0x1b, 0, 0}, SLLIW: {0x1b, 1, 0}, SRLIW: {0x1b, 5, 0}, SRAIW: {0x1b, 5, 0x20},
	ADD: {0x33, 0, 0}, SUB: {0x33, 0, 0x20}, SLL: {0x33, 1, 0}, SLT: {0x33, 2, 0}, SLTU: {0x33, 3, 0},
	XOR: {0x33, 4, 0}, SRL: {0x33, 5, 0}, SRA: {0x33, 5, 0x20}, OR: {0x33, 6, 0}, AND: {0x33, 7, 0},
	ADDW: {0x3b, 0, 0}, SUBW: {0x3b, 0, 0x20}, SLLW: {0x3b, 1, 0}, SRLW: {0x3b, 5, 0}, SRAW: {0x3b, 5, 0x20},
	MUL: {0x33, 0, 1}, MULH: {0x33, 1, 1}, MULHSU: {0x33, 2, 1}, MULHU: {0x33, 3, 1},
	DIV: {0x33, 4, 1}, DIVU: {0x33, 5, 1}, REM: {0x33, 6, 1}, REMU: {0x33, 7, 1},
	MULW: {0x3b, 0, 1}, DIVW: {0x3b, 4, 1}, DIVUW: {0x3b, 5, 1}, REMW: {0x3b, 6, 1}, REMUW: {0x3b, 7, 1},
	CSRRW: {0x73, 1, 0}, CSRRS: {0x73, 2, 0}, CSRRC: {0x73, 3, 0}, CSRRWI: {0x73, 5, 0}, CSRRSI: {0x73, 6, 0}, CSRRCI: {0x73, 7, 0},
}

// AMO funct5 values (A extension, Table "RV32A/RV64A").
var amoFunct5 = map[Op]uint32{
	LR_W: 0x02, SC_W: 0x03, AMOSWAP_W: 0x01, AMOADD_W: 0x00, AMOXOR_W: 0x04, AMOAND_W: 0x0c,
	AMOOR_W: 0x08, AMOMIN_W: 0x10, AMOMAX_W: 0x14, AMOMINU_W: 0x18, AMOMAXU_W: 0x1c,
}

// OP-FP: funct7 (single precision; +1 for double), and a fixed rs2 where the op has one
// (rs2 < 0: a real source register), and a fixed funct3 (f3 < 0: the rounding mode).
type fpSpec struct{ f7, rs2, f3 int }

var fpOps = map[Op]fpSpec{
	FADD_S: {0x00, -1, -1}, FSUB_S: {0x04, -1, -1}, FMUL_S: {0x08, -1, -1}, FDIV_S: {0x0c, -1, -1},
	FSQRT_S: {0x2c, 0, -1}, FSGNJ_S: {0x10, -1, 0}, FSGNJN_S: {0x10, -1, 1}, FSGNJX_S: {0x10, -1, 2},
	FMIN_S: {0x14, -1, 0}, FMAX_S: {0x14, -1, 1},
	FCVT_W_S: {0x60, 0, -1}, FCVT_WU_S: {0x60, 1, -1}, FCVT_L_S: {0x60, 2, -1}, FCVT_LU_S: {0x60, 3, -1},
	FMV_X_W: {0x70, 0, 0}, FCLASS_S: {0x70, 0, 1}, FEQ_S: {0x50, -1, 2}, FLT_S: {0x50, -1, 1}, FLE_S: {0x50, -1, 0},
	FCVT_S_W: {0x68, 0, -1}, FCVT_S_WU: {0x68, 1, -1}, FCVT_S_L: {0x68, 2, -1}, FCVT_S_LU: {0x68, 3, -1},
	FMV_W_X: {0x78, 0, 0},
	FADD_D:  {0x01, -1, -1}, FSUB_D: {0x05, -1, -1}, FMUL_D: {0x09, -1, -1}, FDIV_D: {0x0d, -1, -1},
	FSQRT_D: {0x2d, 0, -1}, FSGNJ_D: {0x11, -1, 0}, FSGNJN_D: {0x11, -1, 1}, FSGNJX_D: {0x11, -1, 2},
	FMIN_D: {0x15, -1, 0}, FMAX_D: {0x15, -1, 1},
	FCVT_W_D: {0x61, 0, -1}, FCVT_WU_D: {0x61, 1, -1}, FCVT_L_D: {0x61, 2, -1}, FCVT_LU_D: {0x61, 3, -1},
	FMV_X_D: {0x71, 0, 0}, FCLASS_D: {0x71, 0, 1}, FEQ_D: {0x51, -1, 2}, FLT_D: {0x51, -1, 1}, FLE_D: {0x51, -1, 0},
	FCVT_D_W: {0x69, 0, -1}, FCVT_D_WU: {0x69, 1, -1}, FCVT_D_L: {0x69, 2, -1}, FCVT_D_LU: {0x69, 3, -1},
	FMV_D_X: {0x79, 0, 0}, FCVT_S_D: {0x20, 1, -1}, FCVT_D_S: {0x21, 0, -1},
}

var fmaOpc = map[Op]uint32{FMADD_S: 0x43, FMSUB_S: 0x47, FNMSUB_S: 0x4b, FNMADD_S: 0x4f,
	FMADD_D: 0x43 | 1<<25, FMSUB_D: 0x47 | 1<<25, FNMSUB_D: 0x4b | 1<<25, FNMADD_D: 0x4f | 1<<25}

// encode assembles a 32-bit instruction from our Inst fields (the inverse of Decode):
// Imm is the immediate, the CSR number or the fence bits; RM the rounding mode or aq/rl.
func encode(in Inst) uint32 {
	rd, rs1, rs2 := uint32(in.Rd), uint32(in.Rs1), uint32(in.Rs2)
	switch in.Op {
	case LUI:
		return uType(in.Imm, rd, 0x37)
	case AUIPC:
		return uType(in.Imm, rd, 0x17)
	case JAL:
		return jType(in.Imm, rd)
	case ECALL:
		return 0x00000073
	case EBREAK:
		return 0x00100073
	case FENCE:
		return iType(in.Imm, rs1, 0, rd, 0x0f)
	case FENCE_I:
		return iType(0, 0, 1, 0, 0x0f)
	}
	if f5, ok := amoFunct5[in.Op]; ok {
		return rType(f5<<2|uint32(in.RM&3), rs2, rs1, 2, rd, 0x2f)
	}
	if f5, ok := amoFunct5[in.Op-(LR_D-LR_W)]; ok && in.Op >= LR_D && in.Op <= AMOMAXU_D {
		return rType(f5<<2|uint32(in.RM&3), rs2, rs1, 3, rd, 0x2f)
	}
	if opc, ok := fmaOpc[in.Op]; ok {
		return opc | uint32(in.Rs3)<<27 | rs2<<20 | rs1<<15 | uint32(in.RM)<<12 | rd<<7
	}
	if s, ok := fpOps[in.Op]; ok {
		f3 := uint32(in.RM)
		if s.f3 >= 0 {
			f3 = uint32(s.f3)
		}
		if s.rs2 >= 0 {
			rs2 = uint32(s.rs2)
		}
		return rType(uint32(s.f7), rs2, rs1, f3, rd, 0x53)
	}
	s, ok := encOps[in.Op]
	if !ok {
		panic(fmt.Sprintf("encode: no encoding for %v", in.Op))
	}
	switch s.opc {
	case 0x63:
		return bType(in.Imm, rs2, rs1, s.f3)
	case 0x23, 0x27:
		return sType(in.Imm, rs2, rs1, s.f3, s.opc)
	case 0x33, 0x3b:
		return rType(s.f7, rs2, rs1, s.f3, rd, s.opc)
	case 0x73:
		return iType(in.Imm, rs1, s.f3, rd, s.opc)
	}
	if in.Op == SLLI || in.Op == SRLI || in.Op == SRAI || in.Op == SLLIW || in.Op == SRLIW || in.Op == SRAIW {
		return s.f7<<25 | uint32(in.Imm&63)<<20 | rs1<<15 | s.f3<<12 | rd<<7 | s.opc
	}
	return iType(in.Imm, rs1, s.f3, rd, s.opc)
}

// Assembly-order helpers.
func asmR(op Op, rd, rs1, rs2 uint8) uint32 {
	return encode(Inst{Op: op, Rd: rd, Rs1: rs1, Rs2: rs2})
}
func asmI(op Op, rd, rs1 uint8, imm int64) uint32 {
	return encode(Inst{Op: op, Rd: rd, Rs1: rs1, Imm: imm})
}

// asmS is "op rs2, imm(rs1)".
func asmS(op Op, rs2, rs1 uint8, imm int64) uint32 {
	return encode(Inst{Op: op, Rs1: rs1, Rs2: rs2, Imm: imm})
}
func asmB(op Op, rs1, rs2 uint8, off int64) uint32 {
	return encode(Inst{Op: op, Rs1: rs1, Rs2: rs2, Imm: off})
}
func asmU(op Op, rd uint8, imm int64) uint32 { return encode(Inst{Op: op, Rd: rd, Imm: imm}) }
func asmJAL(rd uint8, off int64) uint32      { return encode(Inst{Op: JAL, Rd: rd, Imm: off}) }
func asmCSR(op Op, rd uint8, csr uint16, rs1 uint8) uint32 {
	return encode(Inst{Op: op, Rd: rd, Rs1: rs1, Imm: int64(csr)})
}

// asmAMO is "op rd, rs2, (rs1)".
func asmAMO(op Op, rd, rs2, rs1 uint8) uint32 {
	return encode(Inst{Op: op, Rd: rd, Rs1: rs1, Rs2: rs2})
}
func asmFP(op Op, rd, rs1, rs2, rm uint8) uint32 {
	return encode(Inst{Op: op, Rd: rd, Rs1: rs1, Rs2: rs2, RM: rm})
}

const (
	ecall  = 0x00000073
	ebreak = 0x00100073
	fenceI = 0x0000100f
	rmDyn  = 7
)

// c16 is a compressed instruction.
type c16 uint16

// Compressed encoders (RVC chapter, "RVC Instruction Set Listings"). Registers given as
// x8..x15 where the format has a 3-bit register field.
func cReg3(r uint8) uint16 {
	if r < 8 || r > 15 {
		panic(fmt.Sprintf("x%d is not a compressed register", r))
	}
	return uint16(r - 8)
}

func cADDI4SPN(rd uint8, uimm uint16) c16 {
	return c16(0x0000 | (uimm>>4&3)<<11 | (uimm>>6&15)<<7 | (uimm>>2&1)<<6 | (uimm>>3&1)<<5 | cReg3(rd)<<2)
}
func cLW(rd, rs1 uint8, uimm uint16) c16 {
	return c16(0x4000 | (uimm>>3&7)<<10 | cReg3(rs1)<<7 | (uimm>>2&1)<<6 | (uimm>>6&1)<<5 | cReg3(rd)<<2)
}
func cLD(rd, rs1 uint8, uimm uint16) c16 {
	return c16(0x6000 | (uimm>>3&7)<<10 | cReg3(rs1)<<7 | (uimm>>6&3)<<5 | cReg3(rd)<<2)
}
func cFLD(rd, rs1 uint8, uimm uint16) c16 { return cLD(rd, rs1, uimm) - 0x4000 }
func cSW(rs2, rs1 uint8, uimm uint16) c16 {
	return c16(0xc000 | (uimm>>3&7)<<10 | cReg3(rs1)<<7 | (uimm>>2&1)<<6 | (uimm>>6&1)<<5 | cReg3(rs2)<<2)
}
func cSD(rs2, rs1 uint8, uimm uint16) c16 {
	return c16(0xe000 | (uimm>>3&7)<<10 | cReg3(rs1)<<7 | (uimm>>6&3)<<5 | cReg3(rs2)<<2)
}
func cFSD(rs2, rs1 uint8, uimm uint16) c16 { return cSD(rs2, rs1, uimm) - 0x4000 }

// ci6 encodes quadrant-1/2 CI forms with a 6-bit immediate in bits 12 and 6:2.
func ci6(f3 uint16, rd uint8, imm int64, quadrant uint16) c16 {
	u := uint16(imm & 63)
	return c16(f3<<13 | (u>>5&1)<<12 | uint16(rd&31)<<7 | (u&31)<<2 | quadrant)
}
func cADDI(rd uint8, imm int64) c16  { return ci6(0, rd, imm, 1) }
func cADDIW(rd uint8, imm int64) c16 { return ci6(1, rd, imm, 1) }
func cLI(rd uint8, imm int64) c16    { return ci6(2, rd, imm, 1) }
func cLUI(rd uint8, imm int64) c16   { return ci6(3, rd, imm>>12, 1) }
func cSLLI(rd uint8, sh int64) c16   { return ci6(0, rd, sh, 2) }
func cADDI16SP(imm int64) c16 {
	u := uint16(imm & 0x3ff)
	return c16(0x6000 | (u>>9&1)<<12 | 2<<7 | (u>>4&1)<<6 | (u>>6&1)<<5 | (u>>7&3)<<3 | (u>>5&1)<<2 | 1)
}
func cSRLI(rd uint8, sh int64) c16 { return ci6(4, 8+rd-8, sh, 1)&^(31<<7) | c16(cReg3(rd)<<7) }
func cSRAI(rd uint8, sh int64) c16 { return cSRLI(rd, sh) | 1<<10 }
func cANDI(rd uint8, imm int64) c16 {
	return ci6(4, 0, imm, 1) | c16(2<<10|cReg3(rd)<<7)
}

// cArith encodes c.sub/c.xor/c.or/c.and (w=0, f2=0..3) and c.subw/c.addw (w=1, f2=0..1).
func cArith(w, f2 uint16, rd, rs2 uint8) c16 {
	return c16(0x8c01 | w<<12 | cReg3(rd)<<7 | f2<<5 | cReg3(rs2)<<2)
}
func cJ(off int64) c16 {
	u := uint16(off & 0xfff)
	return c16(0xa001 | (u>>11&1)<<12 | (u>>4&1)<<11 | (u>>8&3)<<9 | (u>>10&1)<<8 |
		(u>>6&1)<<7 | (u>>7&1)<<6 | (u>>1&7)<<3 | (u>>5&1)<<2)
}
func cBEQZ(rs1 uint8, off int64) c16 {
	u := uint16(off & 0x1ff)
	return c16(0xc001 | (u>>8&1)<<12 | (u>>3&3)<<10 | cReg3(rs1)<<7 | (u>>6&3)<<5 | (u>>1&3)<<3 | (u>>5&1)<<2)
}
func cBNEZ(rs1 uint8, off int64) c16 { return cBEQZ(rs1, off) | 0x2000 }
func cLWSP(rd uint8, uimm uint16) c16 {
	return c16(0x4002 | (uimm>>5&1)<<12 | uint16(rd)<<7 | (uimm>>2&7)<<4 | (uimm>>6&3)<<2)
}
func cLDSP(rd uint8, uimm uint16) c16 {
	return c16(0x6002 | (uimm>>5&1)<<12 | uint16(rd)<<7 | (uimm>>3&3)<<5 | (uimm>>6&7)<<2)
}
func cFLDSP(rd uint8, uimm uint16) c16 { return cLDSP(rd, uimm) - 0x4000 }
func cSWSP(rs2 uint8, uimm uint16) c16 {
	return c16(0xc002 | (uimm>>2&15)<<9 | (uimm>>6&3)<<7 | uint16(rs2)<<2)
}
func cSDSP(rs2 uint8, uimm uint16) c16 {
	return c16(0xe002 | (uimm>>3&7)<<10 | (uimm>>6&7)<<7 | uint16(rs2)<<2)
}
func cFSDSP(rs2 uint8, uimm uint16) c16 { return cSDSP(rs2, uimm) - 0x4000 }
func cJR(rs1 uint8) c16                 { return c16(0x8002 | uint16(rs1)<<7) }
func cJALR(rs1 uint8) c16               { return c16(0x9002 | uint16(rs1)<<7) }
func cMV(rd, rs2 uint8) c16             { return c16(0x8002 | uint16(rd)<<7 | uint16(rs2)<<2) }
func cADD(rd, rs2 uint8) c16            { return c16(0x9002 | uint16(rd)<<7 | uint16(rs2)<<2) }

const cEBREAK c16 = 0x9002

// assemble lays out 32-bit words (uint32) and compressed halfwords (c16).
func assemble(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case uint32:
			b = binary.LittleEndian.AppendUint32(b, p)
		case c16:
			b = binary.LittleEndian.AppendUint16(b, uint16(p))
		case []any:
			b = append(b, assemble(p...)...)
		default:
			panic(fmt.Sprintf("assemble: %T", p))
		}
	}
	return b
}

// ---- The rig: an address space, a bus and a hart. ----

const (
	codeBase  = 0x10000 // 4 pages rwx
	dataBase  = 0x20000 // 2 pages rw-
	roBase    = 0x30000 // 1 page r--
	loneBase  = 0x50000 // 1 page rw-, with nothing mapped after it
	stackTop  = 0x80000 // 4 pages rw- below it
	xcodeBase = 0x60000 // 1 page rwx, with nothing mapped after it
)

type rig struct {
	t   testing.TB
	as  *mm.AddressSpace
	bus *Bus
	h   *Hart
}

func newRig(t testing.TB) *rig {
	t.Helper()
	as := mm.New(&mm.Pool{})
	rwx := mm.PermRead | mm.PermWrite | mm.PermExec
	rw := mm.PermRead | mm.PermWrite
	for _, m := range []struct {
		addr, size uint64
		perm       mm.Perm
	}{
		{codeBase, 4 * mm.PageSize, rwx},
		{dataBase, 2 * mm.PageSize, rw},
		{roBase, mm.PageSize, mm.PermRead},
		{loneBase, mm.PageSize, rw},
		{stackTop - 4*mm.PageSize, 4 * mm.PageSize, rw},
		{xcodeBase, mm.PageSize, rwx},
	} {
		if err := as.Map(m.addr, m.size, m.perm, false, ""); err != nil {
			t.Fatal(err)
		}
	}
	r := &rig{t: t, as: as, bus: &Bus{}}
	r.h = r.bus.NewHart()
	r.poke(roBase, []byte{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88})
	return r
}

func (r *rig) poke(addr uint64, b []byte) {
	r.t.Helper()
	if err := r.as.Poke(addr, b); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) poke64(addr, v uint64) {
	r.t.Helper()
	r.poke(addr, binary.LittleEndian.AppendUint64(nil, v))
}

func (r *rig) peek64(addr uint64) uint64 {
	r.t.Helper()
	var b [8]byte
	if err := r.as.ReadAt(b[:], addr); err != nil {
		r.t.Fatal(err)
	}
	return binary.LittleEndian.Uint64(b[:])
}

// load places code at codeBase and loads ctx into the hart, with PC = codeBase unless
// ctx sets it and sp = stackTop unless ctx sets it.
func (r *rig) load(ctx Context, code ...any) {
	r.t.Helper()
	r.poke(codeBase, assemble(code...))
	if ctx.PC == 0 {
		ctx.PC = codeBase
	}
	if ctx.X[2] == 0 {
		ctx.X[2] = stackTop - 64
	}
	r.h.Load(&ctx, r.as)
}

func (r *rig) ctx() Context {
	var c Context
	r.h.Save(&c)
	return c
}

// runToEcall runs until the program's final ecall and returns the registers.
func (r *rig) runToEcall() Context {
	r.t.Helper()
	stop := r.h.Run(100000)
	if stop.Reason != StopEcall {
		r.t.Fatalf("Run stopped with %v at 0x%x (insn 0x%x, fault %+v), want an ecall", stop.Reason, stop.PC, stop.Insn, stop.Fault)
	}
	return r.ctx()
}

// run1 runs code (which must end in ecall) from ctx and returns the final registers.
func run1(t testing.TB, ctx Context, code ...any) Context {
	t.Helper()
	r := newRig(t)
	r.load(ctx, code...)
	return r.runToEcall()
}

// ---- Integer arithmetic. ----

const (
	minI64 = uint64(1) << 63
	all1   = ^uint64(0)
	minI32 = 0xffffffff80000000 // int32 minimum, sign-extended
)

func neg(v int64) uint64 { return uint64(v) }

type binCase struct {
	op   Op
	a, b uint64
	want uint64
}

func runBinCases(t *testing.T, cases []binCase) {
	t.Helper()
	for _, c := range cases {
		var ctx Context
		ctx.X[10], ctx.X[11] = c.a, c.b
		got := run1(t, ctx, asmR(c.op, 12, 10, 11), uint32(ecall)).X[12]
		if got != c.want {
			t.Errorf("%v(0x%x, 0x%x) = 0x%x, want 0x%x", c.op, c.a, c.b, got, c.want)
		}
	}
}

// TestDivision: the ISA manual's table for division by zero and overflow (M chapter,
// "Division Operations"), including the W forms, which operate on and sign-extend 32-bit
// values.
func TestDivision(t *testing.T) {
	runBinCases(t, []binCase{
		{DIV, 7, 2, 3}, {DIV, neg(-7), 2, neg(-3)}, {DIV, 7, neg(-2), neg(-3)},
		{DIV, 7, 0, all1}, {DIV, 0, 0, all1}, {DIV, neg(-7), 0, all1},
		{DIV, minI64, neg(-1), minI64}, {DIV, minI64, 1, minI64},
		{DIVU, 7, 2, 3}, {DIVU, 7, 0, all1}, {DIVU, all1, 1, all1}, {DIVU, all1, 2, all1 >> 1},
		{DIVU, minI64, neg(-1), 0},
		{REM, 7, 2, 1}, {REM, neg(-7), 2, neg(-1)}, {REM, 7, neg(-2), 1},
		{REM, 7, 0, 7}, {REM, neg(-7), 0, neg(-7)}, {REM, minI64, neg(-1), 0},
		{REMU, 7, 0, 7}, {REMU, all1, 0, all1}, {REMU, all1, 10, 5},
		// W forms: only the low 32 bits count, and the result is sign-extended.
		{DIVW, 0x1_00000007, 2, 3}, {DIVW, 7, 0, all1}, {DIVW, 0x80000000, neg(-1), minI32},
		{DIVW, 0x80000000, 1, minI32}, {DIVW, neg(-7), 0x1_00000002, neg(-3)},
		{DIVUW, 0xffffffff, 1, all1}, {DIVUW, 7, 0, all1}, {DIVUW, 7, 0x1_00000000, all1},
		{DIVUW, 0x80000000, 2, 0x40000000}, {DIVUW, 0xffffffff_fffffffe, 0xffffffff, 0},
		{REMW, 7, 0, 7}, {REMW, 0x80000000, 0, minI32}, {REMW, 0x80000000, neg(-1), 0},
		{REMW, neg(-7), 2, neg(-1)}, {REMW, 0x1_00000007, 0x1_00000000, 7},
		{REMUW, 7, 0, 7}, {REMUW, 0xfffffff9, 0, neg(-7)}, {REMUW, 0xffffffff, 0x10, 0xf},
		{REMUW, 0x80000005, 0x10, 5}, {REMUW, 0xffffffff, 0x80000001, 0x7ffffffe},
	})
}

// TestWordOps: 32-bit operations sign-extend their results (RV64I, "Integer
// Computational Instructions").
func TestWordOps(t *testing.T) {
	runBinCases(t, []binCase{
		{ADDW, 0x7fffffff, 1, minI32}, {ADDW, 0xffffffff, 1, 0}, {ADDW, 0x1_00000000, 5, 5},
		{SUBW, 0, 1, all1}, {SUBW, 0x1_00000000, 0, 0}, {SUBW, 0x80000000, 1, 0x7fffffff},
		{SLLW, 1, 31, minI32}, {SLLW, 1, 32, 1}, {SLLW, 3, 63, minI32},
		{SRLW, 0xffffffff_80000000, 0, minI32}, {SRLW, 0x80000000, 1, 0x40000000},
		{SRLW, 0xffffffff, 36, 0x0fffffff},
		{SRAW, 0x80000000, 4, 0xffffffff_f8000000}, {SRAW, 0x80000000, 63, all1},
		{SRAW, 0x1_7fffffff, 0, 0x7fffffff},
		{MULW, 0x10000, 0x8000, minI32}, {MULW, 0x1_00000003, 0x1_00000005, 15},
		{MULW, 0xffffffff, 0xffffffff, 1},
	})
	for _, c := range []struct {
		op   Op
		a    uint64
		imm  int64
		want uint64
	}{
		{ADDIW, 0x7fffffff, 1, minI32}, {ADDIW, 0, -1, all1}, {ADDIW, 0x1_80000000, 0, minI32},
		{SLLIW, 1, 31, minI32}, {SLLIW, 0xffffffff_00000001, 4, 0x10},
		{SRLIW, 0x80000000, 0, minI32}, {SRLIW, 0x80000000, 31, 1}, {SRLIW, 0xffffffff, 4, 0x0fffffff},
		{SRAIW, 0x80000000, 31, all1}, {SRAIW, 0x7fffffff, 30, 1}, {SRAIW, 0xf_00000010, 4, 1},
	} {
		var ctx Context
		ctx.X[10] = c.a
		got := run1(t, ctx, asmI(c.op, 12, 10, c.imm), uint32(ecall)).X[12]
		if got != c.want {
			t.Errorf("%v(0x%x, %d) = 0x%x, want 0x%x", c.op, c.a, c.imm, got, c.want)
		}
	}
}

// TestShifts: register shift amounts use the low 6 bits (5 for W forms).
func TestShifts(t *testing.T) {
	runBinCases(t, []binCase{
		{SLL, 1, 63, minI64}, {SLL, 1, 64, 1}, {SLL, 1, 65, 2}, {SLL, 1, all1, minI64},
		{SRL, minI64, 63, 1}, {SRL, minI64, 127, 1}, {SRL, minI64, 64, minI64},
		{SRA, minI64, 63, all1}, {SRA, minI64, 127, all1}, {SRA, minI64, 64, minI64},
		{SRA, minI64 >> 1, 62, 1}, {SRA, minI64 >> 1, 63, 0},
		{SLT, neg(-1), 0, 1}, {SLTU, neg(-1), 0, 0}, {SLTU, 0, neg(-1), 1},
	})
	for _, c := range []struct {
		op   Op
		a    uint64
		sh   int64
		want uint64
	}{
		{SLLI, 1, 63, minI64}, {SRLI, all1, 63, 1}, {SRAI, minI64, 63, all1}, {SRAI, minI64, 0, minI64},
		{SRLI, minI64, 32, 0x80000000},
	} {
		var ctx Context
		ctx.X[10] = c.a
		got := run1(t, ctx, asmI(c.op, 12, 10, c.sh), uint32(ecall)).X[12]
		if got != c.want {
			t.Errorf("%v(0x%x, %d) = 0x%x, want 0x%x", c.op, c.a, c.sh, got, c.want)
		}
	}
}

// mulhRef computes the high 64 bits of the 128-bit product with big integers.
func mulhRef(a, b *big.Int) uint64 {
	p := new(big.Int).Mul(a, b)
	p.Rsh(p, 64) // arithmetic: floors negative values
	return new(big.Int).And(p, new(big.Int).SetUint64(all1)).Uint64()
}

func TestMulHigh(t *testing.T) {
	cases := []binCase{
		{MULH, all1, all1, 0}, {MULHU, all1, all1, all1 - 1}, {MULHSU, all1, all1, all1},
		{MULH, minI64, minI64, 1 << 62}, {MULHU, minI64, minI64, 1 << 62},
		{MULHSU, minI64, 2, all1}, {MULHSU, 2, minI64, 1}, {MULH, minI64, 2, all1},
		{MULH, 3, 5, 0}, {MULHU, 1 << 32, 1 << 32, 1}, {MULH, neg(-1), 1, all1},
		{MUL, all1, all1, 1}, {MUL, minI64, neg(-1), minI64},
	}
	r := rand.New(rand.NewPCG(9, 9))
	for range 60 {
		a, b := r.Uint64(), r.Uint64()
		if r.IntN(3) == 0 {
			a >>= r.IntN(64)
		}
		sa, sb := big.NewInt(int64(a)), big.NewInt(int64(b))
		ua, ub := new(big.Int).SetUint64(a), new(big.Int).SetUint64(b)
		cases = append(cases, binCase{MULH, a, b, mulhRef(sa, sb)},
			binCase{MULHSU, a, b, mulhRef(sa, ub)}, binCase{MULHU, a, b, mulhRef(ua, ub)})
	}
	runBinCases(t, cases)
}

// ---- Floating point. ----

const (
	one32   = 0x3f800000
	two32   = 0x40000000
	qnan32  = 0x7fc00000 // the canonical NaN
	snan32  = 0x7f800001
	inf32   = 0x7f800000
	one64   = 0x3ff0000000000000
	qnan64  = 0x7ff8000000000000
	snan64  = 0x7ff0000000000001
	negZ64  = 1 << 63
	boxMask = 0xffffffff_00000000

	flagNX = 1
	flagUF = 2
	flagOF = 4
	flagDZ = 8
	flagNV = 16
)

func box(v uint32) uint64  { return boxMask | uint64(v) }
func f64(v float64) uint64 { return math.Float64bits(v) }
func f32(v float32) uint32 { return math.Float32bits(v) }

// TestNaNBoxing: single values live NaN-boxed in 64-bit registers; an improperly boxed
// value reads as the canonical NaN (F chapter, "NaN Boxing of Narrower Values"), but
// moves and stores transfer the raw low bits.
func TestNaNBoxing(t *testing.T) {
	r := newRig(t)
	r.poke(dataBase, binary.LittleEndian.AppendUint32(nil, one32))
	var ctx Context
	ctx.X[10] = dataBase
	ctx.X[6] = one32 // 0x00000000_3f800000: not boxed
	ctx.X[7] = 0x12345678_bf800000
	r.load(ctx,
		asmI(FLW, 1, 10, 0),          // flw f1, 0(x10)
		asmFP(FMV_X_D, 5, 1, 0, 0),   // fmv.x.d x5, f1: shows the box
		asmFP(FMV_D_X, 2, 6, 0, 0),   // fmv.d.x f2, x6: an unboxed single
		asmFP(FADD_S, 3, 2, 2, 0),    // fadd.s f3, f2, f2 -> canonical NaN
		asmFP(FMV_X_W, 8, 2, 0, 0),   // fmv.x.w x8, f2: raw low bits
		asmFP(FEQ_S, 9, 2, 2, 0),     // feq.s x9, f2, f2: NaN -> 0
		asmFP(FCLASS_S, 11, 2, 0, 0), // fclass.s: quiet NaN
		asmS(FSW, 2, 10, 8),          // fsw f2, 8(x10): raw low bits
		asmFP(FSGNJ_S, 4, 2, 1, 0),   // fsgnj.s f4, f2, f1: NaN input -> canonical NaN
		asmFP(FMV_D_X, 12, 7, 0, 0),  // fmv.d.x f12, x7 (unboxed, negative low word)
		asmFP(FMV_X_W, 13, 12, 0, 0), // fmv.x.w sign-extends bit 31
		asmFP(FADD_S, 14, 1, 1, 0),   // 1+1 = 2, boxed
		asmFP(FCVT_D_S, 15, 2, 0, 0), // fcvt.d.s of the unboxed value: NaN
		asmFP(FMV_W_X, 16, 7, 0, 0),  // fmv.w.x boxes the low 32 bits
		asmFP(FSGNJ_D, 17, 2, 2, 0),  // the D op sees all 64 bits
		uint32(ecall))
	c := r.runToEcall()
	check := func(what string, got, want uint64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = 0x%x, want 0x%x", what, got, want)
		}
	}
	check("flw+fmv.x.d", c.X[5], box(one32))
	check("fadd.s(unboxed)", c.F[3], box(qnan32))
	check("fmv.x.w(unboxed)", c.X[8], one32)
	check("feq.s(unboxed, unboxed)", c.X[9], 0)
	check("fclass.s(unboxed)", c.X[11], 1<<9)
	check("fsw(unboxed) memory", uint64(binary.LittleEndian.Uint32(mustRead(t, r, dataBase+8, 4))), one32)
	check("fsgnj.s(unboxed, 1.0)", c.F[4], box(qnan32))
	check("fmv.x.w(0x...bf800000)", c.X[13], 0xffffffff_bf800000)
	check("fadd.s(1, 1)", c.F[14], box(two32))
	check("fcvt.d.s(unboxed)", c.F[15], qnan64)
	check("fmv.w.x", c.F[16], box(0xbf800000))
	check("fsgnj.d(unboxed)", c.F[17], one32)
}

func mustRead(t testing.TB, r *rig, addr uint64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if err := r.as.ReadAt(b, addr); err != nil {
		t.Fatal(err)
	}
	return b
}

type fpCase struct {
	name      string
	insn      uint32 // reads f1/f2 (or x10), writes f3 or x5
	f1, f2    uint64
	f4        uint64 // rs3 of the fused ops
	x10       uint64
	frm       uint8
	intResult bool
	want      uint64
	flags     uint8
}

func runFPCases(t *testing.T, cases []fpCase) {
	t.Helper()
	for _, c := range cases {
		var ctx Context
		ctx.F[1], ctx.F[2], ctx.F[4], ctx.X[10] = c.f1, c.f2, c.f4, c.x10
		ctx.FCSR = uint32(c.frm) << 5
		out := run1(t, ctx, c.insn, uint32(ecall))
		got := out.F[3]
		if c.intResult {
			got = out.X[5]
		}
		if got != c.want {
			t.Errorf("%s = 0x%x, want 0x%x", c.name, got, c.want)
		}
		if fl := uint8(out.FCSR & 0x1f); fl != c.flags {
			t.Errorf("%s: fflags = 0x%x, want 0x%x", c.name, fl, c.flags)
		}
		if frm := uint8(out.FCSR >> 5); frm != c.frm {
			t.Errorf("%s: frm = %d, want %d (unchanged)", c.name, frm, c.frm)
		}
	}
}

// TestMinMax: fmin/fmax are IEEE 754-2019 minimumNumber/maximumNumber: a NaN operand
// loses to a number, two NaNs give the canonical NaN, a signaling NaN raises NV, and
// -0.0 < +0.0.
func TestMinMax(t *testing.T) {
	fmin := func(op Op) uint32 { return asmFP(op, 3, 1, 2, 0) }
	runFPCases(t, []fpCase{
		{name: "fmin.s(qNaN, 1)", insn: fmin(FMIN_S), f1: box(qnan32), f2: box(one32), want: box(one32)},
		{name: "fmax.s(1, qNaN)", insn: fmin(FMAX_S), f1: box(one32), f2: box(qnan32), want: box(one32)},
		{name: "fmin.s(sNaN, 1)", insn: fmin(FMIN_S), f1: box(snan32), f2: box(one32), want: box(one32), flags: flagNV},
		{name: "fmin.s(qNaN, qNaN)", insn: fmin(FMIN_S), f1: box(qnan32 | 5), f2: box(qnan32), want: box(qnan32)},
		{name: "fmax.s(sNaN, qNaN)", insn: fmin(FMAX_S), f1: box(snan32), f2: box(qnan32), want: box(qnan32), flags: flagNV},
		{name: "fmin.s(-0, +0)", insn: fmin(FMIN_S), f1: box(0x80000000), f2: box(0), want: box(0x80000000)},
		{name: "fmin.s(+0, -0)", insn: fmin(FMIN_S), f1: box(0), f2: box(0x80000000), want: box(0x80000000)},
		{name: "fmax.s(-0, +0)", insn: fmin(FMAX_S), f1: box(0x80000000), f2: box(0), want: box(0)},
		{name: "fmax.s(+0, -0)", insn: fmin(FMAX_S), f1: box(0), f2: box(0x80000000), want: box(0)},
		{name: "fmin.s(unboxed, 1)", insn: fmin(FMIN_S), f1: one32, f2: box(one32), want: box(one32)},
		{name: "fmin.d(qNaN, 1)", insn: fmin(FMIN_D), f1: qnan64, f2: one64, want: one64},
		{name: "fmax.d(sNaN, 1)", insn: fmin(FMAX_D), f1: snan64, f2: one64, want: one64, flags: flagNV},
		{name: "fmin.d(qNaN, qNaN)", insn: fmin(FMIN_D), f1: qnan64 | 7, f2: qnan64 | 9, want: qnan64},
		{name: "fmin.d(-0, +0)", insn: fmin(FMIN_D), f1: negZ64, f2: 0, want: negZ64},
		{name: "fmax.d(-0, +0)", insn: fmin(FMAX_D), f1: negZ64, f2: 0, want: 0},
		{name: "fmax.d(+0, -0)", insn: fmin(FMAX_D), f1: 0, f2: negZ64, want: 0},
		{name: "fmin.d(-inf, 1)", insn: fmin(FMIN_D), f1: f64(math.Inf(-1)), f2: one64, want: f64(math.Inf(-1))},
	})
}

// TestConvert: float-to-integer conversions saturate (F chapter, Table "Domains of
// float-to-integer conversions and behavior for invalid inputs"), round per the static
// or dynamic rounding mode, and W results are sign-extended.
func TestConvert(t *testing.T) {
	cvt := func(op Op, rm uint8) uint32 { return asmFP(op, 5, 1, 0, rm) }
	const rne, rtz, rdn, rup, rmm = 0, 1, 2, 3, 4
	inf, ninf := f64(math.Inf(1)), f64(math.Inf(-1))
	x := func(name string, insn uint32, f1 uint64, frm uint8, want uint64, flags uint8) fpCase {
		return fpCase{name: name, insn: insn, f1: f1, frm: frm, intResult: true, want: want, flags: flags}
	}
	cases := []fpCase{
		// Saturation.
		x("fcvt.w.s(NaN)", cvt(FCVT_W_S, rtz), box(qnan32), 0, 0x7fffffff, flagNV),
		x("fcvt.w.s(+inf)", cvt(FCVT_W_S, rtz), box(inf32), 0, 0x7fffffff, flagNV),
		x("fcvt.w.s(-inf)", cvt(FCVT_W_S, rtz), box(inf32|1<<31), 0, minI32, flagNV),
		x("fcvt.w.s(3e9)", cvt(FCVT_W_S, rtz), box(f32(3e9)), 0, 0x7fffffff, flagNV),
		x("fcvt.wu.s(NaN)", cvt(FCVT_WU_S, rtz), box(qnan32), 0, all1, flagNV),
		x("fcvt.wu.s(-1)", cvt(FCVT_WU_S, rtz), box(f32(-1)), 0, 0, flagNV),
		x("fcvt.wu.s(-0.5) rtz", cvt(FCVT_WU_S, rtz), box(f32(-0.5)), 0, 0, flagNX),
		x("fcvt.wu.s(-0.5) rdn", cvt(FCVT_WU_S, rdn), box(f32(-0.5)), 0, 0, flagNV),
		x("fcvt.wu.s(3e9)", cvt(FCVT_WU_S, rtz), box(f32(3e9)), 0, 0xffffffff_b2d05e00, 0),
		x("fcvt.l.s(-inf)", cvt(FCVT_L_S, rtz), box(inf32|1<<31), 0, minI64, flagNV),
		x("fcvt.lu.s(NaN)", cvt(FCVT_LU_S, rtz), box(qnan32), 0, all1, flagNV),
		x("fcvt.l.d(NaN)", cvt(FCVT_L_D, rtz), qnan64, 0, minI64-1, flagNV),
		x("fcvt.l.d(+inf)", cvt(FCVT_L_D, rtz), inf, 0, minI64-1, flagNV),
		x("fcvt.l.d(-inf)", cvt(FCVT_L_D, rtz), ninf, 0, minI64, flagNV),
		x("fcvt.l.d(-2^63)", cvt(FCVT_L_D, rtz), f64(-9223372036854775808), 0, minI64, 0),
		x("fcvt.l.d(2^63)", cvt(FCVT_L_D, rtz), f64(9223372036854775808), 0, minI64-1, flagNV),
		x("fcvt.lu.d(-1)", cvt(FCVT_LU_D, rtz), f64(-1), 0, 0, flagNV),
		x("fcvt.lu.d(NaN)", cvt(FCVT_LU_D, rtz), qnan64, 0, all1, flagNV),
		x("fcvt.lu.d(2^64)", cvt(FCVT_LU_D, rtz), f64(18446744073709551616), 0, all1, flagNV),
		x("fcvt.w.d(2^31)", cvt(FCVT_W_D, rtz), f64(2147483648), 0, 0x7fffffff, flagNV),
		x("fcvt.w.d(-2^31-0.5) rtz", cvt(FCVT_W_D, rtz), f64(-2147483648.5), 0, minI32, flagNX),
		x("fcvt.w.d(-2^31-0.5) rdn", cvt(FCVT_W_D, rdn), f64(-2147483648.5), 0, minI32, flagNV),
		x("fcvt.w.d(-1)", cvt(FCVT_W_D, rtz), f64(-1), 0, all1, 0),
		x("fcvt.wu.d(4e9)", cvt(FCVT_WU_D, rtz), f64(4e9), 0, 0xffffffff_ee6b2800, 0),
		x("fcvt.wu.d(2^32)", cvt(FCVT_WU_D, rtz), f64(4294967296), 0, all1, flagNV),
	}
	// Rounding: static modes, then the same through frm with rm=DYN.
	for _, rc := range []struct {
		v    float64
		want [5]int64 // rne, rtz, rdn, rup, rmm
	}{
		{2.5, [5]int64{2, 2, 2, 3, 3}},
		{-2.5, [5]int64{-2, -2, -3, -2, -3}},
		{3.5, [5]int64{4, 3, 3, 4, 4}},
		{-0.3, [5]int64{0, 0, -1, 0, 0}},
		{1.0000001, [5]int64{1, 1, 1, 2, 1}},
	} {
		for rm := range uint8(5) {
			want := uint64(rc.want[rm])
			name := fmt.Sprintf("fcvt.l.d(%v) rm=%d", rc.v, rm)
			cases = append(cases,
				x(name, cvt(FCVT_L_D, rm), f64(rc.v), 0, want, flagNX),
				x(name+" via frm", cvt(FCVT_L_D, rmDyn), f64(rc.v), rm, want, flagNX),
				x(fmt.Sprintf("fcvt.w.s(%v) rm=%d via frm", rc.v, rm), cvt(FCVT_W_S, rmDyn), box(f32(float32(rc.v))), rm,
					uint64(rc.want[rm]), flagNX))
		}
	}
	// Integer to float, with rounding.
	big := uint64(1)<<53 + 1 // not representable in a double
	cases = append(cases,
		fpCase{name: "fcvt.d.l(2^53+1) rne", insn: asmFP(FCVT_D_L, 3, 10, 0, rne), x10: big, want: f64(9007199254740992), flags: flagNX},
		fpCase{name: "fcvt.d.l(2^53+1) rup", insn: asmFP(FCVT_D_L, 3, 10, 0, rup), x10: big, want: f64(9007199254740994), flags: flagNX},
		fpCase{name: "fcvt.d.l(2^53+1) via frm=rup", insn: asmFP(FCVT_D_L, 3, 10, 0, rmDyn), x10: big, frm: rup, want: f64(9007199254740994), flags: flagNX},
		fpCase{name: "fcvt.d.lu(2^64-1)", insn: asmFP(FCVT_D_LU, 3, 10, 0, rne), x10: all1, want: f64(18446744073709551616), flags: flagNX},
		fpCase{name: "fcvt.d.w(upper bits ignored)", insn: asmFP(FCVT_D_W, 3, 10, 0, rne), x10: 0x5_ffffffff, want: f64(-1)},
		fpCase{name: "fcvt.d.wu(0xffffffff)", insn: asmFP(FCVT_D_WU, 3, 10, 0, rne), x10: all1, want: f64(4294967295)},
		fpCase{name: "fcvt.s.w(-1)", insn: asmFP(FCVT_S_W, 3, 10, 0, rne), x10: all1, want: box(f32(-1))},
		fpCase{name: "fcvt.s.l(2^24+1) rdn", insn: asmFP(FCVT_S_L, 3, 10, 0, rdn), x10: 1<<24 + 1, want: box(f32(16777216)), flags: flagNX},
		fpCase{name: "fcvt.s.d(1e300) overflow", insn: asmFP(FCVT_S_D, 3, 1, 0, rne), f1: f64(1e300), want: box(inf32), flags: flagOF | flagNX},
		fpCase{name: "fcvt.s.d(1e300) rtz", insn: asmFP(FCVT_S_D, 3, 1, 0, rtz), f1: f64(1e300), want: box(0x7f7fffff), flags: flagOF | flagNX},
		fpCase{name: "fcvt.d.s(sNaN)", insn: asmFP(FCVT_D_S, 3, 1, 0, rne), f1: box(snan32), want: qnan64, flags: flagNV},
		fpCase{name: "fsqrt.d(-1)", insn: asmFP(FSQRT_D, 3, 1, 0, rne), f1: f64(-1), want: qnan64, flags: flagNV},
		fpCase{name: "fdiv.s(1, 0)", insn: asmFP(FDIV_S, 3, 1, 2, rne), f1: box(one32), f2: box(0), want: box(inf32), flags: flagDZ},
		fpCase{name: "fmul.d(tiny, tiny) underflow", insn: asmFP(FMUL_D, 3, 1, 2, rne), f1: f64(1e-300), f2: f64(1e-300), want: 0, flags: flagUF | flagNX},
	)
	runFPCases(t, cases)
}

// TestFusedAndCompare: the fused multiply-adds round once, and their sign conventions;
// inf×0 is invalid even with a quiet NaN addend; feq is a quiet comparison while flt/fle
// signal on any NaN.
func TestFusedAndCompare(t *testing.T) {
	a, b := f64(1+0x1p-52), f64(1-0x1p-52) // a×b = 1 - 2^-104 exactly
	fma := func(op Op) uint32 { return encode(Inst{Op: op, Rd: 3, Rs1: 1, Rs2: 2, Rs3: 4, RM: 0}) }
	cmp := func(op Op) uint32 { return asmFP(op, 5, 1, 2, 0) }
	x := func(name string, insn uint32, f1, f2 uint64, want uint64, flags uint8) fpCase {
		return fpCase{name: name, insn: insn, f1: f1, f2: f2, intResult: true, want: want, flags: flags}
	}
	runFPCases(t, []fpCase{
		{name: "fmadd.d(a, b, -1)", insn: fma(FMADD_D), f1: a, f2: b, f4: f64(-1), want: f64(-0x1p-104)},
		{name: "fmsub.d(a, b, 1)", insn: fma(FMSUB_D), f1: a, f2: b, f4: one64, want: f64(-0x1p-104)},
		{name: "fnmsub.d(a, b, 1)", insn: fma(FNMSUB_D), f1: a, f2: b, f4: one64, want: f64(0x1p-104)},
		{name: "fnmadd.d(a, b, -1)", insn: fma(FNMADD_D), f1: a, f2: b, f4: f64(-1), want: f64(0x1p-104)},
		{name: "fmul.d(a, b) rounds", insn: asmFP(FMUL_D, 3, 1, 2, 0), f1: a, f2: b, want: one64, flags: flagNX},
		{name: "fmadd.s(3, 5, 7)", insn: fma(FMADD_S), f1: box(f32(3)), f2: box(f32(5)), f4: box(f32(7)), want: box(f32(22))},
		{name: "fnmadd.s(3, 5, 7)", insn: fma(FNMADD_S), f1: box(f32(3)), f2: box(f32(5)), f4: box(f32(7)), want: box(f32(-22))},
		{name: "fnmsub.s(+0, 1, -0)", insn: fma(FNMSUB_S), f1: box(0), f2: box(one32), f4: box(0x80000000), want: box(0x80000000)},
		{name: "fmsub.d(+0, 1, +0)", insn: fma(FMSUB_D), f1: 0, f2: one64, f4: 0, want: 0},
		{name: "fnmadd.d(+0, 1, +0)", insn: fma(FNMADD_D), f1: 0, f2: one64, f4: 0, want: negZ64},
		{name: "fmadd.d(inf, 0, qNaN)", insn: fma(FMADD_D), f1: f64(math.Inf(1)), f2: 0, f4: qnan64, want: qnan64, flags: flagNV},
		{name: "fmadd.d(1, 1, sNaN)", insn: fma(FMADD_D), f1: one64, f2: one64, f4: snan64, want: qnan64, flags: flagNV},
		{name: "fmadd.s(1, 1, unboxed)", insn: fma(FMADD_S), f1: box(one32), f2: box(one32), f4: one32, want: box(qnan32)},
		x("feq.d(qNaN, 1)", cmp(FEQ_D), qnan64, one64, 0, 0),
		x("feq.d(sNaN, 1)", cmp(FEQ_D), snan64, one64, 0, flagNV),
		x("flt.d(qNaN, 1)", cmp(FLT_D), qnan64, one64, 0, flagNV),
		x("fle.d(1, qNaN)", cmp(FLE_D), one64, qnan64, 0, flagNV),
		x("feq.d(-0, +0)", cmp(FEQ_D), negZ64, 0, 1, 0),
		x("flt.d(-0, +0)", cmp(FLT_D), negZ64, 0, 0, 0),
		x("fle.d(-0, +0)", cmp(FLE_D), negZ64, 0, 1, 0),
		x("flt.s(1, 2)", cmp(FLT_S), box(one32), box(two32), 1, 0),
		x("feq.s(qNaN, qNaN)", cmp(FEQ_S), box(qnan32), box(qnan32), 0, 0),
		x("fle.s(sNaN, 1)", cmp(FLE_S), box(snan32), box(one32), 0, flagNV),
		x("fclass.d(-inf)", asmFP(FCLASS_D, 5, 1, 0, 0), f64(math.Inf(-1)), 0, 1<<0, 0),
		x("fclass.d(-1)", asmFP(FCLASS_D, 5, 1, 0, 0), f64(-1), 0, 1<<1, 0),
		x("fclass.d(-denormal)", asmFP(FCLASS_D, 5, 1, 0, 0), negZ64|1, 0, 1<<2, 0),
		x("fclass.d(-0)", asmFP(FCLASS_D, 5, 1, 0, 0), negZ64, 0, 1<<3, 0),
		x("fclass.d(+0)", asmFP(FCLASS_D, 5, 1, 0, 0), 0, 0, 1<<4, 0),
		x("fclass.d(+denormal)", asmFP(FCLASS_D, 5, 1, 0, 0), 1, 0, 1<<5, 0),
		x("fclass.d(1)", asmFP(FCLASS_D, 5, 1, 0, 0), one64, 0, 1<<6, 0),
		x("fclass.d(+inf)", asmFP(FCLASS_D, 5, 1, 0, 0), f64(math.Inf(1)), 0, 1<<7, 0),
		x("fclass.d(sNaN)", asmFP(FCLASS_D, 5, 1, 0, 0), snan64, 0, 1<<8, 0),
		x("fclass.d(qNaN)", asmFP(FCLASS_D, 5, 1, 0, 0), qnan64, 0, 1<<9, 0),
		x("fclass.s(sNaN)", asmFP(FCLASS_S, 5, 1, 0, 0), box(snan32), 0, 1<<8, 0),
		{name: "fsgnjn.d(1, 1)", insn: asmFP(FSGNJN_D, 3, 1, 2, 0), f1: one64, f2: one64, want: one64 | negZ64},
		{name: "fsgnjx.s(-1, -1)", insn: asmFP(FSGNJX_S, 3, 1, 2, 0), f1: box(f32(-1)), f2: box(f32(-1)), want: box(one32)},
		{name: "fsgnj.s(qNaN, -1) keeps the payload", insn: asmFP(FSGNJ_S, 3, 1, 2, 0), f1: box(qnan32 | 5), f2: box(f32(-1)), want: box(qnan32 | 5 | 1<<31)},
	})
}

// TestDynamicRoundingViaCSR sets frm with csrrw/csrrwi and converts with rm=DYN.
func TestDynamicRoundingViaCSR(t *testing.T) {
	const frm = 0x002
	var ctx Context
	ctx.F[1] = f64(2.5)
	ctx.F[2] = f64(-2.5)
	ctx.X[6] = 3 // RUP
	c := run1(t, ctx,
		asmCSR(CSRRW, 0, frm, 6),         // frm = RUP
		asmFP(FCVT_L_D, 5, 1, 0, rmDyn),  // 3
		asmFP(FCVT_L_D, 7, 2, 0, rmDyn),  // -2
		asmFP(FCVT_L_D, 8, 1, 0, 0),      // static RNE wins: 2
		asmCSR(CSRRWI, 9, frm, 2),        // x9 = 3; frm = RDN
		asmFP(FCVT_L_D, 11, 1, 0, rmDyn), // 2
		asmFP(FCVT_L_D, 12, 2, 0, rmDyn), // -3
		asmCSR(CSRRWI, 0, frm, 4),        // RMM
		asmFP(FCVT_W_D, 13, 2, 0, rmDyn), // -3
		asmFP(FADD_D, 3, 1, 2, rmDyn),    // 2.5 + -2.5 = +0 (RMM)
		asmCSR(CSRRWI, 0, frm, 2),        // RDN
		asmFP(FADD_D, 4, 1, 2, rmDyn),    // -0 under RDN
		uint32(ecall))
	for _, w := range []struct {
		what      string
		got, want uint64
	}{
		{"fcvt.l.d(2.5) frm=rup", c.X[5], 3}, {"fcvt.l.d(-2.5) frm=rup", c.X[7], neg(-2)},
		{"fcvt.l.d(2.5) rne", c.X[8], 2}, {"csrrwi old frm", c.X[9], 3},
		{"fcvt.l.d(2.5) frm=rdn", c.X[11], 2}, {"fcvt.l.d(-2.5) frm=rdn", c.X[12], neg(-3)},
		{"fcvt.w.d(-2.5) frm=rmm", c.X[13], neg(-3)},
		{"fadd.d(2.5, -2.5) frm=rmm", c.F[3], 0}, {"fadd.d(2.5, -2.5) frm=rdn", c.F[4], negZ64},
	} {
		if w.got != w.want {
			t.Errorf("%s = 0x%x, want 0x%x", w.what, w.got, w.want)
		}
	}
	if c.FCSR != 2<<5|flagNX {
		t.Errorf("fcsr = 0x%x, want 0x%x", c.FCSR, 2<<5|flagNX)
	}
}

// TestRoundingModeIllegal: a reserved static rm, or rm=DYN while frm holds a reserved
// value, is an illegal instruction (F chapter, "Floating-Point Control and Status
// Register").
func TestRoundingModeIllegal(t *testing.T) {
	for _, c := range []struct {
		name string
		insn uint32
		frm  uint8
	}{
		{"fadd.s rm=5", asmFP(FADD_S, 3, 1, 2, 5), 0},
		{"fadd.d rm=6", asmFP(FADD_D, 3, 1, 2, 6), 0},
		{"fcvt.d.s rm=5", asmFP(FCVT_D_S, 3, 1, 0, 5), 0},
		{"fadd.d dyn, frm=5", asmFP(FADD_D, 3, 1, 2, rmDyn), 5},
		{"fcvt.w.d dyn, frm=7", asmFP(FCVT_W_D, 5, 1, 0, rmDyn), 7},
		{"fmadd.s dyn, frm=6", encode(Inst{Op: FMADD_S, Rd: 3, Rs1: 1, Rs2: 2, Rs3: 4, RM: rmDyn}), 6},
	} {
		r := newRig(t)
		r.load(Context{FCSR: uint32(c.frm) << 5}, asmI(ADDI, 5, 0, 1), c.insn, uint32(ecall))
		stop := r.h.Run(100)
		if stop.Reason != StopIllegal || stop.PC != codeBase+4 || stop.Insn != c.insn {
			t.Errorf("%s: Run = %v at 0x%x insn 0x%x, want illegal instruction at 0x%x insn 0x%x",
				c.name, stop.Reason, stop.PC, stop.Insn, codeBase+4, c.insn)
		}
	}
	// A valid frm with rm=DYN is fine, and fsgnj (no rm field) ignores a bad frm.
	var ctx Context
	ctx.FCSR = 7 << 5
	ctx.F[1], ctx.F[2] = one64, negZ64
	c := run1(t, ctx, asmFP(FSGNJ_D, 3, 1, 2, 0), uint32(ecall))
	if c.F[3] != one64|negZ64 {
		t.Errorf("fsgnj.d(1, -0) with frm=7 = 0x%x, want 0x%x", c.F[3], uint64(one64|negZ64))
	}
}

// TestFCSR: fflags accumulate; csrrs/csrrc with rs1=x0 (and the immediate forms with
// uimm=0) read without writing; fcsr is frm<<5 | fflags.
func TestFCSR(t *testing.T) {
	const fflags, frm, fcsr = 0x001, 0x002, 0x003
	var ctx Context
	ctx.F[1], ctx.F[2], ctx.F[5] = one64, 0, f64(1e-30)
	ctx.X[12], ctx.X[14], ctx.X[20] = 1, 0x1ff, 0x10
	c := run1(t, ctx,
		asmFP(FDIV_D, 3, 1, 2, 0),       // 1/0: DZ
		asmCSR(CSRRS, 5, fflags, 0),     // x5 = 8
		asmFP(FADD_D, 4, 1, 5, 0),       // 1 + 1e-30: NX
		asmCSR(CSRRS, 6, fflags, 0),     // x6 = 9
		asmCSR(CSRRCI, 7, fflags, 8),    // x7 = 9, fflags = 1
		asmCSR(CSRRS, 8, fflags, 0),     // x8 = 1
		asmCSR(CSRRSI, 9, fflags, 0x10), // x9 = 1, fflags = 0x11
		asmCSR(CSRRC, 11, fflags, 12),   // x11 = 0x11, fflags = 0x10
		asmCSR(CSRRW, 13, fcsr, 14),     // x13 = 0x10, fcsr = 0xff (bits above 7 dropped)
		asmCSR(CSRRS, 15, frm, 0),       // x15 = 7
		asmCSR(CSRRS, 16, fcsr, 0),      // x16 = 0xff
		asmCSR(CSRRWI, 17, frm, 2),      // x17 = 7, frm = 2
		asmCSR(CSRRS, 18, fcsr, 0),      // x18 = 0x5f
		asmCSR(CSRRW, 0, fflags, 0),     // clear fflags, result discarded
		asmCSR(CSRRSI, 19, fcsr, 0),     // x19 = 0x40 (uimm=0: read only)
		asmCSR(CSRRC, 21, fflags, 20),   // clearing clear bits: x21 = 0
		asmFP(FDIV_D, 3, 1, 2, 0),       // DZ again
		asmCSR(CSRRCI, 22, fflags, 0),   // x22 = 8 (uimm=0: no write)
		asmCSR(CSRRS, 23, fflags, 0),    // x23 = 8
		uint32(ecall))
	for _, w := range []struct {
		reg  int
		want uint64
	}{{5, 8}, {6, 9}, {7, 9}, {8, 1}, {9, 1}, {11, 0x11}, {13, 0x10}, {15, 7}, {16, 0xff},
		{17, 7}, {18, 0x5f}, {19, 0x40}, {21, 0}, {22, 8}, {23, 8}} {
		if c.X[w.reg] != w.want {
			t.Errorf("x%d = 0x%x, want 0x%x", w.reg, c.X[w.reg], w.want)
		}
	}
	if c.FCSR != 0x48 {
		t.Errorf("final fcsr = 0x%x, want 0x48", c.FCSR)
	}
}

// TestCounters: cycle, time and instret read the retired-instruction count (and virtual
// time); they are read-only, so any instruction that writes them is illegal, while
// csrrs/csrrc with rs1=x0 and csrrsi/csrrci with uimm=0 only read.
func TestCounters(t *testing.T) {
	const cycle, timeCSR, instret = 0xc00, 0xc01, 0xc02
	r := newRig(t)
	r.h.TimeBase = 1000
	r.load(Context{},
		asmI(ADDI, 0, 0, 0), asmI(ADDI, 0, 0, 0), asmI(ADDI, 0, 0, 0),
		asmCSR(CSRRS, 5, instret, 0), // 3 retired before it
		asmCSR(CSRRS, 6, cycle, 0),   // 4
		asmCSR(CSRRS, 7, timeCSR, 0), // (1000+5)/100
		asmCSR(CSRRC, 8, instret, 0),
		asmCSR(CSRRSI, 9, cycle, 0),
		asmCSR(CSRRCI, 11, instret, 0),
		uint32(ecall))
	if s := r.h.Run(2); s.Reason != StopBudget {
		t.Fatalf("Run(2) = %v", s.Reason)
	}
	c := r.runToEcall()
	for _, w := range []struct {
		reg  int
		want uint64
	}{{5, 3}, {6, 4}, {7, 10}, {8, 6}, {9, 7}, {11, 8}} {
		if c.X[w.reg] != w.want {
			t.Errorf("x%d = %d, want %d", w.reg, c.X[w.reg], w.want)
		}
	}
	for _, c := range []struct {
		name string
		insn uint32
	}{
		{"csrrw x0, cycle, x5", asmCSR(CSRRW, 0, cycle, 5)},
		{"csrrw x5, instret, x0", asmCSR(CSRRW, 5, instret, 0)},
		{"csrrs x5, instret, x6", asmCSR(CSRRS, 5, instret, 6)},
		{"csrrc x5, time, x6", asmCSR(CSRRC, 5, timeCSR, 6)},
		{"csrrwi x5, cycle, 0", asmCSR(CSRRWI, 5, cycle, 0)},
		{"csrrsi x5, cycle, 1", asmCSR(CSRRSI, 5, cycle, 1)},
		{"csrrs x5, mstatus, x0", asmCSR(CSRRS, 5, 0x300, 0)},
		{"csrrs x5, cycleh, x0 (RV32 only)", asmCSR(CSRRS, 5, 0xc80, 0)},
	} {
		r := newRig(t)
		r.load(Context{}, asmI(ADDI, 5, 0, 77), c.insn, uint32(ecall))
		stop := r.h.Run(100)
		if stop.Reason != StopIllegal || stop.PC != codeBase+4 || stop.Insn != c.insn {
			t.Errorf("%s: Run = %v at 0x%x insn 0x%x, want illegal instruction at 0x%x insn 0x%x",
				c.name, stop.Reason, stop.PC, stop.Insn, codeBase+4, c.insn)
		}
		if x := r.ctx(); x.X[5] != 77 || x.PC != codeBase+4 || r.h.Retired != 1 {
			t.Errorf("%s: after the trap x5=%d pc=0x%x retired=%d, want 77, 0x%x, 1", c.name, x.X[5], x.PC, r.h.Retired, codeBase+4)
		}
	}
}

// ---- Atomics. ----

func TestLRSC(t *testing.T) {
	const sentinel = 0x1122334455667788
	t.Run("sc without lr fails", func(t *testing.T) {
		r := newRig(t)
		r.poke64(dataBase, sentinel)
		var ctx Context
		ctx.X[10], ctx.X[11] = dataBase, 42
		r.load(ctx, asmAMO(SC_D, 5, 11, 10), uint32(ecall))
		c := r.runToEcall()
		if c.X[5] != 1 || r.peek64(dataBase) != sentinel {
			t.Errorf("sc.d without lr: rd = %d, memory 0x%x; want 1, unchanged", c.X[5], r.peek64(dataBase))
		}
	})
	t.Run("lr then sc succeeds, second sc fails", func(t *testing.T) {
		r := newRig(t)
		r.poke64(dataBase, 0x00000000_80000001)
		var ctx Context
		ctx.X[10], ctx.X[11], ctx.X[12] = dataBase, 0x7777, 0x9999
		r.load(ctx,
			asmAMO(LR_W, 5, 0, 10),  // lr.w x5, (x10): sign-extended
			asmAMO(SC_W, 6, 11, 10), // sc.w x6, x11, (x10) -> 0
			asmAMO(SC_W, 7, 12, 10), // again -> 1
			uint32(ecall))
		c := r.runToEcall()
		if c.X[5] != 0xffffffff_80000001 {
			t.Errorf("lr.w = 0x%x, want 0xffffffff80000001 (sign-extended)", c.X[5])
		}
		if c.X[6] != 0 || c.X[7] != 1 {
			t.Errorf("sc.w after lr = %d, second sc.w = %d; want 0, 1", c.X[6], c.X[7])
		}
		if m := r.peek64(dataBase); m != 0x7777 {
			t.Errorf("memory = 0x%x, want 0x7777 (sc.w writes 4 bytes)", m)
		}
	})
	t.Run("lr.d/sc.d and a different address", func(t *testing.T) {
		r := newRig(t)
		r.poke64(dataBase, minI64|5)
		var ctx Context
		ctx.X[10], ctx.X[11], ctx.X[13] = dataBase, 0xabc, dataBase+8
		r.load(ctx,
			asmAMO(LR_D, 5, 0, 10),
			asmAMO(SC_D, 6, 11, 13), // other address: fails, and clears the reservation
			asmAMO(SC_D, 7, 11, 10), // reservation gone: fails
			asmAMO(LR_D, 8, 0, 10),
			asmAMO(SC_D, 9, 11, 10), // succeeds
			uint32(ecall))
		c := r.runToEcall()
		if c.X[5] != minI64|5 || c.X[6] != 1 || c.X[7] != 1 || c.X[9] != 0 || r.peek64(dataBase) != 0xabc || r.peek64(dataBase+8) != 0 {
			t.Errorf("lr.d=0x%x sc.d(other)=%d sc.d(after)=%d sc.d(fresh)=%d mem=0x%x,0x%x; want 0x%x,1,1,0,0xabc,0",
				c.X[5], c.X[6], c.X[7], c.X[9], r.peek64(dataBase), r.peek64(dataBase+8), minI64|5)
		}
	})
	t.Run("another hart's store breaks the reservation", func(t *testing.T) {
		r := newRig(t)
		r.poke64(dataBase, 1)
		var ctx Context
		ctx.X[10], ctx.X[11] = dataBase, 2
		r.load(ctx, asmAMO(LR_D, 5, 0, 10), asmAMO(SC_D, 6, 11, 10), uint32(ecall))
		b := r.bus.NewHart()
		var bctx Context
		// B stores to the page once before A's reservation (a warm write TLB), then to
		// the reserved doubleword's upper word.
		bctx.PC, bctx.X[10], bctx.X[11], bctx.X[12] = codeBase+0x1000, dataBase+4, 99, dataBase+0x800
		r.poke(codeBase+0x1000, assemble(asmS(SW, 11, 12, 0), uint32(ecall), asmS(SW, 11, 10, 0), uint32(ecall)))
		b.Load(&bctx, r.as)
		if s := b.Run(100); s.Reason != StopEcall {
			t.Fatalf("hart B: %v", s.Reason)
		}
		if s := r.h.Run(1); s.Reason != StopBudget || r.h.Retired != 1 {
			t.Fatalf("Run(1) = %v, retired %d", s.Reason, r.h.Retired)
		}
		b.Save(&bctx)
		bctx.PC += 4
		b.Load(&bctx, r.as)
		if s := b.Run(100); s.Reason != StopEcall {
			t.Fatalf("hart B: %v", s.Reason)
		}
		c := r.runToEcall()
		if c.X[6] != 1 {
			t.Errorf("sc.d after another hart stored to the reserved doubleword = %d, want 1", c.X[6])
		}
		if m := r.peek64(dataBase); m != 99<<32|1 {
			t.Errorf("memory = 0x%x, want B's store only (0x%x)", m, uint64(99<<32|1))
		}
	})
	t.Run("another hart's store elsewhere does not", func(t *testing.T) {
		r := newRig(t)
		var ctx Context
		ctx.X[10], ctx.X[11] = dataBase, 2
		r.load(ctx, asmAMO(LR_D, 5, 0, 10), asmAMO(SC_D, 6, 11, 10), uint32(ecall))
		r.h.Run(1)
		b := r.bus.NewHart()
		var bctx Context
		bctx.PC, bctx.X[10], bctx.X[11] = codeBase+0x1000, dataBase+0x1000, 99
		r.poke(codeBase+0x1000, assemble(asmS(SD, 11, 10, 0), asmAMO(AMOADD_D, 0, 11, 10), uint32(ecall)))
		b.Load(&bctx, r.as)
		b.Run(100)
		if c := r.runToEcall(); c.X[6] != 0 || r.peek64(dataBase) != 2 {
			t.Errorf("sc.d after a store to another page = %d, memory %d; want 0, 2", c.X[6], r.peek64(dataBase))
		}
	})
	t.Run("stores to a page another hart holds", func(t *testing.T) {
		// B stores to A's reserved page twice away from the reserved word (the second
		// finds the page without a walk), then to the word itself: A's sc.d fails.
		// Then the page turns read-only: B's next store faults.
		r := newRig(t)
		var ctx Context
		ctx.X[10], ctx.X[11] = dataBase, 2
		r.load(ctx, asmAMO(LR_D, 5, 0, 10), asmAMO(SC_D, 6, 11, 10), uint32(ecall))
		r.h.Run(1)
		b := r.bus.NewHart()
		var bctx Context
		bctx.PC, bctx.X[10], bctx.X[11], bctx.X[12] = codeBase+0x1000, dataBase, 7, dataBase+0x100
		r.poke(codeBase+0x1000, assemble(asmS(SD, 11, 12, 0), asmS(SD, 11, 12, 8), asmS(SD, 11, 10, 0),
			asmS(SD, 11, 12, 16), uint32(ecall)))
		b.Load(&bctx, r.as)
		if s := b.Run(2); s.Reason != StopBudget || r.peek64(dataBase+0x108) != 7 {
			t.Fatalf("hart B's first stores: %v, memory %d", s.Reason, r.peek64(dataBase+0x108))
		}
		if err := r.as.Protect(dataBase, mm.PageSize, mm.PermRead); err != nil {
			t.Fatal(err)
		}
		b.Save(&bctx)
		b.Load(&bctx, r.as)
		if s := b.Run(100); s.Reason != StopFault || s.PC != codeBase+0x1008 {
			t.Fatalf("hart B's store to a read-only page: %v at 0x%x, want a fault at 0x%x", s.Reason, s.PC, codeBase+0x1008)
		}
		if err := r.as.Protect(dataBase, mm.PageSize, mm.PermRead|mm.PermWrite); err != nil {
			t.Fatal(err)
		}
		b.Save(&bctx)
		b.Load(&bctx, r.as)
		if s := b.Run(1); s.Reason != StopBudget || r.peek64(dataBase) != 7 {
			t.Fatalf("hart B's store to the reserved word: %v, memory %d", s.Reason, r.peek64(dataBase))
		}
		if c := r.runToEcall(); c.X[6] != 1 || r.peek64(dataBase) != 7 {
			t.Errorf("sc.d after hart B stored to the reserved word = %d, memory %d; want 1, 7", c.X[6], r.peek64(dataBase))
		}
	})
	t.Run("another hart's sc and amo break it too", func(t *testing.T) {
		for _, other := range []uint32{asmAMO(AMOSWAP_W, 0, 11, 10), asmAMO(SC_D, 12, 11, 10)} {
			r := newRig(t)
			var ctx Context
			ctx.X[10], ctx.X[11] = dataBase, 2
			r.load(ctx, asmAMO(LR_D, 5, 0, 10), asmAMO(SC_D, 6, 11, 10), uint32(ecall))
			r.h.Run(1)
			b := r.bus.NewHart()
			var bctx Context
			bctx.PC, bctx.X[10], bctx.X[11] = codeBase+0x1000, dataBase, 7
			// B takes its own reservation first so that its sc succeeds.
			r.poke(codeBase+0x1000, assemble(asmAMO(LR_D, 13, 0, 10), other, uint32(ecall)))
			b.Load(&bctx, r.as)
			b.Run(100)
			if c := r.runToEcall(); c.X[6] != 1 {
				t.Errorf("after hart B's 0x%08x, sc.d = %d, want 1", other, c.X[6])
			}
		}
	})
	t.Run("a context switch clears the reservation", func(t *testing.T) {
		// The kernel calls ClearReservation when it switches threads; reloading the
		// same thread after a time slice (Load alone) keeps it.
		r := newRig(t)
		var ctx Context
		ctx.X[10], ctx.X[11] = dataBase, 2
		r.load(ctx, asmAMO(LR_D, 5, 0, 10), asmAMO(SC_D, 6, 11, 10), uint32(ecall))
		r.h.Run(1)
		c := r.ctx()
		r.h.ClearReservation()
		r.h.Load(&c, r.as)
		if c := r.runToEcall(); c.X[6] != 1 {
			t.Errorf("sc.d after a context switch = %d, want 1", c.X[6])
		}
	})
	t.Run("a preempted thread resumed on its hart keeps the reservation", func(t *testing.T) {
		r := newRig(t)
		var ctx Context
		ctx.X[10], ctx.X[11] = dataBase, 2
		r.load(ctx, asmAMO(LR_D, 5, 0, 10), asmAMO(SC_D, 6, 11, 10), uint32(ecall))
		r.h.Run(1)
		c := r.ctx()
		r.h.Load(&c, r.as)
		if c := r.runToEcall(); c.X[6] != 0 {
			t.Errorf("sc.d after resuming = %d, want 0", c.X[6])
		}
	})
}

// TestAMO runs every AMO at both widths. The .w forms operate on 32 bits: rs2's upper
// half is ignored, the loaded value is sign-extended, min/max compare 32-bit values
// (signed or unsigned), and the neighbouring word is untouched.
func TestAMO(t *testing.T) {
	const hiSentinel = 0xa5a5a5a5
	type amoCase struct {
		op                 Op
		mem, rs2           uint64
		wantRd, wantMemory uint64
	}
	cases := []amoCase{
		{AMOSWAP_W, 0x80000000, 0x12345678_00000001, minI32, 1},
		{AMOADD_W, 0x7fffffff, 0xffff_00000001, 0x7fffffff, 0x80000000},
		{AMOADD_W, 0xffffffff, 1, all1, 0},
		{AMOXOR_W, 0xf0f0f0f0, 0xff, 0xffffffff_f0f0f0f0, 0xf0f0f00f},
		{AMOAND_W, 0xf0f0f0f0, 0xffff0000_ff00ff00, 0xffffffff_f0f0f0f0, 0xf000f000},
		{AMOOR_W, 0x0000000f, 0x80000000, 0xf, 0x8000000f},
		{AMOMIN_W, 0x80000000, 1, minI32, 0x80000000},
		{AMOMIN_W, 5, 0xffffffff, 5, 0xffffffff}, // -1 < 5 as 32-bit values
		{AMOMIN_W, 5, 0x1_00000003, 5, 3},
		{AMOMAX_W, 0xffffffff, 2, all1, 2},
		{AMOMAX_W, 5, 0xffffffff, 5, 5},
		{AMOMAX_W, 5, 0x7fffffff_00000001, 5, 5}, // upper half ignored
		{AMOMINU_W, 0x80000000, 1, minI32, 1},
		{AMOMINU_W, 1, 0xffffffff_80000000, 1, 1},
		{AMOMINU_W, 0x80000000, 0x1_7fffffff, minI32, 0x7fffffff},
		{AMOMAXU_W, 0x7fffffff, 0xffffffff, 0x7fffffff, 0xffffffff},
		{AMOMAXU_W, 0xffffffff, 1, all1, 0xffffffff},
		{AMOMAXU_W, 0x80000000, 0xffffffff_7fffffff, minI32, 0x80000000},
		{AMOSWAP_D, minI64, 7, minI64, 7},
		{AMOADD_D, all1, 2, all1, 1},
		{AMOXOR_D, 0xff00, 0x0ff0, 0xff00, 0xf0f0},
		{AMOAND_D, all1, 0x1234_0000_5678, all1, 0x1234_0000_5678},
		{AMOOR_D, minI64, 1, minI64, minI64 | 1},
		{AMOMIN_D, minI64, 1, minI64, minI64},
		{AMOMIN_D, 1, all1, 1, all1},
		{AMOMAX_D, all1, 0, all1, 0},
		{AMOMAX_D, 0x7fffffff_ffffffff, minI64, 0x7fffffff_ffffffff, 0x7fffffff_ffffffff},
		{AMOMINU_D, minI64, 1, minI64, 1},
		{AMOMINU_D, 0xffffffff, 0x1_00000000, 0xffffffff, 0xffffffff},
		{AMOMAXU_D, 1, minI64, 1, minI64},
		{AMOMAXU_D, 0x1_00000000, 0xffffffff, 0x1_00000000, 0x1_00000000},
	}
	for _, c := range cases {
		r := newRig(t)
		wide := c.op >= LR_D
		if wide {
			r.poke64(dataBase, c.mem)
		} else {
			r.poke64(dataBase, hiSentinel<<32|c.mem&0xffffffff)
		}
		var ctx Context
		ctx.X[10], ctx.X[11] = dataBase, c.rs2
		r.load(ctx, asmAMO(c.op, 5, 11, 10), uint32(ecall))
		got := r.runToEcall()
		mem := r.peek64(dataBase)
		wantMem := c.wantMemory
		if !wide {
			wantMem = hiSentinel<<32 | wantMem
		}
		if got.X[5] != c.wantRd || mem != wantMem {
			t.Errorf("%v(mem 0x%x, rs2 0x%x) = rd 0x%x, memory 0x%x; want 0x%x, 0x%x",
				c.op, c.mem, c.rs2, got.X[5], mem, c.wantRd, wantMem)
		}
		if got.X[11] != c.rs2 {
			t.Errorf("%v changed rs2", c.op)
		}
	}
	// rd == rs2: the old value lands in rd after rs2 was read.
	var ctx Context
	ctx.X[10], ctx.X[11] = dataBase, 5
	r := newRig(t)
	r.poke64(dataBase, 10)
	r.load(ctx, asmAMO(AMOADD_D, 11, 11, 10), uint32(ecall))
	if c := r.runToEcall(); c.X[11] != 10 || r.peek64(dataBase) != 15 {
		t.Errorf("amoadd.d x11, x11, (x10) = x11 %d, memory %d; want 10, 15", c.X[11], r.peek64(dataBase))
	}
	// rd = x0: memory is still updated.
	r = newRig(t)
	r.poke64(dataBase, 10)
	r.load(ctx, asmAMO(AMOADD_D, 0, 11, 10), uint32(ecall))
	if c := r.runToEcall(); c.X[0] != 0 || r.peek64(dataBase) != 15 {
		t.Errorf("amoadd.d x0, x11, (x10): x0 = %d, memory %d; want 0, 15", c.X[0], r.peek64(dataBase))
	}
}

// TestAtomicFaults: atomics must be naturally aligned (StopMisaligned, with the address
// and access), and fault like stores on bad pages.
func TestAtomicFaults(t *testing.T) {
	for _, c := range []struct {
		name   string
		insn   uint32
		addr   uint64
		reason StopReason
		fault  mm.Fault
	}{
		{"amoadd.w +2", asmAMO(AMOADD_W, 5, 11, 10), dataBase + 2, StopMisaligned, mm.Fault{Addr: dataBase + 2, Access: mm.Store}},
		{"amoswap.d +4", asmAMO(AMOSWAP_D, 5, 11, 10), dataBase + 4, StopMisaligned, mm.Fault{Addr: dataBase + 4, Access: mm.Store}},
		{"amomaxu.d +1", asmAMO(AMOMAXU_D, 5, 11, 10), dataBase + 1, StopMisaligned, mm.Fault{Addr: dataBase + 1, Access: mm.Store}},
		{"lr.d +4", asmAMO(LR_D, 5, 0, 10), dataBase + 4, StopMisaligned, mm.Fault{Addr: dataBase + 4, Access: mm.Load}},
		{"lr.w +1", asmAMO(LR_W, 5, 0, 10), dataBase + 1, StopMisaligned, mm.Fault{Addr: dataBase + 1, Access: mm.Load}},
		{"sc.w +3", asmAMO(SC_W, 5, 11, 10), dataBase + 3, StopMisaligned, mm.Fault{Addr: dataBase + 3, Access: mm.Store}},
		{"amoadd.w read-only", asmAMO(AMOADD_W, 5, 11, 10), roBase, StopFault, mm.Fault{Addr: roBase, Access: mm.Store, Kind: mm.Protection}},
		{"sc.d read-only", asmAMO(SC_D, 5, 11, 10), roBase, StopFault, mm.Fault{Addr: roBase, Access: mm.Store, Kind: mm.Protection}},
		{"lr.d unmapped", asmAMO(LR_D, 5, 0, 10), 0x90000, StopFault, mm.Fault{Addr: 0x90000, Access: mm.Load, Kind: mm.Unmapped}},
		{"amoor.d unmapped", asmAMO(AMOOR_D, 5, 11, 10), 0x90008, StopFault, mm.Fault{Addr: 0x90008, Access: mm.Store, Kind: mm.Unmapped}},
	} {
		r := newRig(t)
		var ctx Context
		ctx.X[10], ctx.X[11], ctx.X[5] = c.addr, 1, 1234
		r.load(ctx, asmI(ADDI, 6, 0, 1), c.insn, uint32(ecall))
		stop := r.h.Run(100)
		if stop.Reason != c.reason || stop.PC != codeBase+4 || stop.Fault != c.fault {
			t.Errorf("%s: Run = %v at 0x%x %+v; want %v at 0x%x %+v", c.name, stop.Reason, stop.PC, stop.Fault,
				c.reason, codeBase+4, c.fault)
		}
		if x := r.ctx(); x.X[5] != 1234 || x.X[6] != 1 || x.PC != codeBase+4 {
			t.Errorf("%s: rd = %d, x6 = %d, pc = 0x%x; want rd untouched, the addi retired, pc at the atomic", c.name, x.X[5], x.X[6], x.PC)
		}
	}
}

// ---- Memory. ----

// TestPageCrossing: loads and stores that straddle two pages, and one that straddles
// into an unmapped page (which faults and writes nothing).
func TestPageCrossing(t *testing.T) {
	r := newRig(t)
	var ctx Context
	ctx.X[10] = dataBase + mm.PageSize - 4
	ctx.X[11] = 0x0102030405060708
	ctx.F[1] = 0xdeadbeef_cafef00d
	r.load(ctx,
		asmS(SD, 11, 10, 0), // straddles dataBase+0x1000
		asmI(LD, 5, 10, 0),
		asmI(LW, 6, 10, 2),  // 0x01020304_0506 -> bytes 06 05 04 03 at +2..+5
		asmI(LH, 7, 10, 3),  // +3..+4
		asmI(LWU, 8, 10, 1), // +1..+4
		asmS(FSD, 1, 10, -2),
		asmI(FLD, 2, 10, -2),
		asmS(SH, 11, 10, 3), // 0x0708 at +3..+4
		asmI(LD, 9, 10, 0),
		uint32(ecall))
	c := r.runToEcall()
	for _, w := range []struct {
		what      string
		got, want uint64
	}{
		{"ld", c.X[5], 0x0102030405060708},
		{"lw +2", c.X[6], 0x03040506},
		{"lh +3", c.X[7], 0x0405},
		{"lwu +1", c.X[8], 0x04050607},
		{"fld", c.F[2], 0xdeadbeef_cafef00d},
		{"ld after fsd and sh", c.X[9], 0x0102de0708efcafe},
	} {
		if w.got != w.want {
			t.Errorf("%s across the page boundary = 0x%x, want 0x%x", w.what, w.got, w.want)
		}
	}

	// Into an unmapped page.
	for _, tc := range []struct {
		name   string
		insn   uint32
		access mm.Access
	}{
		{"sd", asmS(SD, 11, 10, 0), mm.Store},
		{"sw", asmS(SW, 11, 10, 2), mm.Store},
		{"ld", asmI(LD, 5, 10, 0), mm.Load},
		{"lh", asmI(LH, 5, 10, 3), mm.Load},
	} {
		r := newRig(t)
		r.poke64(loneBase+mm.PageSize-8, 0x1111111111111111)
		var ctx Context
		ctx.X[10], ctx.X[11] = loneBase+mm.PageSize-4, all1
		r.load(ctx, tc.insn, uint32(ecall))
		stop := r.h.Run(100)
		end := uint64(loneBase + mm.PageSize)
		if stop.Reason != StopFault || stop.PC != codeBase || stop.Fault.Access != tc.access ||
			stop.Fault.Kind != mm.Unmapped || stop.Fault.Addr < end || stop.Fault.Addr >= end+8 {
			t.Errorf("%s into an unmapped page: %v at 0x%x %+v; want a %v fault in the unmapped page", tc.name,
				stop.Reason, stop.PC, stop.Fault, tc.access)
		}
		if m := r.peek64(loneBase + mm.PageSize - 8); m != 0x1111111111111111 {
			t.Errorf("%s: a faulting store wrote 0x%x", tc.name, m)
		}
	}
}

// TestFaults: stores to unmapped or read-only memory, loads from unmapped memory, and
// fetches from non-executable or unmapped pages stop the hart with the fault.
func TestFaults(t *testing.T) {
	for _, c := range []struct {
		name   string
		code   []any
		x10    uint64
		wantPC uint64
		fault  mm.Fault
	}{
		{"store unmapped", []any{asmS(SD, 11, 10, 8)}, 0x90000, codeBase, mm.Fault{Addr: 0x90008, Access: mm.Store, Kind: mm.Unmapped}},
		{"store read-only", []any{asmS(SW, 11, 10, 4)}, roBase, codeBase, mm.Fault{Addr: roBase + 4, Access: mm.Store, Kind: mm.Protection}},
		{"fsd read-only", []any{asmS(FSD, 1, 10, 0)}, roBase, codeBase, mm.Fault{Addr: roBase, Access: mm.Store, Kind: mm.Protection}},
		{"c.sd read-only", []any{cSD(11, 10, 8)}, roBase, codeBase, mm.Fault{Addr: roBase + 8, Access: mm.Store, Kind: mm.Protection}},
		{"load unmapped", []any{asmI(LBU, 5, 10, -1)}, 0x90000, codeBase, mm.Fault{Addr: 0x8ffff, Access: mm.Load, Kind: mm.Unmapped}},
		{"load high", []any{asmI(LD, 5, 10, 0)}, 1 << 62, codeBase, mm.Fault{Addr: 1 << 62, Access: mm.Load, Kind: mm.Unmapped}},
		{"fetch non-exec", []any{asmI(JALR, 1, 10, 0)}, dataBase, dataBase, mm.Fault{Addr: dataBase, Access: mm.Fetch, Kind: mm.Protection}},
		{"fetch read-only", []any{asmI(JALR, 1, 10, 0)}, roBase, roBase, mm.Fault{Addr: roBase, Access: mm.Fetch, Kind: mm.Protection}},
		{"fetch unmapped", []any{asmI(JALR, 1, 10, 0)}, 0x90000, 0x90000, mm.Fault{Addr: 0x90000, Access: mm.Fetch, Kind: mm.Unmapped}},
	} {
		r := newRig(t)
		// A load first, so the read TLB holds the page a store then faults on.
		var ctx Context
		ctx.X[10], ctx.X[11], ctx.X[12] = c.x10, 0x55, roBase
		r.poke(codeBase+0x100, assemble(uint32(ecall)))
		r.load(ctx, append([]any{asmI(LD, 13, 12, 0)}, c.code...)...)
		stop := r.h.Run(100)
		wantPC := c.wantPC
		if wantPC == codeBase {
			wantPC = codeBase + 4
		}
		if stop.Reason != StopFault || stop.PC != wantPC || stop.Fault != c.fault {
			t.Errorf("%s: Run = %v at 0x%x %+v; want fault at 0x%x %+v", c.name, stop.Reason, stop.PC, stop.Fault, wantPC, c.fault)
		}
		if x := r.ctx(); x.PC != wantPC {
			t.Errorf("%s: saved pc 0x%x, want 0x%x", c.name, x.PC, wantPC)
		}
	}
	// The fault leaves read-only memory alone.
	r := newRig(t)
	var ctx Context
	ctx.X[10], ctx.X[11] = roBase, all1
	r.load(ctx, asmS(SD, 11, 10, 0), uint32(ecall))
	r.h.Run(10)
	if m := r.peek64(roBase); m != 0x8877665544332211 {
		t.Errorf("read-only page changed to 0x%x", m)
	}
}

// TestFetchAcrossPages: a 4-byte instruction may straddle two pages; if the second is
// unmapped, the fetch faults at the instruction with the second page's address.
func TestFetchAcrossPages(t *testing.T) {
	r := newRig(t)
	r.load(Context{},
		asmJAL(0, mm.PageSize-2), // to codeBase+0xffe
		uint32(ecall))
	r.poke(codeBase+mm.PageSize-2, assemble(asmI(ADDI, 5, 0, 42), asmI(ADDI, 6, 5, 1), uint32(ecall)))
	c := r.runToEcall()
	if c.X[5] != 42 || c.X[6] != 43 || c.PC != codeBase+mm.PageSize+6 {
		t.Errorf("straddling addi: x5=%d x6=%d pc=0x%x; want 42, 43, 0x%x", c.X[5], c.X[6], c.PC, codeBase+mm.PageSize+6)
	}
	// Run it again from the start: the decode cache must still handle it.
	c.PC = codeBase
	c.X[5], c.X[6] = 0, 0
	r.h.Load(&c, r.as)
	if c := r.runToEcall(); c.X[5] != 42 || c.X[6] != 43 {
		t.Errorf("second run: x5=%d x6=%d", c.X[5], c.X[6])
	}

	r = newRig(t)
	r.poke(xcodeBase+mm.PageSize-4, assemble(cLI(5, 1), c16(0x0013))) // then the lower half of a 4-byte addi
	r.load(Context{PC: xcodeBase + mm.PageSize - 4})
	stop := r.h.Run(100)
	want := mm.Fault{Addr: xcodeBase + mm.PageSize, Access: mm.Fetch, Kind: mm.Unmapped}
	if stop.Reason != StopFault || stop.PC != xcodeBase+mm.PageSize-2 || stop.Fault != want || r.h.Retired != 1 {
		t.Errorf("straddling into an unmapped page: %v at 0x%x %+v, retired %d; want fault at 0x%x %+v, 1 retired",
			stop.Reason, stop.PC, stop.Fault, r.h.Retired, xcodeBase+mm.PageSize-2, want)
	}
	// A compressed instruction in the last halfword runs; the next fetch faults.
	r = newRig(t)
	r.poke(xcodeBase+mm.PageSize-2, assemble(cLI(5, 3)))
	r.load(Context{PC: xcodeBase + mm.PageSize - 2})
	stop = r.h.Run(100)
	if stop.Reason != StopFault || stop.PC != xcodeBase+mm.PageSize || r.ctx().X[5] != 3 {
		t.Errorf("c.li at the end of the page: %v at 0x%x, x5=%d", stop.Reason, stop.PC, r.ctx().X[5])
	}
}

// ---- Control. ----

func TestIllegalAndEbreak(t *testing.T) {
	for _, c := range []struct {
		name   string
		code   []any
		reason StopReason
		pc     uint64
		insn   uint32
	}{
		{"all-ones", []any{uint32(0xffffffff)}, StopIllegal, codeBase + 4, 0xffffffff},
		{"c.unimp (0x0000)", []any{uint32(0x12340000)}, StopIllegal, codeBase + 4, 0},
		{"reserved compressed (q0 funct3=100)", []any{c16(0x8000), c16(0x1234)}, StopIllegal, codeBase + 4, 0x8000},
		{"c.addi16sp 0", []any{c16(0x6101)}, StopIllegal, codeBase + 4, 0x6101},
		{"wfi", []any{uint32(0x10500073)}, StopIllegal, codeBase + 4, 0x10500073},
		{"mret", []any{uint32(0x30200073)}, StopIllegal, codeBase + 4, 0x30200073},
		{"zba sh1add", []any{uint32(0x20a5a2b3)}, StopIllegal, codeBase + 4, 0x20a5a2b3},
		{"vector", []any{uint32(0x0005f057)}, StopIllegal, codeBase + 4, 0x0005f057},
		{"ebreak", []any{uint32(ebreak)}, StopEbreak, codeBase + 4, 0},
		{"c.ebreak", []any{cEBREAK}, StopEbreak, codeBase + 4, 0},
		{"ecall", []any{uint32(ecall)}, StopEcall, codeBase + 4, 0},
	} {
		r := newRig(t)
		r.load(Context{}, append([]any{asmI(ADDI, 5, 0, 9)}, c.code...)...)
		stop := r.h.Run(100)
		if stop.Reason != c.reason || stop.PC != c.pc || stop.Insn != c.insn {
			t.Errorf("%s: Run = %v at 0x%x insn 0x%x; want %v at 0x%x insn 0x%x", c.name, stop.Reason, stop.PC, stop.Insn,
				c.reason, c.pc, c.insn)
		}
		if x := r.ctx(); x.PC != c.pc || x.X[5] != 9 || r.h.Retired != 1 {
			t.Errorf("%s: pc=0x%x x5=%d retired=%d; want 0x%x, 9, 1", c.name, x.PC, x.X[5], r.h.Retired, c.pc)
		}
	}
}

// TestX0 writes x0 with every kind of instruction; it must read as zero throughout.
func TestX0(t *testing.T) {
	r := newRig(t)
	r.poke64(dataBase, 0x1234)
	var ctx Context
	ctx.X[10], ctx.X[11] = dataBase, 7
	ctx.F[1] = one64
	r.load(ctx,
		asmI(ADDI, 0, 0, 5),
		asmI(ADDI, 5, 0, 0), // x5 = x0
		asmU(LUI, 0, 0x12345000),
		asmU(AUIPC, 0, 0x1000),
		asmR(ADD, 0, 10, 11),
		asmI(LD, 0, 10, 0),
		asmR(MUL, 0, 11, 11),
		asmR(DIV, 0, 11, 0),
		asmCSR(CSRRS, 0, 0xc02, 0),
		asmAMO(LR_D, 0, 0, 10),
		asmAMO(SC_D, 0, 11, 10),     // succeeds: memory = 7
		asmAMO(AMOADD_D, 0, 11, 10), // memory = 14
		asmFP(FCVT_L_D, 0, 1, 0, 0),
		asmFP(FMV_X_D, 0, 1, 0, 0),
		asmFP(FEQ_D, 0, 1, 1, 0),
		asmFP(FCLASS_D, 0, 1, 0, 0),
		cLI(0, 5),   // HINT
		cMV(0, 11),  // HINT
		cADD(0, 11), // HINT
		cLUI(0, 0x1000),
		cSLLI(0, 3),
		asmJAL(0, 4),
		asmR(ADD, 6, 0, 0), // x6 = x0 + x0
		asmR(SUB, 7, 11, 0),
		uint32(ecall))
	c := r.runToEcall()
	if c.X[0] != 0 || c.X[5] != 0 || c.X[6] != 0 || c.X[7] != 7 {
		t.Errorf("x0 = %d, x5 = %d, x6 = %d, x7 = %d; want 0, 0, 0, 7", c.X[0], c.X[5], c.X[6], c.X[7])
	}
	if m := r.peek64(dataBase); m != 14 {
		t.Errorf("sc and amoadd with rd=x0 left memory 0x%x, want 14", m)
	}
	// Context.X[0] is ignored on Load.
	ctx = Context{}
	ctx.X[0] = 99
	if c := run1(t, ctx, asmR(ADD, 5, 0, 0), uint32(ecall)); c.X[5] != 0 || c.X[0] != 0 {
		t.Errorf("after loading X[0]=99: x0 reads %d", c.X[5])
	}
}

// TestJumps: jal/jalr link pc+4 (c.jalr pc+2), jalr clears bit 0 of the target and reads
// rs1 before writing rd.
func TestJumps(t *testing.T) {
	base := uint64(codeBase)
	var ctx Context
	ctx.X[16] = 3
	c := run1(t, ctx,
		asmJAL(3, 8),           // 0x00: x3 = base+4, to 0x08
		uint32(ecall),          // 0x04 (skipped)
		asmU(AUIPC, 5, 0),      // 0x08: x5 = base+8
		asmI(JALR, 6, 5, 9),    // 0x0c: to (base+0x11)&^1 = base+0x10; x6 = base+0x10
		asmU(AUIPC, 7, 0),      // 0x10: x7 = base+0x10
		asmI(JALR, 7, 7, 13),   // 0x14: to (base+0x1d)&^1 = base+0x1c; x7 = base+0x18
		uint32(ecall),          // 0x18 (skipped)
		asmU(AUIPC, 8, 0),      // 0x1c: x8 = base+0x1c
		cADDI(8, 10),           // 0x20: x8 = base+0x26
		cJALR(8),               // 0x22: x1 = base+0x24, to 0x26
		c16(0),                 // 0x24 (skipped)
		cADDI(9, 1),            // 0x26: x9 = 1
		asmJAL(0, 8),           // 0x28: to 0x30
		uint32(0),              // 0x2c (skipped)
		asmU(AUIPC, 12, 0),     // 0x30: x12 = base+0x30
		asmI(ADDI, 12, 12, 16), // 0x34: x12 = base+0x40
		cJR(12),                // 0x38: to 0x40
		c16(0), uint32(0),      // 0x3a..0x3f (skipped)
		asmJAL(13, 8),         // 0x40: x13 = base+0x44, to 0x48
		uint32(0),             // 0x44 (skipped)
		asmI(ADDI, 14, 14, 1), // 0x48: loop body
		asmB(BLT, 14, 16, -4), // 0x4c: back while x14 < 3
		uint32(ecall))         // 0x50
	for _, w := range []struct {
		what      string
		got, want uint64
	}{
		{"jal link", c.X[3], base + 4}, {"auipc", c.X[5], base + 8}, {"jalr link", c.X[6], base + 0x10},
		{"jalr rd=rs1 link", c.X[7], base + 0x18}, {"c.jalr link", c.X[1], base + 0x24}, {"after c.jalr", c.X[9], 1},
		{"jal link 2", c.X[13], base + 0x44}, {"loop count", c.X[14], 3}, {"final pc", c.PC, base + 0x50},
	} {
		if w.got != w.want {
			t.Errorf("%s = 0x%x, want 0x%x", w.what, w.got, w.want)
		}
	}
}

// ---- Compressed instructions. ----

type progCase struct {
	name  string
	init  func(*Context)
	code  []any
	wantX map[int]uint64
	wantF map[int]uint64
}

func runProgCases(t *testing.T, cases []progCase) {
	t.Helper()
	for _, c := range cases {
		var ctx Context
		ctx.X[2] = stackTop - 1024
		if c.init != nil {
			c.init(&ctx)
		}
		got := run1(t, ctx, append(c.code, uint32(ecall))...)
		for reg, want := range c.wantX {
			if got.X[reg] != want {
				t.Errorf("%s: x%d = 0x%x, want 0x%x", c.name, reg, got.X[reg], want)
			}
		}
		for reg, want := range c.wantF {
			if got.F[reg] != want {
				t.Errorf("%s: f%d = 0x%x, want 0x%x", c.name, reg, got.F[reg], want)
			}
		}
	}
}

func TestCompressed(t *testing.T) {
	sp := uint64(stackTop - 1024)
	runProgCases(t, []progCase{
		{name: "c.addi4spn", code: []any{cADDI4SPN(8, 1020), cADDI4SPN(15, 4)},
			wantX: map[int]uint64{8: sp + 1020, 15: sp + 4}},
		{name: "sp-relative loads and stores",
			init: func(c *Context) { c.X[9] = neg(-5); c.F[1] = one64 },
			code: []any{cSDSP(9, 8), cLDSP(10, 8), cSWSP(9, 252), cLWSP(11, 252), cFSDSP(1, 504), cFLDSP(2, 504),
				asmI(LWU, 12, 2, 252), asmI(LD, 13, 2, 504)},
			wantX: map[int]uint64{10: neg(-5), 11: neg(-5), 12: 0xfffffffb, 13: one64}, wantF: map[int]uint64{2: one64}},
		{name: "register-relative loads and stores",
			init:  func(c *Context) { c.X[8] = dataBase; c.X[9] = 0x12345678_80000001; c.F[9] = one64 },
			code:  []any{cSW(9, 8, 124), cLW(10, 8, 124), cSD(9, 8, 248), cLD(11, 8, 248), cFSD(9, 8, 0), cFLD(10, 8, 0)},
			wantX: map[int]uint64{10: 0xffffffff_80000001, 11: 0x12345678_80000001}, wantF: map[int]uint64{10: one64}},
		{name: "c.li/c.lui/c.addi/c.addiw/c.addi16sp",
			init: func(c *Context) { c.X[20] = 0x7fffffff },
			code: []any{cLI(5, -32), cLI(6, 31), cLUI(7, 0x1f000), cLUI(16, -0x20000), cADDI(5, 31), cADDIW(20, 1),
				cADDI16SP(-512), cADDI16SP(496), cADDI(0, 0) /* c.nop */},
			wantX: map[int]uint64{5: all1, 6: 31, 7: 0x1f000, 16: 0xffffffff_fffe0000, 20: minI32, 2: sp - 16}},
		{name: "c.slli/c.srli/c.srai/c.andi",
			init:  func(c *Context) { c.X[18] = 1; c.X[9] = neg(-5); c.X[10] = neg(-5); c.X[11] = neg(-5); c.X[12] = 0xff },
			code:  []any{cSLLI(18, 63), cSRLI(9, 60), cSRAI(10, 1), cANDI(11, -2), cANDI(12, 0x1f)},
			wantX: map[int]uint64{18: minI64, 9: 0xf, 10: neg(-3), 11: neg(-6), 12: 0x1f}},
		{name: "c.mv/c.add and the CA ops",
			init: func(c *Context) {
				c.X[20] = 5
				c.X[8], c.X[9] = 10, 3
				c.X[10], c.X[11] = 0xf0, 0x7fffffff
				c.X[12], c.X[13] = 0xf0, 1
				c.X[14], c.X[15] = 0xf0, 0x3c
			},
			code: []any{cMV(21, 20), cADD(21, 20),
				cArith(0, 0, 8, 9),   // c.sub x8, x9: 7
				cArith(0, 1, 10, 12), // c.xor x10, x12: 0
				cArith(0, 2, 12, 13), // c.or x12, x13: 0xf1
				cArith(0, 3, 14, 15), // c.and x14, x15: 0x30
				cArith(1, 0, 9, 15),  // c.subw x9, x15: 3-0x3c
				cArith(1, 1, 11, 13), // c.addw x11, x13: overflow
			},
			wantX: map[int]uint64{21: 10, 8: 7, 10: 0, 12: 0xf1, 14: 0x30, 9: neg(-57), 11: minI32}},
		{name: "c.beqz/c.bnez/c.j",
			init: func(c *Context) { c.X[8] = 1 },
			code: []any{
				cBEQZ(13, 4), cLI(14, 1), // taken: skips
				cBNEZ(8, 4), cLI(15, 1), // taken
				cBEQZ(8, 4), cLI(16, 2), // not taken
				cBNEZ(13, 4), cLI(17, 3), // not taken
				cJ(4), cLI(14, 2), // skipped
				cJ(6), uint32(0), // over a 32-bit word
				cJ(4), cJ(4), cJ(-2), // forward, then back into the middle
			},
			wantX: map[int]uint64{14: 0, 15: 0, 16: 2, 17: 3}},
	})
}

// TestCompressedEncoders checks the compressed encoders above against Decode (which the
// cross-check validates against riscv64asm), so the programs mean what they say.
func TestCompressedEncoders(t *testing.T) {
	for _, c := range []struct {
		bits c16
		want Inst
	}{
		{cADDI4SPN(8, 1020), Inst{Op: ADDI, Rd: 8, Rs1: 2, Imm: 1020}},
		{cLW(9, 10, 124), Inst{Op: LW, Rd: 9, Rs1: 10, Imm: 124}},
		{cLD(9, 10, 248), Inst{Op: LD, Rd: 9, Rs1: 10, Imm: 248}},
		{cFLD(9, 10, 248), Inst{Op: FLD, Rd: 9, Rs1: 10, Imm: 248}},
		{cSW(9, 10, 124), Inst{Op: SW, Rs2: 9, Rs1: 10, Imm: 124}},
		{cSD(15, 8, 248), Inst{Op: SD, Rs2: 15, Rs1: 8, Imm: 248}},
		{cFSD(15, 8, 8), Inst{Op: FSD, Rs2: 15, Rs1: 8, Imm: 8}},
		{cADDI(5, -32), Inst{Op: ADDI, Rd: 5, Rs1: 5, Imm: -32}},
		{cADDIW(5, 31), Inst{Op: ADDIW, Rd: 5, Rs1: 5, Imm: 31}},
		{cLI(5, -1), Inst{Op: ADDI, Rd: 5, Imm: -1}},
		{cLUI(5, -4096), Inst{Op: LUI, Rd: 5, Imm: -4096}},
		{cLUI(31, 0x1f000), Inst{Op: LUI, Rd: 31, Imm: 0x1f000}},
		{cADDI16SP(-512), Inst{Op: ADDI, Rd: 2, Rs1: 2, Imm: -512}},
		{cADDI16SP(496), Inst{Op: ADDI, Rd: 2, Rs1: 2, Imm: 496}},
		{cADDI16SP(16 + 32 + 64 + 128 + 256), Inst{Op: ADDI, Rd: 2, Rs1: 2, Imm: 496}},
		{cSRLI(8, 63), Inst{Op: SRLI, Rd: 8, Rs1: 8, Imm: 63}},
		{cSRAI(15, 1), Inst{Op: SRAI, Rd: 15, Rs1: 15, Imm: 1}},
		{cANDI(9, -32), Inst{Op: ANDI, Rd: 9, Rs1: 9, Imm: -32}},
		{cArith(0, 0, 8, 9), Inst{Op: SUB, Rd: 8, Rs1: 8, Rs2: 9}},
		{cArith(0, 1, 8, 9), Inst{Op: XOR, Rd: 8, Rs1: 8, Rs2: 9}},
		{cArith(0, 2, 8, 9), Inst{Op: OR, Rd: 8, Rs1: 8, Rs2: 9}},
		{cArith(0, 3, 8, 9), Inst{Op: AND, Rd: 8, Rs1: 8, Rs2: 9}},
		{cArith(1, 0, 8, 9), Inst{Op: SUBW, Rd: 8, Rs1: 8, Rs2: 9}},
		{cArith(1, 1, 8, 9), Inst{Op: ADDW, Rd: 8, Rs1: 8, Rs2: 9}},
		{cJ(-2048), Inst{Op: JAL, Imm: -2048}},
		{cJ(2046), Inst{Op: JAL, Imm: 2046}},
		{cJ(0x2aa), Inst{Op: JAL, Imm: 0x2aa}},
		{cJ(0x554), Inst{Op: JAL, Imm: 0x554}},
		{cBEQZ(8, -256), Inst{Op: BEQ, Rs1: 8, Imm: -256}},
		{cBNEZ(15, 254), Inst{Op: BNE, Rs1: 15, Imm: 254}},
		{cBEQZ(9, 0xaa), Inst{Op: BEQ, Rs1: 9, Imm: 0xaa}},
		{cSLLI(5, 63), Inst{Op: SLLI, Rd: 5, Rs1: 5, Imm: 63}},
		{cLWSP(5, 252), Inst{Op: LW, Rd: 5, Rs1: 2, Imm: 252}},
		{cLWSP(5, 0x54), Inst{Op: LW, Rd: 5, Rs1: 2, Imm: 0x54}},
		{cLDSP(5, 504), Inst{Op: LD, Rd: 5, Rs1: 2, Imm: 504}},
		{cFLDSP(5, 0x148), Inst{Op: FLD, Rd: 5, Rs1: 2, Imm: 0x148}},
		{cSWSP(5, 252), Inst{Op: SW, Rs2: 5, Rs1: 2, Imm: 252}},
		{cSDSP(5, 504), Inst{Op: SD, Rs2: 5, Rs1: 2, Imm: 504}},
		{cFSDSP(5, 0x148), Inst{Op: FSD, Rs2: 5, Rs1: 2, Imm: 0x148}},
		{cJR(5), Inst{Op: JALR, Rs1: 5}},
		{cJALR(5), Inst{Op: JALR, Rd: 1, Rs1: 5}},
		{cMV(5, 6), Inst{Op: ADD, Rd: 5, Rs2: 6}},
		{cADD(5, 6), Inst{Op: ADD, Rd: 5, Rs1: 5, Rs2: 6}},
		{cEBREAK, Inst{Op: EBREAK}},
	} {
		got := Decode(uint32(c.bits))
		if got.Op != c.want.Op || got.Len != 2 || fmt.Sprint(ourOperands(got)) != fmt.Sprint(ourOperands(c.want)) {
			t.Errorf("Decode(0x%04x) = %v %v, want %v %v", uint16(c.bits), got.Op, ourOperands(got), c.want.Op, ourOperands(c.want))
		}
	}
}

// TestEncodersRoundTrip checks the 32-bit encoder against Decode for every op.
func TestEncodersRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for op := LUI; op < opCross; op++ {
		for range 20 {
			in := Inst{Op: op, Rd: uint8(r.IntN(32)), Rs1: uint8(r.IntN(32)), Rs2: uint8(r.IntN(32)), Rs3: uint8(r.IntN(32))}
			switch op {
			case LUI, AUIPC:
				in.Imm = int64(int32(r.Uint32() &^ 0xfff))
			case JAL:
				in.Imm = int64(r.IntN(1<<20)-1<<19) * 2
			case BEQ, BNE, BLT, BGE, BLTU, BGEU:
				in.Imm = int64(r.IntN(1<<12)-1<<11) * 2
			case SLLI, SRLI, SRAI:
				in.Imm = int64(r.IntN(64))
			case SLLIW, SRLIW, SRAIW:
				in.Imm = int64(r.IntN(32))
			case CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI:
				in.Imm = int64(r.IntN(4096))
			case FENCE:
				in.Imm = int64(r.IntN(256))
			default:
				in.Imm = int64(r.IntN(4096) - 2048)
			}
			if opClass[op]&hasRM != 0 {
				in.RM = []uint8{0, 1, 2, 3, 4, 7}[r.IntN(6)]
			}
			if op >= LR_W && op <= AMOMAXU_D {
				in.RM = uint8(r.IntN(4))
				if op == LR_W || op == LR_D {
					in.Rs2 = 0
				}
			}
			bits := encode(in)
			got := Decode(bits)
			if got.Op != op || fmt.Sprint(ourOperands(got)) != fmt.Sprint(ourOperands(in)) ||
				(opClass[op]&hasRM != 0 || op >= LR_W && op <= AMOMAXU_D) && got.RM != in.RM {
				t.Fatalf("encode(%v) = 0x%08x, which decodes as %v", in, bits, got)
			}
		}
	}
}

// ---- Self-modifying code and the budget. ----

func TestSelfModifyingCode(t *testing.T) {
	newInsn := asmI(ADDI, 5, 0, 2)
	var ctx Context
	ctx.X[7], ctx.X[8] = uint64(newInsn), codeBase
	c := run1(t, ctx,
		asmI(ADDI, 5, 0, 1), // 0x00: replaced by addi x5, x0, 2
		asmB(BNE, 6, 0, 24), // 0x04: second time round: to 0x1c
		asmI(ADDI, 6, 0, 1), // 0x08
		asmS(SW, 7, 8, 0),   // 0x0c: overwrite 0x00
		uint32(fenceI),      // 0x10
		asmJAL(0, -20),      // 0x14: to 0x00
		uint32(ebreak),      // 0x18
		asmI(ADDI, 9, 5, 0), // 0x1c: x9 = x5
		uint32(ecall))
	if c.X[9] != 2 {
		t.Errorf("after storing a new instruction and fence.i, it computed x5 = %d, want 2", c.X[9])
	}

	// A compressed instruction rewritten with a halfword store, in the same page as
	// the code that rewrites it.
	newC := cLI(5, 9)
	ctx = Context{}
	ctx.X[7], ctx.X[8] = uint64(newC), codeBase
	c = run1(t, ctx,
		cLI(5, 1),           // 0x00
		c16(0x0001),         // 0x02: c.nop
		asmB(BNE, 6, 0, 24), // 0x04: to 0x1c
		asmI(ADDI, 6, 0, 1), // 0x08
		asmS(SH, 7, 8, 0),   // 0x0c
		uint32(fenceI),      // 0x10
		asmJAL(0, -20),      // 0x14
		uint32(ebreak),      // 0x18
		asmI(ADDI, 9, 5, 0), // 0x1c
		uint32(ecall))
	if c.X[9] != 9 {
		t.Errorf("rewritten c.li computed x5 = %d, want 9", c.X[9])
	}

	// The kernel writing code between runs (mm.WriteAt, as a read(2) into a mapping
	// would) invalidates what the hart decoded.
	r := newRig(t)
	r.load(Context{}, asmI(ADDI, 5, 0, 1), uint32(ecall))
	r.runToEcall()
	if err := r.as.WriteAt(assemble(asmI(ADDI, 5, 0, 3)), codeBase); err != nil {
		t.Fatal(err)
	}
	r.h.Load(&Context{PC: codeBase}, r.as)
	if c := r.runToEcall(); c.X[5] != 3 {
		t.Errorf("after the kernel rewrote the code, x5 = %d, want 3", c.X[5])
	}

	// Another hart's store to code this hart has decoded, then fence.i on this hart.
	r = newRig(t)
	r.load(Context{}, asmI(ADDI, 5, 0, 1), uint32(fenceI), asmJAL(0, -8))
	r.h.Run(3) // decoded and ran once, back at 0x00
	b := r.bus.NewHart()
	var bctx Context
	bctx.PC, bctx.X[7], bctx.X[8] = codeBase+0x1000, uint64(asmI(ADDI, 5, 0, 4)), codeBase
	r.poke(codeBase+0x1000, assemble(asmS(SW, 7, 8, 0), asmS(SW, 9, 8, 4), uint32(ecall)))
	bctx.X[9] = ecall
	b.Load(&bctx, r.as)
	if s := b.Run(10); s.Reason != StopEcall {
		t.Fatalf("hart B: %v", s.Reason)
	}
	c = r.ctx()
	r.h.Load(&c, r.as)
	if s := r.h.Run(10); s.Reason != StopEcall || r.ctx().X[5] != 4 {
		t.Errorf("after another hart rewrote the code: %v, x5 = %d; want ecall, 4", s.Reason, r.ctx().X[5])
	}
}

func TestBudget(t *testing.T) {
	r := newRig(t)
	inc := asmI(ADDI, 5, 5, 1)
	r.load(Context{}, inc, inc, inc, inc, inc, uint32(ecall))
	stop := r.h.Run(3)
	if stop.Reason != StopBudget || stop.PC != codeBase+12 || r.h.Retired != 3 || r.ctx().X[5] != 3 || r.ctx().PC != codeBase+12 {
		t.Errorf("Run(3) = %v at 0x%x, retired %d, x5 %d; want budget at 0x%x, 3, 3", stop.Reason, stop.PC, r.h.Retired, r.ctx().X[5], codeBase+12)
	}
	stop = r.h.Run(0)
	if stop.Reason != StopBudget || stop.PC != codeBase+12 || r.h.Retired != 3 {
		t.Errorf("Run(0) = %v at 0x%x, retired %d; want budget at 0x%x, 3", stop.Reason, stop.PC, r.h.Retired, codeBase+12)
	}
	stop = r.h.Run(100)
	if stop.Reason != StopEcall || stop.PC != codeBase+20 || r.h.Retired != 5 {
		t.Errorf("Run(100) = %v at 0x%x, retired %d; want ecall at 0x%x, 5 (ecall is not retired)", stop.Reason, stop.PC, r.h.Retired, codeBase+20)
	}
	if tb := r.h.TimeBase; tb != 5 {
		t.Errorf("TimeBase = %d, want 5", tb)
	}

	// Mixed lengths.
	r = newRig(t)
	r.load(Context{}, cADDI(5, 1), inc, cADDI(5, 1), uint32(ecall))
	if stop := r.h.Run(2); stop.Reason != StopBudget || stop.PC != codeBase+6 || r.h.Retired != 2 {
		t.Errorf("mixed: Run(2) = %v at 0x%x, retired %d; want budget at 0x%x", stop.Reason, stop.PC, r.h.Retired, codeBase+6)
	}

	// A loop, and fence.i, which retires like anything else.
	r = newRig(t)
	r.load(Context{}, inc, uint32(fenceI), asmJAL(0, -8))
	if stop := r.h.Run(1001); stop.Reason != StopBudget || r.h.Retired != 1001 || r.ctx().X[5] != 334 || stop.PC != codeBase+8 {
		t.Errorf("loop: Run(1001) = %v at 0x%x, retired %d, x5 %d; want budget at 0x%x, 1001, 334",
			stop.Reason, stop.PC, r.h.Retired, r.ctx().X[5], codeBase+8)
	}

	// Across a page boundary.
	r = newRig(t)
	r.poke(codeBase+mm.PageSize-8, assemble(inc, inc, inc, uint32(ecall)))
	r.load(Context{PC: codeBase + mm.PageSize - 8})
	if stop := r.h.Run(2); stop.Reason != StopBudget || stop.PC != codeBase+mm.PageSize {
		t.Errorf("page boundary: Run(2) = %v at 0x%x, want budget at 0x%x", stop.Reason, stop.PC, codeBase+mm.PageSize)
	}
	if stop := r.h.Run(1); stop.Reason != StopBudget || stop.PC != codeBase+mm.PageSize+4 || r.h.Retired != 3 {
		t.Errorf("page boundary: Run(1) = %v at 0x%x, retired %d", stop.Reason, stop.PC, r.h.Retired)
	}
}

// TestBudgetSpentBeforeNextPage: once the budget is spent, Run returns StopBudget
// without touching the next instruction, even when that instruction is on another page
// that would fault ("Run executes instructions until one needs the kernel or budget
// instructions have retired"): the instruction that faults has not been reached.
func TestBudgetSpentBeforeNextPage(t *testing.T) {
	for _, c := range []struct {
		name   string
		code   []any
		budget uint64
		wantPC uint64
	}{
		{"jump to an unmapped page", []any{asmI(JALR, 0, 10, 0)}, 1, 0x90000},
		{"fence.i, then an unmapped page", nil, 1, xcodeBase + mm.PageSize},
		{"Run(0) at an unmapped pc", nil, 0, 0x90000},
	} {
		r := newRig(t)
		var ctx Context
		ctx.X[10] = 0x90000
		switch c.name {
		case "fence.i, then an unmapped page":
			r.poke(xcodeBase+mm.PageSize-4, assemble(uint32(fenceI)))
			ctx.PC = xcodeBase + mm.PageSize - 4
		case "Run(0) at an unmapped pc":
			ctx.PC = 0x90000
		}
		r.load(ctx, c.code...)
		stop := r.h.Run(c.budget)
		if stop.Reason != StopBudget || stop.PC != c.wantPC || r.h.Retired != c.budget {
			t.Errorf("%s: Run(%d) = %v at 0x%x (fault %+v), retired %d; want budget at 0x%x, %d retired",
				c.name, c.budget, stop.Reason, stop.PC, stop.Fault, r.h.Retired, c.wantPC, c.budget)
		}
	}
}

// ---- Copy-on-write. ----

// TestCOWWriteVisibleToReaders: after a fork, a write that copies a shared page gives
// the writer's address space a new frame. Every hart that cached a read translation to
// the old frame (now the child's) must see the new one: the kernel's own write
// (mm.AddressSpace.WriteAt, as read(2) does) and another hart's store, each followed by
// a load on a hart that read the page before.
func TestCOWWriteVisibleToReaders(t *testing.T) {
	loadX := func(r *rig, h *Hart) uint64 {
		t.Helper()
		var ctx Context
		ctx.PC, ctx.X[10] = codeBase, dataBase
		h.Load(&ctx, r.as)
		if s := h.Run(10); s.Reason != StopEcall {
			t.Fatalf("load program: %v at 0x%x", s.Reason, s.PC)
		}
		h.Save(&ctx)
		return ctx.X[5]
	}
	t.Run("kernel write", func(t *testing.T) {
		r := newRig(t)
		r.poke(codeBase, assemble(asmI(LD, 5, 10, 0), uint32(ecall)))
		r.poke64(dataBase, 1)
		child, _ := r.as.Fork()
		if v := loadX(r, r.h); v != 1 {
			t.Fatalf("first load = %d, want 1", v)
		}
		if err := r.as.WriteAt(binary.LittleEndian.AppendUint64(nil, 2), dataBase); err != nil {
			t.Fatal(err)
		}
		if v := loadX(r, r.h); v != 2 {
			t.Errorf("load after the kernel wrote 2 into the copy-on-write page = %d, want 2", v)
		}
		if v, _ := child.ReadU64(dataBase); v != 1 {
			t.Errorf("the child's page = %d, want 1", v)
		}
	})
	t.Run("another hart's store", func(t *testing.T) {
		r := newRig(t)
		r.poke(codeBase, assemble(asmI(LD, 5, 10, 0), uint32(ecall)))
		r.poke(codeBase+0x100, assemble(asmS(SD, 11, 10, 0), uint32(ecall)))
		r.poke64(dataBase, 1)
		child, _ := r.as.Fork()
		if v := loadX(r, r.h); v != 1 {
			t.Fatalf("first load = %d, want 1", v)
		}
		w := r.bus.NewHart()
		var wctx Context
		wctx.PC, wctx.X[10], wctx.X[11] = codeBase+0x100, dataBase, 2
		w.Load(&wctx, r.as)
		if s := w.Run(10); s.Reason != StopEcall {
			t.Fatalf("store program: %v", s.Reason)
		}
		if v := loadX(r, r.h); v != 2 {
			t.Errorf("load after another hart stored 2 into the copy-on-write page = %d, want 2", v)
		}
		// The child writes its (now private) old frame: the parent must not see it.
		if err := child.WriteU64(dataBase, 3); err != nil {
			t.Fatal(err)
		}
		if v := loadX(r, r.h); v != 2 {
			t.Errorf("load after the child wrote 3 to its copy = %d, want the parent's 2", v)
		}
	})
}

// TestStraddlingForms: every engine executes the forms it specialises (lui, auipc, li,
// mv) and jumps when they straddle two pages, where they are decoded afresh each time.
func TestStraddlingForms(t *testing.T) {
	for _, tc := range []struct {
		name string
		insn uint32
		reg  uint8
		want uint64
	}{
		{"auipc", asmU(AUIPC, 5, 0x1000), 5, codeBase + mm.PageSize - 2 + 0x1000},
		{"lui", asmU(LUI, 5, 0x7000), 5, 0x7000},
		{"li", asmI(ADDI, 5, 0, -3), 5, ^uint64(2)},
		{"mv", asmI(ADDI, 5, 2, 0), 5, 77},
		{"jal", asmJAL(1, 4), 1, codeBase + mm.PageSize + 2},
	} {
		r := newRig(t)
		r.load(Context{X: [32]uint64{2: 77}}, asmJAL(0, mm.PageSize-2), uint32(ecall))
		r.poke(codeBase+mm.PageSize-2, assemble(tc.insn, uint32(ecall)))
		if c := r.runToEcall(); c.X[tc.reg] != tc.want {
			t.Errorf("%s: x%d = 0x%x, want 0x%x", tc.name, tc.reg, c.X[tc.reg], tc.want)
		}
	}
}
