package vfs

// Waiter is something that can be woken: the kernel's tasks.
type Waiter interface{ Wake() }

// Queue is a set of waiters to wake when something changes (data in a pipe, a child's
// exit). Waiters are woken in the order they arrived, so wake-ups are deterministic.
type Queue struct {
	waiters []Waiter
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

// WakeAll wakes every waiter.
func (q *Queue) WakeAll() {
	ws := q.waiters
	q.waiters = nil
	for _, w := range ws {
		w.Wake()
	}
}

// WakeOne wakes the first waiter and reports whether there was one.
func (q *Queue) WakeOne() bool {
	if len(q.waiters) == 0 {
		return false
	}
	w := q.waiters[0]
	q.waiters = q.waiters[1:]
	w.Wake()
	return true
}
