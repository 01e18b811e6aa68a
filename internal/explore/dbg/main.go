package main

import (
	"fmt"
	"os"

	"weft/internal/kernel/sched"
	"weft/internal/run"
)

type logger struct {
	sched.Policy
	log []string
}

func (l *logger) Pick(at sched.Thread, ready []sched.Thread, running bool) int {
	i := l.Policy.Pick(at, ready, running)
	if i != 0 || !running {
		l.log = append(l.log, fmt.Sprintf("at %d/%d run=%v -> %d (ready %d)", at.TID, at.Insns, running, ready[i].TID, len(ready)))
	}
	return i
}

func main() {
	prog := os.Args[1]
	for seed := uint64(1); seed < 200; seed++ {
		rec := sched.NewRecorder(sched.NewRandom(seed, 200))
		l1 := &logger{Policy: rec}
		r1, _ := run.Program(prog, []string{prog}, run.Options{CPUs: 1, Init: true, Policy: l1, MaxInsns: 5e6, Seed: 1})
		l2 := &logger{Policy: sched.NewReplay(200, rec.Decisions)}
		r2, _ := run.Program(prog, []string{prog}, run.Options{CPUs: 1, Init: true, Policy: l2, MaxInsns: 5e6, Seed: 1})
		if r1.Outcome != r2.Outcome || r1.Status != r2.Status {
			fmt.Println("seed", seed, "differs:", r1.Result, r2.Result)
			for i := range l1.log {
				if i >= len(l2.log) || l1.log[i] != l2.log[i] {
					for j := max(0, i-3); j < min(i+3, len(l1.log)); j++ {
						fmt.Println("orig  ", l1.log[j])
						if j < len(l2.log) {
							fmt.Println("replay", l2.log[j])
						}
					}
					break
				}
			}
			return
		}
	}
	fmt.Println("all agree")
}
