package net

import (
	"encoding/binary"

	"weft/internal/abi/linux"
)

// netlink is the state of a NETLINK_ROUTE socket: it answers dumps of links
// (RTM_GETLINK) and addresses (RTM_GETADDR), which is what glibc's getifaddrs and Go's
// net.Interfaces ask (rtnetlink(7)).
type netlink struct{}

// BindNetlink gives a netlink socket its port ID: port, EADDRINUSE if another socket of
// the namespace has it; or (0) the caller's process ID (as its PID namespace numbers
// it) the first time, or, if that is taken, a free one below -4096 as a signed number
// (netlink_autobind, which picks those at random; weft counts).
func (s *Socket) BindNetlink(port uint32, pid int32) error {
	if s.local.NLPort != 0 {
		if port == 0 || port == s.local.NLPort {
			return nil
		}
		return linux.EINVAL
	}
	switch {
	case port != 0 && s.st.nlPortUsed(port):
		return linux.EADDRINUSE
	case port == 0:
		for port = uint32(pid); s.st.nlPortUsed(port); s.st.nextNL = (s.st.nextNL + 1) % 0x7ffff000 {
			port = 0x80000000 | s.st.nextNL
		}
	}
	s.local.NLPort = port
	s.st.nlPorts = append(s.st.nlPorts, port)
	return nil
}

// nlPortUsed reports whether a netlink socket of the namespace has port ID port.
func (st *Stack) nlPortUsed(port uint32) bool {
	for _, p := range st.nlPorts {
		if p == port {
			return true
		}
	}
	return false
}

// nlSend takes requests (one or more nlmsghdr) and queues the answers.
func (s *Socket) nlSend(b []byte, c Cred) (int, error) {
	if s.local.NLPort == 0 {
		s.BindNetlink(0, c.NSPID)
	}
	le := binary.LittleEndian
	for off := 0; off+16 <= len(b); {
		n := int(le.Uint32(b[off:]))
		if n < 16 || off+n > len(b) {
			break
		}
		typ, flags, seq := le.Uint16(b[off+4:]), le.Uint16(b[off+6:]), le.Uint32(b[off+8:])
		body := b[off+16 : off+n]
		var reply []byte
		switch {
		case typ == linux.RTM_GETLINK && flags&linux.NLM_F_DUMP != 0:
			for _, ifc := range Interfaces() {
				reply = append(reply, s.nlMsg(linux.RTM_NEWLINK, linux.NLM_F_MULTI, seq, linkMsg(ifc))...)
			}
			reply = append(reply, s.nlMsg(linux.NLMSG_DONE, linux.NLM_F_MULTI, seq, []byte{0, 0, 0, 0})...)
		case typ == linux.RTM_GETADDR && flags&linux.NLM_F_DUMP != 0:
			family := 0
			if len(body) > 0 {
				family = int(body[0])
			}
			for _, ifc := range Interfaces() {
				for _, a := range addrMsgs(ifc, family) {
					reply = append(reply, s.nlMsg(linux.RTM_NEWADDR, linux.NLM_F_MULTI, seq, a)...)
				}
			}
			reply = append(reply, s.nlMsg(linux.NLMSG_DONE, linux.NLM_F_MULTI, seq, []byte{0, 0, 0, 0})...)
		default:
			// Anything else is refused with an error message carrying the request.
			e := make([]byte, 4, 4+16)
			code := -int32(linux.EOPNOTSUPP)
			le.PutUint32(e, uint32(code))
			e = append(e, b[off:off+16]...)
			reply = s.nlMsg(linux.NLMSG_ERROR, 0, seq, e)
		}
		if !s.st.FS.Charge(int64(len(reply))) {
			return 0, linux.ENOBUFS
		}
		s.rx = append(s.rx, msg{data: reply, from: Addr{Family: linux.AF_NETLINK}})
		s.rxBytes += len(reply)
		s.readable.WakeAll()
		off += (n + 3) &^ 3
	}
	return len(b), nil
}

// nlMsg frames payload as one netlink message to s.
func (s *Socket) nlMsg(typ, flags uint16, seq uint32, payload []byte) []byte {
	n := 16 + len(payload)
	b := make([]byte, (n+3)&^3)
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(n))
	le.PutUint16(b[4:], typ)
	le.PutUint16(b[6:], flags)
	le.PutUint32(b[8:], seq)
	le.PutUint32(b[12:], s.local.NLPort)
	copy(b[16:], payload)
	return b
}

// rtattr appends one routing attribute.
func rtattr(b []byte, typ uint16, val []byte) []byte {
	n := 4 + len(val)
	h := make([]byte, 4, (n+3)&^3)
	binary.LittleEndian.PutUint16(h[0:], uint16(n))
	binary.LittleEndian.PutUint16(h[2:], typ)
	h = append(h, val...)
	for len(h)%4 != 0 {
		h = append(h, 0)
	}
	return append(b, h...)
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// linkMsg is struct ifinfomsg and its attributes for ifc.
func linkMsg(ifc Interface) []byte {
	b := make([]byte, 16)
	le := binary.LittleEndian
	b[0] = linux.AF_UNSPEC
	le.PutUint16(b[2:], linux.ARPHRD_LOOPBACK)
	le.PutUint32(b[4:], uint32(ifc.Index))
	le.PutUint32(b[8:], ifc.Flags)
	b = rtattr(b, linux.IFLA_IFNAME, append([]byte(ifc.Name), 0))
	b = rtattr(b, linux.IFLA_MTU, u32(uint32(ifc.MTU)))
	b = rtattr(b, linux.IFLA_TXQLEN, u32(1000))
	b = rtattr(b, linux.IFLA_OPERSTATE, []byte{0}) // IF_OPER_UNKNOWN, as lo reports
	b = rtattr(b, linux.IFLA_ADDRESS, make([]byte, 6))
	b = rtattr(b, linux.IFLA_BROADCAST, make([]byte, 6))
	return b
}

// addrMsgs are struct ifaddrmsg and attributes for each of ifc's addresses of family
// (AF_UNSPEC: all).
func addrMsgs(ifc Interface, family int) [][]byte {
	var out [][]byte
	for _, p := range ifc.Addrs {
		fam := linux.AF_INET6
		ip := p.Addr().AsSlice()
		if p.Addr().Is4() {
			fam = linux.AF_INET
		}
		if family != linux.AF_UNSPEC && family != fam {
			continue
		}
		b := make([]byte, 8)
		b[0] = byte(fam)
		b[1] = byte(p.Bits())
		b[2] = linux.IFA_F_PERMANENT
		b[3] = linux.RT_SCOPE_HOST
		binary.LittleEndian.PutUint32(b[4:], uint32(ifc.Index))
		b = rtattr(b, linux.IFA_ADDRESS, ip)
		if fam == linux.AF_INET {
			b = rtattr(b, linux.IFA_LOCAL, ip)
			b = rtattr(b, linux.IFA_LABEL, append([]byte(ifc.Name), 0))
		}
		out = append(out, b)
	}
	return out
}
