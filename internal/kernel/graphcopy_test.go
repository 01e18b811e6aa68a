package kernel

import (
	"reflect"
	"strings"
	"testing"
)

type gcNode struct {
	name  string
	next  *gcNode
	inner struct{ n int }
	in    *int // may point into another node's inner.n
	list  []*gcNode
	byPtr map[*gcNode]int
	any   any
	fn    func() int
	arr   [3]*gcNode
}

func plainFn() int { return 1 }

// The copier keeps sharing: one object reached twice is copied once, a pointer into a
// field points into the copy's field (whichever is met first), subslices share their
// array, maps keyed by pointers are keyed by the copies.
func TestGraphCopySharing(t *testing.T) {
	a := &gcNode{name: "a"}
	b := &gcNode{name: "b", next: a}
	a.next = b // a cycle
	a.in = &b.inner.n
	b.inner.n = 7
	all := []*gcNode{a, b, a}
	a.list = all[:2]
	b.list = all[1:3]
	a.byPtr = map[*gcNode]int{a: 1, b: 2}
	b.any = a
	a.fn = plainFn
	a.arr = [3]*gcNode{b, nil, a}

	g := newGraphCopy()
	g.survey(reflect.ValueOf(a))
	if g.err != nil {
		t.Fatal(g.err)
	}
	c := (*gcNode)(g.ptr(reflect.ValueOf(a).UnsafePointer()))
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	cb := c.next
	switch {
	case c == a || cb == b:
		t.Fatal("copy shares the original's nodes")
	case cb.next != c:
		t.Error("cycle not kept: c.next.next != c")
	case c.in != &cb.inner.n || *c.in != 7:
		t.Errorf("interior pointer: c.in = %p, want %p", c.in, &cb.inner.n)
	case &c.list[1] != &cb.list[0]:
		t.Error("subslices of one array no longer share it")
	case c.list[0] != c || cb.list[1] != c:
		t.Error("slice elements not redirected")
	case c.byPtr[c] != 1 || c.byPtr[cb] != 2 || len(c.byPtr) != 2:
		t.Errorf("map keyed by pointers: %v", c.byPtr)
	case cb.any.(*gcNode) != c:
		t.Error("interface not redirected")
	case c.fn() != 1:
		t.Error("plain function lost")
	case c.arr[0] != cb || c.arr[1] != nil || c.arr[2] != c:
		t.Error("array of pointers not redirected")
	}
}

// A closure may capture objects the copier cannot see: it is refused, naming where.
func TestGraphCopyRefusesClosures(t *testing.T) {
	x := 5
	a := &gcNode{fn: func() int { return x }}
	g := newGraphCopy()
	g.survey(reflect.ValueOf(a))
	g.ptr(reflect.ValueOf(a).UnsafePointer())
	if err := g.Err(); err == nil || !strings.Contains(err.Error(), "closure") || !strings.Contains(err.Error(), "gcNode.fn") {
		t.Errorf("copy of a closure: error %v, want one naming gcNode.fn as a closure", err)
	}
}
