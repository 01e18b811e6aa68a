package kernel

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// The averages follow calc_load: after a minute of two ready tasks the 1-minute
// average is 2(1 - e^-1), about 1.26, the 5- and 15-minute ones far less; a quarter
// of an hour of nothing to run brings the 1-minute one to 0.00. A sample is due only
// every 5 s of virtual time.
func TestLoadAverage(t *testing.T) {
	k := &Kernel{loadNext: loadFreq}
	k.tasks = []*Task{{State: TaskRunnable}, {State: TaskRunnable}, {State: TaskBlocked}}
	k.calcLoad(loadFreq - 1)
	if got := k.loadString(); got != "0.00 0.00 0.00" {
		t.Fatalf("before the first sample: %q, want 0.00 0.00 0.00", got)
	}
	k.calcLoad(60 * 1e9)
	f := fields(t, k.loadString())
	want1 := 2 * (1 - math.Pow(1884.0/2048, 12))
	if math.Abs(f[0]-want1) > 0.011 {
		t.Errorf("1-minute average after 60 s of 2 ready tasks = %.2f, want %.2f", f[0], want1)
	}
	if !(f[1] < f[0] && f[2] < f[1] && f[2] > 0) {
		t.Errorf("averages after 60 s = %v, want 1-min > 5-min > 15-min > 0", f)
	}
	if si := k.LoadAverages()[0] << 5; math.Abs(float64(si)/65536-f[0]) > 0.006 {
		t.Errorf("sysinfo's 1-minute load %d/65536 does not match %.2f", si, f[0])
	}
	k.tasks = nil
	k.calcLoad(60*1e9 + 15*60*1e9)
	if f := fields(t, k.loadString()); f[0] != 0 || f[2] == 0 {
		t.Errorf("after 15 idle minutes: %v, want the 1-minute average 0 and the 15-minute one not yet", f)
	}
}

func fields(t *testing.T, s string) [3]float64 {
	t.Helper()
	var out [3]float64
	for i, w := range strings.Fields(s) {
		v, err := strconv.ParseFloat(w, 64)
		if err != nil || i > 2 {
			t.Fatalf("load averages %q: %v", s, err)
		}
		out[i] = v
	}
	return out
}
