package syscalls

import (
	"encoding/binary"
	"net/netip"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	wnet "weft/internal/net"
)

// Linux's limits on the buffer sizes a process without CAP_NET_ADMIN may ask for
// (net.core.wmem_max, rmem_max) and its minimums (SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF).
const (
	wmemMax    = 212992
	rmemMax    = 212992
	minSndBuf  = 4608
	minRcvBuf  = 2304
	soRcvTimeN = 66 // SO_RCVTIMEO_NEW: the same struct on a 64-bit system
	soSndTimeN = 67
)

// Setsockopt implements setsockopt(2): SOL_SOCKET options take effect (buffer sizes,
// SO_PASSCRED, time-outs, IPV6_V6ONLY, SO_REUSEADDR); the TCP and IP options a
// loopback connection has no use for (TCP_NODELAY, TCP_KEEPIDLE, IP_TOS...) are kept
// and reported back by getsockopt.
func Setsockopt(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	_, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	level, name, n := int(int32(a[1])), int(int32(a[2])), a[4]
	if n > 1<<16 {
		return 0, linux.EINVAL
	}
	b, err := copyIn(t, a[3], n)
	if err != nil {
		return 0, err
	}
	le := binary.LittleEndian
	intVal := func() (int32, error) {
		if len(b) < 4 {
			return 0, linux.EINVAL
		}
		return int32(le.Uint32(b)), nil
	}
	switch level {
	case linux.SOL_SOCKET:
		switch name {
		case linux.SO_RCVTIMEO, linux.SO_SNDTIMEO, soRcvTimeN, soSndTimeN:
			if len(b) < 16 {
				return 0, linux.EINVAL
			}
			sec, usec := int64(le.Uint64(b)), int64(le.Uint64(b[8:]))
			if usec < 0 || usec >= 1e6 {
				return 0, linux.EDOM
			}
			var ns uint64
			if sec > 0 || usec > 0 {
				ns = uint64(max(sec, 0))*1e9 + uint64(usec)*1e3
			}
			if name == linux.SO_RCVTIMEO || name == soRcvTimeN {
				s.RcvTimeo = ns
			} else {
				s.SndTimeo = ns
			}
			return 0, nil
		case linux.SO_LINGER:
			if len(b) < 8 {
				return 0, linux.EINVAL
			}
			s.Linger = [2]int32{int32(le.Uint32(b)), int32(le.Uint32(b[4:]))}
			return 0, nil
		}
		v, err := intVal()
		if err != nil {
			return 0, err
		}
		switch name {
		case linux.SO_SNDBUF, linux.SO_SNDBUFFORCE:
			s.SndBuf = max(int(min(uint32(v), wmemMax))*2, minSndBuf)
		case linux.SO_RCVBUF, linux.SO_RCVBUFFORCE:
			s.RcvBuf = max(int(min(uint32(v), rmemMax))*2, minRcvBuf)
		case linux.SO_REUSEADDR:
			s.ReuseAddr = v != 0
		case linux.SO_REUSEPORT:
			s.ReusePort = v != 0
		case linux.SO_KEEPALIVE:
			s.KeepAlive = v != 0
		case linux.SO_PASSCRED:
			s.PassCred = v != 0
		case linux.SO_DEBUG, linux.SO_DONTROUTE, linux.SO_BROADCAST, linux.SO_OOBINLINE,
			linux.SO_RCVLOWAT, linux.SO_SNDLOWAT:
			s.SetOpt(level, name, v)
		case linux.SO_TYPE, linux.SO_ERROR, linux.SO_PEERCRED, linux.SO_ACCEPTCONN,
			linux.SO_PROTOCOL, linux.SO_DOMAIN:
			return 0, linux.ENOPROTOOPT
		default:
			return 0, linux.ENOPROTOOPT
		}
		return 0, nil
	case linux.IPPROTO_TCP:
		if s.Protocol != linux.IPPROTO_TCP {
			return 0, linux.EOPNOTSUPP
		}
		v, err := intVal()
		if err != nil {
			return 0, err
		}
		if name == linux.TCP_NODELAY {
			s.NoDelay = v != 0
			return 0, nil
		}
		s.SetOpt(level, name, v)
		return 0, nil
	case linux.IPPROTO_IP, linux.IPPROTO_IPV6:
		if !isInet(s) {
			return 0, linux.EOPNOTSUPP
		}
		if level == linux.IPPROTO_IPV6 && s.Family != linux.AF_INET6 {
			return 0, linux.ENOPROTOOPT
		}
		if len(b) == 0 {
			return 0, linux.EINVAL
		}
		v := int32(b[0])
		if len(b) >= 4 {
			v = int32(le.Uint32(b))
		}
		if level == linux.IPPROTO_IPV6 && name == linux.IPV6_V6ONLY {
			if s.Local().IP.Port() != 0 {
				return 0, linux.EINVAL
			}
			s.V6Only = v != 0
			return 0, nil
		}
		s.SetOpt(level, name, v)
		return 0, nil
	}
	if s.Family == linux.AF_UNIX {
		return 0, linux.EOPNOTSUPP
	}
	return 0, linux.ENOPROTOOPT
}

func isInet(s *wnet.Socket) bool { return s.Family == linux.AF_INET || s.Family == linux.AF_INET6 }

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// Getsockopt implements getsockopt(2).
func Getsockopt(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	_, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	level, name := int(int32(a[1])), int(int32(a[2]))
	lb, err := copyIn(t, a[4], 4)
	if err != nil {
		return 0, err
	}
	le := binary.LittleEndian
	room := int32(le.Uint32(lb))
	if room < 0 {
		return 0, linux.EINVAL
	}
	var out []byte
	i32 := func(v int32) { out = le.AppendUint32(nil, uint32(v)) }
	tv := func(ns uint64) {
		out = le.AppendUint64(nil, ns/1e9)
		out = le.AppendUint64(out, ns%1e9/1e3)
	}
	switch level {
	case linux.SOL_SOCKET:
		switch name {
		case linux.SO_TYPE:
			i32(int32(s.Type))
		case linux.SO_PROTOCOL:
			i32(int32(s.Protocol))
		case linux.SO_DOMAIN:
			i32(int32(s.Family))
		case linux.SO_ERROR:
			i32(int32(s.TakeError()))
		case linux.SO_SNDBUF:
			i32(int32(s.SndBuf))
		case linux.SO_RCVBUF:
			i32(int32(s.RcvBuf))
		case linux.SO_REUSEADDR:
			i32(b2i(s.ReuseAddr))
		case linux.SO_REUSEPORT:
			i32(b2i(s.ReusePort))
		case linux.SO_KEEPALIVE:
			i32(b2i(s.KeepAlive))
		case linux.SO_PASSCRED:
			i32(b2i(s.PassCred))
		case linux.SO_ACCEPTCONN:
			i32(b2i(s.Listening()))
		case linux.SO_RCVLOWAT:
			i32(max(1, s.Opt(level, name)))
		case linux.SO_SNDLOWAT:
			i32(1)
		case linux.SO_DEBUG, linux.SO_DONTROUTE, linux.SO_BROADCAST, linux.SO_OOBINLINE:
			i32(s.Opt(level, name))
		case linux.SO_LINGER:
			out = le.AppendUint32(le.AppendUint32(nil, uint32(s.Linger[0])), uint32(s.Linger[1]))
		case linux.SO_RCVTIMEO, soRcvTimeN:
			tv(s.RcvTimeo)
		case linux.SO_SNDTIMEO, soSndTimeN:
			tv(s.SndTimeo)
		case linux.SO_PEERCRED:
			// Only Unix sockets know their peer's process; others (and an
			// unconnected one) report pid 0, uid and gid -1 (cred_to_ucred).
			c := wnet.Cred{UID: ^uint32(0), GID: ^uint32(0)}
			if s.Family == linux.AF_UNIX {
				c = seenCred(t, s.PeerCred())
			}
			out = le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, uint32(c.PID)), c.UID), c.GID)
		default:
			return 0, linux.ENOPROTOOPT
		}
	case linux.IPPROTO_TCP:
		if s.Protocol != linux.IPPROTO_TCP {
			return 0, linux.EOPNOTSUPP
		}
		switch name {
		case linux.TCP_NODELAY:
			i32(b2i(s.NoDelay))
		case linux.TCP_MAXSEG:
			i32(max(536, s.Opt(level, name)))
		case linux.TCP_KEEPIDLE:
			i32(optOr(s, level, name, 7200))
		case linux.TCP_KEEPINTVL:
			i32(optOr(s, level, name, 75))
		case linux.TCP_KEEPCNT:
			i32(optOr(s, level, name, 9))
		default:
			i32(s.Opt(level, name))
		}
	case linux.IPPROTO_IP, linux.IPPROTO_IPV6:
		if !isInet(s) {
			return 0, linux.EOPNOTSUPP
		}
		switch {
		case level == linux.IPPROTO_IPV6 && s.Family != linux.AF_INET6:
			return 0, linux.ENOPROTOOPT
		case level == linux.IPPROTO_IPV6 && name == linux.IPV6_V6ONLY:
			i32(b2i(s.V6Only))
		case level == linux.IPPROTO_IP && name == linux.IP_TTL:
			i32(optOr(s, level, name, 64))
		default:
			i32(s.Opt(level, name))
		}
	default:
		if s.Family == linux.AF_UNIX {
			return 0, linux.EOPNOTSUPP
		}
		return 0, linux.ENOPROTOOPT
	}
	if err := copyOut(t, a[3], out[:min(int(room), len(out))]); err != nil {
		return 0, err
	}
	le.PutUint32(lb, uint32(min(int(room), len(out))))
	return 0, copyOut(t, a[4], lb)
}

func optOr(s *wnet.Socket, level, name int, def int32) int32 {
	if v, ok := s.LookupOpt(level, name); ok {
		return v
	}
	return def
}

// socketIoctl answers the ioctls every socket takes: FIONREAD, and the interface
// queries of netdevice(7) (SIOCGIFCONF lists IPv4 addresses; the others name an
// interface in struct ifreq: 16 bytes of name, then the union).
func socketIoctl(t *kernel.Task, s *wnet.Socket, req, arg uint64) (uint64, error) {
	le := binary.LittleEndian
	switch req {
	case linux.FIONREAD:
		if s.Listening() {
			return 0, linux.EINVAL
		}
		return 0, copyOut(t, arg, le.AppendUint32(nil, uint32(s.Rx())))
	case linux.SIOCGIFCONF:
		b, err := copyIn(t, arg, 16)
		if err != nil {
			return 0, err
		}
		room, buf := int32(le.Uint32(b)), le.Uint64(b[8:])
		var out []byte
		for _, ifc := range wnet.Interfaces() {
			for _, p := range ifc.Addrs {
				if !p.Addr().Is4() {
					continue
				}
				r := ifreq(ifc.Name, encodeAddr(wnet.Addr{Family: linux.AF_INET, IP: netip.AddrPortFrom(p.Addr(), 0)}))
				out = append(out, r...)
			}
		}
		if buf == 0 {
			le.PutUint32(b, uint32(len(out)))
		} else {
			n := min(len(out), int(max(room, 0))/40*40)
			if err := copyOut(t, buf, out[:n]); err != nil {
				return 0, err
			}
			le.PutUint32(b, uint32(n))
		}
		return 0, copyOut(t, arg, b[:4])
	case linux.SIOCGIFNAME:
		b, err := copyIn(t, arg, 40)
		if err != nil {
			return 0, err
		}
		idx := int(int32(le.Uint32(b[16:])))
		for _, ifc := range wnet.Interfaces() {
			if ifc.Index == idx {
				var name [16]byte
				copy(name[:], ifc.Name)
				return 0, copyOut(t, arg, name[:])
			}
		}
		return 0, linux.ENODEV
	case linux.SIOCGIFFLAGS, linux.SIOCGIFINDEX, linux.SIOCGIFMTU, linux.SIOCGIFADDR:
		b, err := copyIn(t, arg, 40)
		if err != nil {
			return 0, err
		}
		name := string(b[:16])
		if i := indexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		for _, ifc := range wnet.Interfaces() {
			if ifc.Name != name {
				continue
			}
			var v []byte
			switch req {
			case linux.SIOCGIFFLAGS:
				v = le.AppendUint16(nil, uint16(ifc.Flags)) // short ifr_flags
			case linux.SIOCGIFINDEX:
				v = le.AppendUint32(nil, uint32(ifc.Index))
			case linux.SIOCGIFMTU:
				v = le.AppendUint32(nil, uint32(ifc.MTU))
			case linux.SIOCGIFADDR:
				v = encodeAddr(wnet.Addr{Family: linux.AF_INET, IP: netip.AddrPortFrom(ifc.Addrs[0].Addr(), 0)})
			}
			return 0, copyOut(t, arg+16, v)
		}
		return 0, linux.ENODEV
	}
	return 0, linux.ENOTTY
}

// ifreq is one struct ifreq (40 bytes): the name, then an address.
func ifreq(name string, addr []byte) []byte {
	b := make([]byte, 40)
	copy(b, name)
	copy(b[16:], addr)
	return b
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
