package race

import "testing"

// The detector's state counts against the cap it is given: past it, new words are not
// shadowed (and are counted as unchecked), and an exit leaves nothing more charged.
func TestChargedShadow(t *testing.T) {
	var used, limit int64 = 0, 4 * wordBytes
	d := New()
	d.Charge = func(n int64) bool {
		if used+n > limit {
			return false
		}
		used += n
		return true
	}
	d.Uncharge = func(n int64) { used -= n }
	for w := uint64(0); w < 100; w++ {
		d.Access("as", w*8, 8, Access{TID: 1, Write: true})
	}
	if len(d.shadow) == 0 || len(d.shadow) >= 100 || d.Unshadowed != 100-uint64(len(d.shadow)) {
		t.Errorf("%d words shadowed, %d unshadowed, want some and the rest counted", len(d.shadow), d.Unshadowed)
	}
	if used > limit+wordBytes {
		t.Errorf("charged %d bytes past a cap of %d", used, limit)
	}
	before := used
	d.Exit(1)
	if len(d.clocks) != 0 || used > before {
		t.Errorf("after exit: %d clocks, %d bytes charged (%d before): the clock was not given back", len(d.clocks), used, before)
	}
}
