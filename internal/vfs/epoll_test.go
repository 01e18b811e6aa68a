package vfs

import (
	"encoding/binary"
	"fmt"
	"testing"

	"weft/internal/abi/linux"
)

type countWaiter struct{ woken int }

func (w *countWaiter) Wake() { w.woken++ }

func TestQueueWatchers(t *testing.T) {
	var q Queue
	var calls []string
	watch := func(name string, exclusive, ret bool) *Watcher {
		w := &Watcher{Notify: func() bool { calls = append(calls, name); return ret }, Exclusive: exclusive}
		q.Watch(w)
		return w
	}
	a := watch("a", false, true)
	watch("b", false, true)
	watch("x1", true, false) // an exclusive watcher that woke no one: the next is told
	watch("x2", true, true)
	watch("x3", true, true) // not told: x2 woke someone
	w := &countWaiter{}
	q.Add(w)
	q.WakeAll()
	if got, want := fmt.Sprint(calls), "[b a x1 x2]"; got != want {
		t.Errorf("WakeAll told %s, want %s (newest non-exclusive first, then exclusive in order up to the first that wakes someone)", got, want)
	}
	if w.woken != 1 || q.Len() != 0 {
		t.Errorf("WakeAll: waiter woken %d times, %d left; want 1, 0", w.woken, q.Len())
	}
	calls = nil
	q.WakeAll() // the watchers stay; the waiter is gone
	if got := len(calls); got != 4 || w.woken != 1 {
		t.Errorf("second WakeAll told %d watchers and woke the waiter %d times; want 4 and 1", got, w.woken)
	}
	q.Unwatch(a)
	calls = nil
	if q.WakeOne() {
		t.Errorf("WakeOne with no waiter = true, want false")
	}
	if got, want := fmt.Sprint(calls), "[b x1 x2]"; got != want {
		t.Errorf("WakeOne told %s, want %s", got, want)
	}
	if q.Watched() != 4 {
		t.Errorf("Watched() = %d, want 4", q.Watched())
	}
}

func epollEvents(evs []EpollEvent) string {
	s := ""
	for _, e := range evs {
		s += fmt.Sprintf("[%d %#x]", e.Data, e.Events)
	}
	return s
}

func TestEpollPipe(t *testing.T) {
	fs := newFS(t)
	epf := fs.NewEpoll(0, 0)
	ep := EpollOf(epf)
	r, w := fs.NewPipe(0, 0)
	if err := ep.Add(r, 3, linux.EPOLLIN, 1); err != nil {
		t.Fatal(err)
	}
	step := func(what string, max int, want string) {
		t.Helper()
		if got := epollEvents(ep.Wait(max)); got != want {
			t.Errorf("%s: Wait(%d) = %q, want %q", what, max, got, want)
		}
	}
	step("empty", 8, "")
	w.Write([]byte("ab"))
	step("level-triggered", 8, "[1 0x1]")
	step("still ready", 8, "[1 0x1]")
	r.Read(make([]byte, 2))
	step("drained", 8, "")

	it := ep.Find(r, 3)
	ep.Modify(it, linux.EPOLLIN|linux.EPOLLET, 2)
	w.Write([]byte("x"))
	step("edge", 8, "[2 0x1]")
	step("edge, no new event", 8, "")
	w.Write([]byte("y"))
	step("edge, a new write", 8, "[2 0x1]")

	ep.Modify(it, linux.EPOLLIN|linux.EPOLLONESHOT, 3)
	step("one-shot", 8, "[3 0x1]")
	w.Write([]byte("z"))
	step("one-shot, disabled", 8, "")
	ep.Modify(it, linux.EPOLLIN|linux.EPOLLONESHOT, 4)
	step("re-armed", 8, "[4 0x1]")

	// Closing the description removes the item.
	r.DecRef()
	if ep.Items() != 0 {
		t.Errorf("after the last close of the read end: %d items, want 0", ep.Items())
	}
	if err := ep.Add(w, 4, linux.EPOLLOUT, 5); err != nil {
		t.Fatal(err)
	}
	step("no reader", 8, fmt.Sprintf("[5 %#x]", linux.EPOLLOUT|linux.EPOLLERR))
	w.DecRef()
	epf.DecRef()
}

func TestEpollNestingAndWakeups(t *testing.T) {
	fs := newFS(t)
	outerF, innerF := fs.NewEpoll(0, 0), fs.NewEpoll(0, 0)
	outer, inner := EpollOf(outerF), EpollOf(innerF)
	e := fs.NewEventFD(0, false, 0, 0)
	inner.Add(e, 5, linux.EPOLLIN, 7)
	outer.Add(innerF, 6, linux.EPOLLIN, 8)
	if !inner.LoopCheck(outer) {
		t.Errorf("inner watching outer: LoopCheck = false, want true (a cycle)")
	}
	waiter := &countWaiter{}
	outer.Queue.Add(waiter)
	var one [8]byte
	binary.LittleEndian.PutUint64(one[:], 1)
	if n, err := e.Write(one[:]); n != 8 || err != nil {
		t.Fatalf("eventfd write = %d, %v", n, err)
	}
	if waiter.woken != 1 {
		t.Errorf("a write to an eventfd two levels down woke the outer waiter %d times, want 1", waiter.woken)
	}
	if got, want := epollEvents(outer.Wait(4)), "[8 0x1]"; got != want {
		t.Errorf("outer.Wait = %q, want %q", got, want)
	}
	if got, want := epollEvents(inner.Wait(4)), "[7 0x1]"; got != want {
		t.Errorf("inner.Wait = %q, want %q", got, want)
	}
	// A chain of instances deeper than EP_MAX_NESTS is refused.
	chain := []*Epoll{outer}
	refused := -1
	for i := 1; i < 8; i++ {
		f := fs.NewEpoll(0, 0)
		ep := EpollOf(f)
		if ep.LoopCheck(chain[i-1]) {
			refused = i
			break
		}
		ep.Add(chain[i-1].file, int32(10+i), linux.EPOLLIN, 0)
		chain = append(chain, ep)
	}
	// outer already has inner below it: chains are counted from the bottom.
	if refused != 4 {
		t.Errorf("nesting refused at link %d, want 4", refused)
	}
}

func TestEventFD(t *testing.T) {
	fs := newFS(t)
	le := binary.LittleEndian
	val := func(v uint64) []byte { b := make([]byte, 8); le.PutUint64(b, v); return b }
	cases := []struct {
		name      string
		init      uint64
		semaphore bool
		ops       []string // "r" read, "wN" write N
		want      string
	}{
		{"counter", 3, false, []string{"r", "r", "w5", "w7", "r"}, "3 block ok ok 12"},
		{"semaphore", 2, true, []string{"r", "r", "r"}, "1 1 block"},
		{"full", 0, false, []string{"w18446744073709551614", "w1", "r", "w1"}, "ok block 18446744073709551614 ok"},
		{"max refused", 0, false, []string{"w18446744073709551615"}, "EINVAL"},
	}
	for _, c := range cases {
		f := fs.NewEventFD(c.init, c.semaphore, 0, 0)
		var got []string
		for _, op := range c.ops {
			var n int
			var err error
			buf := make([]byte, 8)
			if op == "r" {
				n, err = f.Read(buf)
			} else {
				var v uint64
				fmt.Sscan(op[1:], &v)
				n, err = f.Write(val(v))
			}
			switch {
			case err == ErrWouldBlock:
				got = append(got, "block")
			case err != nil:
				got = append(got, err.Error())
			case op == "r":
				got = append(got, fmt.Sprint(le.Uint64(buf)))
			default:
				_ = n
				got = append(got, "ok")
			}
		}
		if s := fmt.Sprint(got); s != "["+c.want+"]" {
			t.Errorf("%s: %v = %s, want [%s]", c.name, c.ops, s, c.want)
		}
		f.DecRef()
	}
}
