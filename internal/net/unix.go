package net

import (
	"fmt"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// BindPath names s by the socket node n, which the caller has just made at path
// (bind(2) on a Unix socket: the node is what stat and unlink see; connect finds s
// through it).
func (s *Socket) BindPath(n *vfs.Inode, path string) error {
	if s.local.Named() || s.bound {
		return linux.EINVAL
	}
	s.st.paths[n] = s
	s.local = Addr{Family: linux.AF_UNIX, Path: path}
	s.bound = true
	s.pathNode = n
	return nil
}

// BindAbstract names s in the abstract namespace (EADDRINUSE if taken).
func (s *Socket) BindAbstract(name string) error {
	if s.local.Named() || s.bound {
		return linux.EINVAL
	}
	if _, ok := s.st.abstract[name]; ok {
		return linux.EADDRINUSE
	}
	s.st.abstract[name] = s
	s.local = Addr{Family: linux.AF_UNIX, Path: name, Abstract: true}
	s.bound = true
	return nil
}

// Autobind gives s a free abstract name of five hex digits (bind(2) with only the
// family, or a send with SO_PASSCRED from an unnamed socket). unix(7).
func (s *Socket) Autobind() error {
	if s.local.Named() {
		return linux.EINVAL
	}
	s.autobindUnix()
	return nil
}

func (s *Socket) autobindUnix() {
	for i := 0; i < 1<<20; i++ {
		name := fmt.Sprintf("%05x", s.st.nextAutobind)
		s.st.nextAutobind = (s.st.nextAutobind + 1) & 0xfffff
		if _, ok := s.st.abstract[name]; !ok {
			s.st.abstract[name] = s
			s.local = Addr{Family: linux.AF_UNIX, Path: name, Abstract: true}
			s.bound = true
			return
		}
	}
}

// UnixAt returns the socket bound to the socket node n, or nil (ECONNREFUSED for the
// caller: a node whose socket has closed, or one made by mknod).
func (st *Stack) UnixAt(n *vfs.Inode) *Socket { return st.paths[n] }

// UnixAbstract returns the socket bound to an abstract name, or nil.
func (st *Stack) UnixAbstract(name string) *Socket { return st.abstract[name] }

// ConnectUnix connects s to the Unix socket to (nil: nobody is bound at the address).
// A stream or seqpacket socket joins to's queue of connections; a datagram socket only
// records its destination. It returns ErrWouldBlock while to's queue is full.
func (s *Socket) ConnectUnix(to *Socket) error {
	if s.stream() {
		switch s.state {
		case stateConnected:
			return linux.EISCONN
		case stateListening:
			return linux.EINVAL
		}
	}
	if to == nil || to.closed {
		return linux.ECONNREFUSED
	}
	if to.Type != s.Type {
		return linux.EPROTOTYPE
	}
	if !s.stream() {
		s.peer, s.remote, s.state = to, to.local, stateConnected
		s.connected = true
		return nil
	}
	if to.state != stateListening {
		return linux.ECONNREFUSED
	}
	if s.PassCred && !s.local.Named() {
		s.autobindUnix()
	}
	return s.connectTo(to)
}

// Disconnect dissolves a datagram socket's association (connect with AF_UNSPEC).
func (s *Socket) Disconnect() error {
	if s.stream() && s.Family == linux.AF_UNIX {
		return linux.EINVAL
	}
	if !s.stream() {
		s.peer, s.state = nil, stateUnconnected
		s.remote = Addr{Family: s.Family}
	}
	return nil
}

// unbind frees s's name or port.
func (st *Stack) unbind(s *Socket) {
	if s.pathNode != nil {
		if st.paths[s.pathNode] == s {
			delete(st.paths, s.pathNode)
		}
		s.pathNode = nil
	}
	if s.local.Abstract {
		if st.abstract[s.local.Path] == s {
			delete(st.abstract, s.local.Path)
		}
	}
	if s.nl != nil && s.local.NLPort != 0 {
		for i, p := range st.nlPorts {
			if p == s.local.NLPort {
				st.nlPorts = append(st.nlPorts[:i], st.nlPorts[i+1:]...)
				break
			}
		}
	}
	for i, b := range st.bound {
		if b == s {
			st.bound = append(st.bound[:i], st.bound[i+1:]...)
			break
		}
	}
}
