package kernel

// Timer slack (prctl(2) PR_SET_TIMERSLACK): how much later than asked the kernel may
// end a thread's sleeps and timed waits to group wake-ups. It is a licence to be late,
// not a duty: weft's virtual clock has nothing to save by it, so weft ends every wait on
// time, which is within any slack. The values are kept and reported as Linux does: a
// new thread takes its creator's current slack as both its current and its default.

// DefaultTimerSlack is Linux's initial timer slack, 50 µs.
const DefaultTimerSlack = 50_000

// TimerSlack is the thread's current timer slack in ns.
func (t *Task) TimerSlack() uint64 {
	if t.timerSlack == 0 {
		return DefaultTimerSlack
	}
	return t.timerSlack
}

// SetTimerSlack sets the current slack; 0 restores the thread's default.
func (t *Task) SetTimerSlack(ns uint64) {
	if ns == 0 {
		t.timerSlack = t.slackDefault
		return
	}
	t.timerSlack = ns
}
