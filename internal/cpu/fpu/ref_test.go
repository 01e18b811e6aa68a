package fpu

// An independent reference implementation used by the randomized tests. It
// computes every result exactly as a big.Rat and rounds it with a
// straightforward rational rounding procedure written directly from the
// IEEE 754-2008 definitions (and the RISC-V choices: tininess after
// rounding, canonical NaNs, saturating conversions). It shares no code with
// the package under test.

import (
	"math/big"
)

type rf struct {
	p, ebits, bias, emin, emax, nbits int
}

var (
	rf32 = rf{p: 24, ebits: 8, bias: 127, emin: -126, emax: 127, nbits: 32}
	rf64 = rf{p: 53, ebits: 11, bias: 1023, emin: -1022, emax: 1023, nbits: 64}
)

func (f rf) signBit() uint64 { return 1 << uint(f.nbits-1) }
func (f rf) expAll() uint64  { return (1<<uint(f.ebits) - 1) << uint(f.p-1) }
func (f rf) qnan() uint64    { return f.expAll() | 1<<uint(f.p-2) }
func (f rf) inf(neg bool) uint64 {
	if neg {
		return f.expAll() | f.signBit()
	}
	return f.expAll()
}
func (f rf) maxFinite(neg bool) uint64 {
	r := f.expAll() - 1
	if neg {
		r |= f.signBit()
	}
	return r
}
func (f rf) zero(neg bool) uint64 {
	if neg {
		return f.signBit()
	}
	return 0
}

// rv is a decoded operand.
type rv struct {
	nan, snan, inf, neg bool
	v                   *big.Rat // exact value for finite operands (0 for zeros)
}

func (x rv) isZero() bool { return !x.nan && !x.inf && x.v.Sign() == 0 }

func ratPow2(e int) *big.Rat {
	one := big.NewInt(1)
	if e >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Lsh(one, uint(e)))
	}
	return new(big.Rat).SetFrac(one, new(big.Int).Lsh(one, uint(-e)))
}

func (f rf) dec(x uint64) rv {
	neg := x&f.signBit() != 0
	be := int(x>>uint(f.p-1)) & (1<<uint(f.ebits) - 1)
	fr := x & (1<<uint(f.p-1) - 1)
	if be == 1<<uint(f.ebits)-1 {
		if fr == 0 {
			return rv{inf: true, neg: neg}
		}
		return rv{nan: true, snan: fr>>uint(f.p-2)&1 == 0, neg: neg}
	}
	var m uint64
	var e int
	if be == 0 {
		m, e = fr, f.emin-(f.p-1)
	} else {
		m, e = fr|1<<uint(f.p-1), be-f.bias-(f.p-1)
	}
	v := new(big.Rat).SetInt(new(big.Int).SetUint64(m))
	v.Mul(v, ratPow2(e))
	if neg {
		v.Neg(v)
	}
	return rv{neg: neg, v: v}
}

// roundMag rounds the nonnegative rational q to an integer according to rm
// for a value whose sign is neg.
func roundMag(q *big.Rat, rm RM, neg bool) (*big.Int, bool) {
	n, rem := new(big.Int).QuoRem(q.Num(), q.Denom(), new(big.Int))
	if rem.Sign() == 0 {
		return n, false
	}
	c := new(big.Int).Lsh(rem, 1).Cmp(q.Denom()) // compare fraction with 1/2
	up := false
	switch rm {
	case RNE:
		up = c > 0 || c == 0 && n.Bit(0) == 1
	case RMM:
		up = c >= 0
	case RTZ:
	case RDN:
		up = neg
	case RUP:
		up = !neg
	default:
		panic("bad rm")
	}
	if up {
		n.Add(n, big.NewInt(1))
	}
	return n, true
}

// ilog2 returns floor(log2(a)) for a > 0.
func ilog2(a *big.Rat) int {
	e := a.Num().BitLen() - a.Denom().BitLen()
	for a.Cmp(ratPow2(e)) < 0 {
		e--
	}
	for a.Cmp(ratPow2(e+1)) >= 0 {
		e++
	}
	return e
}

// round rounds the nonzero exact value x to format f.
func (f rf) round(x *big.Rat, rm RM) (uint64, Flags) {
	neg := x.Sign() < 0
	ax := new(big.Rat).Abs(x)
	e := ilog2(ax)
	one := big.NewInt(1)

	// Tininess after rounding: round to p bits with unbounded exponent.
	qu := new(big.Rat).Mul(ax, ratPow2(-(e - f.p + 1)))
	nu, _ := roundMag(qu, rm, neg)
	ru := new(big.Rat).Mul(new(big.Rat).SetInt(nu), ratPow2(e-f.p+1))
	tiny := ru.Cmp(ratPow2(f.emin)) < 0

	qe := e
	if qe < f.emin {
		qe = f.emin
	}
	qe -= f.p - 1
	q := new(big.Rat).Mul(ax, ratPow2(-qe))
	n, inexact := roundMag(q, rm, neg)
	val := new(big.Rat).Mul(new(big.Rat).SetInt(n), ratPow2(qe))
	if val.Cmp(ratPow2(f.emax+1)) >= 0 {
		var r uint64
		switch rm {
		case RNE, RMM:
			r = f.inf(neg)
		case RTZ:
			r = f.maxFinite(neg)
		case RDN:
			if neg {
				r = f.inf(true)
			} else {
				r = f.maxFinite(false)
			}
		case RUP:
			if neg {
				r = f.maxFinite(true)
			} else {
				r = f.inf(false)
			}
		}
		return r, OF | NX
	}
	var fl Flags
	if inexact {
		fl |= NX
		if tiny {
			fl |= UF
		}
	}
	if n.Sign() == 0 {
		return f.zero(neg), fl
	}
	hidden := new(big.Int).Lsh(one, uint(f.p-1))
	if n.Cmp(new(big.Int).Lsh(one, uint(f.p))) == 0 {
		n.Rsh(n, 1)
		qe++
	}
	var bits uint64
	if n.Cmp(hidden) < 0 {
		if qe != f.emin-(f.p-1) {
			panic("subnormal with wrong exponent")
		}
		bits = n.Uint64()
	} else {
		be := qe + f.p - 1 + f.bias
		bits = uint64(be)<<uint(f.p-1) | new(big.Int).Sub(n, hidden).Uint64()
	}
	return bits | f.zero(neg), fl
}

func (f rf) nanOut(xs ...rv) (uint64, Flags) {
	var fl Flags
	for _, x := range xs {
		if x.snan {
			fl = NV
		}
	}
	return f.qnan(), fl
}

// exactZero returns the sign of an exact zero sum of terms with signs s1, s2.
func (f rf) exactZero(s1, s2 bool, rm RM) uint64 {
	if s1 == s2 {
		return f.zero(s1)
	}
	return f.zero(rm == RDN)
}

func (f rf) refAdd(a, b uint64, rm RM) (uint64, Flags) {
	x, y := f.dec(a), f.dec(b)
	switch {
	case x.nan || y.nan:
		return f.nanOut(x, y)
	case x.inf && y.inf:
		if x.neg != y.neg {
			return f.qnan(), NV
		}
		return f.inf(x.neg), 0
	case x.inf:
		return f.inf(x.neg), 0
	case y.inf:
		return f.inf(y.neg), 0
	}
	s := new(big.Rat).Add(x.v, y.v)
	if s.Sign() == 0 {
		return f.exactZero(x.neg, y.neg, rm), 0
	}
	return f.round(s, rm)
}

func (f rf) refMul(a, b uint64, rm RM) (uint64, Flags) {
	x, y := f.dec(a), f.dec(b)
	neg := x.neg != y.neg
	switch {
	case x.nan || y.nan:
		return f.nanOut(x, y)
	case x.inf && y.isZero() || y.inf && x.isZero():
		return f.qnan(), NV
	case x.inf || y.inf:
		return f.inf(neg), 0
	case x.isZero() || y.isZero():
		return f.zero(neg), 0
	}
	return f.round(new(big.Rat).Mul(x.v, y.v), rm)
}

func (f rf) refDiv(a, b uint64, rm RM) (uint64, Flags) {
	x, y := f.dec(a), f.dec(b)
	neg := x.neg != y.neg
	switch {
	case x.nan || y.nan:
		return f.nanOut(x, y)
	case x.inf && y.inf, x.isZero() && y.isZero():
		return f.qnan(), NV
	case x.inf:
		return f.inf(neg), 0
	case y.inf:
		return f.zero(neg), 0
	case y.isZero():
		return f.inf(neg), DZ
	case x.isZero():
		return f.zero(neg), 0
	}
	return f.round(new(big.Rat).Quo(x.v, y.v), rm)
}

func (f rf) refSqrt(a uint64, rm RM) (uint64, Flags) {
	x := f.dec(a)
	switch {
	case x.nan:
		return f.nanOut(x)
	case x.isZero():
		return f.zero(x.neg), 0
	case x.neg:
		return f.qnan(), NV
	case x.inf:
		return f.inf(false), 0
	}
	// x = m * 2^e with integer m; make e even, then scale by 4^k.
	m := new(big.Int).Set(x.v.Num())
	e := 0
	d := x.v.Denom()
	e = -(d.BitLen() - 1) // denominator is a power of two
	if e&1 != 0 {
		m.Lsh(m, 1)
		e--
	}
	const k = 80
	m.Lsh(m, 2*k)
	s := new(big.Int).Sqrt(m)
	v := new(big.Rat).SetInt(s)
	if new(big.Int).Mul(s, s).Cmp(m) != 0 {
		// The true root lies strictly between s and s+1, and s has far
		// more than p+2 bits, so s+1/2 rounds identically.
		v.Add(v, big.NewRat(1, 2))
	}
	v.Mul(v, ratPow2(e/2-k))
	return f.round(v, rm)
}

func (f rf) refFMA(a, b, c uint64, rm RM) (uint64, Flags) {
	x, y, z := f.dec(a), f.dec(b), f.dec(c)
	np := x.neg != y.neg
	invProd := x.inf && y.isZero() || y.inf && x.isZero()
	switch {
	case x.nan || y.nan || z.nan:
		r, fl := f.nanOut(x, y, z)
		if invProd {
			fl = NV
		}
		return r, fl
	case invProd:
		return f.qnan(), NV
	case x.inf || y.inf:
		if z.inf && z.neg != np {
			return f.qnan(), NV
		}
		return f.inf(np), 0
	case z.inf:
		return f.inf(z.neg), 0
	}
	s := new(big.Rat).Mul(x.v, y.v)
	s.Add(s, z.v)
	if s.Sign() == 0 {
		return f.exactZero(np, z.neg, rm), 0
	}
	return f.round(s, rm)
}

// refCvt converts between formats.
func refCvt(src, dst rf, a uint64, rm RM) (uint64, Flags) {
	x := src.dec(a)
	switch {
	case x.nan:
		_, fl := src.nanOut(x)
		return dst.qnan(), fl
	case x.inf:
		return dst.inf(x.neg), 0
	case x.isZero():
		return dst.zero(x.neg), 0
	}
	return dst.round(x.v, rm)
}

// refToInt converts to an integer of nbits, returning the rd value
// (sign-extended for 32-bit results).
func (f rf) refToInt(a uint64, rm RM, signed bool, nbits int) (uint64, Flags) {
	one := big.NewInt(1)
	var lo, hi *big.Int
	if signed {
		hi = new(big.Int).Sub(new(big.Int).Lsh(one, uint(nbits-1)), one)
		lo = new(big.Int).Neg(new(big.Int).Lsh(one, uint(nbits-1)))
	} else {
		hi = new(big.Int).Sub(new(big.Int).Lsh(one, uint(nbits)), one)
		lo = new(big.Int)
	}
	enc := func(v *big.Int) uint64 {
		// two's complement in nbits, then sign-extend to 64
		m := new(big.Int).Lsh(one, uint(nbits))
		t := new(big.Int).Mod(v, m).Uint64()
		if nbits == 32 {
			return uint64(int64(int32(uint32(t))))
		}
		return t
	}
	x := f.dec(a)
	switch {
	case x.nan:
		return enc(hi), NV
	case x.inf && x.neg:
		return enc(lo), NV
	case x.inf:
		return enc(hi), NV
	}
	n, inexact := roundMag(new(big.Rat).Abs(x.v), rm, x.neg)
	if x.neg {
		n.Neg(n)
	}
	if n.Cmp(lo) < 0 {
		return enc(lo), NV
	}
	if n.Cmp(hi) > 0 {
		return enc(hi), NV
	}
	if inexact {
		return enc(n), NX
	}
	return enc(n), 0
}

func (f rf) refFromInt(v *big.Int, rm RM) (uint64, Flags) {
	if v.Sign() == 0 {
		return 0, 0
	}
	return f.round(new(big.Rat).SetInt(v), rm)
}

// cmpVal compares two non-NaN operands by value (-0 == +0).
func cmpVal(x, y rv) int {
	switch {
	case x.inf && y.inf:
		if x.neg == y.neg {
			return 0
		}
		if x.neg {
			return -1
		}
		return 1
	case x.inf:
		if x.neg {
			return -1
		}
		return 1
	case y.inf:
		if y.neg {
			return 1
		}
		return -1
	}
	return x.v.Cmp(y.v)
}

func (f rf) refMinMax(a, b uint64, max bool) (uint64, Flags) {
	x, y := f.dec(a), f.dec(b)
	var fl Flags
	if x.snan || y.snan {
		fl = NV
	}
	switch {
	case x.nan && y.nan:
		return f.qnan(), fl
	case x.nan:
		return b, fl
	case y.nan:
		return a, fl
	}
	c := cmpVal(x, y)
	if c == 0 && x.isZero() {
		// -0 < +0
		if x.neg == max {
			return b, 0
		}
		return a, 0
	}
	if (c < 0) != max {
		return a, 0
	}
	return b, 0
}

// refCmp returns 1/0 results for eq (0), lt (1), le (2).
func (f rf) refCmp(a, b uint64, which int) (uint64, Flags) {
	x, y := f.dec(a), f.dec(b)
	if x.nan || y.nan {
		if which != 0 || x.snan || y.snan {
			return 0, NV
		}
		return 0, 0
	}
	c := cmpVal(x, y)
	var r bool
	switch which {
	case 0:
		r = c == 0
	case 1:
		r = c < 0
	default:
		r = c <= 0
	}
	if r {
		return 1, 0
	}
	return 0, 0
}

func (f rf) refClass(a uint64) uint64 {
	x := f.dec(a)
	be := int(a>>uint(f.p-1)) & (1<<uint(f.ebits) - 1)
	var bit uint
	switch {
	case x.nan && x.snan:
		bit = 8
	case x.nan:
		bit = 9
	case x.inf:
		bit = 0
	case x.isZero():
		bit = 3
	case be == 0:
		bit = 2
	default:
		bit = 1
	}
	if !x.nan && !x.neg {
		bit = 7 - bit
	}
	return 1 << bit
}
