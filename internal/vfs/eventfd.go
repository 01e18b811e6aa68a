package vfs

import (
	"encoding/binary"

	"weft/internal/abi/linux"
)

// EventFD is an eventfd's counter (eventfd(2)). A write wakes Readable (readers
// waiting for a non-zero count, epoll items asking for EPOLLIN), a read wakes Writable
// (writers waiting for room): Linux has one wait queue and tells the two apart by the
// wake-up's key (EPOLLIN for a write, EPOLLOUT for a read).
type EventFD struct {
	count              uint64
	semaphore          bool
	Readable, Writable Queue
}

// eventfdMax is the largest count: a write that would pass it waits.
const eventfdMax = ^uint64(0) - 1

type eventfdDev struct{ e *EventFD }

// NewEventFD returns the open file description of a new eventfd with count initval.
func (fs *FS) NewEventFD(initval uint64, semaphore bool, uid, gid uint32) *File {
	e := &EventFD{count: initval, semaphore: semaphore}
	return fs.NewAnon(eventfdDev{e}, "[eventfd]", uid, gid, O_RDWR)
}

// EventFDOf returns the eventfd f is, or nil.
func EventFDOf(f *File) *EventFD {
	if d, ok := f.Inode.dev.(eventfdDev); ok {
		return d.e
	}
	return nil
}

// Count is the counter's value (/proc/PID/fdinfo's eventfd-count).
func (e *EventFD) Count() uint64 { return e.count }

// Read returns the count and resets it, or returns 1 and decrements it in semaphore
// mode; a zero count would block.
func (d eventfdDev) Read(_ *File, p []byte) (int, error) {
	e := d.e
	if len(p) < 8 {
		return 0, linux.EINVAL
	}
	if e.count == 0 {
		return 0, ErrWouldBlock
	}
	v := e.count
	if e.semaphore {
		v = 1
	}
	e.count -= v
	binary.LittleEndian.PutUint64(p, v)
	e.Writable.WakeAll()
	return 8, nil
}

// Write adds an 8-byte value to the count; a sum past eventfdMax would block, and
// 0xffffffffffffffff is refused.
func (d eventfdDev) Write(_ *File, p []byte) (int, error) {
	e := d.e
	if len(p) < 8 {
		return 0, linux.EINVAL
	}
	v := binary.LittleEndian.Uint64(p)
	if v == ^uint64(0) {
		return 0, linux.EINVAL
	}
	if eventfdMax-e.count < v {
		return 0, ErrWouldBlock
	}
	e.count += v
	e.Readable.WakeAll() // even for 0, as eventfd_write does
	return 8, nil
}

func (eventfdDev) IsTTY() bool { return false }

// Poll implements Pollable (eventfd_poll).
func (d eventfdDev) Poll(_ *File, want int16) int16 {
	var r int16
	if d.e.count > 0 {
		r |= POLLIN
	}
	if d.e.count == ^uint64(0) {
		r |= POLLERR
	}
	if d.e.count < eventfdMax {
		r |= POLLOUT
	}
	return r & (want | POLLERR | POLLHUP)
}

// Queues implements Pollable.
func (d eventfdDev) Queues(_ *File, write bool) *Queue {
	if write {
		return &d.e.Writable
	}
	return &d.e.Readable
}

// WritesAll reports whether a blocking write to f goes on until it has written
// everything, waiting for room as often as it must (a pipe), rather than returning
// after one write: an eventfd takes one 8-byte value per write whatever the length.
func WritesAll(f *File) bool {
	return f.Queues(true) != nil && EventFDOf(f) == nil
}
