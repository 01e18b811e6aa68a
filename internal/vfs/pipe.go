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
	// PipeMaxSize is /proc/sys/fs/pipe-max-size's default: the largest capacity
	// F_SETPIPE_SZ gives a process without CAP_SYS_RESOURCE (FS.PipeMax).
	PipeMaxSize = 1 << 20
)

// PipeMax is /proc/sys/fs/pipe-max-size now.
func (fs *FS) PipeMax() int {
	if fs.pipeMax == 0 {
		return PipeMaxSize
	}
	return fs.pipeMax
}

// SetPipeMax sets /proc/sys/fs/pipe-max-size: n rounded up to a power of two pages
// (round_pipe_size), EINVAL past 2^31.
func (fs *FS) SetPipeMax(n uint64) error {
	if n > 1<<31 {
		return linux.EINVAL
	}
	size := mm.PageSize
	for uint64(size) < n {
		size *= 2
	}
	fs.pipeMax = size
	return nil
}

// Pipe is a pipe's buffer, shared by its read and write ends.
type Pipe struct {
	buf              []byte
	size             int // capacity in bytes; 0 means PipeSize
	readers, writers int
	// Readable wakes readers waiting for data or EOF; Writable wakes writers waiting
	// for room or for the last reader to go.
	Readable, Writable Queue
	// For a named pipe: opens of each side so far, and the opens waiting for the other
	// side (fifo(7)).
	readerOpens, writerOpens uint64
	ReadOpen, WriteOpen      Queue
	named                    bool // made by mknod: opens wait for the other side
	// files are the open descriptions of either end, for signal-driven I/O.
	files []*File
	// user and accounted: the pages an anonymous pipe counts against its creator's
	// pipe-user-pages limits until both ends close (account_pipe_buffers).
	user      uint32
	accounted int
	fs        *FS
}

// PipePriv is what a process may do past the pipe limits: CAP_SYS_RESOURCE passes
// pipe-max-size, and it or CAP_SYS_ADMIN the per-user page limits.
type PipePriv struct{ Resource, Admin bool }

func (pp PipePriv) unlimited() bool { return pp.Resource || pp.Admin }

// PipeUserPages are /proc/sys/fs/pipe-user-pages-soft and -hard: how many pages of
// pipe buffers a user without privilege may have before new pipes get two pages
// (soft), or fail (hard); 0 is no limit.
func (fs *FS) PipeUserPages() (soft, hard int64) {
	if !fs.pipeSoftSet {
		return pipeUserPagesSoft, fs.pipeHard
	}
	return fs.pipeSoft, fs.pipeHard
}

// SetPipeUserPages sets those limits.
func (fs *FS) SetPipeUserPages(soft, hard int64) {
	fs.pipeSoft, fs.pipeSoftSet, fs.pipeHard = soft, true, hard
}

// pipeUserPagesSoft is Linux's default soft limit: 1024 pipes of 16 pages.
const pipeUserPagesSoft = 16384

// account changes the user's pipe pages from the pipe's old count to pages, and
// returns the user's total (account_pipe_buffers).
func (p *Pipe) account(pages int) int64 {
	if p.fs.pipePages == nil {
		p.fs.pipePages = map[uint32]int64{}
	}
	p.fs.pipePages[p.user] += int64(pages - p.accounted)
	p.accounted = pages
	total := p.fs.pipePages[p.user]
	if total == 0 {
		delete(p.fs.pipePages, p.user)
	}
	return total
}

func (fs *FS) tooManyPipePages(total int64) (soft, hard bool) {
	s, h := fs.PipeUserPages()
	return s != 0 && total > s, h != 0 && total > h
}

// NewPipe returns the read and write ends of a new pipe.
func (fs *FS) NewPipe(uid, gid uint32) (r, w *File) {
	r, w, _ = fs.NewPipeFor(uid, gid, PipePriv{true, true})
	return r, w
}

// NewPipeFor returns a new pipe for a process of user uid, as alloc_pipe_info does: no
// more than pipe-max-size without CAP_SYS_RESOURCE; past the user's soft page limit
// two pages, past the hard one ENFILE, unless privileged.
func (fs *FS) NewPipeFor(uid, gid uint32, priv PipePriv) (r, w *File, err error) {
	p := &Pipe{user: uid, fs: fs} // Open counts the two ends
	pages := PipeSize / mm.PageSize
	if max := fs.PipeMax(); PipeSize > max && !priv.Resource {
		pages = max / mm.PageSize
	}
	total := p.account(pages)
	if soft, _ := fs.tooManyPipePages(total); soft && !priv.unlimited() {
		pages = 2 // PIPE_MIN_DEF_BUFFERS
		total = p.account(pages)
	}
	if _, hard := fs.tooManyPipePages(total); hard && !priv.unlimited() {
		p.account(0)
		return nil, nil, linux.ENFILE
	}
	if pages != PipeSize/mm.PageSize {
		p.size = pages * mm.PageSize
	}
	n := fs.newInode(S_IFIFO|0o600, uid, gid)
	n.dev = pipeEnd{p}
	r = Open(n, O_RDONLY, "pipe:["+itoa(n.Ino)+"]")
	w = Open(n, O_WRONLY, r.Path)
	return r, w, nil
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
	wasFull := p.capacity()-len(p.buf) < PipeBuf
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	if fs := f.Inode.fs; fs != nil {
		fs.uncharge(int64(n))
	}
	if len(p.buf) == 0 {
		p.buf = nil
	}
	if wasFull {
		p.Writable.WakeAll()
	} else {
		// Blocked writers re-check (one may wait for the memory cap); epoll hears of
		// room only when the pipe was full, as pipe_read announces it.
		p.Writable.WakeWaiters()
	}
	// Signal-driven writers hear of every read (pipe_read's kill_fasync is not
	// conditional on the pipe having been full).
	f.Inode.fs.notifyAsync(p.ends(true), POLLOUT)
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
	f.Inode.fs.notifyAsync(p.ends(false), POLLIN)
	return n, nil
}

func (pipeEnd) IsTTY() bool { return false }

// ends returns the open descriptions of the write ends (writers) or the read ends.
func (p *Pipe) ends(writers bool) []*File {
	var out []*File
	for _, f := range p.files {
		if (writers && f.Writable()) || (!writers && f.Readable()) {
			out = append(out, f)
		}
	}
	return out
}

func (e pipeEnd) Opened(f *File) {
	e.p.files = append(e.p.files, f)
	if f.Readable() {
		e.p.readers++
		e.p.readerOpens++
		e.p.WriteOpen.WakeAll()
	}
	if f.Writable() {
		e.p.writers++
		e.p.writerOpens++
		e.p.ReadOpen.WakeAll()
	}
}

func (e pipeEnd) Release(f *File) {
	p := e.p
	for i, o := range p.files {
		if o == f {
			p.files = append(p.files[:i], p.files[i+1:]...)
			break
		}
	}
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
	if p.readers == 0 && p.writers == 0 && p.fs != nil {
		p.account(0) // free_pipe_info
	}
}

// Queues returns what a task blocked on f should wait on for the direction it was going
// (write or read), or nil if f cannot block.
func (f *File) Queues(write bool) *Queue {
	if d, ok := f.Inode.dev.(Pollable); ok {
		return d.Queues(f, write)
	}
	return nil
}

// Queues implements Pollable.
func (e pipeEnd) Queues(_ *File, write bool) *Queue {
	if write {
		return &e.p.Writable
	}
	return &e.p.Readable
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

// Pollable is a device whose readiness changes while it is open: pipes, and the
// sockets, eventfds, timerfds and other event sources built on Queue. Devices that are
// not Pollable (regular files, /dev/null, host streams) are always ready.
type Pollable interface {
	// Poll reports the events f is ready for now, of want plus POLLERR and POLLHUP
	// (which poll(2) always reports).
	Poll(f *File, want int16) int16
	// Queues returns the queue woken when f may have become readable (write false) or
	// writable (write true), or nil if f never waits in that direction.
	Queues(f *File, write bool) *Queue
}

// Poll reports which of the events in want f is ready for now (plus POLLERR and
// POLLHUP, which are always reported).
func (f *File) Poll(want int16) int16 {
	if d, ok := f.Inode.dev.(Pollable); ok {
		return d.Poll(f, want)
	}
	// Files, devices and host streams never make a poller wait.
	var ready int16
	if f.Readable() {
		ready |= POLLIN
	}
	if f.Writable() {
		ready |= POLLOUT
	}
	return ready & want
}

// Poll implements Pollable.
func (e pipeEnd) Poll(f *File, want int16) int16 {
	var ready int16
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
		// As pipe_poll: room makes a pipe writable whether or not it has readers, and
		// no readers is an error besides.
		if p.capacity()-len(p.buf) >= PipeBuf {
			ready |= POLLOUT
		}
		if p.readers == 0 {
			ready |= POLLERR
		}
	}
	return ready & (want | POLLERR | POLLHUP)
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
// EPERM for growing past pipe-max-size without CAP_SYS_RESOURCE (privileged), EBUSY
// below what the pipe holds. What a pipe holds counts against the memory cap.
func (f *File) SetPipeSize(n uint64, priv PipePriv) (int, error) {
	p := pipeOf(f)
	if p == nil {
		return 0, linux.EBADF
	}
	if n > 1<<31 {
		return 0, linux.EINVAL // no power of two fits (round_pipe_size), checked first
	}
	size := mm.PageSize
	for uint64(size) < n {
		size *= 2
	}
	if size > p.capacity() && size > f.Inode.fs.PipeMax() && !priv.Resource {
		return 0, linux.EPERM
	}
	if size < len(p.buf) {
		return 0, linux.EBUSY
	}
	if p.fs != nil {
		// pipe_set_size: growing past the user's limits is EPERM without privilege.
		old := p.accounted
		soft, hard := p.fs.tooManyPipePages(p.account(size / mm.PageSize))
		if size > p.capacity() && (soft || hard) && !priv.unlimited() {
			p.account(old)
			return 0, linux.EPERM
		}
	}
	p.size = size
	p.Writable.WakeAll()
	return size, nil
}

// Mknod makes a file of the type mode says (mknod(2)): a regular file, a FIFO (a named
// pipe that processes open by name), or a device or socket node. A device node has no
// driver in weft, so opening one fails with ENXIO (NoDevice); a host mount takes only
// regular files from the guest (EPERM).
func (fs *FS) Mknod(c Cred, dir *Inode, name string, mode uint32, rdev uint64) (*Inode, error) {
	typ := mode & S_IFMT
	switch typ {
	case 0:
		typ = S_IFREG
	case S_IFREG:
	case S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK:
		if dir.layer() != nil {
			return nil, linux.EPERM
		}
	default:
		return nil, linux.EINVAL
	}
	n, err := fs.Create(c, dir, name, typ|mode&0o7777)
	if err != nil {
		return nil, err
	}
	switch typ {
	case S_IFIFO:
		n.dev = pipeEnd{&Pipe{named: true}}
	case S_IFCHR, S_IFBLK:
		n.Rdev = rdev
	}
	return n, nil
}

// NoDevice reports whether n is a device or socket node with nothing behind it, or an
// anonymous inode (an eventfd, epoll instance, timerfd... reached through
// /proc/PID/fd, which Linux will not open again): opening it is ENXIO.
func (n *Inode) NoDevice() bool {
	switch n.Mode & S_IFMT {
	case S_IFCHR, S_IFBLK, S_IFSOCK:
		return n.dev == nil
	case 0:
		return n.dev != nil
	}
	return false
}

// FIFO returns the pipe of a named pipe, or nil.
func (n *Inode) FIFO() *Pipe {
	if e, ok := n.dev.(pipeEnd); ok && e.p.named {
		return e.p
	}
	return nil
}

// OpenWait says whether an open of FIFO p for writing (or reading) would wait for the
// other side (fifo(7)): no end of the other side is open.
func (p *Pipe) OpenWait(write bool) bool {
	if write {
		return p.readers == 0
	}
	return p.writers == 0
}

// Opens counts the opens of one side of p so far (readers, or writers).
func (p *Pipe) Opens(writers bool) uint64 {
	if writers {
		return p.writerOpens
	}
	return p.readerOpens
}

// Peer reports whether an open of p for writing (or reading) that began when the other
// side had been opened seen times may go on: the other side is open now, or was opened
// since (and maybe closed again), as on Linux.
func (p *Pipe) Peer(write bool, seen uint64) bool {
	if write {
		return p.readers > 0 || p.readerOpens != seen
	}
	return p.writers > 0 || p.writerOpens != seen
}

// OpenQueue is where an open of p for writing (or reading) waits for the other side.
func (p *Pipe) OpenQueue(write bool) *Queue {
	if write {
		return &p.WriteOpen
	}
	return &p.ReadOpen
}
