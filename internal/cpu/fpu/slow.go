package fpu

import (
	"math/big"
	"math/bits"
)

// This file holds the exact software implementation of the arithmetic
// operations, shared by both formats. It is used for special operands and
// whenever the fast paths cannot guarantee exactness (results near the
// overflow or underflow thresholds, tiny intermediate products, ...).

// nanResult returns the canonical NaN and NV if either operand is signaling.
func (f *format) nanResult(xs ...uint64) (uint64, Flags) {
	var fl Flags
	for _, x := range xs {
		if f.isSNaN(x) {
			fl = NV
		}
	}
	return f.qnan, fl
}

// zeroSum returns the sum of two zeros (or the exact-zero sum of x and -x)
// with signs na and nb.
func (f *format) zeroSum(na, nb bool, rm RM) uint64 {
	if na == nb {
		if na {
			return f.sign
		}
		return 0
	}
	if rm == RDN {
		return f.sign
	}
	return 0
}

// normalize shifts m so that its most significant bit is at bit pos.
func normalize(e int, m uint64, pos int) (int, uint64) {
	n := bits.LeadingZeros64(m) - (63 - pos)
	if n >= 0 {
		return e - n, m << uint(n)
	}
	return e - n, m >> uint(-n) // callers guarantee no bits are lost
}

// shiftRightJam shifts m right by n, ORing any lost bits into bit 0.
func shiftRightJam(m uint64, n int) uint64 {
	switch {
	case n <= 0:
		return m
	case n < 64:
		r := m >> uint(n)
		if m<<uint(64-n) != 0 {
			r |= 1
		}
		return r
	default:
		if m != 0 {
			return 1
		}
		return 0
	}
}

func addSlow(f *format, a, b uint64, rm RM) (uint64, Flags) {
	ka, na, ea, ma := f.unpack(a)
	kb, nb, eb, mb := f.unpack(b)
	switch {
	case ka >= kQNaN || kb >= kQNaN:
		return f.nanResult(a, b)
	case ka == kInf:
		if kb == kInf && na != nb {
			return f.qnan, NV
		}
		return a, 0
	case kb == kInf:
		return b, 0
	case ka == kZero:
		if kb == kZero {
			return f.zeroSum(na, nb, rm), 0
		}
		return b, 0
	case kb == kZero:
		return a, 0
	}
	ea, ma = normalize(ea, ma, 62)
	eb, mb = normalize(eb, mb, 62)
	if ea < eb {
		ea, eb, ma, mb, na, nb = eb, ea, mb, ma, nb, na
	}
	mb = shiftRightJam(mb, ea-eb)
	neg := na
	var m uint64
	switch {
	case na == nb:
		m = ma + mb
	case ma >= mb:
		m = ma - mb
	default:
		m = mb - ma
		neg = nb
	}
	if m == 0 {
		return f.zeroSum(false, true, rm), 0
	}
	return f.roundPack(neg, ea, m, rm)
}

func mulSlow(f *format, a, b uint64, rm RM) (uint64, Flags) {
	ka, na, ea, ma := f.unpack(a)
	kb, nb, eb, mb := f.unpack(b)
	neg := na != nb
	var sign uint64
	if neg {
		sign = f.sign
	}
	switch {
	case ka >= kQNaN || kb >= kQNaN:
		return f.nanResult(a, b)
	case ka == kInf || kb == kInf:
		if ka == kZero || kb == kZero {
			return f.qnan, NV
		}
		return f.inf | sign, 0
	case ka == kZero || kb == kZero:
		return sign, 0
	}
	ea, ma = normalize(ea, ma, 63)
	eb, mb = normalize(eb, mb, 63)
	hi, lo := bits.Mul64(ma, mb)
	if lo != 0 {
		hi |= 1
	}
	return f.roundPack(neg, ea+eb+64, hi, rm)
}

func divSlow(f *format, a, b uint64, rm RM) (uint64, Flags) {
	ka, na, ea, ma := f.unpack(a)
	kb, nb, eb, mb := f.unpack(b)
	neg := na != nb
	var sign uint64
	if neg {
		sign = f.sign
	}
	switch {
	case ka >= kQNaN || kb >= kQNaN:
		return f.nanResult(a, b)
	case ka == kInf:
		if kb == kInf {
			return f.qnan, NV
		}
		return f.inf | sign, 0
	case kb == kInf:
		return sign, 0
	case kb == kZero:
		if ka == kZero {
			return f.qnan, NV
		}
		return f.inf | sign, DZ
	case ka == kZero:
		return sign, 0
	}
	ea, ma = normalize(ea, ma, 62)
	eb, mb = normalize(eb, mb, 63)
	q, r := bits.Div64(ma, 0, mb) // ma < mb, so no overflow; q >= 2^62
	if r != 0 {
		q |= 1
	}
	return f.roundPack(neg, ea-eb-64, q, rm)
}

func sqrtSlow(f *format, a uint64, rm RM) (uint64, Flags) {
	ka, na, ea, ma := f.unpack(a)
	switch {
	case ka >= kQNaN:
		return f.nanResult(a)
	case ka == kZero:
		return a, 0
	case na:
		return f.qnan, NV
	case ka == kInf:
		return a, 0
	}
	// value = ma * 2^ea. Scale the radicand to X = ma * 2^k with
	// 2^126 <= X < 2^128 and ea-k even, then sqrt = isqrt(X) * 2^((ea-k)/2).
	ea, ma = normalize(ea, ma, 63)
	k := 64
	if (ea-k)&1 != 0 {
		k = 63
	}
	x := new(big.Int).SetUint64(ma)
	x.Lsh(x, uint(k))
	s := new(big.Int).Sqrt(x)
	m := s.Uint64() // 2^63 <= s < 2^64
	if new(big.Int).Mul(s, s).Cmp(x) != 0 {
		m |= 1
	}
	return f.roundPack(false, (ea-k)/2, m, rm)
}

// u128 helpers for the fused multiply-add.

func shl128(hi, lo uint64, n uint) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n < 64:
		return hi<<n | lo>>(64-n), lo << n
	default:
		return lo << (n - 64), 0
	}
}

// shr128Jam shifts right by n, ORing lost bits into bit 0.
func shr128Jam(hi, lo uint64, n int) (uint64, uint64) {
	var rh, rl, lost uint64
	switch {
	case n <= 0:
		return hi, lo
	case n < 64:
		rh, rl = hi>>uint(n), lo>>uint(n)|hi<<uint(64-n)
		lost = lo << uint(64-n)
	case n == 64:
		rh, rl, lost = 0, hi, lo
	case n < 128:
		rh, rl = 0, hi>>uint(n-64)
		lost = hi<<uint(128-n) | lo
	default:
		rh, rl, lost = 0, 0, hi|lo
	}
	if lost != 0 {
		rl |= 1
	}
	return rh, rl
}

func fmaSlow(f *format, a, b, c uint64, rm RM) (uint64, Flags) {
	ka, na, ea, ma := f.unpack(a)
	kb, nb, eb, mb := f.unpack(b)
	kc, nc, ec, mc := f.unpack(c)
	np := na != nb
	infTimesZero := ka == kInf && kb == kZero || ka == kZero && kb == kInf
	if ka >= kQNaN || kb >= kQNaN || kc >= kQNaN {
		r, fl := f.nanResult(a, b, c)
		if infTimesZero {
			fl = NV
		}
		return r, fl
	}
	switch {
	case infTimesZero:
		return f.qnan, NV
	case ka == kInf || kb == kInf:
		if kc == kInf && nc != np {
			return f.qnan, NV
		}
		if np {
			return f.inf | f.sign, 0
		}
		return f.inf, 0
	case kc == kInf:
		return c, 0
	case ka == kZero || kb == kZero:
		if kc == kZero {
			return f.zeroSum(np, nc, rm), 0
		}
		return c, 0
	}
	// Exact product P = ma*mb*2^ep, normalised so that bit 126 of the 128-bit
	// value is the leading one (bits 127 kept free for the carry).
	ea, ma = normalize(ea, ma, 63)
	eb, mb = normalize(eb, mb, 63)
	ph, pl := bits.Mul64(ma, mb) // in [2^126, 2^128); low 22 bits are zero
	ep := ea + eb
	if ph>>63 != 0 {
		pl = pl>>1 | ph<<63
		ph >>= 1
		ep++
	}
	if kc == kZero {
		m := ph
		if pl != 0 {
			m |= 1
		}
		return f.roundPack(np, ep+64, m, rm)
	}
	ec, mc = normalize(ec, mc, 62)
	ch, cl := mc, uint64(0)
	ec -= 64
	// Both in [2^126, 2^127). Align to the larger exponent.
	e := ep
	if ep >= ec {
		ch, cl = shr128Jam(ch, cl, ep-ec)
	} else {
		ph, pl = shr128Jam(ph, pl, ec-ep)
		e = ec
	}
	neg := np
	var sh, sl uint64
	if np == nc {
		var carry uint64
		sl, carry = bits.Add64(pl, cl, 0)
		sh, _ = bits.Add64(ph, ch, carry)
	} else {
		if ph > ch || ph == ch && pl >= cl {
			var borrow uint64
			sl, borrow = bits.Sub64(pl, cl, 0)
			sh, _ = bits.Sub64(ph, ch, borrow)
		} else {
			var borrow uint64
			sl, borrow = bits.Sub64(cl, pl, 0)
			sh, _ = bits.Sub64(ch, ph, borrow)
			neg = nc
		}
	}
	if sh == 0 {
		if sl == 0 {
			return f.zeroSum(false, true, rm), 0
		}
		return f.roundPack(neg, e, sl, rm)
	}
	n := uint(bits.LeadingZeros64(sh))
	sh, sl = shl128(sh, sl, n)
	if sl != 0 {
		sh |= 1
	}
	return f.roundPack(neg, e+64-int(n), sh, rm)
}

// cvtSlow converts x from format src to format dst.
func cvtSlow(src, dst *format, x uint64, rm RM) (uint64, Flags) {
	k, neg, e, m := src.unpack(x)
	var sign uint64
	if neg {
		sign = dst.sign
	}
	switch k {
	case kQNaN, kSNaN:
		_, fl := src.nanResult(x)
		return dst.qnan, fl
	case kInf:
		return dst.inf | sign, 0
	case kZero:
		return sign, 0
	}
	return dst.roundPack(neg, e, m, rm)
}
