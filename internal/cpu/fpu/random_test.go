package fpu

import (
	"flag"
	"math"
	"math/rand"
	"strings"
	"testing"
)

var scale = flag.Int("fpu.scale", 1, "multiply the number of randomized test cases")

// gen produces operands biased towards the interesting corners: specials,
// subnormals, the overflow boundary, short significands (which make exact
// results and exact ties common) and values constructed to be near ties.
type gen struct{ r *rand.Rand }

func (g gen) bit() bool { return g.r.Intn(2) == 0 }

func (g gen) sign(f rf) uint64 {
	if g.bit() {
		return f.signBit()
	}
	return 0
}

// frac returns a random fraction field, often with few significant bits.
func (g gen) frac(f rf) uint64 {
	n := f.p - 1
	mask := uint64(1)<<uint(n) - 1
	switch g.r.Intn(6) {
	case 0, 1:
		return g.r.Uint64() & mask
	case 2: // short significand
		k := g.r.Intn(n + 1)
		return (g.r.Uint64() & (uint64(1)<<uint(k) - 1)) << uint(n-k) & mask
	case 3: // all ones with a few holes
		return mask &^ (uint64(1) << uint(g.r.Intn(n))) &^ (g.r.Uint64() & g.r.Uint64() & g.r.Uint64() & mask)
	case 4: // a single bit or none
		if g.bit() {
			return 0
		}
		return uint64(1) << uint(g.r.Intn(n))
	default: // half pattern: top bits random, then 1000..., low bits
		k := g.r.Intn(n)
		v := (g.r.Uint64() << uint(k+1)) | uint64(1)<<uint(k)
		if g.r.Intn(3) == 0 {
			v ^= uint64(g.r.Intn(3))
		}
		return v & mask
	}
}

// make builds a finite value with unbiased exponent e (clamped to the
// normal range; e < emin gives a subnormal).
func (g gen) make(f rf, e int, fr uint64) uint64 {
	be := e + f.bias
	if be < 1 {
		be = 0
	}
	if be > 2*f.bias {
		be = 2 * f.bias
	}
	return g.sign(f) | uint64(be)<<uint(f.p-1) | fr
}

func (g gen) special(f rf) uint64 {
	top := uint64(1)<<uint(f.p-1) - 1
	list := []uint64{
		0, f.inf(false), f.qnan(), f.qnan() | 0x123, f.expAll() | 1, f.expAll() | 1<<uint(f.p-3),
		1, 2, 3, top, top + 1, top + 2, f.maxFinite(false), f.maxFinite(false) - 1,
		uint64(f.bias) << uint(f.p-1), uint64(f.bias)<<uint(f.p-1) + 1, uint64(f.bias)<<uint(f.p-1) - 1,
		uint64(f.bias+1) << uint(f.p-1), uint64(f.bias-1) << uint(f.p-1),
	}
	return list[g.r.Intn(len(list))] | g.sign(f)
}

// float returns a random operand of format f.
func (g gen) float(f rf) uint64 {
	switch g.r.Intn(12) {
	case 0:
		return g.r.Uint64() & (1<<uint(f.nbits) - 1 | 1<<uint(f.nbits-1))
	case 1:
		return g.special(f)
	case 2, 3, 4:
		return g.make(f, g.r.Intn(17)-8, g.frac(f))
	case 5, 6: // around the underflow threshold
		return g.make(f, f.emin-1-g.r.Intn(4)+g.r.Intn(f.p+6)-f.p, g.frac(f))
	case 7: // around the overflow threshold
		return g.make(f, f.emax-g.r.Intn(4), g.frac(f))
	case 8: // half the exponent range, so products/quotients hit the limits
		e := f.emin/2 - 30 + g.r.Intn(60)
		if g.bit() {
			e = f.emax/2 - 4 + g.r.Intn(8)
		}
		return g.make(f, e, g.frac(f))
	default:
		return g.make(f, f.emin-f.p+g.r.Intn(f.emax-f.emin+f.p+1), g.frac(f))
	}
}

// finite returns a finite nonzero operand (retrying).
func (g gen) finite(f rf) uint64 {
	for {
		x := g.float(f)
		if v := f.dec(x); !v.nan && !v.inf && !v.isZero() {
			return x
		}
	}
}

// exponent of a finite nonzero operand.
func expOf(f rf, x uint64) int {
	v := f.dec(x)
	return ilog2(v.v.Abs(v.v))
}

func (g gen) nudge(f rf, x uint64) uint64 {
	k := uint64(g.r.Intn(4))
	mask := uint64(1)<<uint(f.nbits) - 1
	if g.bit() {
		return (x + k) & mask
	}
	return (x - k) & mask
}

func (g gen) addArgs(f rf) (uint64, uint64) {
	a := g.float(f)
	switch g.r.Intn(6) {
	case 0, 1:
		return a, g.float(f)
	case 2: // cancellation
		b := g.nudge(f, a^f.signBit())
		return a, b
	case 3, 4: // b around half an ulp of a (ties)
		a = g.finite(f)
		e := expOf(f, a) - f.p + g.r.Intn(5) - 2
		if g.bit() {
			return a, g.make(f, e, g.shortFrac(f, 1+g.r.Intn(3)))
		}
		return a, g.make(f, e, g.frac(f))
	default:
		a = g.finite(f)
		return a, g.make(f, expOf(f, a)-g.r.Intn(2*f.p), g.frac(f))
	}
}

// short returns a significand with k significant bits as a fraction field
// of a normal number, and the number of bits.
func (g gen) shortFrac(f rf, k int) uint64 {
	n := f.p - 1
	if k > f.p {
		k = f.p
	}
	if k < 1 {
		k = 1
	}
	m := g.r.Uint64()&(uint64(1)<<uint(k-1)-1) | 1 // k-1 bits below the hidden bit, odd
	if k == 1 {
		m = 0
	}
	return m << uint(n-(k-1)) & (uint64(1)<<uint(n) - 1)
}

// tailTie returns a = ±(1 + 2^-k) * 2^e and b whose low k significand bits
// are a tie-like pattern, so that a*b = b + b*2^-k has a tail just at, above
// or below half an ulp far beyond the first p+11 bits.
func (g gen) tailTie(f rf) (uint64, uint64) {
	k := 2 + g.r.Intn(f.p-2)
	a := g.make(f, g.r.Intn(9)-4, uint64(1)<<uint(f.p-1-k))
	pats := []uint64{1<<uint(k-1) | 1, 1 << uint(k-1), 1<<uint(k-1) - 1, 1, 1<<uint(k) - 1, 1<<uint(k-1) | 1<<uint(k-2)}
	pat := pats[g.r.Intn(len(pats))] & (1<<uint(k) - 1)
	fr := g.frac(f)&^(1<<uint(k)-1) | pat
	return a, g.make(f, g.r.Intn(9)-4, fr&(1<<uint(f.p-1)-1))
}

func (g gen) mulArgs(f rf) (uint64, uint64) {
	switch g.r.Intn(5) {
	case 0, 1:
		return g.float(f), g.float(f)
	case 2:
		a, b := g.tailTie(f)
		if g.bit() {
			a, b = b, a
		}
		return a, b
	default:
		// Significands whose product has about p+1 bits: exact results and
		// exact ties; exponents often placed near the underflow threshold.
		k1 := 1 + g.r.Intn(f.p)
		k2 := f.p + 2 - k1 - g.r.Intn(4)
		ea := g.r.Intn(21) - 10
		eb := g.r.Intn(21) - 10
		switch g.r.Intn(4) {
		case 0:
			eb = f.emin - ea - g.r.Intn(f.p+3) + 1
		case 1:
			eb = f.emax - ea - g.r.Intn(2)
		}
		return g.make(f, ea, g.shortFrac(f, k1)), g.make(f, eb, g.shortFrac(f, k2))
	}
}

func (g gen) divArgs(f rf) (uint64, uint64) {
	switch g.r.Intn(5) {
	case 0, 1:
		return g.float(f), g.float(f)
	case 2: // a = b * short, often exact
		b := g.make(f, g.r.Intn(9)-4, g.shortFrac(f, 1+g.r.Intn(f.p/2)))
		q := g.make(f, g.r.Intn(9)-4, g.shortFrac(f, 1+g.r.Intn(f.p/2)))
		r, _ := f.refMul(b, q, RNE)
		return r, b
	case 3: // subnormal quotients
		a := g.make(f, f.emin-g.r.Intn(f.p+2), g.frac(f))
		return a, g.make(f, g.r.Intn(4), g.shortFrac(f, 1+g.r.Intn(3)))
	default:
		a := g.finite(f)
		e := expOf(f, a) - f.emax + g.r.Intn(4) - 1
		if g.bit() {
			e = expOf(f, a) - f.emin + g.r.Intn(f.p+4) - 2
		}
		return a, g.make(f, e, g.frac(f))
	}
}

func (g gen) fmaArgs(f rf) (uint64, uint64, uint64) {
	switch g.r.Intn(8) {
	case 0, 1:
		return g.float(f), g.float(f), g.float(f)
	case 2: // c cancels the rounded product
		a, b := g.mulArgs(f)
		p, _ := f.refMul(a, b, rm5(g.r.Intn(5)))
		if v := f.dec(p); v.nan || v.inf {
			return a, b, g.float(f)
		}
		return a, b, g.nudge(f, p^f.signBit())
	case 3, 4: // exact product plus about half an ulp of it: ties
		a := g.make(f, g.r.Intn(9)-4, g.shortFrac(f, 1+g.r.Intn(f.p/2)))
		b := g.make(f, g.r.Intn(9)-4, g.shortFrac(f, 1+g.r.Intn(f.p/2)))
		if g.r.Intn(3) == 0 {
			a = g.make(f, f.emin/2+g.r.Intn(9)-4, g.shortFrac(f, 1+g.r.Intn(f.p/2)))
			b = g.make(f, f.emin/2+g.r.Intn(9)-4, g.shortFrac(f, 1+g.r.Intn(f.p/2)))
		}
		p, _ := f.refMul(a, b, RNE)
		if v := f.dec(p); v.isZero() || v.inf {
			return a, b, g.float(f)
		}
		e := expOf(f, p) - f.p + g.r.Intn(3) - 1
		var fr uint64
		if g.bit() {
			fr = g.shortFrac(f, 1+g.r.Intn(3))
		} else {
			fr = g.frac(f)
		}
		return a, b, g.make(f, e, fr)
	case 5: // tiny product against a larger addend, or tail ties
		if g.bit() {
			a, b := g.tailTie(f)
			c := uint64(0)
			switch g.r.Intn(3) {
			case 0:
				c = g.make(f, g.r.Intn(9)-4, g.frac(f))
			case 1:
				c = g.special(f)
			}
			return a, b, c
		}
		a, b := g.mulArgs(f)
		return a, b, g.make(f, g.r.Intn(11)-5, g.frac(f))
	case 6: // random product plus half an ulp of its rounding: near ties
		a, b := g.float(f), g.float(f)
		if g.bit() {
			a, b = g.tailTie(f)
		}
		p, _ := f.refMul(a, b, RNE)
		if v := f.dec(p); v.isZero() || v.inf || v.nan {
			return a, b, g.float(f)
		}
		e := expOf(f, p) - f.p + g.r.Intn(3) - 1
		return a, b, g.make(f, e, g.shortFrac(f, 1+g.r.Intn(2)))
	default:
		a, b := g.mulArgs(f)
		return a, b, g.float(f)
	}
}

func rm5(i int) RM { return RM(i) }

// toIntArg returns floats near the integer conversion boundaries.
func (g gen) toIntArg(f rf) uint64 {
	enc := func(x float64) uint64 {
		if f.nbits == 32 {
			return uint64(math.Float32bits(float32(x)))
		}
		return math.Float64bits(x)
	}
	switch g.r.Intn(6) {
	case 0:
		return g.float(f)
	case 1, 2:
		bounds := []float64{0, 0.5, 1, 1.5, 2.5, 0.9, 0x1p31, 0x1p32, 0x1p63, 0x1p64, 0x1p31 - 0.5, 0x1p32 - 0.5, 0x1p31 + 0.5}
		x := enc(bounds[g.r.Intn(len(bounds))])
		return g.nudge(f, x) | g.sign(f)
	case 3: // k + frac
		k := g.r.Int63n(1 << uint(g.r.Intn(62)+1))
		fr := []float64{0, 0.5, 0.25, 0.75, 1e-9}[g.r.Intn(5)]
		x := enc(float64(k) + fr)
		return x | g.sign(f)
	default:
		return g.make(f, g.r.Intn(70)-3, g.frac(f))
	}
}

// intArg returns integers of random bit length, often with exactly p+1
// significant bits.
func (g gen) intArg(width int, p int) uint64 {
	var x uint64
	switch g.r.Intn(4) {
	case 0:
		x = g.r.Uint64()
	case 1:
		n := g.r.Intn(65)
		x = g.r.Uint64() & (uint64(1)<<uint(n) - 1)
	case 2: // p+1 .. p+3 significant bits, odd: ties and near ties
		n := p + 1 + g.r.Intn(3)
		m := g.r.Uint64()&(uint64(1)<<uint(n-1)-1) | uint64(1)<<uint(n-1) | 1
		sh := g.r.Intn(64 - n + 1)
		x = m << uint(sh)
	default:
		list := []uint64{0, 1, 1<<63 - 1, 1 << 63, 1<<64 - 1, 1<<31 - 1, 1 << 31, 1<<32 - 1, 1<<24 + 1, 1<<53 + 1}
		x = list[g.r.Intn(len(list))]
	}
	if g.bit() {
		x = -x
	}
	if width == 32 {
		x &= 1<<32 - 1
	}
	return x
}

func (g gen) args(o *opDesc) (a, b, c uint64) {
	f := o.in
	switch {
	case o.intIn != 0:
		return g.intArg(o.intIn, o.out.p), 0, 0
	case strings.HasPrefix(o.name, "Add"), strings.HasPrefix(o.name, "Sub"):
		a, b = g.addArgs(f)
	case strings.HasPrefix(o.name, "MulAdd"):
		return g.fmaArgs(f)
	case strings.HasPrefix(o.name, "Mul"):
		a, b = g.mulArgs(f)
	case strings.HasPrefix(o.name, "Div"):
		a, b = g.divArgs(f)
	case strings.HasPrefix(o.name, "Sqrt"):
		a = g.float(f)
		if g.r.Intn(3) == 0 { // perfect squares and near
			s := g.make(f, g.r.Intn(f.emax-f.emin)/2+f.emin/2, g.shortFrac(f, 1+g.r.Intn(f.p/2+1)))
			a, _ = f.refMul(s, s, RNE)
			a = g.nudge(f, a&^f.signBit())
		}
	case strings.HasPrefix(o.name, "F64ToF32"):
		if g.bit() {
			// doubles in the binary32 range with tie-like low bits
			e := -150 + g.r.Intn(280)
			fr := g.frac(f)
			if g.bit() {
				fr = fr&^(1<<29-1) | 1<<28 | uint64(g.r.Intn(3))
				fr = fr&^(1<<29-1) | (fr & (1<<29 - 1))
			}
			a = g.make(f, e, fr&(1<<52-1))
		} else {
			a = g.float(f)
		}
	case strings.Contains(o.name, "ToI"), strings.Contains(o.name, "ToU"):
		a = g.toIntArg(f)
	case strings.HasPrefix(o.name, "Min"), strings.HasPrefix(o.name, "Max"),
		strings.HasPrefix(o.name, "Eq"), strings.HasPrefix(o.name, "Lt"), strings.HasPrefix(o.name, "Le"):
		a = g.float(f)
		switch g.r.Intn(3) {
		case 0:
			b = g.float(f)
		case 1:
			b = a ^ f.signBit()
		default:
			b = g.nudge(f, a)
		}
	default:
		a, b = g.float(f), g.float(f)
	}
	return a, b, 0
}

// TestRandomVsReference compares the public functions (and the exact
// software paths) with the big.Rat reference for every rounding mode.
func TestRandomVsReference(t *testing.T) {
	n := 1500 * *scale
	if testing.Short() {
		n /= 10
	}
	for i, o := range allOps {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			g := gen{rand.New(rand.NewSource(int64(1000 + i)))}
			modes := rms[:]
			if !o.hasRM {
				modes = rms[:1]
			}
			iters := n
			if o.n >= 2 && o.hasRM {
				iters = 2 * n
			}
			fails := 0
			for k := 0; k < iters && fails < 20; k++ {
				a, b, c := g.args(o)
				for _, rm := range modes {
					want, wf := o.ref(a, b, c, rm)
					got, gf := o.fn(a, b, c, rm)
					if msg := o.mismatch(a, b, c, rm, got, gf, want, wf); msg != "" {
						t.Error(msg)
						fails++
					}
					if o.slow != nil {
						sv, sf := o.slow(a, b, c, rm)
						if msg := o.mismatch(a, b, c, rm, sv, sf, want, wf); msg != "" {
							t.Error("slow path: " + msg)
							fails++
						}
					}
					if !o.intRs && isNaNOut(o, got) && got != o.out.qnan() {
						t.Errorf("%s: non-canonical NaN", o.call(a, b, c, rm))
						fails++
					}
				}
			}
		})
	}
}

func isNaNOut(o *opDesc, x uint64) bool {
	return o.out.dec(x).nan
}

// TestRandomFastVsSlow runs many more cases comparing the fast paths with
// the exact software implementation, which the previous test validates.
func TestRandomFastVsSlow(t *testing.T) {
	n := 40000 * *scale
	if testing.Short() {
		n /= 10
	}
	for i, o := range allOps {
		if o.slow == nil {
			continue
		}
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			g := gen{rand.New(rand.NewSource(int64(5000 + i)))}
			fails := 0
			for k := 0; k < n && fails < 20; k++ {
				a, b, c := g.args(o)
				for _, rm := range rms {
					want, wf := o.slow(a, b, c, rm)
					got, gf := o.fn(a, b, c, rm)
					if msg := o.mismatch(a, b, c, rm, got, gf, want, wf); msg != "" {
						t.Error(msg)
						fails++
					}
				}
			}
		})
	}
}
