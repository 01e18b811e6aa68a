package gdbstub

import (
	"encoding/binary"
	"fmt"
	"strings"

	"weft/internal/cpu"
)

// The remote register numbers, as the target description below assigns them: x0-x31,
// pc, f0-f31, then the float CSRs fflags, frm and fcsr. The 'g' packet carries them in
// this order, integer and float registers as 8 bytes, the CSRs as 4, little-endian.
const (
	regPC     = 32
	regF0     = 33
	regFflags = 65
	regFrm    = 66
	regFcsr   = 67
	numRegs   = 68
)

func regSize(n int) int {
	if n >= regFflags {
		return 4
	}
	return 8
}

// getReg returns register n of c, or ok=false for a number gdb should not ask for.
func getReg(c *cpu.Context, n int) (v uint64, ok bool) {
	switch {
	case n >= 0 && n < 32:
		return c.X[n], true
	case n == regPC:
		return c.PC, true
	case n >= regF0 && n < regF0+32:
		return c.F[n-regF0], true
	case n == regFflags:
		return uint64(c.FCSR & 0x1f), true
	case n == regFrm:
		return uint64(c.FCSR >> 5 & 7), true
	case n == regFcsr:
		return uint64(c.FCSR & 0xff), true
	}
	return 0, false
}

// setReg sets register n of c; writes to x0 are dropped, as the hardware drops them.
func setReg(c *cpu.Context, n int, v uint64) bool {
	switch {
	case n == 0:
	case n > 0 && n < 32:
		c.X[n] = v
	case n == regPC:
		c.PC = v
	case n >= regF0 && n < regF0+32:
		c.F[n-regF0] = v
	case n == regFflags:
		c.FCSR = c.FCSR&^0x1f | uint32(v&0x1f)
	case n == regFrm:
		c.FCSR = c.FCSR&^0xe0 | uint32(v&7)<<5
	case n == regFcsr:
		c.FCSR = uint32(v & 0xff)
	default:
		return false
	}
	return true
}

func encodeReg(c *cpu.Context, n int) string {
	v, _ := getReg(c, n)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return encodeHex(b[:regSize(n)])
}

// encodeRegs is the 'g' reply for c.
func encodeRegs(c *cpu.Context) string {
	var sb strings.Builder
	for n := 0; n < numRegs; n++ {
		sb.WriteString(encodeReg(c, n))
	}
	return sb.String()
}

// decodeReg parses one register value in target byte order.
func decodeReg(n int, s string) (uint64, bool) {
	b, ok := decodeHex(s)
	if !ok || len(b) != regSize(n) {
		return 0, false
	}
	var full [8]byte
	copy(full[:], b)
	return binary.LittleEndian.Uint64(full[:]), true
}

// decodeRegs applies a 'G' packet to c. gdb may send fewer registers than it could
// (the leading ones only); the others keep their values.
func decodeRegs(c *cpu.Context, s string) bool {
	nc := *c
	for n := 0; n < numRegs && s != ""; n++ {
		w := 2 * regSize(n)
		if len(s) < w {
			return false
		}
		v, ok := decodeReg(n, s[:w])
		if !ok {
			return false
		}
		setReg(&nc, n, v)
		s = s[w:]
	}
	if s != "" {
		return false
	}
	*c = nc
	return true
}

var intNames = [32]string{"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1",
	"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
	"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"}

var floatNames = [32]string{"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
	"fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7",
	"fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
	"ft8", "ft9", "ft10", "ft11"}

// targetXML is the target description: RV64 with the D extension's registers, in
// gdb's own feature names, so that gdb shows the float registers and knows the
// 'g' packet's layout.
var targetXML = func() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>riscv:rv64</architecture>
<osabi>GNU/Linux</osabi>
<feature name="org.gnu.gdb.riscv.cpu">
`)
	for i, n := range intNames {
		typ := "int"
		switch i {
		case 1:
			typ = "code_ptr"
		case 2, 3, 4, 8:
			typ = "data_ptr"
		}
		fmt.Fprintf(&b, "<reg name=%q bitsize=\"64\" type=%q regnum=\"%d\"/>\n", n, typ, i)
	}
	fmt.Fprintf(&b, "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"%d\"/>\n</feature>\n", regPC)
	b.WriteString(`<feature name="org.gnu.gdb.riscv.fpu">
<union id="riscv_double">
<field name="float" type="ieee_single"/>
<field name="double" type="ieee_double"/>
</union>
`)
	for i, n := range floatNames {
		fmt.Fprintf(&b, "<reg name=%q bitsize=\"64\" type=\"riscv_double\" regnum=\"%d\"/>\n", n, regF0+i)
	}
	fmt.Fprintf(&b, "<reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"%d\" group=\"float\"/>\n", regFflags)
	fmt.Fprintf(&b, "<reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"%d\" group=\"float\"/>\n", regFrm)
	fmt.Fprintf(&b, "<reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"%d\" group=\"float\"/>\n", regFcsr)
	b.WriteString("</feature>\n</target>\n")
	return b.String()
}()
