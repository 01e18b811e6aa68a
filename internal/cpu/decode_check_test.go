package cpu

// Cross-checks Decode against an independent decoder, golang.org/x/arch's riscv64asm,
// and keeps a golden file of decoder results.
//
// Where the two legitimately disagree, the disagreement must fall in one of the classes
// of divergences below, each with the ISA manual's reason; anything else fails. Section
// numbers name the RISC-V Unprivileged ISA manual, version 20191213; extensions ratified
// after it are named by their chapter title in the current manual (whose chapter
// numbers move between releases).

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/arch/riscv64/riscv64asm"
)

var update = flag.Bool("update", false, "rewrite testdata/decode.golden from the current decoder")

// theirs decodes bits with riscv64asm: 2 bytes for a compressed instruction, 4 otherwise.
func theirs(bits uint32) (riscv64asm.Inst, bool) {
	var buf [4]byte
	binary.LittleEndian.PutUint32(buf[:], bits)
	n := 4
	if bits&3 != 3 {
		n = 2
	}
	in, err := riscv64asm.Decode(buf[:n])
	return in, err == nil
}

// theirName maps a riscv64asm op to our mnemonic: lower case, and the ordering
// suffixes of atomics (.aq, .rl, .aqrl) stripped and returned as our RM encoding
// (aq is bit 1, rl bit 0, as in the instruction's bits 26:25). riscv64asm rewrites
// compressed instructions to their base forms itself; a "c." name left over is an error.
func theirName(in riscv64asm.Inst) (name string, aqrl uint8) {
	name = strings.ToLower(in.Op.String())
	if strings.HasPrefix(name, "amo") || strings.HasPrefix(name, "lr.") || strings.HasPrefix(name, "sc.") {
		for _, s := range []struct {
			suf string
			v   uint8
		}{{".aqrl", 3}, {".aq", 2}, {".rl", 1}} {
			if strings.HasSuffix(name, s.suf) {
				return strings.TrimSuffix(name, s.suf), s.v
			}
		}
	}
	return name, 0
}

// opByName maps our mnemonics back to ops.
var opByName = func() map[string]Op {
	m := map[string]Op{}
	for o := ILLEGAL + 1; o < opCross; o++ {
		m[o.String()] = o
	}
	return m
}()

// Extensions riscv64asm decodes that RV64GC does not have. weft implements RV64GC only,
// so these encodings are reserved for it and must decode to ILLEGAL.
var bitmanipOps = map[string]bool{
	"add.uw": true, "andn": true, "bclr": true, "bclri": true, "bext": true, "bexti": true,
	"binv": true, "binvi": true, "bset": true, "bseti": true, "clmul": true, "clmulh": true,
	"clmulr": true, "clz": true, "clzw": true, "cpop": true, "cpopw": true, "ctz": true,
	"ctzw": true, "max": true, "maxu": true, "min": true, "minu": true, "orc.b": true,
	"orn": true, "rev8": true, "rol": true, "rolw": true, "ror": true, "rori": true,
	"roriw": true, "rorw": true, "sext.b": true, "sext.h": true, "sh1add": true,
	"sh1add.uw": true, "sh2add": true, "sh2add.uw": true, "sh3add": true, "sh3add.uw": true,
	"slli.uw": true, "xnor": true, "zext.h": true,
}

// fpFormatOp reports whether name is a floating-point op (f...) on format suffix fmt
// ("h" or "q") in any operand position, e.g. fadd.h, fcvt.s.h, flh.
func fpFormatOp(name, fmt string) bool {
	if name == "fl"+fmt || name == "fs"+fmt {
		return true
	}
	parts := strings.Split(name, ".")
	return strings.HasPrefix(parts[0], "f") && slices.Contains(parts[1:], fmt)
}

// A divergence is a class of encodings on which weft and riscv64asm legitimately
// disagree.
type divergence struct {
	name   string
	reason string
}

// The allow-list. Each entry says what riscv64asm does, what weft does, and why weft is
// right.
var (
	divDefinedIllegal = divergence{"c.unimp",
		"0x0000: riscv64asm decodes it as c.unimp (printed as csrrw x0,cycle,x0); " +
			"§16.5 \"Defined Illegal Instruction\": the all-zero 16-bit instruction is " +
			"permanently reserved as an illegal instruction"}
	divRVCHint = divergence{"RVC HINT",
		"riscv64asm rejects these; §16.7 \"HINT Instructions\" (Table 16.3): c.addi rd≠0 " +
			"nzimm=0, c.li rd=x0, c.lui rd=x0, c.mv rd=x0, c.add rd=x0, c.slli rd=x0 or " +
			"shamt=0, c.srli/c.srai shamt=0 are HINTs: valid encodings that execute as " +
			"their base instruction, which leaves architectural state alone"}
	divNopHintImm = divergence{"c.nop HINT immediate",
		"c.nop with nzimm≠0: riscv64asm reports addi x0,x0,0, dropping the immediate; " +
			"§16.7 lists it as a HINT; weft keeps the immediate (addi x0,x0,imm), which " +
			"writes x0 and so has the same (no) effect"}
	divReservedRM = divergence{"reserved static rm",
		"riscv64asm ignores the rm field; §11.2 (Table 11.1): rm=101 and rm=110 are " +
			"reserved, and instructions that have an rm field must treat it as usual for " +
			"deciding legal vs. reserved encodings (even the exact conversions), so weft " +
			"rejects them"}
	divBitmanip = divergence{"Zba/Zbb/Zbc/Zbs",
		"ch. \"B\" Extension for Bit Manipulation: not part of RV64GC"}
	divZicond = divergence{"Zicond",
		"ch. \"Zicond\" Extension for Integer Conditional Operations: not part of RV64GC"}
	divZacas = divergence{"Zacas",
		"ch. \"Zacas\" Extension for Atomic Compare-and-Swap (CAS) Instructions: not part of RV64GC"}
	divCMO = divergence{"Zicbom/Zicboz",
		"cache-block management (cbo.*, ch. \"Cache-Block Management Instructions\"): not part of RV64GC; in " +
			"RV64GC MISC-MEM funct3=010 is reserved (§2.7 defines only FENCE, §3 FENCE.I)"}
	divZfh = divergence{"Zfh",
		"ch. \"Zfh\" and \"Zfhmin\" Standard Extensions for Half-Precision Floating-Point " +
			"(fmt=10, flh/fsh): not part of RV64GC"}
	divQ = divergence{"Q",
		"ch. 13 \"Q\" Standard Extension for Quad-Precision Floating-Point (fmt=11, " +
			"flq/fsq): not part of RV64GC"}
	divV = divergence{"V",
		"ch. \"V\" Standard Extension for Vector Operations (OP-V, vector " +
			"loads/stores in LOAD-FP/STORE-FP): not part of RV64GC"}
)

var allDivergences = []divergence{divDefinedIllegal, divRVCHint, divNopHintImm, divReservedRM,
	divBitmanip, divZicond, divZacas, divCMO, divZfh, divQ, divV}

// theirsOnly classifies an encoding riscv64asm accepts and weft rejects.
func theirsOnly(bits uint32, th riscv64asm.Inst) (divergence, bool) {
	name, _ := theirName(th)
	switch {
	case bits == 0 && th.Len == 2:
		return divDefinedIllegal, true
	case bitmanipOps[name]:
		return divBitmanip, true
	case name == "czero.eqz" || name == "czero.nez":
		return divZicond, true
	case strings.HasPrefix(name, "amocas."):
		return divZacas, true
	case strings.HasPrefix(name, "cbo."):
		return divCMO, true
	case fpFormatOp(name, "h"):
		return divZfh, true
	case fpFormatOp(name, "q"):
		return divQ, true
	case strings.HasPrefix(name, "v"):
		return divV, true
	}
	// A reserved rounding mode: the same word with rm=000 must decode, to the op
	// riscv64asm named, and that op must have an rm field.
	if rm := bits >> 12 & 7; bits&3 == 3 && (rm == 5 || rm == 6) {
		o, ok := opByName[name]
		if ok && opClass[o]&hasRM != 0 && Decode(bits&^(7<<12)).Op == o {
			return divReservedRM, true
		}
	}
	return divergence{}, false
}

// rvcHint reports whether the compressed encoding bits is one of the RVC HINTs that
// riscv64asm rejects (§16.7, Table 16.3), and if so whether ours decodes it to its base
// instruction, as a HINT must.
func rvcHint(bits uint32, ours Inst) (hint, decodedOK bool) {
	if bits&3 == 3 {
		return false, false
	}
	c := bits & 0xffff
	rd := uint8(c >> 7 & 31)
	rs2 := uint8(c >> 2 & 31)
	imm6 := c>>7&0x20 | c>>2&31
	simm6 := sext(imm6, 6)
	switch c&3<<3 | c>>13 {
	case 1<<3 | 0: // c.addi rd≠0, nzimm=0
		return rd != 0 && imm6 == 0, ours == Inst{Op: ADDI, Rd: rd, Rs1: rd, Len: 2}
	case 1<<3 | 2: // c.li rd=0
		return rd == 0, ours == Inst{Op: ADDI, Imm: simm6, Len: 2}
	case 1<<3 | 3: // c.lui rd=0, nzimm≠0
		return rd == 0 && imm6 != 0, ours == Inst{Op: LUI, Imm: simm6 << 12, Len: 2}
	case 1<<3 | 4: // c.srli / c.srai with shamt=0
		r := uint8(c>>7&7) + 8
		op := [2]Op{SRLI, SRAI}[c>>10&1]
		return c>>10&3 < 2 && imm6 == 0, ours == Inst{Op: op, Rd: r, Rs1: r, Len: 2}
	case 2<<3 | 0: // c.slli rd=0 or shamt=0
		return rd == 0 || imm6 == 0, ours == Inst{Op: SLLI, Rd: rd, Rs1: rd, Imm: int64(imm6), Len: 2}
	case 2<<3 | 4: // c.mv / c.add with rd=0, rs2≠0
		rs1 := uint8(0) // c.mv
		if c>>12&1 == 1 {
			rs1 = rd // c.add
		}
		return rd == 0 && rs2 != 0, ours == Inst{Op: ADD, Rs1: rs1, Rs2: rs2, Len: 2}
	}
	return false, false
}

// theirOperands flattens riscv64asm's arguments into register names and decimal
// immediates, in its (assembly) order.
func theirOperands(th riscv64asm.Inst, name string) []string {
	var out []string
	for _, a := range th.Args {
		switch a := a.(type) {
		case nil:
			return out
		case riscv64asm.Reg:
			out = append(out, a.String())
		case riscv64asm.RegOffset:
			out = append(out, a.OfsReg.String(), strconv.Itoa(int(a.Ofs.Imm)))
		case riscv64asm.RegPtr:
			out = append(out, strings.Trim(a.String(), "()"))
		case riscv64asm.Simm:
			out = append(out, strconv.Itoa(int(a.Imm)))
		case riscv64asm.Uimm:
			v := int64(a.Imm)
			if name == "lui" || name == "auipc" {
				v = int64(int32(a.Imm << 12)) // riscv64asm keeps the 20-bit field
			}
			out = append(out, strconv.FormatInt(v, 10))
		case riscv64asm.CSR:
			out = append(out, strconv.Itoa(int(a)))
		case riscv64asm.MemOrder:
			out = append(out, strconv.Itoa(int(a)))
		default:
			out = append(out, fmt.Sprintf("?%T", a))
		}
	}
	return out
}

// ourOperands renders our Inst in riscv64asm's operand order.
func ourOperands(in Inst) []string {
	c := opClass[in.Op]
	reg := func(r uint8, f bool) string {
		if f {
			return fmt.Sprintf("f%d", r)
		}
		return fmt.Sprintf("x%d", r)
	}
	imm := strconv.FormatInt(in.Imm, 10)
	rd := reg(in.Rd, c&fRd != 0)
	rs1 := reg(in.Rs1, c&fRs1 != 0)
	rs2 := reg(in.Rs2, c&fRs2 != 0)
	switch in.Op {
	case LUI, AUIPC, JAL:
		return []string{rd, imm}
	case JALR, LB, LH, LW, LD, LBU, LHU, LWU, FLW, FLD, ADDI, SLTI, SLTIU, XORI, ORI, ANDI,
		SLLI, SRLI, SRAI, ADDIW, SLLIW, SRLIW, SRAIW:
		return []string{rd, rs1, imm}
	case SB, SH, SW, SD, FSW, FSD:
		return []string{rs2, rs1, imm}
	case BEQ, BNE, BLT, BGE, BLTU, BGEU:
		return []string{rs1, rs2, imm}
	case CSRRW, CSRRS, CSRRC:
		return []string{rd, imm, rs1}
	case CSRRWI, CSRRSI, CSRRCI:
		return []string{rd, imm, strconv.Itoa(int(in.Rs1))}
	case FENCE:
		return []string{strconv.Itoa(int(in.Imm >> 4 & 15)), strconv.Itoa(int(in.Imm & 15))}
	case FENCE_I, ECALL, EBREAK:
		return nil
	case LR_W, LR_D:
		return []string{rd, rs1}
	case SC_W, SC_D, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W,
		AMOMINU_W, AMOMAXU_W, AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D,
		AMOMAX_D, AMOMINU_D, AMOMAXU_D:
		return []string{rd, rs2, rs1}
	}
	out := []string{rd, rs1}
	if c&(xRs2|fRs2) != 0 {
		out = append(out, rs2)
	}
	if c&fRs3 != 0 {
		out = append(out, reg(in.Rs3, true))
	}
	return out
}

// crossChecker compares Decode with riscv64asm over many words and counts what it saw.
type crossChecker struct {
	checked, agreeValid, agreeIllegal int
	operandsChecked                   int
	diverged                          map[string]int
	failures                          []string
}

func newCrossChecker() *crossChecker {
	return &crossChecker{diverged: map[string]int{}}
}

func (c *crossChecker) fail(bits uint32, ours Inst, theirs string, why string) {
	c.failures = append(c.failures, fmt.Sprintf("Decode(0x%08x) = %v, riscv64asm says %s (%s)", bits, ours, theirs, why))
}

func (c *crossChecker) check(bits uint32) {
	c.checked++
	if bits&3 != 3 {
		bits &= 0xffff
	}
	ours := Decode(bits)
	wantLen := uint8(4)
	if bits&3 != 3 {
		wantLen = 2
	}
	th, thOK := theirs(bits)
	thStr := "invalid"
	if thOK {
		thStr = th.String()
	}
	if ours.Len != wantLen {
		c.fail(bits, ours, thStr, fmt.Sprintf("Len %d, want %d", ours.Len, wantLen))
		return
	}
	ourOK := ours.Op != ILLEGAL
	if hint, ok := rvcHint(bits, ours); hint {
		if !ok {
			c.fail(bits, ours, thStr, "an RVC HINT must decode to its base instruction (§16.7)")
			return
		}
		if !thOK {
			c.diverged[divRVCHint.name]++
			return
		}
	}
	switch {
	case !ourOK && !thOK:
		c.agreeIllegal++
		return
	case !ourOK && thOK:
		if d, ok := theirsOnly(bits, th); ok {
			c.diverged[d.name]++
			return
		}
		c.fail(bits, ours, thStr, "weft rejects an encoding riscv64asm accepts")
		return
	case ourOK && !thOK:
		c.fail(bits, ours, thStr, "weft accepts an encoding riscv64asm rejects")
		return
	}
	// riscv64asm ignores the rm field, so a reserved rm must be caught here.
	if opClass[ours.Op]&hasRM != 0 && (ours.RM == 5 || ours.RM == 6) {
		c.fail(bits, ours, thStr, "weft accepts a reserved rounding mode (§11.2)")
		return
	}
	name, aqrl := theirName(th)
	if th.Len != int(wantLen) {
		c.fail(bits, ours, thStr, fmt.Sprintf("riscv64asm length %d", th.Len))
		return
	}
	if name != ours.Op.String() {
		c.fail(bits, ours, thStr, "different operation")
		return
	}
	c.agreeValid++
	if ours.Op >= LR_W && ours.Op <= AMOMAXU_D && ours.RM != aqrl {
		c.fail(bits, ours, thStr, fmt.Sprintf("aq/rl: ours rm=%d, theirs %d", ours.RM, aqrl))
		return
	}
	c.operandsChecked++
	o, t := ourOperands(ours), theirOperands(th, name)
	if !slices.Equal(o, t) {
		if wantLen == 2 && bits&0xef83 == 0x0001 && ours.Imm != 0 && slices.Equal(o[:2], t[:2]) {
			c.diverged[divNopHintImm.name]++ // c.nop HINT: see divNopHintImm
			return
		}
		c.fail(bits, ours, thStr, fmt.Sprintf("operands %v, riscv64asm's %v", o, t))
	}
}

func (c *crossChecker) merge(o *crossChecker) {
	c.checked += o.checked
	c.agreeValid += o.agreeValid
	c.agreeIllegal += o.agreeIllegal
	c.operandsChecked += o.operandsChecked
	for k, v := range o.diverged {
		c.diverged[k] += v
	}
	c.failures = append(c.failures, o.failures...)
}

func (c *crossChecker) report(t *testing.T, expect []divergence) {
	t.Helper()
	for _, d := range expect {
		if c.diverged[d.name] == 0 && !testing.Short() {
			t.Errorf("allow-list class %q was never exercised: a stale entry, or the sweep misses it", d.name)
		}
	}
	t.Logf("checked %d words: %d agree valid (%d operand-checked), %d agree illegal", c.checked,
		c.agreeValid, c.operandsChecked, c.agreeIllegal)
	for _, d := range allDivergences {
		if n := c.diverged[d.name]; n > 0 {
			t.Logf("  allowed divergence %-20s %8d  (%s)", d.name, n, d.reason)
		}
	}
	slices.Sort(c.failures)
	c.failures = slices.Compact(c.failures)
	const maxShown = 40
	for i, f := range c.failures {
		if i == maxShown {
			t.Errorf("... and %d more", len(c.failures)-maxShown)
			break
		}
		t.Error(f)
	}
}

// raceEnabled reports whether the test binary was built with -race. riscv64asm.Decode
// writes a package-level coverage table, so it is only called from one goroutine then.
func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

// crossCheck checks words, spread over the machine's cores (riscv64asm.Decode scans its
// table linearly and takes ~10 µs for a word it rejects).
func crossCheck(t *testing.T, words []uint32, expect ...divergence) {
	t.Helper()
	workers := min(runtime.GOMAXPROCS(0), 4)
	if raceEnabled() {
		workers = 1
	}
	checkers := make([]*crossChecker, workers)
	var wg sync.WaitGroup
	for w := range workers {
		checkers[w] = newCrossChecker()
		lo, hi := len(words)*w/workers, len(words)*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range words[lo:hi] {
				checkers[w].check(b)
			}
		}()
	}
	wg.Wait()
	all := newCrossChecker()
	for _, c := range checkers {
		all.merge(c)
	}
	all.report(t, expect)
}

// scale shrinks sample counts under -short.
func scale(n int) int {
	if testing.Short() {
		return n / 20
	}
	return n
}

// TestDecodeCompressedAgainstRiscv64asm checks every 16-bit encoding.
func TestDecodeCompressedAgainstRiscv64asm(t *testing.T) {
	var words []uint32
	for b := uint32(0); b < 1<<16; b++ {
		if b&3 != 3 {
			words = append(words, b)
		}
	}
	crossCheck(t, words, divDefinedIllegal, divRVCHint, divNopHintImm)
}

// TestDecodeRandomAgainstRiscv64asm checks 2 million uniformly random 32-bit encodings,
// in two halves with their own seeds so that each subtest stays well under 20 s on a
// busy two-core machine.
func TestDecodeRandomAgainstRiscv64asm(t *testing.T) {
	for _, seed := range []uint64{0x5eed, 0xdec0de} {
		t.Run(fmt.Sprintf("seed=%#x", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x72697363))
			words := make([]uint32, scale(1_000_000))
			for i := range words {
				words[i] = r.Uint32() | 3
			}
			crossCheck(t, words, divReservedRM, divBitmanip, divZicond, divZacas, divZfh, divQ, divV)
		})
	}
}

// TestDecodeOpcodeSweepAgainstRiscv64asm sweeps the function fields of every major
// opcode densely: for each 7-bit opcode, every funct3×funct7 pair with random rd, rs1
// and rs2, then random funct3/funct7/rs2 combinations; and exhaustively the fields
// that select operations in OP-FP (funct7, rs2, rm), AMO (funct5, aq/rl, funct3,
// rs2) and SYSTEM (imm12 with funct3=0).
func TestDecodeOpcodeSweepAgainstRiscv64asm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 0x0bc0de))
	var words []uint32
	field := func(b, rd, rs1 uint32) uint32 { return b | (rd&31)<<7 | (rs1&31)<<15 }
	for opc := uint32(3); opc < 128; opc += 4 {
		for f3 := uint32(0); f3 < 8; f3++ {
			for f7 := uint32(0); f7 < 128; f7++ {
				b := opc | f3<<12 | f7<<25 | (r.Uint32()&31)<<20
				words = append(words, field(b, r.Uint32(), r.Uint32()))
			}
		}
		for range scale(4096) {
			b := opc | (r.Uint32()&7)<<12 | (r.Uint32()&127)<<25 | (r.Uint32()&31)<<20
			words = append(words, field(b, r.Uint32(), r.Uint32()))
		}
	}
	for _, opc := range []uint32{0x53, 0x2f} {
		for f3 := uint32(0); f3 < 8; f3++ {
			for f7 := uint32(0); f7 < 128; f7++ {
				for rs2 := uint32(0); rs2 < 32; rs2++ {
					if opc == 0x2f && f3 != 2 && f3 != 3 && rs2 > 1 {
						continue // other funct3 values are reserved whatever rs2 says
					}
					words = append(words, field(opc|f3<<12|f7<<25|rs2<<20, r.Uint32(), r.Uint32()))
				}
			}
		}
	}
	for imm := uint32(0); imm < 4096; imm++ {
		words = append(words, 0x73|imm<<20, field(0x73|imm<<20, r.Uint32(), r.Uint32()))
	}
	// MISC-MEM funct3=010 with rd=0: the cbo.* encodings, and their neighbours.
	for imm := uint32(0); imm < 8; imm++ {
		for rs1 := uint32(0); rs1 < 32; rs1 += 5 {
			words = append(words, 0x200f|imm<<20|rs1<<15, 0x200f|imm<<20|rs1<<15|(r.Uint32()&31)<<7)
		}
	}
	crossCheck(t, words, divReservedRM, divBitmanip, divZicond, divZacas, divCMO, divZfh, divQ, divV)
}

// TestDecodeNamedEncodings pins encodings whose names differ between assemblers:
// riscv64asm has no fence.tso, pause, nop or hint ops; they are FENCE and ADDI/ORI.
func TestDecodeNamedEncodings(t *testing.T) {
	for _, c := range []struct {
		name string
		bits uint32
		want Inst
	}{
		{"fence.tso", 0x8330000f, Inst{Op: FENCE, Imm: 0x833, Len: 4}},
		{"pause", 0x0100000f, Inst{Op: FENCE, Imm: 0x010, Len: 4}},
		{"fence rw,rw", 0x0330000f, Inst{Op: FENCE, Imm: 0x033, Len: 4}},
		{"fence.i", 0x0000100f, Inst{Op: FENCE_I, Len: 4}},
		{"nop", 0x00000013, Inst{Op: ADDI, Len: 4}},
		{"prefetch.r (ori x0)", 0x0015e013, Inst{Op: ORI, Imm: 1, Len: 4}},
		{"ecall", 0x00000073, Inst{Op: ECALL, Len: 4}},
		{"ebreak", 0x00100073, Inst{Op: EBREAK, Len: 4}},
		{"c.nop", 0x0001, Inst{Op: ADDI, Len: 2}},
		{"c.ebreak", 0x9002, Inst{Op: EBREAK, Len: 2}},
		{"unimp (csrrw x0,cycle,x0)", 0xc0001073, Inst{Op: CSRRW, Imm: 0xc00, Len: 4}},
		{"c.unimp", 0x0000, Inst{Op: ILLEGAL, Len: 2}},
		{"wfi (privileged)", 0x10500073, Inst{Op: ILLEGAL, Len: 4}},
		{"48-bit prefix", 0x0000001f, Inst{Op: ILLEGAL, Len: 4}},
	} {
		// Only the fields that mean something for these ops: the others hold raw bits.
		if got := Decode(c.bits); got.Op != c.want.Op || got.Imm != c.want.Imm || got.Len != c.want.Len {
			t.Errorf("%s: Decode(0x%08x) = %v, want %v imm=%d len=%d", c.name, c.bits, got, c.want.Op, c.want.Imm, c.want.Len)
		}
		th, ok := theirs(c.bits)
		t.Logf("%-26s 0x%08x ours %-10v riscv64asm %v (valid %v)", c.name, c.bits, Decode(c.bits).Op, th, ok)
	}
}

// goldenPath is the golden file of decoder results.
var goldenPath = filepath.Join("testdata", "decode.golden")

// goldenWords picks representative encodings: named ones, then for every op up to two
// 32-bit and two compressed encodings found by a fixed-seed sweep of the function
// fields, then some reserved ones.
func goldenWords() []uint32 {
	words := []uint32{
		0x00000013, 0x00000073, 0x00100073, 0x8330000f, 0x0100000f, 0x0ff0000f, 0x0000100f,
		0xc0001073, 0xc0002573, 0xc0102573, 0xc0202573, 0x00301073, 0x00202573,
		0x00000000, 0x0001, 0x9002, 0x4501, 0x8082, 0x6101, 0x4000, 0x8000, 0xffffffff, 0x0000001f,
		0x0000003f, 0x0000007f, 0x00007053, 0x00005053, 0x00006053, 0x10500073,
		0x1000202f, 0x1010202f, 0x0400202f, 0x0600302f,
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[Op]int{}
	type key struct{ opc, f3, f7, rs2 uint32 }
	var keys []key
	for opc := uint32(3); opc < 128; opc += 4 {
		for f3 := uint32(0); f3 < 8; f3++ {
			for f7 := uint32(0); f7 < 128; f7++ {
				for _, rs2 := range []uint32{0, 1, 2, 3, 7} {
					keys = append(keys, key{opc, f3, f7, rs2})
				}
			}
		}
	}
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for _, k := range keys {
		b := k.opc | k.f3<<12 | k.f7<<25 | k.rs2<<20 | (r.Uint32()&31)<<7 | (r.Uint32()&31)<<15
		if k.rs2 == 7 {
			b = b&^(31<<20) | (r.Uint32()&31)<<20
		}
		if o := Decode(b).Op; o != ILLEGAL && seen[o] < 2 {
			seen[o]++
			words = append(words, b)
		}
	}
	half := r.Perm(1 << 16)
	seenC := map[Op]int{}
	for _, h := range half {
		b := uint32(h)
		if b&3 == 3 {
			continue
		}
		if o := Decode(b).Op; seenC[o] < 2 {
			seenC[o]++
			words = append(words, b)
		}
	}
	seenW := map[uint32]bool{}
	return slices.DeleteFunc(words, func(b uint32) bool {
		dup := seenW[b]
		seenW[b] = true
		return dup
	})
}

func goldenLine(b uint32) string {
	return fmt.Sprintf("0x%08x %v", b, Decode(b))
}

// TestDecodeGolden compares Decode with testdata/decode.golden; -update rewrites it.
func TestDecodeGolden(t *testing.T) {
	if *update {
		var buf bytes.Buffer
		buf.WriteString("# Decoder golden cases: instruction bits, then Decode's Inst.String().\n")
		buf.WriteString("# Regenerate with: go test ./internal/cpu -run TestDecodeGolden -update\n")
		for _, b := range goldenWords() {
			buf.WriteString(goldenLine(b) + "\n")
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases, err := readGolden()
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if len(cases) < 200 {
		t.Errorf("golden file has %d cases, want a few hundred", len(cases))
	}
	for _, c := range cases {
		if got := Decode(c.bits).String(); got != c.want {
			t.Errorf("Decode(0x%08x) = %s, golden says %s", c.bits, got, c.want)
		}
	}
}

type goldenCase struct {
	bits uint32
	want string
}

func readGolden() ([]goldenCase, error) {
	f, err := os.Open(goldenPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []goldenCase
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		hex, rest, ok := strings.Cut(line, " ")
		v, err := strconv.ParseUint(hex, 0, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("%s: bad line %q", goldenPath, line)
		}
		cases = append(cases, goldenCase{uint32(v), rest})
	}
	return cases, s.Err()
}

// TestDecodeFieldInvariants checks properties every decoded instruction has, over the
// golden cases and a random sample: register numbers are in range, compressed decoding
// ignores the upper half-word, and the decoded op's operands are the ones its class
// says (e.g. no integer x0 write is dropped by the decoder).
func TestDecodeFieldInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range scale(200_000) {
		b := r.Uint32()
		in := Decode(b)
		if in.Rd > 31 || in.Rs1 > 31 || in.Rs2 > 31 || in.Rs3 > 31 {
			t.Fatalf("Decode(0x%08x) = %v: register out of range", b, in)
		}
		if b&3 != 3 {
			if hi := Decode(b | 0xabcd0000); hi != in {
				t.Fatalf("Decode(0x%08x) = %v but Decode(0x%08x) = %v: upper half must not matter", b, in, b|0xabcd0000, hi)
			}
		}
		if in.Op != ILLEGAL && (in.Op == opUndecoded || in.Op >= opCross) {
			t.Fatalf("Decode(0x%08x) = %v: internal op", b, in)
		}
	}
}
