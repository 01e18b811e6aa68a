package vfs

// Waiter is something that can be woken: the kernel's tasks.
type Waiter interface{ Wake() }

// Queue is a set of waiters to wake when something changes (data in a pipe, a child's
// exit). Waiters are woken in the order they arrived, so wake-ups are deterministic.
//
// Besides its one-shot waiters (blocked tasks, which Wake takes off every queue they
// were on), a queue has persistent watchers: epoll's entries, which stay registered
// until EPOLL_CTL_DEL or a close and are told of every wake-up, like the callbacks
// Linux's ep_ptable_queue_proc hangs on a file's wait queues.
type Queue struct {
	waiters  []Waiter
	watchers []*Watcher
}

// Watcher is a persistent callback on one or more queues. Notify runs on every wake-up
// of a queue it watches and reports whether it woke someone (for EPOLLEXCLUSIVE, where
// the first exclusive watcher that does ends the wake-up).
type Watcher struct {
	Notify    func() bool
	Exclusive bool
	// Live, if set, reports whether a wake-up through this watcher would reach a
	// waiting task now (an epoll instance someone waits on).
	Live func() bool
	// item and way, when item is set, stand for Notify and Live: epoll's entries are
	// an object and a direction rather than closures, so that a kernel checkpoint can
	// copy them with the epoll instance they belong to.
	item *EpollItem
	way  int
}

// notify runs the watcher's callback.
func (w *Watcher) notify() bool {
	if w.item != nil {
		return w.item.notify(w.way)
	}
	return w.Notify()
}

// live reports whether a wake-up through the watcher would reach a waiting task now.
func (w *Watcher) live() bool {
	if w.item != nil {
		return w.item.ep.live()
	}
	return w.Live != nil && w.Live()
}

// Add appends w to the queue.
func (q *Queue) Add(w Waiter) { q.waiters = append(q.waiters, w) }

// Remove takes w off the queue, if it is there.
func (q *Queue) Remove(w Waiter) {
	for i, x := range q.waiters {
		if x == w {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			return
		}
	}
}

// Len reports how many wait.
func (q *Queue) Len() int { return len(q.waiters) }

// Watch registers w. As on Linux (add_wait_queue puts a non-exclusive entry at the head
// of the queue, add_wait_queue_exclusive an exclusive one at the tail), the watcher
// added last is told first, and exclusive watchers come after all the others.
func (q *Queue) Watch(w *Watcher) {
	if w.Exclusive {
		q.watchers = append(q.watchers, w)
		return
	}
	q.watchers = append([]*Watcher{w}, q.watchers...)
}

// Unwatch removes w, if it is there.
func (q *Queue) Unwatch(w *Watcher) {
	for i, x := range q.watchers {
		if x == w {
			q.watchers = append(q.watchers[:i], q.watchers[i+1:]...)
			return
		}
	}
}

// Live reports whether a wake-up of the queue would reach a task that waits now: one
// of its own waiters, or one behind a watcher. An event source that expires on its
// own (a periodic timerfd) keeps a kernel timer only while this holds, so that a timer
// no one is waiting on does not keep virtual time moving when everything else is
// blocked, and a deadlock is still reported.
func (q *Queue) Live() bool {
	if len(q.waiters) > 0 {
		return true
	}
	for _, w := range q.watchers {
		if w.live() {
			return true
		}
	}
	return false
}

// Watched reports how many watchers the queue has.
func (q *Queue) Watched() int { return len(q.watchers) }

// WakeAll wakes every waiter, and tells the watchers.
func (q *Queue) WakeAll() {
	ws := q.waiters
	q.waiters = nil
	for _, w := range ws {
		w.Wake()
	}
	q.notify()
}

// WakeWaiters wakes every waiter but does not tell the watchers: for a change that
// waiters must re-check but that is no event for epoll (a read from a pipe that was not
// full, which Linux's pipe_read does not announce to writers' pollers).
func (q *Queue) WakeWaiters() {
	ws := q.waiters
	q.waiters = nil
	for _, w := range ws {
		w.Wake()
	}
}

// WakeOne wakes the first waiter and reports whether there was one. The watchers are
// told too: an epoll entry is not a sleeper that one wake-up satisfies.
func (q *Queue) WakeOne() bool {
	q.notify()
	if len(q.waiters) == 0 {
		return false
	}
	w := q.waiters[0]
	q.waiters = q.waiters[1:]
	w.Wake()
	return true
}

// notify tells every non-exclusive watcher, and the exclusive ones in order until one
// of them wakes someone (__wake_up_common with nr_exclusive 1). A watcher may unwatch
// itself or others while it runs, so the list is copied first.
func (q *Queue) notify() {
	if len(q.watchers) == 0 {
		return
	}
	ws := append([]*Watcher(nil), q.watchers...)
	for _, w := range ws {
		if w.notify() && w.Exclusive {
			return
		}
	}
}
