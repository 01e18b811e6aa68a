package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var pollCalls = []entry{
	call(linux.SYS_PPOLL, "ppoll", Ppoll, p, u, p, p, u).partial("pipes wait for readiness; files, devices and host streams are always ready"),
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
	if !t.Call.Started {
		t.Call.Started = true
		if a[2] != 0 {
			d, err := readTimespec(t, a[2])
			if err != nil {
				return 0, err
			}
			t.Call.Deadline = t.Now() + max(d, 1)
			t.Call.Value = 1 // has a timeout
		}
		if a[3] != 0 {
			mask, err := readSigset(t, a[3], a[4])
			if err != nil {
				return 0, err
			}
			t.SwapMask(mask)
		}
	}
	le := binary.LittleEndian
	ready := uint64(0)
	var queues []*kernel.WaitQueue
	for i := uint64(0); i < nfds; i++ {
		e := raw[8*i:]
		fdn := int32(le.Uint32(e))
		events := int16(le.Uint16(e[4:]))
		var rev int16
		if fdn >= 0 {
			f, err := t.TG.FDs.Get(int(fdn))
			if err != nil {
				rev = vfs.POLLNVAL
			} else {
				rev = f.Poll(events)
				if rev == 0 {
					if q := f.Queues(false); q != nil && events&vfs.POLLIN != 0 {
						queues = append(queues, q)
					}
					if q := f.Queues(true); q != nil && events&vfs.POLLOUT != 0 {
						queues = append(queues, q)
					}
				}
			}
		}
		le.PutUint16(e[6:], uint16(rev))
		if rev != 0 {
			ready++
		}
	}
	timedOut := t.Call.Value == 1 && t.Now() >= t.Call.Deadline
	if ready > 0 || timedOut {
		t.RestoreMask()
		return ready, copyOut(t, a[0], raw)
	}
	if t.Interrupted() {
		return 0, linux.EINTR
	}
	if t.Call.Value == 0 {
		t.Call.Deadline = 0
	}
	return 0, t.Block("ppoll", queues...)
}
