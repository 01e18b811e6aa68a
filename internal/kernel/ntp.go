package kernel

import (
	"math"

	"weft/internal/abi/linux"
)

// The kernel's NTP state, as adjtimex(2) and clock_adjtime(2) read and set it, kept as
// Linux's kernel/time/ntp.c keeps it, on the virtual CLOCK_REALTIME: the status bits,
// the error estimates, the time constant, the TAI offset, and the leap-second state
// machine that second_overflow runs at every second boundary of CLOCK_REALTIME. With
// STA_INS set, the last second of the UTC day (the first midnight after the next
// second boundary) is repeated: CLOCK_REALTIME steps back one second as it reaches
// midnight, and the TAI offset grows by one; with STA_DEL the day's last second is
// skipped.
//
// The boundaries are worked through when the clock is next read (ntpAdvance), in
// order, so the outcome does not depend on when that happens. What weft's virtual
// clock cannot do is slew: it runs at one rate, so the modes that would change its
// frequency or phase (ADJ_OFFSET, ADJ_FREQUENCY, ADJ_TICK and adjtime(3)'s
// ADJ_OFFSET_SINGLESHOT) fail with EOPNOTSUPP, and the clock reports a frequency and
// an offset of zero.

// Leap-second states (adjtimex's return value) and status bits (timex.status).
const (
	TIME_OK    = 0
	TIME_INS   = 1
	TIME_DEL   = 2
	TIME_OOP   = 3
	TIME_WAIT  = 4
	TIME_ERROR = 5

	STA_PLL       = 0x0001
	STA_PPSFREQ   = 0x0002
	STA_PPSTIME   = 0x0004
	STA_FLL       = 0x0008
	STA_INS       = 0x0010
	STA_DEL       = 0x0020
	STA_UNSYNC    = 0x0040
	STA_FREQHOLD  = 0x0080
	STA_PPSSIGNAL = 0x0100
	STA_PPSJITTER = 0x0200
	STA_PPSWANDER = 0x0400
	STA_PPSERROR  = 0x0800
	STA_CLOCKERR  = 0x1000
	STA_NANO      = 0x2000
	STA_MODE      = 0x4000
	STA_CLK       = 0x8000
	// staReadOnly are the bits ADJ_STATUS cannot set (STA_RONLY).
	staReadOnly = STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER | STA_PPSERROR | STA_CLOCKERR | STA_NANO | STA_MODE | STA_CLK
)

// adjtimex's mode bits (timex.modes).
const (
	ADJ_OFFSET          = 0x0001
	ADJ_FREQUENCY       = 0x0002
	ADJ_MAXERROR        = 0x0004
	ADJ_ESTERROR        = 0x0008
	ADJ_STATUS          = 0x0010
	ADJ_TIMECONST       = 0x0020
	ADJ_TAI             = 0x0080
	ADJ_SETOFFSET       = 0x0100
	ADJ_MICRO           = 0x1000
	ADJ_NANO            = 0x2000
	ADJ_TICK            = 0x4000
	ADJ_OFFSET_READONLY = 0x2000 // with ADJ_ADJTIME
	ADJ_ADJTIME         = 0x8000
)

const (
	// ntpPhaseLimit is the most maxerror and esterror may be, in microseconds
	// (NTP_PHASE_LIMIT: MAXPHASE of 0.5 s, << 5).
	ntpPhaseLimit = 16_000_000
	// maxerrorPerSec is how much maxerror grows each second (MAXFREQ, 500 ppm, in
	// microseconds per second).
	maxerrorPerSec = 500
	// maxTimeConst bounds the PLL time constant (MAXTC), maxTAI the TAI offset
	// (MAX_TAI_OFFSET).
	maxTimeConst = 10
	maxTAI       = 100000
	// ntpTolerance is timex.tolerance: the most frequency error, 500 ppm, in the
	// scaled ppm adjtimex reports (MAXFREQ_SCALED / PPM_SCALE).
	ntpTolerance = 500 << 16
	// userTickUsec is timex.tick: microseconds between clock ticks at USER_HZ.
	userTickUsec = 1_000_000 / UserHZ
	secsPerDay   = 86400
	noLeap       = math.MaxInt64
)

// ntpState is the NTP state of the kernel (owned by the kernel's goroutine).
type ntpState struct {
	status, state      int
	maxerror, esterror int64 // microseconds
	constant           int64
	tai                int64 // TAI - UTC, seconds
	nextLeap           int64 // the CLOCK_REALTIME second at which the leap happens (noLeap: none)
	done               int64 // the last second boundary of CLOCK_REALTIME worked through
	leapAt             uint64
	leapShift          int64 // the last leap: at virtual time leapAt CLOCK_REALTIME moved by leapShift
	leapValid          bool
}

// initNTP sets the state a booted kernel has: not synchronised, errors at their
// limit, time constant 2.
func (k *Kernel) initNTP() {
	k.ntp = ntpState{status: STA_UNSYNC, state: TIME_OK, maxerror: ntpPhaseLimit, esterror: ntpPhaseLimit,
		constant: 2, nextLeap: noLeap, done: floorDiv(k.realtimeBase(), 1e9)}
}

// realtimeBase is CLOCK_REALTIME minus CLOCK_MONOTONIC, in nanoseconds, with the
// leaps worked through so far.
func (k *Kernel) realtimeBase() int64 {
	start := int64(DefaultClockStart)
	if k.cfg.ClockStart != 0 {
		start = int64(k.cfg.ClockStart)
	}
	return start + k.realtimeShift
}

// Realtime reads CLOCK_REALTIME at virtual time now, in Unix nanoseconds. A CPU whose
// clock is behind the instant of a leap the kernel has already made (a leap another
// CPU's reading went past) still reads the time from before it.
func (k *Kernel) Realtime(now uint64) uint64 {
	k.ntpAdvance(now)
	rt := k.realtimeBase() + int64(now)
	if k.ntp.leapValid && now < k.ntp.leapAt {
		rt -= k.ntp.leapShift
	}
	return uint64(rt)
}

// TAI is CLOCK_TAI at virtual time now: CLOCK_REALTIME plus the TAI offset.
func (k *Kernel) TAI(now uint64) uint64 {
	return k.Realtime(now) + uint64(k.ntp.tai)*1e9
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// ntpTick bumps maxerror for n second boundaries (second_overflow's bookkeeping).
func (n *ntpState) tick(count int64) {
	if count <= 0 {
		return
	}
	count = min(count, ntpPhaseLimit/maxerrorPerSec+1)
	n.maxerror += count * maxerrorPerSec
	if n.maxerror > ntpPhaseLimit {
		n.maxerror = ntpPhaseLimit
		n.status |= STA_UNSYNC
	}
}

// ntpAdvance works through the second boundaries of CLOCK_REALTIME up to virtual time
// now, as Linux's second_overflow does at each: the leap-second state machine and the
// growth of maxerror.
func (k *Kernel) ntpAdvance(now uint64) {
	n := &k.ntp
	for {
		cur := floorDiv(k.realtimeBase()+int64(now), 1e9)
		if n.done >= cur {
			return
		}
		s := n.done + 1 // the next boundary
		switch n.state {
		case TIME_OK:
			switch {
			case n.status&STA_INS != 0:
				n.state, n.nextLeap = TIME_INS, s+secsPerDay-s%secsPerDay
			case n.status&STA_DEL != 0:
				n.state, n.nextLeap = TIME_DEL, s+secsPerDay-(s+1)%secsPerDay
			default:
				s = cur // nothing changes until the status does
			}
		case TIME_INS, TIME_DEL:
			want := STA_INS
			if n.state == TIME_DEL {
				want = STA_DEL
			}
			switch {
			case n.status&want == 0:
				n.state, n.nextLeap = TIME_OK, noLeap
			case cur < n.nextLeap:
				s = cur
			default:
				s = n.nextLeap
				n.tick(s - n.done)
				k.leap(n.state == TIME_INS)
				continue
			}
		case TIME_OOP:
			n.state, n.nextLeap = TIME_WAIT, noLeap
		case TIME_WAIT:
			if n.status&(STA_INS|STA_DEL) == 0 {
				n.state = TIME_OK
			} else {
				s = cur
			}
		}
		n.tick(s - n.done)
		n.done = s
	}
}

// leap makes the leap second due at the boundary n.nextLeap, which CLOCK_REALTIME has
// just reached: inserting one sets the clock back a second (the second repeats, as
// 23:59:60), deleting one sets it on a second (23:59:59 is skipped).
func (k *Kernel) leap(insert bool) {
	n := &k.ntp
	at := n.nextLeap*1e9 - k.realtimeBase() // the virtual time of the boundary
	shift := int64(1e9)
	if insert {
		shift = -1e9
		n.state, n.done = TIME_OOP, n.nextLeap-1
		n.tai++
	} else {
		n.state, n.done, n.nextLeap = TIME_WAIT, n.nextLeap+1, noLeap
		n.tai--
	}
	k.realtimeShift += shift
	n.leapAt, n.leapShift, n.leapValid = uint64(max(at, 0)), shift, true
}

// ntpClear is what setting the clock does to the NTP state (ntp_clear): the clock is
// no longer synchronised, and no leap second is pending.
func (k *Kernel) ntpClear() {
	n := &k.ntp
	n.status |= STA_UNSYNC
	n.maxerror, n.esterror = ntpPhaseLimit, ntpPhaseLimit
	n.nextLeap = noLeap
	n.leapValid = false
	n.done = floorDiv(k.realtimeBase()+int64(k.now()), 1e9)
}

// Timex is struct timex, as adjtimex(2) passes it.
type Timex struct {
	Modes                                  uint32
	Offset, Freq, Maxerror, Esterror       int64
	Status                                 int32
	Constant, Precision, Tolerance         int64
	Sec, Usec                              int64 // time: tv_sec, and tv_usec (nanoseconds with STA_NANO or ADJ_NANO)
	Tick, Ppsfreq, Jitter                  int64
	Shift                                  int32
	Stabil, Jitcnt, Calcnt, Errcnt, Stbcnt int64
	Tai                                    int32
}

// Adjtimex implements adjtimex(2) on CLOCK_REALTIME at virtual time now for a caller
// with or without CAP_SYS_TIME: it applies tx's modes, fills tx with the state, and
// returns the clock state (TIME_OK ... TIME_ERROR).
func (k *Kernel) Adjtimex(now uint64, tx *Timex, capable bool) (int, error) {
	m := tx.Modes
	// timekeeping_validate_timex
	if m&ADJ_ADJTIME != 0 {
		// adjtime(3)'s modes: the others are ignored (but ADJ_SETOFFSET).
		if m&ADJ_OFFSET_READONLY == 0 && !capable {
			return 0, linux.EPERM
		}
	} else {
		if m != 0 && !capable {
			return 0, linux.EPERM
		}
		if m&ADJ_TICK != 0 && (tx.Tick < 900000/UserHZ || tx.Tick > 1100000/UserHZ) {
			return 0, linux.EINVAL
		}
	}
	if m&ADJ_SETOFFSET != 0 {
		if !capable {
			return 0, linux.EPERM
		}
		if tx.Usec < 0 || (m&ADJ_NANO != 0 && tx.Usec >= 1e9) || (m&ADJ_NANO == 0 && tx.Usec >= 1e6) {
			return 0, linux.EINVAL
		}
	}
	const ppmScale = 1000 << 16
	if m&ADJ_FREQUENCY != 0 && (tx.Freq < math.MinInt64/ppmScale || tx.Freq > math.MaxInt64/ppmScale) {
		return 0, linux.EINVAL
	}
	// What would slew the clock: its rate is fixed.
	if m&ADJ_ADJTIME != 0 && m&ADJ_OFFSET_READONLY == 0 || m&ADJ_ADJTIME == 0 && m&(ADJ_OFFSET|ADJ_FREQUENCY|ADJ_TICK) != 0 {
		return 0, linux.EOPNOTSUPP
	}
	k.ntpAdvance(now)
	if m&ADJ_SETOFFSET != 0 {
		delta := tx.Sec * 1e9
		if m&ADJ_NANO != 0 {
			delta += tx.Usec
		} else {
			delta += tx.Usec * 1e3
		}
		// timekeeping_inject_offset: the clock may not go before the boot.
		rt := int64(k.Realtime(now))
		if delta < 0 && rt+delta < int64(now) || delta > 0 && rt > math.MaxInt64/2-delta {
			return 0, linux.EINVAL
		}
		if err := k.SetRealtime(uint64(rt + delta)); err != nil {
			return 0, err
		}
	}
	n := &k.ntp
	if m&ADJ_ADJTIME == 0 && m != 0 {
		if m&ADJ_STATUS != 0 {
			// process_adj_status: turning the PLL off resets the state.
			if n.status&STA_PLL != 0 && tx.Status&STA_PLL == 0 {
				n.state, n.status, n.nextLeap = TIME_OK, STA_UNSYNC, noLeap
			}
			n.status &= staReadOnly
			n.status |= int(tx.Status) &^ staReadOnly
		}
		if m&ADJ_NANO != 0 {
			n.status |= STA_NANO
		}
		if m&ADJ_MICRO != 0 {
			n.status &^= STA_NANO
		}
		if m&ADJ_MAXERROR != 0 {
			n.maxerror = min(max(tx.Maxerror, 0), ntpPhaseLimit)
		}
		if m&ADJ_ESTERROR != 0 {
			n.esterror = min(max(tx.Esterror, 0), ntpPhaseLimit)
		}
		if m&ADJ_TIMECONST != 0 {
			c := min(max(tx.Constant, 0), maxTimeConst)
			if n.status&STA_NANO == 0 {
				c += 4
			}
			n.constant = min(max(c, 0), maxTimeConst)
		}
		if m&ADJ_TAI != 0 && tx.Constant >= 0 && tx.Constant <= maxTAI {
			n.tai = tx.Constant
		}
	}
	result := n.state
	if n.errorStatus() {
		result = TIME_ERROR
	}
	rt := k.Realtime(now)
	*tx = Timex{Modes: tx.Modes, Maxerror: n.maxerror, Esterror: n.esterror, Status: int32(n.status),
		Constant: n.constant, Precision: 1, Tolerance: ntpTolerance, Tick: userTickUsec, Tai: int32(n.tai),
		Sec: int64(rt / 1e9), Usec: int64(rt % 1e9)}
	if n.status&STA_NANO == 0 {
		tx.Usec /= 1e3
	}
	return result, nil
}

// errorStatus is is_error_status: the clock is not synchronised, or a PPS signal it
// is told to follow is missing or bad.
func (n *ntpState) errorStatus() bool {
	s := n.status
	return s&(STA_UNSYNC|STA_CLOCKERR) != 0 ||
		s&(STA_PPSFREQ|STA_PPSTIME) != 0 && s&STA_PPSSIGNAL == 0 ||
		s&(STA_PPSTIME|STA_PPSJITTER) == STA_PPSTIME|STA_PPSJITTER ||
		s&STA_PPSFREQ != 0 && s&(STA_PPSWANDER|STA_PPSERROR) != 0
}
