package syscalls

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	wnet "weft/internal/net"
	"weft/internal/vfs"
)

var socketCalls = []entry{
	call(linux.SYS_SOCKET, "socket", Socket, i, i, i),
	call(linux.SYS_SOCKETPAIR, "socketpair", Socketpair, i, i, i, p),
	call(linux.SYS_BIND, "bind", Bind, fd, p, u),
	call(linux.SYS_LISTEN, "listen", Listen, fd, i),
	call(linux.SYS_ACCEPT, "accept", Accept, fd, p, p).restartable(),
	call(linux.SYS_ACCEPT4, "accept4", Accept4, fd, p, p, x).restartable(),
	call(linux.SYS_CONNECT, "connect", Connect, fd, p, u).restartable(),
	call(linux.SYS_GETSOCKNAME, "getsockname", Getsockname, fd, p, p),
	call(linux.SYS_GETPEERNAME, "getpeername", Getpeername, fd, p, p),
	call(linux.SYS_SENDTO, "sendto", Sendto, fd, bin, u, x, p, u).restartable(),
	call(linux.SYS_RECVFROM, "recvfrom", Recvfrom, fd, bout, u, x, p, p).restartable(),
	call(linux.SYS_SETSOCKOPT, "setsockopt", Setsockopt, fd, i, i, p, u).partial("SOL_SOCKET buffer sizes, time-outs, SO_PASSCRED, SO_REUSEADDR and IPV6_V6ONLY take effect; TCP and IP options (TCP_NODELAY, keep-alive, TTL...) and SO_LINGER are kept and read back, with nothing on a loopback connection for them to change"),
	call(linux.SYS_GETSOCKOPT, "getsockopt", Getsockopt, fd, i, i, p, p),
	call(linux.SYS_SHUTDOWN, "shutdown", Shutdown, fd, i),
	call(linux.SYS_SENDMSG, "sendmsg", Sendmsg, fd, p, x).restartable().partial("control messages: SCM_RIGHTS and SCM_CREDENTIALS on Unix sockets; no MSG_OOB"),
	call(linux.SYS_RECVMSG, "recvmsg", Recvmsg, fd, p, x).restartable(),
	call(linux.SYS_SENDMMSG, "sendmmsg", Sendmmsg, fd, p, u, x).restartable().partial("only the first message waits; the rest are sent while there is room"),
	call(linux.SYS_RECVMMSG, "recvmmsg", Recvmmsg, fd, p, u, x, p).restartable().partial("only the first message waits (as with MSG_WAITFORONE); the timeout is not used"),
}

// sockCred is who the calling process is to a socket's peer: SO_PEERCRED reports the
// effective ids.
func sockCred(t *kernel.Task) wnet.Cred {
	return wnet.Cred{PID: int32(t.TG.PID), UID: t.TG.Creds.EUID, GID: t.TG.Creds.EGID, NSPID: int32(t.PIDOf(t.TG))}
}

// msgCred is who sends a message (SCM_CREDENTIALS): the real ids (scm_send).
func msgCred(t *kernel.Task) wnet.Cred {
	return wnet.Cred{PID: int32(t.TG.PID), UID: t.TG.Creds.UID, GID: t.TG.Creds.GID, NSPID: int32(t.PIDOf(t.TG))}
}

// seenCred is c, which holds a global PID and kernel user and group IDs, as t's PID and
// user namespaces number them (cred_to_ucred, scm_recv: pid_vnr, 0 for a process
// outside; from_kuid_munged, the overflow ID for one not mapped). The -1 of a socket
// without a peer stays -1.
func seenCred(t *kernel.Task, c wnet.Cred) wnet.Cred {
	ns := t.TG.Creds.UserNS
	out := wnet.Cred{PID: int32(t.NR(int(c.PID))), UID: c.UID, GID: c.GID}
	if c.UID != ^uint32(0) {
		out.UID = ns.UIDSeen(c.UID)
	}
	if c.GID != ^uint32(0) {
		out.GID = ns.GIDSeen(c.GID)
	}
	return out
}

// sock returns the socket behind fd: EBADF for no file, ENOTSOCK for a file that is
// not a socket.
func sock(t *kernel.Task, n uint64) (*vfs.File, *wnet.Socket, error) {
	f, err := openFile(t, n)
	if err != nil {
		return nil, nil, err
	}
	s, ok := f.Device().(*wnet.Socket)
	if !ok {
		return nil, nil, linux.ENOTSOCK
	}
	return f, s, nil
}

// installSocket opens a file for s and gives it a descriptor.
func installSocket(t *kernel.Task, s *wnet.Socket, flags int) (int, error) {
	f := t.Kernel().FS.NewSocketFile(s, t.TG.Creds.EUID, t.TG.Creds.EGID, uint32(flags)&vfs.O_NONBLOCK)
	fd, err := t.TG.FDs.Install(f, flags&linux.SOCK_CLOEXEC != 0, 0, t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur)
	if err != nil {
		f.DecRef()
		return -1, err
	}
	return fd, nil
}

// Socket implements socket(2).
func Socket(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	typ := int(a[1])
	if typ&^(linux.SOCK_TYPE_MASK|linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	s, err := t.TG.Net.NewSocket(int(a[0]), typ&linux.SOCK_TYPE_MASK, int(int32(a[2])), sockCred(t))
	if err != nil {
		return 0, err
	}
	fd, err := installSocket(t, s, typ)
	if err != nil {
		s.Close()
		return 0, err
	}
	return uint64(fd), nil
}

// Socketpair implements socketpair(2): Unix sockets only, as on Linux.
func Socketpair(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	typ := int(a[1])
	if typ&^(linux.SOCK_TYPE_MASK|linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	switch int(a[0]) {
	case linux.AF_UNIX:
	case linux.AF_INET, linux.AF_INET6:
		return 0, linux.EOPNOTSUPP
	default:
		return 0, linux.EAFNOSUPPORT
	}
	if a[2] != 0 {
		return 0, linux.EPROTONOSUPPORT
	}
	x, y, err := t.TG.Net.Pair(typ&linux.SOCK_TYPE_MASK, sockCred(t))
	if err != nil {
		return 0, err
	}
	fx, err := installSocket(t, x, typ)
	if err != nil {
		x.Close()
		y.Close()
		return 0, err
	}
	fy, err := installSocket(t, y, typ)
	if err != nil {
		t.TG.FDs.Close(fx)
		y.Close()
		return 0, err
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(fx))
	binary.LittleEndian.PutUint32(b[4:], uint32(fy))
	if err := copyOut(t, a[3], b[:]); err != nil {
		t.TG.FDs.Close(fx)
		t.TG.FDs.Close(fy)
		return 0, err
	}
	return 0, nil
}

// sockaddr is a decoded socket address argument.
type sockaddr struct {
	family   int
	path     string // AF_UNIX
	abstract bool
	unnamed  bool // AF_UNIX with only the family: autobind
	ip       netip.AddrPort
	nlPort   uint32
}

// readSockaddr decodes the address of length n at addr as s's family expects it.
func readSockaddr(t *kernel.Task, s *wnet.Socket, addr, n uint64) (sockaddr, error) {
	var sa sockaddr
	if n < 2 || n > 128 {
		return sa, linux.EINVAL
	}
	b, err := copyIn(t, addr, n)
	if err != nil {
		return sa, err
	}
	sa.family = int(binary.LittleEndian.Uint16(b))
	switch s.Family {
	case linux.AF_UNIX:
		if sa.family != linux.AF_UNIX {
			return sa, linux.EINVAL
		}
		if n > 110 {
			return sa, linux.EINVAL
		}
		name := b[2:]
		switch {
		case len(name) == 0:
			sa.unnamed = true
		case name[0] == 0:
			sa.abstract, sa.path = true, string(name[1:])
		default:
			if i := strings.IndexByte(string(name), 0); i >= 0 {
				name = name[:i]
			}
			sa.path = string(name)
		}
	case linux.AF_INET:
		if sa.family == linux.AF_UNSPEC {
			return sa, nil
		}
		if sa.family != linux.AF_INET {
			return sa, linux.EAFNOSUPPORT
		}
		if n < 16 {
			return sa, linux.EINVAL
		}
		sa.ip = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), binary.BigEndian.Uint16(b[2:]))
	case linux.AF_INET6:
		if sa.family == linux.AF_UNSPEC {
			return sa, nil
		}
		if sa.family != linux.AF_INET6 {
			return sa, linux.EAFNOSUPPORT
		}
		if n < 24 {
			return sa, linux.EINVAL
		}
		sa.ip = netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])), binary.BigEndian.Uint16(b[2:]))
	case linux.AF_NETLINK:
		if sa.family != linux.AF_NETLINK || n < 12 {
			return sa, linux.EINVAL
		}
		sa.nlPort = binary.LittleEndian.Uint32(b[4:])
	}
	return sa, nil
}

// encodeAddr lays a out as the C struct sockaddr_* of its family.
func encodeAddr(a wnet.Addr) []byte {
	le := binary.LittleEndian
	switch a.Family {
	case linux.AF_UNIX:
		b := []byte{linux.AF_UNIX, 0}
		switch {
		case a.Abstract:
			b = append(append(b, 0), a.Path...)
		case a.Path != "":
			b = append(append(b, a.Path...), 0)
		}
		return b
	case linux.AF_INET:
		b := make([]byte, 16)
		le.PutUint16(b, linux.AF_INET)
		binary.BigEndian.PutUint16(b[2:], a.IP.Port())
		ip := a.IP.Addr().Unmap()
		if !ip.IsValid() {
			ip = netip.IPv4Unspecified()
		}
		ip4 := ip.As4()
		copy(b[4:], ip4[:])
		return b
	case linux.AF_INET6:
		b := make([]byte, 28)
		le.PutUint16(b, linux.AF_INET6)
		binary.BigEndian.PutUint16(b[2:], a.IP.Port())
		if a.IP.Addr().IsValid() {
			ip := a.IP.Addr().As16()
			copy(b[8:], ip[:])
		}
		return b
	case linux.AF_NETLINK:
		b := make([]byte, 12)
		le.PutUint16(b, linux.AF_NETLINK)
		le.PutUint32(b[4:], a.NLPort)
		return b
	}
	return nil
}

// writeSockaddr copies an address out to addr, truncated to the length at lenAddr,
// and stores its full length there (accept, getsockname, recvfrom).
func writeSockaddr(t *kernel.Task, a wnet.Addr, addr, lenAddr uint64) error {
	if addr == 0 || lenAddr == 0 {
		return nil
	}
	lb, err := copyIn(t, lenAddr, 4)
	if err != nil {
		return err
	}
	max := int32(binary.LittleEndian.Uint32(lb))
	if max < 0 {
		return linux.EINVAL
	}
	b := encodeAddr(a)
	if err := copyOut(t, addr, b[:min(int(max), len(b))]); err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(lb, uint32(len(b)))
	return copyOut(t, lenAddr, lb)
}

// unixTarget finds the socket a Unix address names: by the socket node at a path
// (which the caller must be allowed to write), or by an abstract name.
func unixTarget(t *kernel.Task, sa sockaddr) (*wnet.Socket, error) {
	k := t.Kernel()
	if sa.abstract {
		return t.TG.Net.UnixAbstract(sa.path), nil
	}
	if sa.unnamed || sa.path == "" {
		return nil, linux.EINVAL
	}
	n, err := k.FS.Lookup(t.TG.Creds.VFS(), t.TG.Cwd, sa.path, true)
	if err != nil {
		return nil, err
	}
	if n.Mode&vfs.S_IFMT != vfs.S_IFSOCK {
		return nil, linux.ECONNREFUSED
	}
	if !vfs.Check(t.TG.Creds.VFS(), n, vfs.MayWrite) {
		return nil, linux.EACCES
	}
	return t.TG.Net.UnixAt(n), nil
}

// Bind implements bind(2).
func Bind(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	_, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	sa, err := readSockaddr(t, s, a[1], a[2])
	if err != nil {
		return 0, err
	}
	switch s.Family {
	case linux.AF_UNIX:
		switch {
		case sa.unnamed:
			return ret0(s.Autobind())
		case sa.abstract:
			return ret0(s.BindAbstract(sa.path))
		}
		if s.Local().Named() {
			return 0, linux.EINVAL
		}
		k := t.Kernel()
		parent, name, err := k.FS.LookupParent(t.TG.Creds.VFS(), t.TG.Cwd, sa.path)
		if err != nil {
			return 0, err
		}
		if strings.HasSuffix(sa.path, "/") {
			return 0, linux.EINVAL
		}
		n, err := k.FS.Mknod(t.TG.Creds.VFS(), parent, name, vfs.S_IFSOCK|0o777&^t.TG.Umask, 0)
		if err == linux.EEXIST {
			return 0, linux.EADDRINUSE
		}
		if err != nil {
			return 0, err
		}
		parent.Touch()
		return ret0(s.BindPath(n, sa.path))
	case linux.AF_INET, linux.AF_INET6:
		if sa.family == linux.AF_UNSPEC {
			if s.Family == linux.AF_INET6 {
				return 0, linux.EINVAL
			}
			// Linux takes AF_UNSPEC as AF_INET when the address is INADDR_ANY.
			b, err := copyIn(t, a[1], min(a[2], 16))
			if err != nil {
				return 0, err
			}
			if len(b) < 16 || binary.LittleEndian.Uint32(b[4:]) != 0 {
				return 0, linux.EAFNOSUPPORT
			}
			sa.ip = netip.AddrPortFrom(netip.IPv4Unspecified(), binary.BigEndian.Uint16(b[2:]))
		}
		return ret0(s.BindInet(sa.ip, t.TG.Creds.Capable(kernel.CAP_NET_BIND_SERVICE)))
	case linux.AF_NETLINK:
		return ret0(s.BindNetlink(sa.nlPort, int32(t.PIDOf(t.TG))))
	}
	return 0, linux.EOPNOTSUPP
}

// Listen implements listen(2).
func Listen(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	_, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	s.SetCred(sockCred(t))
	return ret0(s.Listen(int(int32(a[1]))))
}

// Accept implements accept(2).
func Accept(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return accept(t, a, 0)
}

// Accept4 implements accept4(2).
func Accept4(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[3]&^uint64(linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	return accept(t, a, int(a[3]))
}

func accept(t *kernel.Task, a *kernel.SyscallArgs, flags int) (uint64, error) {
	f, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	if !s.Listening() {
		if s.Type == linux.SOCK_DGRAM {
			return 0, linux.EOPNOTSUPP
		}
		return 0, linux.EINVAL
	}
	n, err := s.Accept()
	if err != nil {
		return 0, sockWait(t, f, s, false, 0, err, "accept on "+f.Path)
	}
	fd, err := installSocket(t, n, flags)
	if err != nil {
		n.Close()
		return 0, err
	}
	if a[1] != 0 {
		r, _ := n.Remote()
		if err := writeSockaddr(t, r, a[1], a[2]); err != nil {
			return uint64(fd), nil // the connection is accepted all the same
		}
	}
	return uint64(fd), nil
}

// sockWait turns a socket operation's error into the call's: ErrWouldBlock parks the
// task on the socket's queue (EAGAIN for a non-blocking file or MSG_DONTWAIT, and once
// SO_RCVTIMEO or SO_SNDTIMEO has passed); ErrBrokenPipe raises SIGPIPE (unless
// MSG_NOSIGNAL) and fails with EPIPE.
func sockWait(t *kernel.Task, f *vfs.File, s *wnet.Socket, write bool, flags int, err error, why string) error {
	switch err {
	case vfs.ErrWouldBlock:
		if f.Flags&vfs.O_NONBLOCK != 0 || flags&linux.MSG_DONTWAIT != 0 {
			return linux.EAGAIN
		}
		timeo := s.RcvTimeo
		if write {
			timeo = s.SndTimeo
		}
		if timeo != 0 {
			switch {
			case t.Call.Deadline == 0:
				t.Call.Deadline = t.Now() + timeo
			case t.Now() >= t.Call.Deadline:
				return linux.EAGAIN
			}
		}
		return t.Block(why, s.Queues(f, write))
	case vfs.ErrBrokenPipe:
		if flags&linux.MSG_NOSIGNAL == 0 {
			t.Kernel().SignalTask(t, kernel.SigInfo{Signo: linux.SIGPIPE, Code: kernel.SI_USER})
		}
		return linux.EPIPE
	}
	return errno(err)
}

// Connect implements connect(2).
func Connect(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	if t.Call.Started && s.Family != linux.AF_UNIX {
		// Woken after waiting for a full backlog: connected now, or try again.
		if _, err := s.Remote(); err == nil && s.TakeError() == 0 && s.Type == linux.SOCK_STREAM {
			return 0, nil
		}
	}
	sa, err := readSockaddr(t, s, a[1], a[2])
	if err != nil {
		return 0, err
	}
	s.SetCred(sockCred(t))
	switch s.Family {
	case linux.AF_UNIX:
		if sa.unnamed {
			return 0, linux.EINVAL
		}
		target, err := unixTarget(t, sa)
		if err != nil {
			return 0, err
		}
		err = s.ConnectUnix(target)
		if err == vfs.ErrWouldBlock {
			t.Call.Started = true
		}
		return 0, sockWait(t, f, s, true, 0, err, "connect to "+f.Path)
	case linux.AF_INET, linux.AF_INET6:
		if sa.family == linux.AF_UNSPEC {
			return ret0(s.Disconnect())
		}
		err := s.ConnectInet(sa.ip)
		if err == vfs.ErrWouldBlock {
			t.Call.Started = true
			if f.Flags&vfs.O_NONBLOCK != 0 {
				s.SetPending()
				return 0, linux.EINPROGRESS
			}
			return 0, sockWait(t, f, s, true, 0, err, "connect on "+f.Path)
		}
		if err == nil && s.Type == linux.SOCK_STREAM && f.Flags&vfs.O_NONBLOCK != 0 && !t.Call.Started {
			// A non-blocking TCP connect always reports that it is under way, as
			// Linux does even on loopback; poll then finds the socket writable.
			return 0, linux.EINPROGRESS
		}
		return ret0(err)
	case linux.AF_NETLINK:
		return 0, nil
	}
	return 0, linux.EOPNOTSUPP
}

// Getsockname implements getsockname(2).
func Getsockname(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	_, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	return ret0(writeSockaddr(t, s.Local(), a[1], a[2]))
}

// Getpeername implements getpeername(2).
func Getpeername(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	_, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	r, err := s.Remote()
	if err != nil {
		return 0, err
	}
	return ret0(writeSockaddr(t, r, a[1], a[2]))
}

// Shutdown implements shutdown(2).
func Shutdown(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	_, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	return ret0(s.Shutdown(int(int32(a[1]))))
}

// destination decodes a send's destination address (nil for none).
func destination(t *kernel.Task, s *wnet.Socket, addr, n uint64) (*wnet.Addr, error) {
	if addr == 0 {
		return nil, nil
	}
	sa, err := readSockaddr(t, s, addr, n)
	if err != nil {
		return nil, err
	}
	d := &wnet.Addr{Family: s.Family, IP: sa.ip}
	if s.Family == linux.AF_UNIX {
		if s.Type == linux.SOCK_SEQPACKET {
			return nil, nil // unix_seqpacket_sendmsg ignores the name
		}
		if s.Type != linux.SOCK_DGRAM {
			if _, err := s.Remote(); err == nil {
				return nil, linux.EISCONN
			}
			return nil, linux.EOPNOTSUPP
		}
		if d.Target, err = unixTarget(t, sa); err != nil {
			return nil, err
		}
	}
	if s.Type == linux.SOCK_STREAM && s.Family != linux.AF_UNIX {
		return nil, nil // TCP ignores a destination on a connected socket
	}
	return d, nil
}

// sendAll sends buf (after the first done bytes, which an earlier attempt sent),
// waiting for room as often as a blocking stream socket must; Call.Value counts what
// is sent.
func sendAll(t *kernel.Task, f *vfs.File, s *wnet.Socket, buf []byte, ctl *wnet.Control, to *wnet.Addr, flags int) (uint64, error) {
	done := t.Call.Value
	buf = buf[min(done, uint64(len(buf))):]
	if done > 0 {
		ctl = nil // the control message went with the first part
	}
	c := msgCred(t)
	for {
		n, err := s.Send(buf, ctl, to, flags, c)
		done += uint64(n)
		buf = buf[n:]
		if n > 0 {
			ctl = nil
		}
		if err == nil {
			if len(buf) == 0 || s.Type != linux.SOCK_STREAM {
				return done, nil
			}
			continue
		}
		if err == vfs.ErrWouldBlock && f.Flags&vfs.O_NONBLOCK == 0 && flags&linux.MSG_DONTWAIT == 0 {
			t.Call.Value = done
			return 0, sockWait(t, f, s, true, flags, err, "send on "+f.Path)
		}
		if done > 0 {
			return done, nil
		}
		return 0, sockWait(t, f, s, true, flags, err, "send on "+f.Path)
	}
}

// Sendto implements sendto(2).
func Sendto(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	to, err := destination(t, s, a[4], a[5])
	if err != nil {
		return 0, err
	}
	buf, err := copyIn(t, a[1], min(a[2], maxIO))
	if err != nil {
		return 0, err
	}
	return sendAll(t, f, s, buf, nil, to, int(a[3]))
}

// recvInto receives up to n bytes, honouring MSG_WAITALL on a stream by waiting until
// n bytes or the end of the stream; sink gets each piece with its offset.
func recvInto(t *kernel.Task, f *vfs.File, s *wnet.Socket, n uint64, flags int, sink func(off uint64, b []byte) error) (wnet.Received, uint64, error) {
	done := t.Call.Value
	buf := make([]byte, min(n, maxIO)-min(done, min(n, maxIO)))
	r, err := s.Recv(buf, flags)
	if err != nil {
		if err == vfs.ErrWouldBlock && done > 0 && (f.Flags&vfs.O_NONBLOCK != 0 || flags&linux.MSG_DONTWAIT != 0) {
			return r, done, nil
		}
		return r, 0, sockWait(t, f, s, false, flags, err, "recv on "+f.Path)
	}
	if err := sink(done, buf[:r.N]); err != nil {
		return r, 0, err
	}
	done += uint64(r.N)
	if flags&linux.MSG_WAITALL != 0 && flags&linux.MSG_PEEK == 0 && s.Type == linux.SOCK_STREAM &&
		r.N > 0 && done < min(n, maxIO) && len(r.Files) == 0 {
		t.Call.Value = done
		if _, err := s.Recv(nil, linux.MSG_PEEK); err == vfs.ErrWouldBlock {
			return r, 0, sockWait(t, f, s, false, flags, err, "recv on "+f.Path)
		}
		return recvInto(t, f, s, n, flags, sink)
	}
	return r, done, nil
}

// Recvfrom implements recvfrom(2).
func Recvfrom(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	flags := int(a[3])
	r, n, err := recvInto(t, f, s, a[2], flags, func(off uint64, b []byte) error {
		return copyOut(t, a[1]+off, b)
	})
	if err != nil {
		return 0, err
	}
	for _, file := range r.Files {
		file.DecRef()
	}
	if a[4] != 0 && s.Type != linux.SOCK_STREAM {
		if err := writeSockaddr(t, r.From, a[4], a[5]); err != nil {
			return 0, err
		}
	}
	if flags&linux.MSG_TRUNC != 0 && s.Type != linux.SOCK_STREAM {
		return uint64(r.Full), nil
	}
	return n, nil
}

// msghdr is struct msghdr as riscv64 lays it out.
type msghdr struct {
	name       uint64
	namelen    uint32
	iov        uint64
	iovlen     uint64
	control    uint64
	controllen uint64
}

func readMsghdr(t *kernel.Task, addr uint64) (msghdr, error) {
	b, err := copyIn(t, addr, 56)
	if err != nil {
		return msghdr{}, err
	}
	le := binary.LittleEndian
	return msghdr{le.Uint64(b[0:]), le.Uint32(b[8:]), le.Uint64(b[16:]), le.Uint64(b[24:]),
		le.Uint64(b[32:]), le.Uint64(b[40:])}, nil
}

const scmMaxFD = 253 // SCM_MAX_FD

func cmsgAlign(n uint64) uint64 { return (n + 7) &^ 7 }

// readControl decodes sendmsg's control messages: SCM_RIGHTS and SCM_CREDENTIALS, on
// Unix sockets.
func readControl(t *kernel.Task, s *wnet.Socket, h msghdr) (*wnet.Control, error) {
	if h.controllen == 0 {
		return nil, nil
	}
	if h.controllen > 1<<20 {
		return nil, linux.ENOBUFS
	}
	b, err := copyIn(t, h.control, h.controllen)
	if err != nil {
		return nil, err
	}
	ctl := &wnet.Control{}
	le := binary.LittleEndian
	for off := uint64(0); off+16 <= uint64(len(b)); {
		n := le.Uint64(b[off:])
		level, typ := int32(le.Uint32(b[off+8:])), int32(le.Uint32(b[off+12:]))
		if n < 16 || n > uint64(len(b))-off {
			return nil, linux.EINVAL
		}
		data := b[off+16 : off+n]
		if level == linux.SOL_SOCKET {
			if s.Family != linux.AF_UNIX {
				return nil, linux.EINVAL
			}
			switch typ {
			case linux.SCM_RIGHTS:
				if len(data)%4 != 0 || len(ctl.Files)+len(data)/4 > scmMaxFD {
					return nil, linux.EINVAL
				}
				for i := 0; i+4 <= len(data); i += 4 {
					f, err := file(t, uint64(le.Uint32(data[i:]))) // O_PATH descriptors travel too
					if err != nil {
						return nil, err
					}
					ctl.Files = append(ctl.Files, f)
				}
			case linux.SCM_CREDENTIALS:
				if len(data) != 12 {
					return nil, linux.EINVAL
				}
				// The sender names the IDs as its namespaces number them
				// (scm_check_creds: make_kuid, task_tgid_vnr); the message carries
				// the global PID and kernel IDs.
				pid := int32(le.Uint32(data))
				cr := t.TG.Creds
				uid, uok := cr.UserNS.KUID(le.Uint32(data[4:]))
				gid, gok := cr.UserNS.KGID(le.Uint32(data[8:]))
				if !uok || !gok {
					return nil, linux.EINVAL
				}
				if !t.MaySendCreds(int(pid), uid, gid) {
					return nil, linux.EPERM
				}
				c := wnet.Cred{PID: int32(t.GlobalPID(int(pid))), UID: uid, GID: gid}
				ctl.Cred = &c
			default:
				return nil, linux.EINVAL
			}
		}
		off += cmsgAlign(n)
	}
	return ctl, nil
}

// Sendmsg implements sendmsg(2).
func Sendmsg(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	return sendmsg(t, f, s, a[1], int(a[2]))
}

// sendmsg sends the message whose struct msghdr is at hdr.
func sendmsg(t *kernel.Task, f *vfs.File, s *wnet.Socket, hdr uint64, flags int) (uint64, error) {
	h, err := readMsghdr(t, hdr)
	if err != nil {
		return 0, err
	}
	to, err := destination(t, s, h.name, uint64(h.namelen))
	if err != nil {
		return 0, err
	}
	v, err := iovecs(t, h.iov, h.iovlen)
	if err != nil {
		return 0, err
	}
	var buf []byte
	for _, io := range v {
		n := min(io.len, maxIO-uint64(len(buf)))
		b, err := copyIn(t, io.base, n)
		if err != nil {
			return 0, err
		}
		buf = append(buf, b...)
	}
	ctl, err := readControl(t, s, h)
	if err != nil {
		return 0, err
	}
	return sendAll(t, f, s, buf, ctl, to, flags)
}

// Recvmsg implements recvmsg(2): passed files get descriptors in the receiver
// (MSG_CTRUNC, and the rest closed, when the control buffer cannot hold them all).
func Recvmsg(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	return recvmsg(t, f, s, a[1], int(a[2]))
}

// recvmsg receives into the struct msghdr at hdr, and fills in its results.
func recvmsg(t *kernel.Task, f *vfs.File, s *wnet.Socket, hdr uint64, flags int) (uint64, error) {
	h, err := readMsghdr(t, hdr)
	if err != nil {
		return 0, err
	}
	v, err := iovecs(t, h.iov, h.iovlen)
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, io := range v {
		total += io.len
	}
	r, n, err := recvInto(t, f, s, total, flags, func(off uint64, b []byte) error {
		for _, io := range v {
			if off >= io.len {
				off -= io.len
				continue
			}
			c := min(uint64(len(b)), io.len-off)
			if err := copyOut(t, io.base+off, b[:c]); err != nil {
				return err
			}
			b, off = b[c:], 0
			if len(b) == 0 {
				break
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	le := binary.LittleEndian
	var msgFlags uint32
	if r.Trunc {
		msgFlags |= linux.MSG_TRUNC
	}
	// Control messages: credentials first, then rights, as Linux's scm_recv.
	var ctl []byte
	room := h.controllen
	if r.Cred != nil {
		if room >= 16+12 {
			c := make([]byte, 32)
			le.PutUint64(c, 16+12)
			le.PutUint32(c[8:], linux.SOL_SOCKET)
			le.PutUint32(c[12:], linux.SCM_CREDENTIALS)
			seen := seenCred(t, *r.Cred)
			le.PutUint32(c[16:], uint32(seen.PID))
			le.PutUint32(c[20:], seen.UID)
			le.PutUint32(c[24:], seen.GID)
			ctl = append(ctl, c[:min(32, room)]...)
			room -= min(32, room)
		} else {
			msgFlags |= linux.MSG_CTRUNC
		}
	}
	if len(r.Files) > 0 {
		fit := 0
		if room >= 16 {
			fit = int((room - 16) / 4)
		}
		var fds []byte
		limit := t.TG.Rlimits[kernel.RLIMIT_NOFILE].Cur
		for i, file := range r.Files {
			if i >= fit {
				msgFlags |= linux.MSG_CTRUNC
				file.DecRef()
				continue
			}
			fd, err := t.TG.FDs.Install(file, flags&linux.MSG_CMSG_CLOEXEC != 0, 0, limit)
			if err != nil {
				msgFlags |= linux.MSG_CTRUNC
				file.DecRef()
				continue
			}
			fds = le.AppendUint32(fds, uint32(fd))
		}
		if len(fds) > 0 {
			c := make([]byte, 16, 16+len(fds)+4)
			le.PutUint64(c, uint64(16+len(fds)))
			le.PutUint32(c[8:], linux.SOL_SOCKET)
			le.PutUint32(c[12:], linux.SCM_RIGHTS)
			c = append(c, fds...)
			if l := cmsgAlign(uint64(len(c))); l <= room {
				c = append(c, make([]byte, l-uint64(len(c)))...)
			}
			ctl = append(ctl, c...)
		}
	}
	if len(ctl) > 0 {
		if err := copyOut(t, h.control, ctl); err != nil {
			return 0, err
		}
	}
	var tail [16]byte
	le.PutUint64(tail[0:], uint64(len(ctl)))
	le.PutUint32(tail[8:], msgFlags)
	if err := copyOut(t, hdr+40, tail[:12]); err != nil {
		return 0, err
	}
	if h.name != 0 {
		name := encodeAddr(r.From)
		if s.Type == linux.SOCK_STREAM && s.Family != linux.AF_UNIX {
			name = nil
		}
		if s.Family == linux.AF_UNIX && s.Type != linux.SOCK_DGRAM {
			name = nil
		}
		if err := copyOut(t, h.name, name[:min(len(name), int(h.namelen))]); err != nil {
			return 0, err
		}
		var nl [4]byte
		le.PutUint32(nl[:], uint32(len(name)))
		if err := copyOut(t, hdr+8, nl[:]); err != nil {
			return 0, err
		}
	}
	if flags&linux.MSG_TRUNC != 0 && s.Type != linux.SOCK_STREAM {
		return uint64(r.Full), nil
	}
	return n, nil
}

// mmsghdrSize is struct mmsghdr: a msghdr and the unsigned msg_len, padded to 8.
const mmsghdrSize = 64

// Sendmmsg implements sendmmsg(2): the messages in order, until one cannot go; the
// count sent, or the first one's error.
func Sendmmsg(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	f, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	return eachMsg(t, a[1], a[2], func(i uint64, hdr uint64) (uint64, error) {
		flags := int(a[3])
		if i > 0 {
			flags |= linux.MSG_DONTWAIT
		}
		return sendmsg(t, f, s, hdr, flags)
	})
}

// Recvmmsg implements recvmmsg(2): the first message as recvmsg would take it, then
// those already waiting.
func Recvmmsg(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	const MSG_WAITFORONE = 0x10000
	f, s, err := sock(t, a[0])
	if err != nil {
		return 0, err
	}
	return eachMsg(t, a[1], a[2], func(i uint64, hdr uint64) (uint64, error) {
		flags := int(a[3]) &^ MSG_WAITFORONE
		if i > 0 {
			flags |= linux.MSG_DONTWAIT
		}
		return recvmsg(t, f, s, hdr, flags)
	})
}

// eachMsg runs one for each struct mmsghdr of the vector at addr (at most UIO_MAXIOV),
// storing each result in its msg_len, until one fails: it returns how many succeeded,
// or the first one's error.
func eachMsg(t *kernel.Task, addr, n uint64, one func(i, hdr uint64) (uint64, error)) (uint64, error) {
	n = min(n, iovMax)
	var done uint64
	for i := range n {
		hdr := addr + i*mmsghdrSize
		r, err := one(i, hdr)
		if err != nil {
			if done == 0 {
				return 0, err
			}
			if errors.Is(err, kernel.ErrBlocked) {
				return 0, err
			}
			break
		}
		t.Call = kernel.CallState{} // the next message starts afresh
		var l [4]byte
		binary.LittleEndian.PutUint32(l[:], uint32(r))
		if err := copyOut(t, hdr+56, l[:]); err != nil {
			return done, nil
		}
		done++
	}
	return done, nil
}
