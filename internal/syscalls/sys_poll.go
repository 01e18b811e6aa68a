package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var pollCalls = []entry{
	call(linux.SYS_PPOLL, "ppoll", Ppoll, p, u, p, p, u).partial("pipes, FIFOs, epoll instances and event descriptors wait for readiness; files, devices and host streams are always ready").
		interrupted(pollRemaining(2)).timedRestart(),
	call(linux.SYS_PSELECT6, "pselect6", Pselect6, i, p, p, p, p, p).partial("as ppoll; exceptfds never report").
		interrupted(pollRemaining(4)).timedRestart(),
}

// pollEntry is one descriptor a ppoll or pselect6 call watches.
type pollEntry struct {
	fd      int32
	events  int16
	revents int16
}

// pollStart reads the timeout and the temporary signal mask on a call's first attempt.
// A call that restart_syscall resumes keeps the deadline it had. Like Linux, ppoll and
// pselect6 write the time they had left back to their timeout when they return (glibc's
// select passes it on: select(2) "modifies timeout to reflect the amount of time not
// slept").
func pollStart(t *kernel.Task, timeout, mask, maskSize uint64) error {
	if t.Call.Started {
		return nil
	}
	t.Call.Started = true
	if t.Call.Deadline == 0 && timeout != 0 { // (restart_syscall keeps the deadline)
		d, err := readTimespec(t, timeout)
		if err != nil {
			return err
		}
		t.Call.Deadline = deadlineIn(t, d)
	}
	if mask != 0 {
		m, err := readSigset(t, mask, maskSize)
		if err != nil {
			return err
		}
		t.SwapMask(m)
	}
	return nil
}

// pollWait fills in the entries' revents and reports how many are ready. When none is
// and the timeout has not passed, it blocks on the queues of the files it watches
// (ErrBlocked), or ends with EINTR when a signal is pending. When it returns, the time
// left is written to the timeout at addr.
func pollWait(t *kernel.Task, es []pollEntry, timeout uint64) (int, error) {
	ready := 0
	var queues []*kernel.WaitQueue
	for i := range es {
		e := &es[i]
		e.revents = 0
		if e.fd < 0 {
			continue
		}
		f, err := t.TG.FDs.Get(int(e.fd))
		if err != nil {
			e.revents = vfs.POLLNVAL
		} else if e.revents = vfs.PollEvents(f, e.events); e.revents == 0 {
			vfs.PrepareWait(f)
			if q := f.Queues(false); q != nil && e.events&vfs.POLLIN != 0 {
				queues = append(queues, q)
			}
			if q := f.Queues(true); q != nil && e.events&vfs.POLLOUT != 0 {
				queues = append(queues, q)
			}
		}
		if e.revents != 0 {
			ready++
		}
	}
	timedOut := t.Call.Deadline != 0 && t.Now() >= t.Call.Deadline
	if ready > 0 || timedOut {
		t.RestoreMask()
		writeRemaining(t, timeout)
		return ready, nil
	}
	if t.Interrupted() {
		writeRemaining(t, timeout)
		return 0, linux.EINTR
	}
	return 0, t.Block("poll", queues...)
}

// Ppoll implements ppoll(2). struct pollfd is {int fd; short events; short revents}.
func Ppoll(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	nfds := a[1]
	if nfds > t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur {
		return 0, linux.EINVAL
	}
	raw, err := copyIn(t, a[0], 8*nfds)
	if err != nil {
		return 0, err
	}
	if err := pollStart(t, a[2], a[3], a[4]); err != nil {
		return 0, err
	}
	le := binary.LittleEndian
	es := make([]pollEntry, nfds)
	for i := range es {
		es[i] = pollEntry{fd: int32(le.Uint32(raw[8*i:])), events: int16(le.Uint16(raw[8*i+4:]))}
	}
	n, err := pollWait(t, es, a[2])
	if err != nil {
		return 0, err
	}
	for i, e := range es {
		le.PutUint16(raw[8*i+6:], uint16(e.revents))
	}
	return uint64(n), copyOut(t, a[0], raw)
}

// FD_SETSIZE is the size of an fd_set in bits.
const FD_SETSIZE = 1024

// Pselect6 implements pselect6(2) (select and pselect in glibc). Its sixth argument
// points at {const sigset_t *mask; size_t size}.
func Pselect6(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	nfds := int(int32(a[0]))
	if nfds < 0 || nfds > FD_SETSIZE {
		return 0, linux.EINVAL
	}
	words := (nfds + 63) / 64
	sets := [3][]uint64{}
	for s := 0; s < 3; s++ {
		if a[1+s] == 0 {
			continue
		}
		raw, err := copyIn(t, a[1+s], uint64(8*words))
		if err != nil {
			return 0, err
		}
		sets[s] = make([]uint64, words)
		for w := range sets[s] {
			sets[s][w] = binary.LittleEndian.Uint64(raw[8*w:])
		}
	}
	var mask, maskSize uint64
	if a[5] != 0 {
		b, err := copyIn(t, a[5], 16)
		if err != nil {
			return 0, err
		}
		mask, maskSize = binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	}
	if err := pollStart(t, a[4], mask, maskSize); err != nil {
		return 0, err
	}
	isSet := func(s, fd int) bool { return sets[s] != nil && sets[s][fd/64]&(1<<(fd%64)) != 0 }
	var es []pollEntry
	for fd := 0; fd < nfds; fd++ {
		var ev int16
		if isSet(0, fd) {
			ev |= vfs.POLLIN
		}
		if isSet(1, fd) {
			ev |= vfs.POLLOUT
		}
		if ev != 0 {
			es = append(es, pollEntry{fd: int32(fd), events: ev})
		}
	}
	if _, err := pollWait(t, es, a[4]); err != nil {
		return 0, err
	}
	// Each set keeps only its ready descriptors; the result counts set bits.
	out := [3][]uint64{}
	for s := range out {
		if sets[s] != nil {
			out[s] = make([]uint64, words)
		}
	}
	count := 0
	for _, e := range es {
		if e.revents&vfs.POLLNVAL != 0 {
			return 0, linux.EBADF
		}
		w, bit := e.fd/64, uint64(1)<<(e.fd%64)
		if out[0] != nil && e.events&vfs.POLLIN != 0 && e.revents&(vfs.POLLIN|vfs.POLLHUP|vfs.POLLERR) != 0 {
			out[0][w] |= bit
			count++
		}
		if out[1] != nil && e.events&vfs.POLLOUT != 0 && e.revents&(vfs.POLLOUT|vfs.POLLERR) != 0 {
			out[1][w] |= bit
			count++
		}
	}
	for s := 0; s < 3; s++ {
		if out[s] == nil {
			continue
		}
		raw := make([]byte, 8*words)
		for w, v := range out[s] {
			binary.LittleEndian.PutUint64(raw[8*w:], v)
		}
		if err := copyOut(t, a[1+s], raw); err != nil {
			return 0, err
		}
	}
	return uint64(count), nil
}

// pollRemaining writes the time left to argument i of ppoll or pselect6; a timeout in
// read-only memory is left alone and the call still fails with EINTR, as Linux's
// poll_select_finish does.
func pollRemaining(i int) func(*kernel.Task, *kernel.SyscallArgs) error {
	return func(t *kernel.Task, a *kernel.SyscallArgs) error {
		writeRemaining(t, a[i])
		return nil
	}
}
