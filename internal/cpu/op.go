package cpu

// Op is a decoded RISC-V operation. Compressed instructions decode to the base operation
// they expand to (c.addi is ADDI), as the ISA manual defines them.
type Op uint8

// Operations, named after their mnemonics. opUndecoded (zero) marks a decode-cache slot
// that has not been decoded yet.
const (
	opUndecoded Op = iota
	ILLEGAL

	// RV64I
	LUI
	AUIPC
	JAL
	JALR
	BEQ
	BNE
	BLT
	BGE
	BLTU
	BGEU
	LB
	LH
	LW
	LD
	LBU
	LHU
	LWU
	SB
	SH
	SW
	SD
	ADDI
	SLTI
	SLTIU
	XORI
	ORI
	ANDI
	SLLI
	SRLI
	SRAI
	ADD
	SUB
	SLL
	SLT
	SLTU
	XOR
	SRL
	SRA
	OR
	AND
	ADDIW
	SLLIW
	SRLIW
	SRAIW
	ADDW
	SUBW
	SLLW
	SRLW
	SRAW
	FENCE
	FENCE_I
	ECALL
	EBREAK

	// M
	MUL
	MULH
	MULHSU
	MULHU
	DIV
	DIVU
	REM
	REMU
	MULW
	DIVW
	DIVUW
	REMW
	REMUW

	// A
	LR_W
	SC_W
	AMOSWAP_W
	AMOADD_W
	AMOXOR_W
	AMOAND_W
	AMOOR_W
	AMOMIN_W
	AMOMAX_W
	AMOMINU_W
	AMOMAXU_W
	LR_D
	SC_D
	AMOSWAP_D
	AMOADD_D
	AMOXOR_D
	AMOAND_D
	AMOOR_D
	AMOMIN_D
	AMOMAX_D
	AMOMINU_D
	AMOMAXU_D

	// Zicsr
	CSRRW
	CSRRS
	CSRRC
	CSRRWI
	CSRRSI
	CSRRCI

	// F
	FLW
	FSW
	FMADD_S
	FMSUB_S
	FNMSUB_S
	FNMADD_S
	FADD_S
	FSUB_S
	FMUL_S
	FDIV_S
	FSQRT_S
	FSGNJ_S
	FSGNJN_S
	FSGNJX_S
	FMIN_S
	FMAX_S
	FCVT_W_S
	FCVT_WU_S
	FCVT_L_S
	FCVT_LU_S
	FMV_X_W
	FEQ_S
	FLT_S
	FLE_S
	FCLASS_S
	FCVT_S_W
	FCVT_S_WU
	FCVT_S_L
	FCVT_S_LU
	FMV_W_X

	// D
	FLD
	FSD
	FMADD_D
	FMSUB_D
	FNMSUB_D
	FNMADD_D
	FADD_D
	FSUB_D
	FMUL_D
	FDIV_D
	FSQRT_D
	FSGNJ_D
	FSGNJN_D
	FSGNJX_D
	FMIN_D
	FMAX_D
	FCVT_S_D
	FCVT_D_S
	FEQ_D
	FLT_D
	FLE_D
	FCLASS_D
	FCVT_W_D
	FCVT_WU_D
	FCVT_L_D
	FCVT_LU_D
	FMV_X_D
	FCVT_D_W
	FCVT_D_WU
	FCVT_D_L
	FCVT_D_LU
	FMV_D_X

	// Internal forms, produced only by the decode cache.
	opCross   // an instruction that crosses a page boundary: fetched on every execution
	opPageEnd // a sentinel past the end of a decoded page: fetch the next page

	numOps
)

var opNames = [numOps]string{
	opUndecoded: "undecoded", ILLEGAL: "illegal",
	LUI: "lui", AUIPC: "auipc", JAL: "jal", JALR: "jalr",
	BEQ: "beq", BNE: "bne", BLT: "blt", BGE: "bge", BLTU: "bltu", BGEU: "bgeu",
	LB: "lb", LH: "lh", LW: "lw", LD: "ld", LBU: "lbu", LHU: "lhu", LWU: "lwu",
	SB: "sb", SH: "sh", SW: "sw", SD: "sd",
	ADDI: "addi", SLTI: "slti", SLTIU: "sltiu", XORI: "xori", ORI: "ori", ANDI: "andi",
	SLLI: "slli", SRLI: "srli", SRAI: "srai",
	ADD: "add", SUB: "sub", SLL: "sll", SLT: "slt", SLTU: "sltu", XOR: "xor",
	SRL: "srl", SRA: "sra", OR: "or", AND: "and",
	ADDIW: "addiw", SLLIW: "slliw", SRLIW: "srliw", SRAIW: "sraiw",
	ADDW: "addw", SUBW: "subw", SLLW: "sllw", SRLW: "srlw", SRAW: "sraw",
	FENCE: "fence", FENCE_I: "fence.i", ECALL: "ecall", EBREAK: "ebreak",
	MUL: "mul", MULH: "mulh", MULHSU: "mulhsu", MULHU: "mulhu",
	DIV: "div", DIVU: "divu", REM: "rem", REMU: "remu",
	MULW: "mulw", DIVW: "divw", DIVUW: "divuw", REMW: "remw", REMUW: "remuw",
	LR_W: "lr.w", SC_W: "sc.w", AMOSWAP_W: "amoswap.w", AMOADD_W: "amoadd.w",
	AMOXOR_W: "amoxor.w", AMOAND_W: "amoand.w", AMOOR_W: "amoor.w",
	AMOMIN_W: "amomin.w", AMOMAX_W: "amomax.w", AMOMINU_W: "amominu.w", AMOMAXU_W: "amomaxu.w",
	LR_D: "lr.d", SC_D: "sc.d", AMOSWAP_D: "amoswap.d", AMOADD_D: "amoadd.d",
	AMOXOR_D: "amoxor.d", AMOAND_D: "amoand.d", AMOOR_D: "amoor.d",
	AMOMIN_D: "amomin.d", AMOMAX_D: "amomax.d", AMOMINU_D: "amominu.d", AMOMAXU_D: "amomaxu.d",
	CSRRW: "csrrw", CSRRS: "csrrs", CSRRC: "csrrc", CSRRWI: "csrrwi", CSRRSI: "csrrsi", CSRRCI: "csrrci",
	FLW: "flw", FSW: "fsw", FMADD_S: "fmadd.s", FMSUB_S: "fmsub.s", FNMSUB_S: "fnmsub.s", FNMADD_S: "fnmadd.s",
	FADD_S: "fadd.s", FSUB_S: "fsub.s", FMUL_S: "fmul.s", FDIV_S: "fdiv.s", FSQRT_S: "fsqrt.s",
	FSGNJ_S: "fsgnj.s", FSGNJN_S: "fsgnjn.s", FSGNJX_S: "fsgnjx.s", FMIN_S: "fmin.s", FMAX_S: "fmax.s",
	FCVT_W_S: "fcvt.w.s", FCVT_WU_S: "fcvt.wu.s", FCVT_L_S: "fcvt.l.s", FCVT_LU_S: "fcvt.lu.s",
	FMV_X_W: "fmv.x.w", FEQ_S: "feq.s", FLT_S: "flt.s", FLE_S: "fle.s", FCLASS_S: "fclass.s",
	FCVT_S_W: "fcvt.s.w", FCVT_S_WU: "fcvt.s.wu", FCVT_S_L: "fcvt.s.l", FCVT_S_LU: "fcvt.s.lu", FMV_W_X: "fmv.w.x",
	FLD: "fld", FSD: "fsd", FMADD_D: "fmadd.d", FMSUB_D: "fmsub.d", FNMSUB_D: "fnmsub.d", FNMADD_D: "fnmadd.d",
	FADD_D: "fadd.d", FSUB_D: "fsub.d", FMUL_D: "fmul.d", FDIV_D: "fdiv.d", FSQRT_D: "fsqrt.d",
	FSGNJ_D: "fsgnj.d", FSGNJN_D: "fsgnjn.d", FSGNJX_D: "fsgnjx.d", FMIN_D: "fmin.d", FMAX_D: "fmax.d",
	FCVT_S_D: "fcvt.s.d", FCVT_D_S: "fcvt.d.s", FEQ_D: "feq.d", FLT_D: "flt.d", FLE_D: "fle.d", FCLASS_D: "fclass.d",
	FCVT_W_D: "fcvt.w.d", FCVT_WU_D: "fcvt.wu.d", FCVT_L_D: "fcvt.l.d", FCVT_LU_D: "fcvt.lu.d", FMV_X_D: "fmv.x.d",
	FCVT_D_W: "fcvt.d.w", FCVT_D_WU: "fcvt.d.wu", FCVT_D_L: "fcvt.d.l", FCVT_D_LU: "fcvt.d.lu", FMV_D_X: "fmv.d.x",
	opCross: "cross-page", opPageEnd: "page-end",
}

// String returns the mnemonic, e.g. "fcvt.w.d".
func (o Op) String() string {
	if o < numOps && opNames[o] != "" {
		return opNames[o]
	}
	return "op?"
}

// Operand classes: which register file rd and the sources name.
const (
	xRd = 1 << iota // rd is an integer register
	fRd             // rd is a float register
	xRs1
	fRs1
	xRs2
	fRs2
	fRs3
	hasRM // bits 12-14 are a rounding mode
)

var opClass = [numOps]uint8{}

func init() {
	set := func(c uint8, ops ...Op) {
		for _, o := range ops {
			opClass[o] |= c
		}
	}
	set(xRd, LUI, AUIPC, JAL)
	set(xRd|xRs1, JALR, LB, LH, LW, LD, LBU, LHU, LWU, ADDI, SLTI, SLTIU, XORI, ORI, ANDI,
		SLLI, SRLI, SRAI, ADDIW, SLLIW, SRLIW, SRAIW, LR_W, LR_D, CSRRW, CSRRS, CSRRC)
	set(xRd, CSRRWI, CSRRSI, CSRRCI)
	set(xRs1|xRs2, BEQ, BNE, BLT, BGE, BLTU, BGEU, SB, SH, SW, SD)
	set(xRd|xRs1|xRs2, ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND, ADDW, SUBW, SLLW,
		SRLW, SRAW, MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU, MULW, DIVW, DIVUW, REMW,
		REMUW, SC_W, SC_D, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W,
		AMOMAX_W, AMOMINU_W, AMOMAXU_W, AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D,
		AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D)
	set(fRd|xRs1, FLW, FLD)
	set(xRs1|fRs2, FSW, FSD)
	set(fRd|fRs1|fRs2|fRs3|hasRM, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D)
	set(fRd|fRs1|fRs2|hasRM, FADD_S, FSUB_S, FMUL_S, FDIV_S, FADD_D, FSUB_D, FMUL_D, FDIV_D)
	set(fRd|fRs1|hasRM, FSQRT_S, FSQRT_D, FCVT_S_D, FCVT_D_S)
	set(fRd|fRs1|fRs2, FSGNJ_S, FSGNJN_S, FSGNJX_S, FMIN_S, FMAX_S, FSGNJ_D, FSGNJN_D, FSGNJX_D, FMIN_D, FMAX_D)
	set(xRd|fRs1|hasRM, FCVT_W_S, FCVT_WU_S, FCVT_L_S, FCVT_LU_S, FCVT_W_D, FCVT_WU_D, FCVT_L_D, FCVT_LU_D)
	set(xRd|fRs1, FMV_X_W, FCLASS_S, FMV_X_D, FCLASS_D)
	set(xRd|fRs1|fRs2, FEQ_S, FLT_S, FLE_S, FEQ_D, FLT_D, FLE_D)
	set(fRd|xRs1|hasRM, FCVT_S_W, FCVT_S_WU, FCVT_S_L, FCVT_S_LU, FCVT_D_W, FCVT_D_WU, FCVT_D_L, FCVT_D_LU)
	set(fRd|xRs1, FMV_W_X, FMV_D_X)
}
