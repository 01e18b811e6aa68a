package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// BenchmarkViewPage measures weft view's steps as a user sees them, in headless
// Chromium, on bench/forest (100 processes, 10^8 instructions): from the click to the
// new state drawn, the server's re-execution included (the page's own measure,
// data-took). Issue 16 asks for under 100 ms a step. It reports the median and the
// worst step forward by one instruction, to the next scheduling decision, and back by
// a hundredth of the run.
//
//	make -C bench bin/forest && go test ./tests -run '^$' -bench ViewPage -benchtime 20x
func BenchmarkViewPage(b *testing.B) {
	prog := filepath.Join(repoRoot, "bench", "bin", "forest")
	if _, err := os.Stat(prog); err != nil {
		b.Fatalf("%v (make -C bench bin/forest)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	url := startView(b, ctx, prog)
	var rec struct{ End uint64 }
	getJSON(b, url+"api/run", &rec)
	br := startBrowser(b, ctx, 1400, 1000)
	at := rec.End / 2
	br.navigate(fmt.Sprintf("%s#t=%d", url, at))
	br.waitFor(fmt.Sprintf("document.body.dataset.shown === %q", fmt.Sprint(at)))
	steps := map[string]string{
		"insn":  `document.getElementById("nextins").click()`,
		"sched": `document.getElementById("nextsched").click()`,
		"back":  `go(at - rec.end / 100)`,
	}
	var parts []float64
	br.eval(`(async () => { const t0 = performance.now(); const st = await (await fetch("/api/state?at=" + (at + 1))).json(); const t1 = performance.now(); show(st); const t2 = performance.now(); await new Promise((r) => requestAnimationFrame(r)); return [t1 - t0, t2 - t1, performance.now() - t2]; })()`, &parts)
	b.Logf("fetch %.1f ms, show %.1f ms, next frame %.1f ms", parts[0], parts[1], parts[2])
	took := map[string][]float64{}
	for range b.N {
		for _, name := range []string{"insn", "sched", "back"} {
			before := pageShown(br)
			br.eval(steps[name], nil)
			br.waitFor(fmt.Sprintf("document.body.dataset.shown !== %q", before))
			var ms string
			br.eval(`document.body.dataset.took`, &ms)
			v, _ := strconv.ParseFloat(ms, 64)
			took[name] = append(took[name], v)
		}
	}
	for name, v := range took {
		sort.Float64s(v)
		b.ReportMetric(v[len(v)/2], name+"-median-ms")
		b.ReportMetric(v[len(v)-1], name+"-max-ms")
	}
}

func pageShown(b *browser) string {
	var s string
	b.eval(`document.body.dataset.shown`, &s)
	return s
}
