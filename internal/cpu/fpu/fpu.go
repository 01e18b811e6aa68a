// Package fpu implements the IEEE 754-2008 arithmetic of the RISC-V F and D
// extensions as pure functions on raw bit patterns.
//
// A float32 value is represented by its bits as a uint32 and a float64 value
// by its bits as a uint64. NaN-boxing is the caller's business. Every
// arithmetic function takes an explicit rounding mode (already resolved from
// the instruction's rm field or frm, so never DYN) and returns the result
// bits together with the exception flags it raised; the caller ORs the flags
// into fflags.
//
// RISC-V specifics implemented here:
//   - NaN results are always the canonical NaN (no payload propagation).
//   - Tininess is detected after rounding; UF is raised only when the result
//     is tiny and inexact.
//   - fmin/fmax follow the 2.2+ minimumNumber/maximumNumber semantics.
//   - Float-to-integer conversions saturate as specified by the ISA.
//
// Most operations have a fast path using the host's (round-to-nearest-even)
// floating point with error-free transformations to obtain exact flags and
// to correct the result for the other rounding modes. Results near the
// overflow and underflow thresholds and special operands take an exact
// software path.
package fpu

import (
	"math/bits"
	"strconv"
)

// RM is a RISC-V rounding mode (frm encoding).
type RM uint8

// Rounding modes.
const (
	RNE RM = 0 // round to nearest, ties to even
	RTZ RM = 1 // round towards zero
	RDN RM = 2 // round down (towards -inf)
	RUP RM = 3 // round up (towards +inf)
	RMM RM = 4 // round to nearest, ties to max magnitude
)

// Valid reports whether rm is one of the five static rounding modes. The
// functions of this package must only be called with valid modes (the
// caller resolves DYN from frm and raises an illegal-instruction exception
// for reserved encodings); invalid modes behave like RNE.
func (rm RM) Valid() bool { return rm <= RMM }

func (rm RM) String() string {
	switch rm {
	case RNE:
		return "RNE"
	case RTZ:
		return "RTZ"
	case RDN:
		return "RDN"
	case RUP:
		return "RUP"
	case RMM:
		return "RMM"
	case 7:
		return "DYN"
	}
	return "RM(" + strconv.Itoa(int(rm)) + ")"
}

// Flags is a set of accrued exception flags (fflags encoding).
type Flags uint8

// Exception flags.
const (
	NX Flags = 1  // inexact
	UF Flags = 2  // underflow
	OF Flags = 4  // overflow
	DZ Flags = 8  // divide by zero
	NV Flags = 16 // invalid operation
)

func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	s := ""
	for _, x := range [...]struct {
		f    Flags
		name string
	}{{NV, "NV"}, {DZ, "DZ"}, {OF, "OF"}, {UF, "UF"}, {NX, "NX"}} {
		if f&x.f != 0 {
			if s != "" {
				s += "|"
			}
			s += x.name
			f &^= x.f
		}
	}
	if f != 0 {
		if s != "" {
			s += "|"
		}
		s += "0x" + strconv.FormatUint(uint64(f), 16)
	}
	return s
}

// Canonical NaNs.
const (
	CanonicalNaN32 uint32 = 0x7fc00000
	CanonicalNaN64 uint64 = 0x7ff8000000000000
)

// fclass result bits.
const (
	ClassNegInf       = 1 << 0
	ClassNegNormal    = 1 << 1
	ClassNegSubnormal = 1 << 2
	ClassNegZero      = 1 << 3
	ClassPosZero      = 1 << 4
	ClassPosSubnormal = 1 << 5
	ClassPosNormal    = 1 << 6
	ClassPosInf       = 1 << 7
	ClassSNaN         = 1 << 8
	ClassQNaN         = 1 << 9
)

// format describes a binary interchange format. Values of either format are
// handled as uint64 bit patterns (float32 bits zero-extended).
type format struct {
	p       uint   // precision including the hidden bit
	bias    int    // exponent bias
	emin    int    // exponent of the smallest normal number
	emax    int    // exponent of the largest finite number
	sign    uint64 // sign bit
	expMask uint64 // exponent field mask (in place)
	frac    uint64 // fraction field mask
	quiet   uint64 // quiet bit
	qnan    uint64 // canonical NaN
	inf     uint64 // +inf
	max     uint64 // largest finite
}

var (
	fmt32 = &format{p: 24, bias: 127, emin: -126, emax: 127, sign: 1 << 31,
		expMask: 0x7f800000, frac: 0x007fffff, quiet: 1 << 22,
		qnan: uint64(CanonicalNaN32), inf: 0x7f800000, max: 0x7f7fffff}
	fmt64 = &format{p: 53, bias: 1023, emin: -1022, emax: 1023, sign: 1 << 63,
		expMask: 0x7ff0000000000000, frac: 0x000fffffffffffff, quiet: 1 << 51,
		qnan: CanonicalNaN64, inf: 0x7ff0000000000000, max: 0x7fefffffffffffff}
)

// class of an operand.
type kind uint8

const (
	kZero kind = iota
	kFinite
	kInf
	kQNaN
	kSNaN
)

func (f *format) isNaN(x uint64) bool { return x&^f.sign > f.inf }
func (f *format) isSNaN(x uint64) bool {
	return f.isNaN(x) && x&f.quiet == 0
}

// unpack splits x. For kFinite, the value is (-1)^neg * m * 2^e with m != 0
// (not normalised for subnormals).
func (f *format) unpack(x uint64) (k kind, neg bool, e int, m uint64) {
	neg = x&f.sign != 0
	be := int((x & f.expMask) >> (f.p - 1))
	m = x & f.frac
	switch {
	case be == int(f.expMask>>(f.p-1)):
		switch {
		case m == 0:
			k = kInf
		case m&f.quiet != 0:
			k = kQNaN
		default:
			k = kSNaN
		}
		return
	case be == 0:
		if m == 0 {
			return kZero, neg, 0, 0
		}
		return kFinite, neg, f.emin - int(f.p-1), m
	}
	return kFinite, neg, be - f.bias - int(f.p-1), m | 1<<(f.p-1)
}

// roundShift shifts m right by sh bits (sh >= 1) rounding according to rm
// for a value of sign neg. It reports whether any nonzero bits were lost.
func roundShift(m uint64, sh int, rm RM, neg bool) (uint64, bool) {
	var q, rem, half uint64
	switch {
	case sh <= 0:
		return m << uint(-sh), false
	case sh < 64:
		q = m >> uint(sh)
		rem = m & (1<<uint(sh) - 1)
		half = 1 << uint(sh-1)
	case sh == 64:
		q, rem, half = 0, m, 1<<63
	default:
		q, half = 0, 2
		if m != 0 {
			rem = 1
		}
	}
	if rem == 0 {
		return q, false
	}
	switch rm {
	case RTZ:
	case RDN:
		if neg {
			q++
		}
	case RUP:
		if !neg {
			q++
		}
	case RMM:
		if rem >= half {
			q++
		}
	default: // RNE
		if rem > half || rem == half && q&1 != 0 {
			q++
		}
	}
	return q, true
}

// overflowResult returns the result of an overflowing operation.
func (f *format) overflowResult(neg bool, rm RM) uint64 {
	var r uint64
	switch rm {
	case RTZ:
		r = f.max
	case RDN:
		if neg {
			r = f.inf
		} else {
			r = f.max
		}
	case RUP:
		if neg {
			r = f.max
		} else {
			r = f.inf
		}
	default:
		r = f.inf
	}
	if neg {
		r |= f.sign
	}
	return r
}

// roundPack rounds the exact (or sticky-jammed) value (-1)^neg * m * 2^e to
// format f. m must be nonzero. If m was jammed (low bit ORed with "some
// nonzero bits were discarded"), it must carry at least p+2 significant bits.
func (f *format) roundPack(neg bool, e int, m uint64, rm RM) (uint64, Flags) {
	n := bits.LeadingZeros64(m)
	m <<= uint(n)
	e -= n
	E := e + 63 // floor(log2(|value|))
	var sign uint64
	if neg {
		sign = f.sign
	}
	if E > f.emax {
		return f.overflowResult(neg, rm), OF | NX
	}
	sh := 64 - int(f.p)
	if E >= f.emin {
		q, inexact := roundShift(m, sh, rm, neg)
		// q in [2^(p-1), 2^p]; the hidden bit carries into the exponent.
		r := uint64(E+f.bias-1)<<(f.p-1) + q
		if r >= f.inf {
			return f.overflowResult(neg, rm), OF | NX
		}
		if inexact {
			return r | sign, NX
		}
		return r | sign, 0
	}
	// Possibly tiny. Tininess is detected after rounding to p bits with an
	// unbounded exponent range.
	q, inexact := roundShift(m, sh+f.emin-E, rm, neg)
	if !inexact {
		return q | sign, 0
	}
	tiny := true
	if E == f.emin-1 {
		if qu, _ := roundShift(m, sh, rm, neg); qu>>f.p != 0 {
			tiny = false
		}
	}
	// q in [0, 2^(p-1)]; q == 2^(p-1) encodes the smallest normal.
	if tiny {
		return q | sign, UF | NX
	}
	return q | sign, NX
}
