package cpu

import "fmt"

// Inst is one decoded instruction. Register fields are plain register numbers (integer
// or float, as the operation says); Imm holds the sign-extended immediate, the CSR
// number for CSR operations, the shift amount for shifts, and the pred/succ/fm bits for
// fence. RM holds the rounding-mode field of floating-point operations and the aq/rl
// bits of atomics.
type Inst struct {
	Op                Op
	Rd, Rs1, Rs2, Rs3 uint8
	RM                uint8
	Len               uint8 // 2 (compressed) or 4
	Imm               int64
}

func (i Inst) String() string {
	return fmt.Sprintf("%v rd=%d rs1=%d rs2=%d rs3=%d rm=%d imm=%d len=%d",
		i.Op, i.Rd, i.Rs1, i.Rs2, i.Rs3, i.RM, i.Imm, i.Len)
}

// InstLen returns the length of the instruction whose first 16 bits are lo: 2 for
// compressed instructions, 4 otherwise. Longer encodings are not part of RV64GC; Decode
// reports them as illegal.
func InstLen(lo uint16) int {
	if lo&3 != 3 {
		return 2
	}
	return 4
}

// Decode decodes one instruction. For a compressed instruction only the low 16 bits of
// bits are used. Reserved and unsupported encodings decode to ILLEGAL; Decode never
// panics.
func Decode(bits uint32) Inst {
	if bits&3 != 3 {
		return decodeCompressed(uint16(bits))
	}
	in := decode32(bits)
	in.Len = 4
	return in
}

func sext(v uint32, width uint) int64 {
	shift := 64 - width
	return int64(uint64(v)<<shift) >> shift
}

var (
	branchOps = [8]Op{BEQ, BNE, ILLEGAL, ILLEGAL, BLT, BGE, BLTU, BGEU}
	loadOps   = [8]Op{LB, LH, LW, LD, LBU, LHU, LWU, ILLEGAL}
	storeOps  = [8]Op{SB, SH, SW, SD, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL}
	opImmOps  = [8]Op{ADDI, SLLI, SLTI, SLTIU, XORI, SRLI, ORI, ANDI}
	opOps     = [8]Op{ADD, SLL, SLT, SLTU, XOR, SRL, OR, AND}
	mulOps    = [8]Op{MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU}
	mulwOps   = [8]Op{MULW, ILLEGAL, ILLEGAL, ILLEGAL, DIVW, DIVUW, REMW, REMUW}
	csrOps    = [8]Op{ILLEGAL, CSRRW, CSRRS, CSRRC, ILLEGAL, CSRRWI, CSRRSI, CSRRCI}
	// amoOps is indexed by funct5 (bits 31:27); the .D forms follow at +11.
	amoW = map[uint32]Op{0x02: LR_W, 0x03: SC_W, 0x01: AMOSWAP_W, 0x00: AMOADD_W,
		0x04: AMOXOR_W, 0x0c: AMOAND_W, 0x08: AMOOR_W, 0x10: AMOMIN_W, 0x14: AMOMAX_W,
		0x18: AMOMINU_W, 0x1c: AMOMAXU_W}
)

func decode32(b uint32) Inst {
	in := Inst{
		Rd:  uint8(b >> 7 & 31),
		Rs1: uint8(b >> 15 & 31),
		Rs2: uint8(b >> 20 & 31),
		Rs3: uint8(b >> 27),
	}
	f3 := b >> 12 & 7
	f7 := b >> 25
	immI := sext(b>>20, 12)
	immS := sext(b>>25<<5|b>>7&31, 12)
	illegal := Inst{Op: ILLEGAL}

	switch b & 0x7f {
	case 0x37:
		in.Op, in.Imm = LUI, int64(int32(b&0xfffff000))
	case 0x17:
		in.Op, in.Imm = AUIPC, int64(int32(b&0xfffff000))
	case 0x6f:
		in.Op = JAL
		in.Imm = sext(b>>31<<20|(b>>12&0xff)<<12|(b>>20&1)<<11|(b>>21&0x3ff)<<1, 21)
	case 0x67:
		if f3 != 0 {
			return illegal
		}
		in.Op, in.Imm = JALR, immI
	case 0x63:
		in.Op = branchOps[f3]
		in.Imm = sext(b>>31<<12|(b>>7&1)<<11|(b>>25&0x3f)<<5|(b>>8&0xf)<<1, 13)
	case 0x03:
		in.Op, in.Imm = loadOps[f3], immI
	case 0x23:
		in.Op, in.Imm = storeOps[f3], immS
	case 0x13:
		in.Op, in.Imm = opImmOps[f3], immI
		switch f3 {
		case 1:
			if b>>26 != 0 {
				return illegal
			}
			in.Imm = int64(b >> 20 & 63)
		case 5:
			switch b >> 26 {
			case 0:
			case 0x10:
				in.Op = SRAI
			default:
				return illegal
			}
			in.Imm = int64(b >> 20 & 63)
		}
	case 0x1b:
		switch {
		case f3 == 0:
			in.Op, in.Imm = ADDIW, immI
		case f3 == 1 && f7 == 0:
			in.Op, in.Imm = SLLIW, int64(b>>20&31)
		case f3 == 5 && f7 == 0:
			in.Op, in.Imm = SRLIW, int64(b>>20&31)
		case f3 == 5 && f7 == 0x20:
			in.Op, in.Imm = SRAIW, int64(b>>20&31)
		default:
			return illegal
		}
	case 0x33:
		switch f7 {
		case 0:
			in.Op = opOps[f3]
		case 1:
			in.Op = mulOps[f3]
		case 0x20:
			switch f3 {
			case 0:
				in.Op = SUB
			case 5:
				in.Op = SRA
			default:
				return illegal
			}
		default:
			return illegal
		}
	case 0x3b:
		switch {
		case f7 == 0 && f3 == 0:
			in.Op = ADDW
		case f7 == 0 && f3 == 1:
			in.Op = SLLW
		case f7 == 0 && f3 == 5:
			in.Op = SRLW
		case f7 == 0x20 && f3 == 0:
			in.Op = SUBW
		case f7 == 0x20 && f3 == 5:
			in.Op = SRAW
		case f7 == 1:
			in.Op = mulwOps[f3]
		default:
			return illegal
		}
	case 0x0f:
		switch f3 {
		case 0:
			in.Op, in.Imm = FENCE, int64(b>>20)
		case 1:
			in.Op = FENCE_I
		default:
			return illegal
		}
	case 0x73:
		if f3 == 0 {
			switch b {
			case 0x00000073:
				return Inst{Op: ECALL}
			case 0x00100073:
				return Inst{Op: EBREAK}
			}
			return illegal
		}
		in.Op, in.Imm = csrOps[f3], int64(b>>20)
	case 0x2f:
		op, ok := amoW[b>>27]
		if !ok || (f3 != 2 && f3 != 3) || (op == LR_W && in.Rs2 != 0) {
			return illegal
		}
		if f3 == 3 {
			op += LR_D - LR_W
		}
		in.Op, in.RM, in.Rs3 = op, uint8(b>>25&3), 0
	case 0x07:
		switch f3 {
		case 2:
			in.Op, in.Imm = FLW, immI
		case 3:
			in.Op, in.Imm = FLD, immI
		default:
			return illegal
		}
	case 0x27:
		switch f3 {
		case 2:
			in.Op, in.Imm = FSW, immS
		case 3:
			in.Op, in.Imm = FSD, immS
		default:
			return illegal
		}
	case 0x43, 0x47, 0x4b, 0x4f:
		fmt := b >> 25 & 3
		if fmt > 1 {
			return illegal
		}
		in.Op = [4]Op{FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S}[(b>>2)&3]
		if fmt == 1 {
			in.Op += FMADD_D - FMADD_S
		}
		in.RM = uint8(f3)
	case 0x53:
		in.RM = uint8(f3)
		in.Rs3 = 0
		in.Op = decodeOpFP(f7, f3, uint32(in.Rs2))
	default:
		return illegal
	}
	if in.Op == ILLEGAL {
		return illegal
	}
	if opClass[in.Op]&hasRM != 0 && (in.RM == 5 || in.RM == 6) {
		return illegal
	}
	return in
}

func decodeOpFP(f7, f3, rs2 uint32) Op {
	d := f7 & 1 // 0: single, 1: double
	pick := func(s, dbl Op) Op {
		if d == 1 {
			return dbl
		}
		return s
	}
	switch f7 >> 1 {
	case 0x00:
		return pick(FADD_S, FADD_D)
	case 0x02:
		return pick(FSUB_S, FSUB_D)
	case 0x04:
		return pick(FMUL_S, FMUL_D)
	case 0x06:
		return pick(FDIV_S, FDIV_D)
	case 0x16:
		if rs2 == 0 {
			return pick(FSQRT_S, FSQRT_D)
		}
	case 0x08:
		if f3 < 3 {
			return pick(FSGNJ_S, FSGNJ_D) + Op(f3)
		}
	case 0x0a:
		if f3 < 2 {
			return pick(FMIN_S, FMIN_D) + Op(f3)
		}
	case 0x10:
		if d == 0 && rs2 == 1 {
			return FCVT_S_D
		}
		if d == 1 && rs2 == 0 {
			return FCVT_D_S
		}
	case 0x28:
		switch f3 {
		case 0:
			return pick(FLE_S, FLE_D)
		case 1:
			return pick(FLT_S, FLT_D)
		case 2:
			return pick(FEQ_S, FEQ_D)
		}
	case 0x30:
		if rs2 < 4 {
			return pick(FCVT_W_S, FCVT_W_D) + Op(rs2)
		}
	case 0x34:
		if rs2 < 4 {
			return pick(FCVT_S_W, FCVT_D_W) + Op(rs2)
		}
	case 0x38:
		if rs2 == 0 && f3 == 0 {
			return pick(FMV_X_W, FMV_X_D)
		}
		if rs2 == 0 && f3 == 1 {
			return pick(FCLASS_S, FCLASS_D)
		}
	case 0x3c:
		if rs2 == 0 && f3 == 0 {
			return pick(FMV_W_X, FMV_D_X)
		}
	}
	return ILLEGAL
}

// decodeCompressed expands a 16-bit RVC instruction (RV64C) to its base form.
func decodeCompressed(c uint16) Inst {
	b := uint32(c)
	illegal := Inst{Op: ILLEGAL, Len: 2}
	bit := func(n uint) uint32 { return b >> n & 1 }
	rdp := uint8(b>>2&7) + 8  // rd' / rs2' in bits 4:2
	rs1p := uint8(b>>7&7) + 8 // rs1' / rd' in bits 9:7
	rd := uint8(b >> 7 & 31)
	rs2 := uint8(b >> 2 & 31)
	imm6 := sext(bit(12)<<5|b>>2&31, 6)
	in := Inst{Len: 2}

	switch b&3<<3 | b>>13 {
	// Quadrant 0.
	case 0<<3 | 0: // c.addi4spn
		nz := (b>>7&0xf)<<6 | (b>>11&3)<<4 | bit(5)<<3 | bit(6)<<2
		if nz == 0 {
			return illegal
		}
		in.Op, in.Rd, in.Rs1, in.Imm = ADDI, rdp, 2, int64(nz)
	case 0<<3 | 1, 0<<3 | 3: // c.fld, c.ld
		in.Op = FLD
		if b>>13 == 3 {
			in.Op = LD
		}
		in.Rd, in.Rs1, in.Imm = rdp, rs1p, int64((b>>10&7)<<3|(b>>5&3)<<6)
	case 0<<3 | 2: // c.lw
		in.Op, in.Rd, in.Rs1 = LW, rdp, rs1p
		in.Imm = int64((b>>10&7)<<3 | bit(6)<<2 | bit(5)<<6)
	case 0<<3 | 5, 0<<3 | 7: // c.fsd, c.sd
		in.Op = FSD
		if b>>13 == 7 {
			in.Op = SD
		}
		in.Rs1, in.Rs2, in.Imm = rs1p, rdp, int64((b>>10&7)<<3|(b>>5&3)<<6)
	case 0<<3 | 6: // c.sw
		in.Op, in.Rs1, in.Rs2 = SW, rs1p, rdp
		in.Imm = int64((b>>10&7)<<3 | bit(6)<<2 | bit(5)<<6)

	// Quadrant 1.
	case 1<<3 | 0: // c.addi, c.nop
		in.Op, in.Rd, in.Rs1, in.Imm = ADDI, rd, rd, imm6
	case 1<<3 | 1: // c.addiw
		if rd == 0 {
			return illegal
		}
		in.Op, in.Rd, in.Rs1, in.Imm = ADDIW, rd, rd, imm6
	case 1<<3 | 2: // c.li
		in.Op, in.Rd, in.Rs1, in.Imm = ADDI, rd, 0, imm6
	case 1<<3 | 3:
		if rd == 2 { // c.addi16sp
			nz := sext(bit(12)<<9|bit(4)<<8|bit(3)<<7|bit(5)<<6|bit(2)<<5|bit(6)<<4, 10)
			if nz == 0 {
				return illegal
			}
			in.Op, in.Rd, in.Rs1, in.Imm = ADDI, 2, 2, nz
		} else { // c.lui
			if imm6 == 0 {
				return illegal
			}
			in.Op, in.Rd, in.Imm = LUI, rd, imm6<<12
		}
	case 1<<3 | 4:
		switch b >> 10 & 3 {
		case 0: // c.srli
			in.Op, in.Rd, in.Rs1, in.Imm = SRLI, rs1p, rs1p, int64(bit(12)<<5|b>>2&31)
		case 1: // c.srai
			in.Op, in.Rd, in.Rs1, in.Imm = SRAI, rs1p, rs1p, int64(bit(12)<<5|b>>2&31)
		case 2: // c.andi
			in.Op, in.Rd, in.Rs1, in.Imm = ANDI, rs1p, rs1p, imm6
		case 3:
			ops := [8]Op{SUB, XOR, OR, AND, SUBW, ADDW, ILLEGAL, ILLEGAL}
			in.Op = ops[bit(12)<<2|b>>5&3]
			if in.Op == ILLEGAL {
				return illegal
			}
			in.Rd, in.Rs1, in.Rs2 = rs1p, rs1p, rdp
		}
	case 1<<3 | 5: // c.j
		in.Op = JAL
		in.Imm = sext(bit(12)<<11|bit(11)<<4|(b>>9&3)<<8|bit(8)<<10|bit(7)<<6|
			bit(6)<<7|(b>>3&7)<<1|bit(2)<<5, 12)
	case 1<<3 | 6, 1<<3 | 7: // c.beqz, c.bnez
		in.Op = BEQ
		if b>>13 == 7 {
			in.Op = BNE
		}
		in.Rs1 = rs1p
		in.Imm = sext(bit(12)<<8|(b>>10&3)<<3|(b>>5&3)<<6|(b>>3&3)<<1|bit(2)<<5, 9)

	// Quadrant 2.
	case 2<<3 | 0: // c.slli
		in.Op, in.Rd, in.Rs1, in.Imm = SLLI, rd, rd, int64(bit(12)<<5|b>>2&31)
	case 2<<3 | 1: // c.fldsp
		in.Op, in.Rd, in.Rs1 = FLD, rd, 2
		in.Imm = int64(bit(12)<<5 | (b>>5&3)<<3 | (b>>2&7)<<6)
	case 2<<3 | 2: // c.lwsp
		if rd == 0 {
			return illegal
		}
		in.Op, in.Rd, in.Rs1 = LW, rd, 2
		in.Imm = int64(bit(12)<<5 | (b>>4&7)<<2 | (b>>2&3)<<6)
	case 2<<3 | 3: // c.ldsp
		if rd == 0 {
			return illegal
		}
		in.Op, in.Rd, in.Rs1 = LD, rd, 2
		in.Imm = int64(bit(12)<<5 | (b>>5&3)<<3 | (b>>2&7)<<6)
	case 2<<3 | 4:
		switch {
		case bit(12) == 0 && rs2 == 0: // c.jr
			if rd == 0 {
				return illegal
			}
			in.Op, in.Rd, in.Rs1 = JALR, 0, rd
		case bit(12) == 0: // c.mv
			in.Op, in.Rd, in.Rs1, in.Rs2 = ADD, rd, 0, rs2
		case rd == 0 && rs2 == 0: // c.ebreak
			in.Op = EBREAK
		case rs2 == 0: // c.jalr
			in.Op, in.Rd, in.Rs1 = JALR, 1, rd
		default: // c.add
			in.Op, in.Rd, in.Rs1, in.Rs2 = ADD, rd, rd, rs2
		}
	case 2<<3 | 5: // c.fsdsp
		in.Op, in.Rs1, in.Rs2 = FSD, 2, rs2
		in.Imm = int64((b>>10&7)<<3 | (b>>7&7)<<6)
	case 2<<3 | 6: // c.swsp
		in.Op, in.Rs1, in.Rs2 = SW, 2, rs2
		in.Imm = int64((b>>9&15)<<2 | (b>>7&3)<<6)
	case 2<<3 | 7: // c.sdsp
		in.Op, in.Rs1, in.Rs2 = SD, 2, rs2
		in.Imm = int64((b>>10&7)<<3 | (b>>7&7)<<6)
	default:
		return illegal
	}
	return in
}
