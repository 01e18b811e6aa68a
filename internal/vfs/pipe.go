package vfs

import (
	"errors"

	"weft/internal/abi/linux"
	"weft/internal/mm"
)

// ErrWouldBlock is returned by reads and writes that must wait; the kernel blocks the
// task on the file's queue (Queue) and retries, or returns EAGAIN for O_NONBLOCK.
var ErrWouldBlock = errors.New("operation would block")

// ErrBrokenPipe is returned by a write to a pipe with no readers: EPIPE, and SIGPIPE.
var ErrBrokenPipe = errors.New("broken pipe")

const (
	// PipeSize is a pipe's capacity, Linux's default of 16 pages.
	PipeSize = 65536
	// PipeBuf is the size up to which writes are atomic (PIPE_BUF).
	PipeBuf = 4096
	// PipeMaxSize is /proc/sys/fs/pipe-max-size: the largest capacity F_SETPIPE_SZ
	// gives a process without CAP_SYS_RESOURCE, and the largest weft gives anyone.
	PipeMaxSize = 1 << 20
)

// Pipe is a pipe's buffer, shared by its read and write ends.
type Pipe struct {
	buf              []byte
	size             int // capacity in bytes; 0 means PipeSize
	readers, writers int
	// Readable wakes readers waiting for data or EOF; Writable wakes writers waiting
	// for room or for the last reader to go.
	Readable, Writable Queue
}

// NewPipe returns the read and write ends of a new pipe.
func (fs *FS) NewPipe(uid, gid uint32) (r, w *File) {
	p := &Pipe{} // Open counts the two ends
	n := fs.newInode(S_IFIFO|0o600, uid, gid)
	n.dev = pipeEnd{p}
	r = Open(n, O_RDONLY, "pipe:["+itoa(n.Ino)+"]")
	w = Open(n, O_WRONLY, r.Path)
	return r, w
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}

type pipeEnd struct{ p *Pipe }

func (e pipeEnd) Read(f *File, b []byte) (int, error) {
	p := e.p
	if len(b) == 0 {
		return 0, nil
	}
	if len(p.buf) == 0 {
		if p.writers == 0 {
			return 0, nil // EOF
		}
		return 0, ErrWouldBlock
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	if fs := f.Inode.fs; fs != nil {
		fs.uncharge(int64(n))
	}
	if len(p.buf) == 0 {
		p.buf = nil
	}
	p.Writable.WakeAll()
	return n, nil
}

func (e pipeEnd) Write(f *File, b []byte) (int, error) {
	p := e.p
	if p.readers == 0 {
		return 0, ErrBrokenPipe
	}
	room := p.capacity() - len(p.buf)
	// Writes of at most PIPE_BUF bytes are atomic: all or nothing.
	if room == 0 || (len(b) <= PipeBuf && room < len(b)) {
		return 0, ErrWouldBlock
	}
	n := min(room, len(b))
	// What a pipe holds is memory weft keeps for the guest: it counts against the cap,
	// and a writer waits (as for a full pipe) when the cap has no room for it.
	if fs := f.Inode.fs; fs != nil && !fs.charge(int64(n)) {
		return 0, ErrWouldBlock
	}
	p.buf = append(p.buf, b[:n]...)
	p.Readable.WakeAll()
	return n, nil
}

func (pipeEnd) IsTTY() bool { return false }

func (e pipeEnd) Opened(f *File) {
	if f.Readable() {
		e.p.readers++
	}
	if f.Writable() {
		e.p.writers++
	}
}

func (e pipeEnd) Release(f *File) {
	p := e.p
	if f.Readable() {
		p.readers--
		if p.readers == 0 {
			p.Writable.WakeAll()
		}
	}
	if f.Writable() {
		p.writers--
		if p.writers == 0 {
			p.Readable.WakeAll()
		}
	}
	if p.readers == 0 && p.writers == 0 && len(p.buf) > 0 {
		if fs := f.Inode.fs; fs != nil {
			fs.uncharge(int64(len(p.buf))) // data no one will read
		}
		p.buf = nil
	}
}

// Queues returns what a task blocked on f should wait on: the pipe's queue for the
// direction it was going, or nil if f cannot block.
func (f *File) Queues(write bool) *Queue {
	if e, ok := f.Inode.dev.(pipeEnd); ok {
		if write {
			return &e.p.Writable
		}
		return &e.p.Readable
	}
	return nil
}

// PipeFill reports the bytes buffered in the pipe behind f (FIONREAD), or -1.
func (f *File) PipeFill() int {
	if e, ok := f.Inode.dev.(pipeEnd); ok {
		return len(e.p.buf)
	}
	return -1
}

// Poll events (poll(2)).
const (
	POLLIN   = 0x1
	POLLPRI  = 0x2
	POLLOUT  = 0x4
	POLLERR  = 0x8
	POLLHUP  = 0x10
	POLLNVAL = 0x20
)

// Poll reports which of the events in want f is ready for now (plus POLLERR and
// POLLHUP, which are always reported).
func (f *File) Poll(want int16) int16 {
	var ready int16
	if e, ok := f.Inode.dev.(pipeEnd); ok {
		p := e.p
		if f.Readable() {
			if len(p.buf) > 0 {
				ready |= POLLIN
			}
			if p.writers == 0 {
				ready |= POLLHUP
			}
		}
		if f.Writable() {
			if p.readers == 0 {
				ready |= POLLERR
			} else if p.capacity()-len(p.buf) >= PipeBuf {
				ready |= POLLOUT
			}
		}
		return ready & (want | POLLERR | POLLHUP)
	}
	// Files, devices and host streams never make a poller wait.
	if f.Readable() {
		ready |= POLLIN
	}
	if f.Writable() {
		ready |= POLLOUT
	}
	return ready & want
}

func (p *Pipe) capacity() int {
	if p.size == 0 {
		return PipeSize
	}
	return p.size
}

// pipeOf returns the pipe behind f, or nil.
func pipeOf(f *File) *Pipe {
	if e, ok := f.Inode.dev.(pipeEnd); ok {
		return e.p
	}
	return nil
}

// PipeSize reports the capacity of the pipe f is an end of (F_GETPIPE_SZ), or EBADF.
func (f *File) PipeSize() (int, error) {
	p := pipeOf(f)
	if p == nil {
		return 0, linux.EBADF
	}
	return p.capacity(), nil
}

// SetPipeSize sets the capacity of f's pipe to n bytes rounded up to a power of two
// pages (F_SETPIPE_SZ, fcntl(2)) and returns it: EBADF for a file that is not a pipe,
// EPERM past PipeMaxSize (root included: weft gives no pipe more), EBUSY below what the
// pipe holds.
func (f *File) SetPipeSize(n uint64) (int, error) {
	p := pipeOf(f)
	if p == nil {
		return 0, linux.EBADF
	}
	if n > PipeMaxSize {
		return 0, linux.EPERM
	}
	size := mm.PageSize
	for uint64(size) < n {
		size *= 2
	}
	if size < len(p.buf) {
		return 0, linux.EBUSY
	}
	p.size = size
	p.Writable.WakeAll()
	return size, nil
}
