package view

import (
	"encoding/json"
	"io"
	"os"
	"testing"

	"weft/internal/run"
)

// BenchmarkStep measures what one step of the page costs the server on bench/forest
// (100 processes, 10^8 instructions; issue 16 asks for under 100 ms a step): the
// machine at the new instant, captured and encoded as the page receives it. Forward is
// one instruction on from the last instant shown; back is a thousandth of the run
// back, which needs an earlier machine.
//
//	make -C bench bin/forest && go test ./internal/view -run '^$' -bench Step -benchtime 10x
func BenchmarkStep(b *testing.B) {
	const prog = "../../bench/bin/forest"
	if _, err := os.Stat(prog); err != nil {
		b.Fatalf("%v: make -C bench bin/forest builds it", err)
	}
	s := &Session{Path: prog, Argv: []string{prog}, Opts: run.Options{Seed: 1, CPUs: 2, Init: true, MaxInsns: 1e9}}
	rec, err := s.Record()
	if err != nil {
		b.Fatal(err)
	}
	at := rec.End * 9 / 10
	step := func(b *testing.B, t uint64) {
		st, err := s.StateAt(t, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.NewEncoder(io.Discard).Encode(st); err != nil {
			b.Fatal(err)
		}
	}
	step(b, at)
	b.Run("forward", func(b *testing.B) {
		for range b.N {
			at++
			step(b, at)
		}
	})
	b.Run("back", func(b *testing.B) {
		for range b.N {
			at -= rec.End / 1000
			step(b, at)
		}
	})
}
