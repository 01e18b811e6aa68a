package net

import (
	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// Socket states.
const (
	stateUnconnected = iota
	stateListening
	stateConnected
)

// Default buffer sizes, as Linux reports them through SO_SNDBUF and SO_RCVBUF: 212992
// (net.core.wmem_default) for Unix and UDP sockets; tcp_wmem's and tcp_rmem's defaults
// for TCP.
const (
	defaultBuf    = 212992
	defaultTCPSnd = 16384
	defaultTCPRcv = 131072
	// maxDgramQlen is net.unix.max_dgram_qlen: how many datagrams a Unix datagram
	// socket queues from senders it is not connected to before they wait.
	maxDgramQlen = 10
	// maxBacklog is net.core.somaxconn.
	maxBacklog = 4096
)

// msg is one queued message (or, on a stream socket, one run of bytes written in one
// call), with what travels beside it.
type msg struct {
	data  []byte
	files []*vfs.File // SCM_RIGHTS: references held while in flight
	cred  Cred        // the sender (SCM_CREDENTIALS)
	from  Addr        // the sender's address (datagrams)
	// sender is the socket that queued it, so that taking it out frees room for
	// the right writer.
	sender *Socket
}

// Socket is one socket: the device behind a socket's vfs.File, or a connection
// waiting in a listener's queue to be accepted.
type Socket struct {
	st                     *Stack
	Family, Type, Protocol int
	state                  int
	local, remote          Addr
	bound                  bool
	peer                   *Socket // stream and seqpacket: the other end; datagram: the connected destination
	rx                     []msg
	rxBytes                int
	// inflight counts the bytes this socket has queued at receivers and not yet
	// read: a Unix socket's send buffer, as Linux charges skbs to their sender.
	inflight int

	backlog   int
	acceptQ   []*Socket
	listener  *Socket   // a connection in acceptQ: the listener it waits in
	connWait  []*Socket // sockets waiting for room in this listener's backlog
	roomWait  []*Socket // datagram senders waiting for room in this socket's queue
	shutRd    bool      // shutdown(SHUT_RD), or the socket closed
	shutWr    bool      // shutdown(SHUT_WR)
	peerShut  bool      // the peer shut down writing or closed: reads see EOF
	peerGone  bool      // the peer closed: writes get EPIPE
	closed    bool
	files     int     // open file descriptions of the socket (it closes with the last)
	pending   *Socket // a non-blocking TCP connect waiting for room in this listener
	waitingOn *Socket // the listener whose full backlog the last connect found
	connected bool    // a connection was ever made (EISCONN; TCP's EINPROGRESS)
	cred      Cred    // the owner's identity when it was made, connected or listened
	peerCred  Cred
	hasPeerCr bool
	soError   linux.Errno

	// Options.
	SndBuf, RcvBuf       int
	ReuseAddr, KeepAlive bool
	ReusePort            bool
	PassCred             bool
	NoDelay              bool
	V6Only               bool
	Linger               [2]int32 // l_onoff, l_linger
	RcvTimeo, SndTimeo   uint64   // nanoseconds; 0 waits forever
	Opts                 map[[2]int]int32

	// pathNode is the socket node a Unix socket is bound to.
	pathNode *vfs.Inode
	// nl is a netlink socket's state.
	nl *netlink

	// readable is woken when the socket may have become readable (data, EOF, a
	// connection to accept); writable when it may have become writable (room, a
	// completed connect, the peer gone).
	readable, writable vfs.Queue
}

// NewSocket makes a socket: socket(2)'s checks of family, type and protocol.
func (st *Stack) NewSocket(family, typ, protocol int, c Cred) (*Socket, error) {
	switch family {
	case linux.AF_UNIX:
		switch typ {
		case linux.SOCK_STREAM, linux.SOCK_DGRAM, linux.SOCK_SEQPACKET:
		default:
			return nil, linux.ESOCKTNOSUPPORT
		}
		if protocol != 0 {
			return nil, linux.EPROTONOSUPPORT
		}
	case linux.AF_INET, linux.AF_INET6:
		switch {
		case typ == linux.SOCK_STREAM && (protocol == 0 || protocol == linux.IPPROTO_TCP):
			protocol = linux.IPPROTO_TCP
		case typ == linux.SOCK_DGRAM && (protocol == 0 || protocol == linux.IPPROTO_UDP):
			protocol = linux.IPPROTO_UDP
		case typ == linux.SOCK_STREAM || typ == linux.SOCK_DGRAM:
			return nil, linux.EPROTONOSUPPORT
		case typ == linux.SOCK_RAW:
			return nil, linux.EPERM // raw sockets need CAP_NET_RAW; weft gives them to no one
		default:
			return nil, linux.ESOCKTNOSUPPORT
		}
	case linux.AF_NETLINK:
		if typ != linux.SOCK_RAW && typ != linux.SOCK_DGRAM {
			return nil, linux.ESOCKTNOSUPPORT
		}
		if protocol != linux.NETLINK_ROUTE {
			return nil, linux.EPROTONOSUPPORT
		}
	default:
		return nil, linux.EAFNOSUPPORT
	}
	s := st.newSocket(family, typ, protocol, c)
	if family == linux.AF_NETLINK {
		s.nl = &netlink{}
	}
	return s, nil
}

func (st *Stack) newSocket(family, typ, protocol int, c Cred) *Socket {
	st.Stats.Sockets++
	s := &Socket{st: st, Family: family, Type: typ, Protocol: protocol, cred: c,
		SndBuf: defaultBuf, RcvBuf: defaultBuf}
	if typ == linux.SOCK_STREAM && family != linux.AF_UNIX {
		s.SndBuf, s.RcvBuf = defaultTCPSnd, defaultTCPRcv
	}
	s.local.Family, s.remote.Family = family, family
	return s
}

// Pair makes two connected Unix sockets (socketpair(2)).
func (st *Stack) Pair(typ int, c Cred) (*Socket, *Socket, error) {
	a, err := st.NewSocket(linux.AF_UNIX, typ, 0, c)
	if err != nil {
		return nil, nil, err
	}
	b := st.newSocket(linux.AF_UNIX, typ, 0, c)
	connect(a, b)
	st.Stats.Connects++
	return a, b, nil
}

// connect joins a and b: each is the other's peer, and each knows the other's
// credentials.
func connect(a, b *Socket) {
	a.peer, b.peer = b, a
	a.state, b.state = stateConnected, stateConnected
	a.connected, b.connected = true, true
	a.peerCred, b.peerCred = b.cred, a.cred
	a.hasPeerCr, b.hasPeerCr = true, true
	a.remote, b.remote = b.local, a.local
}

// stream reports whether s is connection-oriented (stream or seqpacket).
func (s *Socket) stream() bool { return s.Type != linux.SOCK_DGRAM && s.Type != linux.SOCK_RAW }

// inet reports whether s is a TCP or UDP socket.
func (s *Socket) inet() bool { return s.Family == linux.AF_INET || s.Family == linux.AF_INET6 }

// Local returns the socket's own address.
func (s *Socket) Local() Addr { return s.local }

// Remote returns the peer's address (still after the peer closed, as on Linux), or
// ENOTCONN.
func (s *Socket) Remote() (Addr, error) {
	if s.state != stateConnected {
		return Addr{}, linux.ENOTCONN
	}
	return s.remote, nil
}

// PeerCred returns the peer's credentials (SO_PEERCRED); a socket without a peer
// reports pid 0 and uid and gid -1, as Linux does.
func (s *Socket) PeerCred() Cred {
	if !s.hasPeerCr {
		return Cred{PID: 0, UID: ^uint32(0), GID: ^uint32(0)}
	}
	return s.peerCred
}

// Listening reports whether s is listening (SO_ACCEPTCONN).
func (s *Socket) Listening() bool { return s.state == stateListening }

// TakeError returns and clears the pending error (SO_ERROR).
func (s *Socket) TakeError() linux.Errno {
	e := s.soError
	s.soError = 0
	return e
}

// Rx reports the bytes waiting to be read (FIONREAD): a stream's whole queue, a
// datagram socket's next message.
func (s *Socket) Rx() int {
	if s.stream() && s.Type == linux.SOCK_STREAM {
		return s.rxBytes
	}
	if len(s.rx) > 0 {
		return len(s.rx[0].data)
	}
	return 0
}

// SetCred records the identity of the process that listens or connects with s: what
// its peer's SO_PEERCRED reports.
func (s *Socket) SetCred(c Cred) { s.cred = c }

// Listen marks s as accepting connections with a queue of backlog.
func (s *Socket) Listen(backlog int) error {
	if !s.stream() || s.nl != nil {
		return linux.EOPNOTSUPP
	}
	if s.state == stateConnected {
		return linux.EINVAL
	}
	if !s.bound {
		if s.Family == linux.AF_UNIX {
			return linux.EINVAL
		}
		if err := s.autobindInet(); err != nil {
			return err
		}
	}
	backlog = max(0, min(backlog, maxBacklog))
	s.backlog = backlog
	if s.state != stateListening {
		s.state = stateListening
	}
	// A larger backlog may admit waiting connectors.
	s.wakeConnectors()
	return nil
}

// wakeConnectors tells the sockets waiting for room in listener s's backlog that
// there may be some: a blocked connect tries again; a non-blocking TCP connect that
// reported EINPROGRESS is completed here (or fails with ECONNREFUSED if s closed), as
// Linux's retransmitted SYN would complete it.
func (s *Socket) wakeConnectors() {
	ws := s.connWait
	s.connWait = nil
	for _, w := range ws {
		if w.pending == s && !w.closed && w.state == stateUnconnected {
			switch {
			case s.closed || s.state != stateListening:
				w.pending = nil
				w.soError = linux.ECONNREFUSED
			case s.backlogFull():
				s.connWait = append(s.connWait, w)
				continue
			default:
				w.pending = nil
				w.completeInet(s)
			}
		}
		w.writable.WakeAll()
		w.readable.WakeAll()
	}
}

// backlogFull reports whether l's queue is full: Linux admits backlog+1 connections.
func (l *Socket) backlogFull() bool { return len(l.acceptQ) > l.backlog }

// connectTo joins s to the listener l: a new socket for the server side waits in l's
// queue until accepted. It waits (ErrWouldBlock, with s on l's list) while l's queue is
// full.
func (s *Socket) connectTo(l *Socket) error {
	if l.backlogFull() {
		for _, w := range l.connWait {
			if w == s {
				return vfs.ErrWouldBlock
			}
		}
		l.connWait = append(l.connWait, s)
		return vfs.ErrWouldBlock
	}
	n := s.st.newSocket(l.Family, l.Type, l.Protocol, l.cred)
	n.local = l.local
	n.bound = true
	n.SndBuf, n.RcvBuf = l.SndBuf, l.RcvBuf
	n.NoDelay, n.KeepAlive, n.PassCred = l.NoDelay, l.KeepAlive, l.PassCred
	connect(s, n)
	n.listener = l
	l.acceptQ = append(l.acceptQ, n)
	l.readable.WakeAll()
	s.writable.WakeAll()
	s.st.Stats.Connects++
	return nil
}

// Accept takes the first connection from s's queue (ErrWouldBlock if none).
func (s *Socket) Accept() (*Socket, error) {
	if s.state != stateListening {
		return nil, linux.EINVAL
	}
	if len(s.acceptQ) == 0 {
		return nil, vfs.ErrWouldBlock
	}
	n := s.acceptQ[0]
	s.acceptQ = s.acceptQ[1:]
	n.listener = nil
	s.wakeConnectors()
	s.st.Stats.Sockets++
	return n, nil
}

// Shutdown implements shutdown(2).
func (s *Socket) Shutdown(how int) error {
	if how < linux.SHUT_RD || how > linux.SHUT_RDWR {
		return linux.EINVAL
	}
	if s.state != stateConnected && !(s.state == stateListening && s.Family == linux.AF_UNIX) {
		return linux.ENOTCONN
	}
	if how != linux.SHUT_WR {
		s.shutRd = true
		s.readable.WakeAll()
		if s.Family == linux.AF_UNIX && s.peer != nil && s.stream() {
			// Unix: the peer's writes now fail with EPIPE.
			s.peer.peerGone = true
			s.peer.writable.WakeAll()
		}
	}
	if how != linux.SHUT_RD {
		s.shutWr = true
		s.writable.WakeAll()
		if p := s.peer; p != nil && s.stream() {
			p.peerShut = true
			p.readable.WakeAll()
		}
	}
	if s.state == stateListening {
		s.readable.WakeAll()
	}
	return nil
}

// Opened implements the vfs opener: one more open file description of s (a socket
// reopened through /proc/PID/fd/N is the same socket).
func (s *Socket) Opened(*vfs.File) { s.files++ }

// Release implements the vfs releaser: an open file description of s closed; the
// socket closes with the last.
func (s *Socket) Release(*vfs.File) {
	s.files--
	if s.files <= 0 {
		s.Close()
	}
}

// Close tears s down: its peer sees EOF and EPIPE, its queued messages (and the files
// in them) are dropped, its name is freed.
func (s *Socket) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.shutRd, s.shutWr = true, true
	if p := s.peer; p != nil && s.stream() {
		p.peerShut, p.peerGone = true, true
		p.readable.WakeAll()
		p.writable.WakeAll()
	}
	s.dropRx()
	for _, n := range s.acceptQ {
		n.Close() // never accepted: its client sees the connection end
	}
	s.acceptQ = nil
	s.wakeConnectors()
	if l := s.listener; l != nil {
		for i, n := range l.acceptQ {
			if n == s {
				l.acceptQ = append(l.acceptQ[:i], l.acceptQ[i+1:]...)
				break
			}
		}
	}
	ws := s.roomWait
	s.roomWait = nil
	for _, w := range ws {
		w.writable.WakeAll()
	}
	s.st.unbind(s)
	s.readable.WakeAll()
	s.writable.WakeAll()
}

// dropRx discards what s has queued: the files in flight lose their reference, and the
// memory goes back to the cap.
func (s *Socket) dropRx() {
	for _, m := range s.rx {
		s.release(m)
	}
	s.rx, s.rxBytes = nil, 0
}

// release gives back what a message taken off s's queue held.
func (s *Socket) release(m msg) {
	for _, f := range m.files {
		f.DecRef()
	}
	s.st.FS.Uncharge(int64(len(m.data)))
	if w := m.sender; w != nil {
		w.inflight -= len(m.data)
		if w.peer == s || w.nl != nil {
			w.writable.WakeAll()
		}
	}
}

// Poll implements vfs.Pollable.
func (s *Socket) Poll(_ *vfs.File, want int16) int16 {
	const POLLRDHUP = 0x2000
	var ready int16
	switch {
	case s.state == stateListening:
		if len(s.acceptQ) > 0 {
			ready |= vfs.POLLIN
		}
		if s.shutRd {
			ready |= vfs.POLLHUP
		}
	case s.stream():
		// As Linux's tcp_poll and unix_poll: reading is shut when we or the peer said
		// so; writing when we did, or (Unix) the peer closed or shut its reading. Both
		// shut, or no connection at all, is POLLHUP; a connect still under way
		// reports nothing.
		rdShut := s.shutRd || s.peerShut
		wrShut := s.shutWr || (s.peerGone && s.Family == linux.AF_UNIX)
		if len(s.rx) > 0 || rdShut {
			ready |= vfs.POLLIN
		}
		if rdShut {
			ready |= POLLRDHUP
		}
		switch {
		case s.pending != nil:
		case s.state == stateUnconnected:
			ready |= vfs.POLLOUT | vfs.POLLHUP
		case s.state == stateConnected:
			if rdShut && wrShut {
				ready |= vfs.POLLHUP
			}
			if wrShut || s.peerGone || s.room(s.peer) > 0 {
				ready |= vfs.POLLOUT
			}
		}
		if s.soError != 0 {
			ready |= vfs.POLLERR
		}
	default:
		if len(s.rx) > 0 || s.shutRd {
			ready |= vfs.POLLIN
		}
		if s.shutRd && s.shutWr {
			ready |= vfs.POLLHUP
		}
		if p := s.peer; p == nil || p.closed || s.room(p) > 0 {
			ready |= vfs.POLLOUT
		}
	}
	return ready & (want | vfs.POLLERR | vfs.POLLHUP)
}

// Queues implements vfs.Pollable: a socket's waiters wait on its own two queues, which
// whoever changes its readiness wakes.
func (s *Socket) Queues(_ *vfs.File, write bool) *vfs.Queue {
	if write {
		return &s.writable
	}
	return &s.readable
}

// IsTTY implements vfs.Device.
func (*Socket) IsTTY() bool { return false }

// Read implements vfs.Device: read(2) on a socket is recv with no flags.
func (s *Socket) Read(_ *vfs.File, b []byte) (int, error) {
	r, err := s.Recv(b, 0)
	if err != nil {
		return 0, err
	}
	for _, f := range r.Files {
		f.DecRef() // read(2) has nowhere to put passed files: they close
	}
	return r.N, nil
}

// Write implements vfs.Device: write(2) on a socket is send with no flags.
func (s *Socket) Write(_ *vfs.File, b []byte) (int, error) {
	return s.Send(b, nil, nil, 0, s.cred)
}

// SetOpt keeps an option weft accepts but has no use for, so that getsockopt reports
// it back.
func (s *Socket) SetOpt(level, name int, v int32) {
	if s.Opts == nil {
		s.Opts = map[[2]int]int32{}
	}
	s.Opts[[2]int{level, name}] = v
}

// Opt returns a kept option's value (0 if never set).
func (s *Socket) Opt(level, name int) int32 { return s.Opts[[2]int{level, name}] }

// LookupOpt returns a kept option's value and whether it was set.
func (s *Socket) LookupOpt(level, name int) (int32, bool) {
	v, ok := s.Opts[[2]int{level, name}]
	return v, ok
}
