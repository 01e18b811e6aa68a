package cost_test

// The benchmarks here measure, on the host, the prices in model.go that come from weft's
// own kernel doing one unit of work (the others come from bench/costs/prices.c, which
// measures the host's Linux). Repeat them with
//
//	go test -run '^$' -bench . -count 5 ./internal/kernel/cost/
//
// and read ns/op, divided as each benchmark's comment says.

import (
	"testing"
	"unsafe"

	"weft/internal/cpu"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

type waiter struct{ n int }

func (w *waiter) Wake() { w.n++ }

// BenchmarkQueueOp adds a task to a wait queue holding three others and removes it:
// two queue operations per op.
func BenchmarkQueueOp(b *testing.B) {
	var q vfs.Queue
	others := []*waiter{{}, {}, {}}
	for _, o := range others {
		q.Add(o)
	}
	w := &waiter{}
	for b.Loop() {
		q.Add(w)
		q.Remove(w)
	}
}

// BenchmarkTaskInit fills in a task structure from another, as clone does, in one of
// 64 structures allocated beforehand (a kernel takes them from a free list; Go's
// allocator and collector are not what is priced): one task_init per op.
func BenchmarkTaskInit(b *testing.B) {
	tmpl := &kernel.Task{TID: 1, SigMask: 3}
	ring := make([]kernel.Task, 64)
	i := 0
	for b.Loop() {
		ring[i&63] = *tmpl
		i++
	}
	b.ReportMetric(float64(unsafe.Sizeof(*tmpl)), "bytes")
}

// BenchmarkProcInit fills in a process structure from another, as fork does (its
// signal table is part of it in weft), in one of 64 allocated beforehand: one
// proc_init per op.
func BenchmarkProcInit(b *testing.B) {
	tmpl := &kernel.ThreadGroup{PID: 1, Comm: "x"}
	ring := make([]kernel.ThreadGroup, 64)
	i := 0
	for b.Loop() {
		ring[i&63] = *tmpl
		i++
	}
	b.ReportMetric(float64(unsafe.Sizeof(*tmpl)), "bytes")
}

var ctxSink cpu.Context

// BenchmarkRegCopy saves a register file and loads another: 132 reg_copy per op.
func BenchmarkRegCopy(b *testing.B) {
	var x, y cpu.Context
	x.PC = 4
	for b.Loop() {
		ctxSink = x
		x = y
		y = ctxSink
	}
}

// table is the size of a page-table node: 512 eight-byte entries.
type table [512]uintptr

var tableSink *table

// BenchmarkPTNodeAlloc allocates a zeroed page-table node: one pt_node_alloc per op.
func BenchmarkPTNodeAlloc(b *testing.B) {
	for b.Loop() {
		tableSink = new(table)
	}
}

// BenchmarkPTNodeCopy allocates a node and copies another into it: one pt_node_copy
// per op (the references the copy takes are priced as pt_ref).
func BenchmarkPTNodeCopy(b *testing.B) {
	src := new(table)
	for i := range src {
		src[i] = uintptr(i)
	}
	for b.Loop() {
		t := new(table)
		*t = *src
		tableSink = t
	}
}

// frame stands for mm.Frame: a reference count in front of a page of data, so that
// each count is on its own cache lines, as in weft.
type frame struct {
	refs int32
	data [4096]byte
}

// BenchmarkPTRef takes and drops a reference on each of 512 frames, as copying and
// later releasing a full leaf node does: 1024 pt_ref per op.
func BenchmarkPTRef(b *testing.B) {
	frames := make([]*frame, 512)
	for i := range frames {
		frames[i] = new(frame)
	}
	for b.Loop() {
		for _, f := range frames {
			f.refs++
		}
		for _, f := range frames {
			f.refs--
		}
	}
}
