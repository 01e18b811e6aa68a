package fpu

import "math"

// Fast-path windows for binary64 results. Inside them the host's
// round-to-nearest-even result plus an exactly computed error term give the
// exact flags and the direction needed for the other rounding modes; none of
// the error-free transformations can overflow or lose bits to underflow.
const (
	fastHi64 = 0x1p1020
	fastLo64 = 0x1p-960
)

// adjust converts the round-to-nearest-even result r (bits of either format;
// finite, nonzero, and neither the largest finite value nor adjacent to
// zero) into the result for rounding mode rm. up reports whether the exact
// value is above r (it must differ from r), and tie whether the exact value
// is a midpoint between r and its neighbour (only consulted for RMM).
func adjust(r uint64, neg, up, tie bool, rm RM) uint64 {
	switch rm {
	case RTZ:
		if up == neg { // exact is closer to zero than r
			r--
		}
	case RDN:
		if !up {
			if neg {
				r++
			} else {
				r--
			}
		}
	case RUP:
		if up {
			if neg {
				r--
			} else {
				r++
			}
		}
	case RMM:
		if tie && up != neg {
			r++
		}
	}
	return r
}

// tie64 reports whether r + err is the midpoint between r (bits rb) and its
// neighbour in the direction of err.
func tie64(r float64, rb uint64, err float64) bool {
	nb := rb - 1
	if (err > 0) != (r < 0) {
		nb = rb + 1
	}
	return 2*math.Abs(err) == math.Abs(math.Float64frombits(nb)-r)
}

// twoSum returns s = RN(a+b) and the exact error a+b-s.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return
}

// Add64 returns a+b.
func Add64(a, b uint64, rm RM) (uint64, Flags) {
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	s := x + y
	if math.Abs(s) < fastHi64 {
		bb := s - x
		err := (x - (s - bb)) + (y - bb)
		r := math.Float64bits(s)
		if err == 0 {
			if s == 0 && rm == RDN && (a^b)>>63 != 0 {
				return 1 << 63, 0
			}
			return r, 0
		}
		if math.Abs(err) < fastHi64 { // guards against intermediate overflow
			if rm == RNE {
				return r, NX
			}
			return adjust(r, s < 0, err > 0, rm == RMM && tie64(s, r, err), rm), NX
		}
	}
	return addSlow(fmt64, a, b, rm)
}

// Sub64 returns a-b.
func Sub64(a, b uint64, rm RM) (uint64, Flags) {
	return Add64(a, b^(1<<63), rm)
}

// Mul64 returns a*b.
func Mul64(a, b uint64, rm RM) (uint64, Flags) {
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	p := x * y
	if t := math.Abs(p); t < fastHi64 && t > fastLo64 {
		err := math.FMA(x, y, -p)
		r := math.Float64bits(p)
		if err == 0 {
			return r, 0
		}
		if rm == RNE {
			return r, NX
		}
		return adjust(r, p < 0, err > 0, rm == RMM && tie64(p, r, err), rm), NX
	}
	return mulSlow(fmt64, a, b, rm)
}

// Div64 returns a/b.
func Div64(a, b uint64, rm RM) (uint64, Flags) {
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	q := x / y
	if t := math.Abs(q); t < fastHi64 && t > fastLo64 && math.Abs(x) > fastLo64 {
		// The remainder x - q*y is exactly representable here.
		rem := math.FMA(-q, y, x)
		r := math.Float64bits(q)
		if rem == 0 {
			return r, 0
		}
		if rm == RNE {
			return r, NX
		}
		// A quotient of two p-bit numbers is never a midpoint of p-bit
		// numbers, so RMM agrees with RNE.
		return adjust(r, q < 0, (rem > 0) != (y < 0), false, rm), NX
	}
	return divSlow(fmt64, a, b, rm)
}

// Sqrt64 returns the square root of a.
func Sqrt64(a uint64, rm RM) (uint64, Flags) {
	x := math.Float64frombits(a)
	if x > 0 && x <= math.MaxFloat64 {
		// Scale small radicands so that the remainder x - s*s is exactly
		// representable. The result is always a normal number.
		scaled := x < 0x1p-900
		if scaled {
			x *= 0x1p200
		}
		s := math.Sqrt(x)
		rem := math.FMA(-s, s, x)
		if scaled {
			s *= 0x1p-100
		}
		r := math.Float64bits(s)
		if rem == 0 {
			return r, 0
		}
		if rm == RNE {
			return r, NX
		}
		// Square roots are never midpoints either.
		return adjust(r, false, rem > 0, false, rm), NX
	}
	return sqrtSlow(fmt64, a, rm)
}

// MulAdd64 returns a*b+c with a single rounding (fmadd.d). fmsub, fnmsub and
// fnmadd are obtained by flipping the sign bits of the operands.
func MulAdd64(a, b, c uint64, rm RM) (uint64, Flags) {
	x, y, z := math.Float64frombits(a), math.Float64frombits(b), math.Float64frombits(c)
	s := math.FMA(x, y, z)
	ph := float64(x * y) // explicit conversion: never fused
	ts, tp := math.Abs(s), math.Abs(ph)
	if ts < fastHi64 && ts > fastLo64 && tp < fastHi64 && tp > fastLo64 && math.Abs(z) < fastHi64 {
		pl := math.FMA(x, y, -ph) // exact: x*y = ph + pl
		// Exact expansion of ph + pl + z - s (Shewchuk's Grow-Expansion);
		// its components are nonoverlapping and increasing in magnitude,
		// so the sign of the sum is the sign of the largest nonzero one.
		q, h1 := twoSum(z, pl)
		h3, h2 := twoSum(q, ph)
		q, g1 := twoSum(-s, h1)
		q, g2 := twoSum(q, h2)
		g4, g3 := twoSum(q, h3)
		d := g4
		if d == 0 {
			d = g3
			if d == 0 {
				d = g2
				if d == 0 {
					d = g1
				}
			}
		}
		r := math.Float64bits(s)
		if d == 0 {
			return r, 0
		}
		if rm == RNE {
			return r, NX
		}
		neg, up := s < 0, d > 0
		tie := false
		if rm == RMM && up != neg {
			// Is ph + pl + z - s - (n-s)/2 zero, n the neighbour away
			// from zero?
			hg := (math.Float64frombits(r+1) - s) / 2
			q, k1 := twoSum(-hg, g1)
			q, k2 := twoSum(q, g2)
			q, k3 := twoSum(q, g3)
			k5, k4 := twoSum(q, g4)
			tie = k1 == 0 && k2 == 0 && k3 == 0 && k4 == 0 && k5 == 0
		}
		return adjust(r, neg, up, tie, rm), NX
	}
	return fmaSlow(fmt64, a, b, c, rm)
}
