package vfs

import (
	"unsafe"

	"weft/internal/abi/linux"
)

// Epoll is an epoll instance (epoll(7)): an interest list and a ready list, owned by
// its open file description, so that fork, dup and threads share them.
//
// An item watches the queues of its file (Pollable.Queues) through a Watcher; every
// wake-up of such a queue puts the item on the ready list, as Linux's ep_poll_callback
// does, and epoll_wait re-polls what is on the list: level-triggered items go back on
// it after being reported, edge-triggered ones wait for the next wake-up, one-shot
// ones are disabled until EPOLL_CTL_MOD. An item holds no reference to its file: it
// goes away when the file's last descriptor closes (File.DecRef).
type Epoll struct {
	items map[epollKey]*EpollItem // lookup only: never iterated
	list  []*EpollItem            // the interest list, in the order added
	ready []*EpollItem
	// Queue wakes the tasks in epoll_wait and in poll(2) on this instance, and tells
	// the epoll instances that watch this one.
	Queue Queue
	file  *File
}

type epollKey struct {
	f  *File
	fd int32
}

// EpollItem is one entry of an interest list: a file (by the descriptor it was added
// under), the events asked for and the data epoll_wait hands back.
type EpollItem struct {
	ep     *Epoll
	file   *File
	fd     int32
	events uint32
	data   uint64
	queued bool // on ep.ready
	// watchers are the item's callbacks on the queues of its file, one per queue.
	watchers []*Watcher
	queues   []*Queue
}

// EpollEvent is one event epoll_wait reports.
type EpollEvent struct {
	Events uint32
	Data   uint64
}

type epollDev struct{ ep *Epoll }

// NewEpoll returns the open file description of a new epoll instance.
func (fs *FS) NewEpoll(uid, gid uint32) *File {
	ep := &Epoll{items: map[epollKey]*EpollItem{}}
	ep.file = fs.NewAnon(epollDev{ep}, "[eventpoll]", uid, gid, O_RDWR)
	return ep.file
}

// NewAnon returns an open file description on a new anonymous inode (Linux's
// anon_inode): no name in any directory, mode 0600 with no file type, as fstat(2)
// shows eventfds, epoll instances and timerfds. name is what /proc/PID/fd shows after
// "anon_inode:".
func (fs *FS) NewAnon(d Device, name string, uid, gid uint32, flags uint32) *File {
	n := fs.newInode(0o600, uid, gid)
	n.dev = d
	return Open(n, flags, "anon_inode:"+name)
}

// EpollOf returns the epoll instance f is, or nil.
func EpollOf(f *File) *Epoll {
	if d, ok := f.Inode.dev.(epollDev); ok {
		return d.ep
	}
	return nil
}

func (epollDev) Read(*File, []byte) (int, error)  { return 0, linux.EINVAL }
func (epollDev) Write(*File, []byte) (int, error) { return 0, linux.EINVAL }
func (epollDev) IsTTY() bool                      { return false }

// Poll implements Pollable: an epoll instance is readable while an item on its ready
// list has an event to report.
func (d epollDev) Poll(_ *File, want int16) int16 {
	if d.ep.readyNow(0) {
		return (POLLIN | pollRDNORM) & want
	}
	return 0
}

// Queues implements Pollable.
func (d epollDev) Queues(_ *File, write bool) *Queue {
	if write {
		return nil
	}
	return &d.ep.Queue
}

// Release drops the interest list when the instance's last descriptor closes.
func (d epollDev) Release(*File) {
	ep := d.ep
	for len(ep.list) > 0 {
		ep.remove(ep.list[len(ep.list)-1])
	}
}

const (
	pollRDNORM = 0x40
	pollRDBAND = 0x80
	pollWRNORM = 0x100
	pollWRBAND = 0x200
	pollRDHUP  = 0x2000
)

// PollEvents is f.Poll with the events that are aliases of others (POLLRDNORM is
// POLLIN for the files weft has, POLLWRNORM POLLOUT) answered as poll(2) answers them.
func PollEvents(f *File, want int16) int16 {
	ask := want
	if want&pollRDNORM != 0 {
		ask |= POLLIN
	}
	if want&pollWRNORM != 0 {
		ask |= POLLOUT
	}
	r := f.Poll(ask)
	if r&POLLIN != 0 {
		r |= pollRDNORM
	}
	if r&POLLOUT != 0 {
		r |= pollWRNORM
	}
	return r & (want | POLLERR | POLLHUP)
}

// poll is what the item's file reports now of the events it asks for (0 for an item
// EPOLLONESHOT disabled). depth counts the epoll instances above, for nesting.
func (it *EpollItem) poll(depth int) uint32 {
	want := it.events &^ linux.EPOLL_PRIVATE_BITS
	if want == 0 {
		return 0
	}
	if ep := EpollOf(it.file); ep != nil {
		if ep.readyNow(depth + 1) {
			return (linux.EPOLLIN | linux.EPOLLRDNORM) & want
		}
		return 0
	}
	return uint32(uint16(PollEvents(it.file, int16(want&0xffff)))) & want
}

// readyNow reports whether an item on the ready list has an event, dropping the ones
// that turned out to have none (__ep_eventpoll_poll). Nesting is bounded by the loop
// check at EPOLL_CTL_ADD; depth bounds it again.
func (ep *Epoll) readyNow(depth int) bool {
	if depth > linux.EP_MAX_NESTS+1 {
		return false
	}
	for len(ep.ready) > 0 {
		it := ep.ready[0]
		ep.count(1)
		if it.poll(depth) != 0 {
			return true
		}
		it.queued = false
		ep.ready = ep.ready[1:]
	}
	return false
}

// Which way a queue an item watches is woken: for input, for output, or both (a
// file with one queue for both, an epoll instance).
const (
	wakeIn = 1 << iota
	wakeOut
	wakeBoth = wakeIn | wakeOut
)

const (
	epollInEvents  = linux.EPOLLIN | linux.EPOLLPRI | linux.EPOLLRDNORM | linux.EPOLLRDBAND | linux.EPOLLRDHUP | linux.EPOLLMSG
	epollOutEvents = linux.EPOLLOUT | linux.EPOLLWRNORM | linux.EPOLLWRBAND
)

// notify is an item's watcher on a queue woken the given way (ep_poll_callback). Like
// Linux's wake-up keys, a wake-up for input does not concern an item that asks only
// for output, and the other way round, unless the file now reports an error or a
// hang-up; an item that asks for neither hears of every wake-up.
func (it *EpollItem) notify(way int) bool {
	ep := it.ep
	ev := it.events &^ linux.EPOLL_PRIVATE_BITS
	if ev == 0 {
		return false // disabled by EPOLLONESHOT
	}
	if ev&(epollInEvents|epollOutEvents) != 0 {
		var mine int
		if ev&epollInEvents != 0 {
			mine |= wakeIn
		}
		if ev&epollOutEvents != 0 {
			mine |= wakeOut
		}
		// An error or a hang-up comes on either queue (a pipe's last reader closing
		// wakes the writers' queue with EPOLLERR in its key), and concerns every item.
		if way&mine == 0 && it.file.Poll(0)&(POLLERR|POLLHUP) == 0 {
			return false
		}
	}
	ep.count(1)
	sleepers := ep.Queue.Len() > 0
	if !it.queued {
		it.queued = true
		ep.ready = append(ep.ready, it)
	}
	ep.Queue.WakeAll()
	if it.events&linux.EPOLLEXCLUSIVE != 0 {
		return sleepers
	}
	return true
}

// count adds n to the file system's count of epoll work (FS.EventOps).
func (ep *Epoll) count(n uint64) {
	if fs := ep.file.Inode.fs; fs != nil {
		fs.EventOps += n
	}
}

// live reports whether a task waits on ep, directly or through the instances that
// watch it.
func (ep *Epoll) live() bool { return ep.Queue.Live() }

// Lazy is an event source that stops its own timer while no task waits on it (see
// Queue.Live); Rearm starts it again before a task waits.
type Lazy interface{ Rearm(f *File) }

// PrepareWait re-arms the lazy event sources on ep's interest list, and on the lists
// of the instances below it, before a task waits on ep.
func (ep *Epoll) PrepareWait() { ep.prepare(0) }

func (ep *Epoll) prepare(depth int) {
	if depth > linux.EP_MAX_NESTS+1 {
		return
	}
	for _, it := range ep.list {
		if c := EpollOf(it.file); c != nil {
			c.prepare(depth + 1)
		} else if l, ok := it.file.Inode.dev.(Lazy); ok {
			l.Rearm(it.file)
		}
	}
}

// PrepareWait re-arms f's event source, or the sources below an epoll instance,
// before a task waits on f.
func PrepareWait(f *File) {
	if ep := EpollOf(f); ep != nil {
		ep.PrepareWait()
	} else if l, ok := f.Inode.dev.(Lazy); ok {
		l.Rearm(f)
	}
}

// Pollable reports whether f can be added to an epoll instance: regular files and
// directories cannot (EPERM, epoll_ctl(2)), as on Linux.
func EpollCanWatch(f *File) bool {
	switch f.Inode.Mode & S_IFMT {
	case S_IFREG, S_IFDIR, S_IFLNK:
		return false
	}
	return f.Flags&O_PATH == 0
}

// Find returns the item for f under descriptor fd, or nil.
func (ep *Epoll) Find(f *File, fd int32) *EpollItem {
	return ep.items[epollKey{f, fd}]
}

// LoopCheck reports whether watching target (an epoll instance) from ep would make a
// cycle or a chain of nested instances deeper than Linux allows (ep_loop_check: the
// depth below target, plus one, plus the depth above ep, at most EP_MAX_NESTS).
func (ep *Epoll) LoopCheck(target *Epoll) bool {
	if target.reaches(ep, 0) {
		return true
	}
	return target.depthDown(0)+1+ep.depthUp(0) > linux.EP_MAX_NESTS
}

func (ep *Epoll) reaches(x *Epoll, depth int) bool {
	if ep == x {
		return true
	}
	if depth > 2*linux.EP_MAX_NESTS {
		return true // deeper than any accepted chain: treat as a loop
	}
	for _, it := range ep.list {
		if c := EpollOf(it.file); c != nil && c.reaches(x, depth+1) {
			return true
		}
	}
	return false
}

func (ep *Epoll) depthDown(depth int) int {
	best := 0
	if depth > 2*linux.EP_MAX_NESTS {
		return best
	}
	for _, it := range ep.list {
		if c := EpollOf(it.file); c != nil {
			best = max(best, 1+c.depthDown(depth+1))
		}
	}
	return best
}

func (ep *Epoll) depthUp(depth int) int {
	best := 0
	if depth > 2*linux.EP_MAX_NESTS {
		return best
	}
	for _, it := range ep.file.epItems {
		best = max(best, 1+it.ep.depthUp(depth+1))
	}
	return best
}

// epollItemBytes is what an item costs the host, charged against the memory cap like
// a pipe's buffer: a guest may otherwise add each of thousands of descriptors to each
// of thousands of epoll instances.
const epollItemBytes = int64(unsafe.Sizeof(EpollItem{})) + 64

// Add puts f, under descriptor fd, on the interest list (EPOLL_CTL_ADD); the caller
// has checked the arguments. EPOLLERR and EPOLLHUP are always asked for. It fails with
// ENOMEM when the memory cap has no room for the item.
func (ep *Epoll) Add(f *File, fd int32, events uint32, data uint64) error {
	if fs := ep.file.Inode.fs; fs != nil && !fs.charge(epollItemBytes) {
		return linux.ENOMEM
	}
	if events&linux.EPOLLEXCLUSIVE == 0 {
		events &^= linux.EPOLLWAKEUP // needs CAP_BLOCK_SUSPEND: dropped, as for a user
	}
	it := &EpollItem{ep: ep, file: f, fd: fd, events: events | linux.EPOLL_CTL_ADD_ALWAYS, data: data}
	ep.items[epollKey{f, fd}] = it
	ep.list = append(ep.list, it)
	f.epItems = append(f.epItems, it)
	it.watch()
	ep.check(it)
	return nil
}

// Modify changes an item's events and data (EPOLL_CTL_MOD), re-arming a one-shot item.
// The item stays on its file's queues where it was, as Linux's ep_modify leaves it.
func (ep *Epoll) Modify(it *EpollItem, events uint32, data uint64) {
	it.events = events&^(linux.EPOLLWAKEUP|linux.EPOLLEXCLUSIVE) | linux.EPOLL_CTL_ADD_ALWAYS
	it.data = data
	ep.check(it)
}

// Exclusive reports whether the item was added with EPOLLEXCLUSIVE (which
// EPOLL_CTL_MOD refuses).
func (it *EpollItem) Exclusive() bool { return it.events&linux.EPOLLEXCLUSIVE != 0 }

// Delete takes an item off the interest list (EPOLL_CTL_DEL).
func (ep *Epoll) Delete(it *EpollItem) { ep.remove(it) }

// check polls an item that was added or changed and queues it if it is ready.
func (ep *Epoll) check(it *EpollItem) {
	if !it.queued && it.poll(0) != 0 {
		it.queued = true
		ep.ready = append(ep.ready, it)
		ep.Queue.WakeAll()
	}
}

// watch registers the item on its file's queues, once for input and once for output
// (or once for both when the file has one queue), whatever events it asks for now:
// as on Linux, EPOLL_CTL_MOD changes what the callbacks accept, not where they hang.
func (it *EpollItem) watch() {
	add := func(q *Queue, way int) {
		w := &Watcher{item: it, way: way, Exclusive: it.events&linux.EPOLLEXCLUSIVE != 0}
		q.Watch(w)
		it.watchers = append(it.watchers, w)
		it.queues = append(it.queues, q)
	}
	if ep := EpollOf(it.file); ep != nil {
		add(&ep.Queue, wakeBoth)
		return
	}
	rq, wq := it.file.Queues(false), it.file.Queues(true)
	switch {
	case rq != nil && rq == wq:
		add(rq, wakeBoth)
	default:
		if rq != nil {
			add(rq, wakeIn)
		}
		if wq != nil {
			add(wq, wakeOut)
		}
	}
}

func (it *EpollItem) unwatch() {
	for i, q := range it.queues {
		q.Unwatch(it.watchers[i])
	}
	it.queues, it.watchers = nil, nil
}

// remove takes it off every list it is on.
func (ep *Epoll) remove(it *EpollItem) {
	if fs := ep.file.Inode.fs; fs != nil {
		fs.uncharge(epollItemBytes)
	}
	it.unwatch()
	delete(ep.items, epollKey{it.file, it.fd})
	ep.list = deleteItem(ep.list, it)
	if it.queued {
		ep.ready = deleteItem(ep.ready, it)
		it.queued = false
	}
	it.file.epItems = deleteItem(it.file.epItems, it)
}

func deleteItem(s []*EpollItem, it *EpollItem) []*EpollItem {
	for i, x := range s {
		if x == it {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}

// dropEpollItems removes f from every interest list it is on: its last descriptor
// closed (epoll(7): "closing a file descriptor causes it to be removed from all epoll
// interest lists" once every descriptor of the description is closed).
func (f *File) dropEpollItems() {
	for len(f.epItems) > 0 {
		it := f.epItems[len(f.epItems)-1]
		it.ep.remove(it)
	}
}

// Wait takes up to max events from the ready list (ep_send_events): each item on it is
// polled again; one with events is reported, then goes back on the list if it is
// level-triggered, or is disabled if it is one-shot. Items left unexamined stay at the
// front, the level-triggered ones reported go to the back, so that a small max still
// serves every ready item in turn.
func (ep *Epoll) Wait(max int) []EpollEvent {
	var out []EpollEvent
	var again []*EpollItem
	i := 0
	for ; i < len(ep.ready) && len(out) < max; i++ {
		it := ep.ready[i]
		it.queued = false
		rev := it.poll(0)
		if rev == 0 {
			continue
		}
		out = append(out, EpollEvent{Events: rev, Data: it.data})
		switch {
		case it.events&linux.EPOLLONESHOT != 0:
			it.events &= linux.EPOLL_PRIVATE_BITS
		case it.events&linux.EPOLLET == 0:
			again = append(again, it)
		}
	}
	ep.count(uint64(i))
	rest := append([]*EpollItem(nil), ep.ready[i:]...)
	for _, it := range again {
		it.queued = true
	}
	ep.ready = append(rest, again...)
	return out
}

// Items is the size of the interest list.
func (ep *Epoll) Items() int { return len(ep.list) }

// Device returns the driver behind a device or anonymous inode, or nil: the kernel's
// event sources (timerfd, signalfd, pidfd) find themselves through it.
func (n *Inode) Device() Device { return n.dev }
