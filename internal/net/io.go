package net

import (
	"net/netip"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// Control is what travels beside a message's bytes: open files (SCM_RIGHTS) and
// credentials (SCM_CREDENTIALS).
type Control struct {
	Files []*vfs.File
	Cred  *Cred
}

// Received is the result of one Recv.
type Received struct {
	N     int  // bytes copied
	Full  int  // a datagram's whole length (MSG_TRUNC)
	Trunc bool // the message did not fit (MSG_TRUNC in msg_flags)
	From  Addr
	// Files are the passed files the receiver now holds a reference to each of.
	Files []*vfs.File
	// Cred is the sender's identity, set when the receiver asked for it (SO_PASSCRED).
	Cred *Cred
}

// room reports how many bytes s may still queue at its peer p.
func (s *Socket) room(p *Socket) int {
	if p == nil {
		return 0
	}
	if s.Family == linux.AF_UNIX {
		// Unix sockets charge what they send to their own send buffer, as Linux does.
		return s.SndBuf - s.inflight
	}
	// A TCP connection holds the sender's buffer and the receiver's.
	return s.SndBuf + p.RcvBuf - p.rxBytes
}

// Send queues b (with ctl, if any) for s's peer, or for to on an unconnected datagram
// socket. It returns the bytes queued: a stream takes what fits (ErrWouldBlock if
// nothing does); a message is all or nothing. c is the sender's identity.
func (s *Socket) Send(b []byte, ctl *Control, to *Addr, flags int, c Cred) (int, error) {
	if s.nl != nil {
		return s.nlSend(b, c)
	}
	if s.stream() {
		return s.sendStream(b, ctl, to, flags, c)
	}
	return s.sendDgram(b, ctl, to, c)
}

func (s *Socket) sendStream(b []byte, ctl *Control, to *Addr, flags int, c Cred) (int, error) {
	if s.state != stateConnected {
		if to != nil && s.Family == linux.AF_UNIX && s.state == stateUnconnected {
			return 0, linux.EOPNOTSUPP
		}
		if s.inet() {
			return 0, vfs.ErrBrokenPipe
		}
		return 0, linux.ENOTCONN
	}
	if s.shutWr || s.peerGone {
		if s.Type == linux.SOCK_SEQPACKET {
			return 0, linux.EPIPE // sent as a datagram is: no SIGPIPE
		}
		return 0, vfs.ErrBrokenPipe
	}
	p := s.peer
	if s.Type == linux.SOCK_SEQPACKET {
		if len(b) > s.SndBuf-32 {
			return 0, linux.EMSGSIZE
		}
		if s.room(p) < len(b) {
			return 0, vfs.ErrWouldBlock
		}
		return s.deliver(p, b, ctl, c, s.local)
	}
	if len(b) == 0 {
		return 0, nil // a stream sends nothing for no bytes, control messages included
	}
	room := s.room(p)
	if room <= 0 {
		return 0, vfs.ErrWouldBlock
	}
	n := min(room, len(b))
	return s.deliver(p, b[:n], ctl, c, s.local)
}

// deliver puts one message on p's queue, charging its bytes to the memory cap; it waits
// (ErrWouldBlock) when the cap has no room, as a pipe's writer does.
func (s *Socket) deliver(p *Socket, b []byte, ctl *Control, c Cred, from Addr) (int, error) {
	if !s.st.FS.Charge(int64(len(b))) {
		return 0, vfs.ErrWouldBlock
	}
	m := msg{data: append([]byte(nil), b...), cred: c, from: from, sender: s}
	if ctl != nil {
		if ctl.Cred != nil {
			m.cred = *ctl.Cred
		}
		for _, f := range ctl.Files {
			f.IncRef() // in flight: the file stays open until received or dropped
			m.files = append(m.files, f)
		}
		s.st.Stats.FilesPassed += uint64(len(ctl.Files))
	}
	if last := len(p.rx) - 1; p.Type == linux.SOCK_STREAM && last >= 0 && len(m.files) == 0 &&
		len(p.rx[last].files) == 0 && p.rx[last].sender == s && p.rx[last].cred == m.cred {
		// A stream has no boundaries: join the bytes to the run before them.
		p.rx[last].data = append(p.rx[last].data, m.data...)
	} else {
		p.rx = append(p.rx, m)
	}
	p.rxBytes += len(b)
	s.inflight += len(b)
	s.st.Stats.Messages++
	s.st.Stats.Bytes += uint64(len(b))
	p.readable.WakeAll()
	return len(b), nil
}

func (s *Socket) sendDgram(b []byte, ctl *Control, to *Addr, c Cred) (int, error) {
	if s.shutWr {
		return 0, linux.EPIPE // Linux raises SIGPIPE only for streams
	}
	var p *Socket
	if to != nil {
		var err error
		if p, err = s.st.lookupDgram(s, *to); err != nil {
			return 0, err
		}
	} else {
		if s.state != stateConnected {
			if s.inet() {
				return 0, linux.EDESTADDRREQ
			}
			return 0, linux.ENOTCONN
		}
		p = s.peer
		if s.inet() {
			// A connected UDP socket sends to the address it connected to; whoever
			// holds that port now receives.
			var err error
			if p, err = s.st.lookupDgram(s, s.remote); err != nil {
				return 0, err
			}
		}
	}
	if s.inet() {
		if !s.bound {
			if err := s.autobindInet(); err != nil {
				return 0, err
			}
		}
		if len(b) > 65507 {
			return 0, linux.EMSGSIZE
		}
		if p == nil || p.shutRd || p.RcvBuf < p.rxBytes+len(b) {
			// No one listens on that port, or its queue is full: UDP drops it.
			return len(b), nil
		}
		from := s.local
		if from.IP.Addr().Unmap().IsUnspecified() {
			// The route to lo gives the source address, as for a TCP connect.
			dst := to
			if dst == nil {
				dst = &s.remote
			}
			src := netip.AddrFrom4([4]byte{127, 0, 0, 1})
			if ip, _ := s.destination(dst.IP); ip.Is6() {
				src = netip.IPv6Loopback()
			}
			from.IP = addrPort(src, from.IP.Port())
		}
		if p.Family == linux.AF_INET6 {
			from.Family, from.IP = linux.AF_INET6, to6(from.IP)
		} else {
			from.Family, from.IP = linux.AF_INET, to4(from.IP)
		}
		if _, err := s.deliver(p, b, ctl, c, from); err == vfs.ErrWouldBlock {
			return len(b), nil // no memory for it under the cap: dropped, as UDP may
		}
		return len(b), nil
	}
	// Unix datagrams.
	if p.closed {
		return 0, linux.ECONNREFUSED
	}
	if p.peer != nil && p.peer != s && p.state == stateConnected {
		return 0, linux.EPERM // the receiver accepts datagrams only from its peer
	}
	if len(b) > s.SndBuf-32 {
		return 0, linux.EMSGSIZE
	}
	if s.room(p) < len(b) || (p.peer != s && len(p.rx) > maxDgramQlen) {
		for _, w := range p.roomWait {
			if w == s {
				return 0, vfs.ErrWouldBlock
			}
		}
		p.roomWait = append(p.roomWait, s)
		return 0, vfs.ErrWouldBlock
	}
	if !s.local.Named() && s.PassCred {
		s.autobindUnix()
	}
	return s.deliver(p, b, ctl, c, s.local)
}

// Recv takes the next bytes or message from s's queue into b. flags are MSG_PEEK and
// MSG_TRUNC (report a datagram's full length); it returns ErrWouldBlock when there is
// nothing yet and more may come.
func (s *Socket) Recv(b []byte, flags int) (Received, error) {
	var r Received
	if len(s.rx) == 0 {
		switch {
		case s.nl != nil:
			return r, vfs.ErrWouldBlock
		case s.stream() && s.state == stateListening:
			return r, linux.EINVAL
		case s.stream() && s.state != stateConnected:
			if s.Type == linux.SOCK_SEQPACKET {
				return r, linux.ENOTCONN
			}
			if s.inet() {
				return r, linux.ENOTCONN
			}
			return r, linux.EINVAL
		case s.shutRd || s.peerShut:
			return r, nil // end of file
		}
		return r, vfs.ErrWouldBlock
	}
	peek := flags&linux.MSG_PEEK != 0
	if s.Type != linux.SOCK_STREAM {
		// One message, whatever its size: the rest of it is lost unless peeking.
		m := s.rx[0]
		r.N = copy(b, m.data)
		r.Full = len(m.data)
		r.Trunc = r.N < r.Full
		r.From = m.from
		if s.PassCred {
			c := m.cred
			r.Cred = &c
		}
		if peek {
			for _, f := range m.files {
				f.IncRef()
			}
			r.Files = m.files
			return r, nil
		}
		s.rx = s.rx[1:]
		s.rxBytes -= len(m.data)
		r.Files, m.files = m.files, nil
		s.release(m)
		s.wakeRoom()
		return r, nil
	}
	// A stream: bytes from as many runs as fit, stopping after one that carried files
	// (so that they arrive with the bytes they were sent with) or where the sender's
	// credentials change.
	first := s.rx[0]
	if s.PassCred {
		c := first.cred
		r.Cred = &c
	}
	i, runs := 0, 0
	for i < len(s.rx) && r.N < len(b) {
		m := &s.rx[i]
		if runs > 0 && (len(m.files) > 0 || m.cred != first.cred) {
			break
		}
		runs++
		n := copy(b[r.N:], m.data)
		r.N += n
		if len(m.files) > 0 {
			if peek {
				for _, f := range m.files {
					f.IncRef()
				}
				r.Files = m.files
			} else {
				r.Files, m.files = m.files, nil
			}
		}
		if peek {
			if n < len(m.data) {
				break
			}
			i++
			if len(r.Files) > 0 {
				break
			}
			continue
		}
		s.rxBytes -= n
		if n < len(m.data) {
			s.st.FS.Uncharge(int64(n))
			if w := m.sender; w != nil {
				w.inflight -= n
			}
			m.data = m.data[n:]
			break
		}
		done := *m
		done.data = m.data
		s.rx = s.rx[1:]
		s.release(done)
		if len(r.Files) > 0 {
			break
		}
	}
	if !peek && s.peer != nil {
		s.peer.writable.WakeAll()
	}
	if !peek {
		s.wakeRoom()
	}
	return r, nil
}

func (s *Socket) wakeRoom() {
	ws := s.roomWait
	s.roomWait = nil
	for _, w := range ws {
		w.writable.WakeAll()
	}
	if s.peer != nil {
		s.peer.writable.WakeAll()
	}
}
