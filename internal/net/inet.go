package net

import (
	"net/netip"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// addrPort joins ip and port.
func addrPort(ip netip.Addr, port uint16) netip.AddrPort { return netip.AddrPortFrom(ip, port) }

// to6 shows an address as an AF_INET6 socket sees it (IPv4 as ::ffff:a.b.c.d).
func to6(a netip.AddrPort) netip.AddrPort {
	return addrPort(netip.AddrFrom16(a.Addr().As16()), a.Port())
}

// to4 shows an address as an AF_INET socket sees it.
func to4(a netip.AddrPort) netip.AddrPort { return addrPort(a.Addr().Unmap(), a.Port()) }

// covers reports whether s, bound to its local address, receives what is sent to ip
// (unmapped): an AF_INET socket takes its IPv4 address or any with 0.0.0.0; an AF_INET6
// socket takes its address or, bound to ::, every IPv6 address and (unless
// IPV6_V6ONLY) every IPv4 one too.
func (s *Socket) covers(ip netip.Addr) bool {
	mine := s.local.IP.Addr()
	if s.Family == linux.AF_INET {
		return ip.Is4() && (mine.IsUnspecified() || mine == ip)
	}
	if ip.Is4() {
		if s.V6Only {
			return false
		}
		return mine.IsUnspecified() || mine.Unmap() == ip || (mine.Is4In6() && mine.Unmap().IsUnspecified())
	}
	return mine.IsUnspecified() || mine == ip
}

// conflicts reports whether a and b, on the same port, would both receive some address.
func conflicts(a, b *Socket) bool {
	cands := []netip.Addr{a.local.IP.Addr().Unmap(), b.local.IP.Addr().Unmap(),
		netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()}
	for _, ip := range cands {
		if a.covers(ip) && b.covers(ip) {
			return true
		}
	}
	return false
}

func (s *Socket) protoIndex() int {
	if s.Type == linux.SOCK_DGRAM {
		return 1
	}
	return 0
}

// BindInet binds s to a (port 0: an ephemeral port). privileged says the caller may
// bind ports below 1024 (CAP_NET_BIND_SERVICE).
func (s *Socket) BindInet(a netip.AddrPort, privileged bool) error {
	if s.bound {
		return linux.EINVAL
	}
	if !local(a.Addr()) {
		return linux.EADDRNOTAVAIL
	}
	if a.Port() != 0 && a.Port() < 1024 && !privileged {
		return linux.EACCES
	}
	s.local.IP = a
	if a.Port() == 0 {
		return s.ephemeral()
	}
	for _, b := range s.st.bound {
		if b.Protocol != s.Protocol || b.local.IP.Port() != a.Port() || !conflicts(s, b) {
			continue
		}
		if s.ReuseAddr && b.ReuseAddr && (s.Type == linux.SOCK_DGRAM || b.state != stateListening) {
			continue
		}
		if s.ReusePort && b.ReusePort {
			continue
		}
		s.local.IP = addrPort(netip.Addr{}, 0)
		s.local.IP = s.unspecified(0)
		return linux.EADDRINUSE
	}
	s.bound = true
	s.st.bound = append(s.st.bound, s)
	return nil
}

// unspecified returns the wildcard address of s's family with port.
func (s *Socket) unspecified(port uint16) netip.AddrPort {
	if s.Family == linux.AF_INET6 {
		return addrPort(netip.IPv6Unspecified(), port)
	}
	return addrPort(netip.IPv4Unspecified(), port)
}

// autobindInet binds an unbound socket to the wildcard address and an ephemeral port,
// as connect, listen and a first send do.
func (s *Socket) autobindInet() error {
	s.local.IP = s.unspecified(0)
	return s.ephemeral()
}

// ephemeral gives s the next free port of the ephemeral range at its address. Ports
// are handed out in order from the bottom of the range, so a run is deterministic.
func (s *Socket) ephemeral() error {
	st := s.st
	pi := s.protoIndex()
	for range ephemeralHigh - ephemeralLow + 1 {
		port := st.nextPort[pi]
		st.nextPort[pi]++
		if st.nextPort[pi] > ephemeralHigh {
			st.nextPort[pi] = ephemeralLow
		}
		free := true
		for _, b := range st.bound {
			if b.Protocol == s.Protocol && b.local.IP.Port() == port {
				free = false
				break
			}
		}
		if free {
			s.local.IP = addrPort(s.local.IP.Addr(), port)
			s.bound = true
			st.bound = append(st.bound, s)
			return nil
		}
	}
	return linux.EADDRINUSE
}

// destination checks where s may send: lo's addresses only (the unspecified address
// means the local host, as on Linux); anything else is unreachable, for weft has no
// other network. It returns the destination unmapped.
func (s *Socket) destination(a netip.AddrPort) (netip.Addr, error) {
	ip := a.Addr().Unmap()
	if s.Family == linux.AF_INET6 && a.Addr().Is4In6() && s.V6Only {
		return ip, linux.ENETUNREACH
	}
	if ip.IsUnspecified() {
		if ip.Is4() {
			ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		} else {
			ip = netip.IPv6Loopback()
		}
	}
	if !loopback(ip) {
		return ip, linux.ENETUNREACH
	}
	return ip, nil
}

// ConnectInet connects s to a: TCP makes a connection to the socket listening there
// (ECONNREFUSED if none; ErrWouldBlock while its backlog is full); UDP records the
// destination.
func (s *Socket) ConnectInet(a netip.AddrPort) error {
	if s.stream() {
		if s.state == stateConnected || s.state == stateListening {
			return linux.EISCONN
		}
	}
	ip, err := s.destination(a)
	if err != nil {
		return err
	}
	if !s.bound {
		if err := s.autobindInet(); err != nil {
			return err
		}
	}
	if s.local.IP.Addr().Unmap().IsUnspecified() {
		// The route to lo gives the source address: 127.0.0.1 or ::1.
		src := netip.AddrFrom4([4]byte{127, 0, 0, 1})
		if ip.Is6() {
			src = netip.IPv6Loopback()
		}
		s.local.IP = s.familyForm(addrPort(src, s.local.IP.Port()))
	}
	dst := s.familyForm(addrPort(ip, a.Port()))
	if !s.stream() {
		s.remote = Addr{Family: s.Family, IP: dst}
		s.state, s.connected = stateConnected, true
		s.peer = s.st.findInet(s, ip, a.Port(), false)
		return nil
	}
	if s.pending != nil {
		return linux.EALREADY
	}
	l := s.st.findInet(s, ip, a.Port(), true)
	if l == nil {
		return linux.ECONNREFUSED
	}
	s.remote = Addr{Family: s.Family, IP: dst}
	if l.backlogFull() {
		s.connectTo(l) // joins l's list of connectors
		s.waitingOn = l
		return vfs.ErrWouldBlock
	}
	s.completeInet(l)
	return nil
}

// completeInet makes the connection from s to the listener l, which has room, and
// gives both ends the addresses each side sees.
func (s *Socket) completeInet(l *Socket) {
	dst := s.remote.IP
	s.connectTo(l)
	n := l.acceptQ[len(l.acceptQ)-1]
	n.local = Addr{Family: l.Family, IP: l.familyForm(dst)}
	n.remote = Addr{Family: l.Family, IP: l.familyForm(s.local.IP)}
	s.remote = Addr{Family: s.Family, IP: dst}
}

// SetPending marks s's connect, which found l's backlog full, as under way: it
// completes when l has room (non-blocking connect, EINPROGRESS).
func (s *Socket) SetPending() { s.pending = s.waitingOn }

// familyForm shows a as s's family does.
func (s *Socket) familyForm(a netip.AddrPort) netip.AddrPort {
	if s.Family == linux.AF_INET6 {
		return to6(a)
	}
	return to4(a)
}

// findInet returns the first socket bound (in bind order) to port at an address that
// takes ip: a listening TCP socket, or a UDP socket not connected elsewhere.
func (st *Stack) findInet(from *Socket, ip netip.Addr, port uint16, listening bool) *Socket {
	for _, b := range st.bound {
		if b.Protocol != from.Protocol || b.local.IP.Port() != port || !b.covers(ip) || b.closed {
			continue
		}
		if listening {
			if b.state == stateListening {
				return b
			}
			continue
		}
		if b.state == stateConnected && from.bound {
			r := b.remote.IP
			if r.Port() != from.local.IP.Port() {
				continue
			}
		}
		return b
	}
	return nil
}

// lookupDgram finds the receiver of a datagram s sends to a: for Unix, the socket the
// caller resolved (Addr.Target); for UDP, the socket bound there (nil: dropped).
func (st *Stack) lookupDgram(s *Socket, a Addr) (*Socket, error) {
	if s.Family == linux.AF_UNIX {
		if a.Target == nil {
			return nil, linux.ECONNREFUSED
		}
		if a.Target.Type != s.Type {
			return nil, linux.EPROTOTYPE
		}
		return a.Target, nil
	}
	ip, err := s.destination(a.IP)
	if err != nil {
		return nil, err
	}
	if !s.bound {
		if err := s.autobindInet(); err != nil {
			return nil, err
		}
	}
	return st.findInet(s, ip, a.IP.Port(), false), nil
}
