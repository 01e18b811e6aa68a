package net

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

func newStack() *Stack { return NewStack(vfs.New(1000, 1000, func([]byte) {})) }

var me = Cred{PID: 1, UID: 1000, GID: 1000}

func TestPairStream(t *testing.T) {
	st := newStack()
	a, b, err := st.Pair(linux.SOCK_STREAM, me)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"abc", "defg"} {
		if n, err := a.Send([]byte(w), nil, nil, 0, me); n != len(w) || err != nil {
			t.Fatalf("Send(%q) = %d, %v, want %d, nil", w, n, err, len(w))
		}
	}
	buf := make([]byte, 5)
	r, err := b.Recv(buf, linux.MSG_PEEK)
	if err != nil || string(buf[:r.N]) != "abcde" {
		t.Fatalf("peek = %q, %v, want abcde", buf[:r.N], err)
	}
	// The two writes make one stream: a read crosses their boundary.
	if r, _ = b.Recv(buf, 0); string(buf[:r.N]) != "abcde" {
		t.Fatalf("recv = %q, want abcde", buf[:r.N])
	}
	if got := b.Rx(); got != 2 {
		t.Fatalf("Rx() = %d, want 2", got)
	}
	a.Close()
	b.Recv(buf, 0)
	if r, err := b.Recv(buf, 0); r.N != 0 || err != nil {
		t.Fatalf("recv after close = %d, %v, want EOF", r.N, err)
	}
	if _, err := b.Send([]byte("x"), nil, nil, 0, me); err != vfs.ErrBrokenPipe {
		t.Fatalf("send to closed peer = %v, want ErrBrokenPipe", err)
	}
	if st.FS.MemoryBytes() != 0 {
		t.Fatalf("memory charged after close = %d, want 0", st.FS.MemoryBytes())
	}
}

func TestBackpressure(t *testing.T) {
	st := newStack()
	a, b, _ := st.Pair(linux.SOCK_STREAM, me)
	a.SndBuf = 1000
	n, err := a.Send(make([]byte, 1500), nil, nil, 0, me)
	if n != 1000 || err != nil {
		t.Fatalf("Send(1500) = %d, %v, want 1000, nil", n, err)
	}
	if _, err := a.Send([]byte("x"), nil, nil, 0, me); err != vfs.ErrWouldBlock {
		t.Fatalf("Send on a full buffer = %v, want ErrWouldBlock", err)
	}
	if a.Poll(nil, vfs.POLLOUT)&vfs.POLLOUT != 0 {
		t.Fatal("a full socket polls writable")
	}
	b.Recv(make([]byte, 300), 0)
	if a.Poll(nil, vfs.POLLOUT)&vfs.POLLOUT == 0 {
		t.Fatal("a drained socket does not poll writable")
	}
	if n, _ := a.Send(make([]byte, 500), nil, nil, 0, me); n != 300 {
		t.Fatalf("Send after reading 300 = %d, want 300", n)
	}
}

func TestSeqpacketBoundaries(t *testing.T) {
	st := newStack()
	a, b, _ := st.Pair(linux.SOCK_SEQPACKET, me)
	a.Send([]byte("0123456789"), nil, nil, 0, me)
	a.Send([]byte("xy"), nil, nil, 0, me)
	buf := make([]byte, 4)
	r, _ := b.Recv(buf, 0)
	if r.N != 4 || r.Full != 10 || !r.Trunc {
		t.Fatalf("recv 4 of 10 = %+v, want N 4 Full 10 Trunc", r)
	}
	r, _ = b.Recv(buf, 0)
	if string(buf[:r.N]) != "xy" {
		t.Fatalf("next record = %q, want xy (the rest of the first is dropped)", buf[:r.N])
	}
}

// countFile is an open file whose references the test watches.
func countFile(st *Stack) *vfs.File {
	return st.FS.NewSocketFile(st.newSocket(linux.AF_UNIX, linux.SOCK_STREAM, 0, me), 0, 0, 0)
}

func TestRightsInFlight(t *testing.T) {
	st := newStack()
	a, b, _ := st.Pair(linux.SOCK_DGRAM, me)
	f := countFile(st)
	if _, err := a.Send([]byte("f"), &Control{Files: []*vfs.File{f}}, nil, 0, me); err != nil {
		t.Fatal(err)
	}
	if f.Refs() != 2 {
		t.Fatalf("refs in flight = %d, want 2", f.Refs())
	}
	f.DecRef() // the sender closes its descriptor: the message still holds the file
	if f.Refs() != 1 {
		t.Fatalf("refs after sender closed = %d, want 1", f.Refs())
	}
	b.Close() // never received: the message and its file go
	if f.Refs() != 0 {
		t.Fatalf("refs after receiver closed = %d, want 0", f.Refs())
	}
	if st.Stats.FilesPassed != 1 {
		t.Fatalf("FilesPassed = %d, want 1", st.Stats.FilesPassed)
	}
}

func TestListenConnectAccept(t *testing.T) {
	st := newStack()
	l, _ := st.NewSocket(linux.AF_UNIX, linux.SOCK_STREAM, 0, me)
	if err := l.Listen(1); err != linux.EINVAL {
		t.Fatalf("listen unbound = %v, want EINVAL", err)
	}
	l.BindAbstract("srv")
	l.Listen(1)
	var cs []*Socket
	for i := range 3 {
		c, _ := st.NewSocket(linux.AF_UNIX, linux.SOCK_STREAM, 0, Cred{PID: int32(10 + i)})
		err := c.ConnectUnix(st.UnixAbstract("srv"))
		want := error(nil)
		if i == 2 {
			want = vfs.ErrWouldBlock // backlog 1 admits 2
		}
		if err != want {
			t.Fatalf("connect %d = %v, want %v", i, err, want)
		}
		cs = append(cs, c)
	}
	n, err := l.Accept()
	if err != nil || n.PeerCred().PID != 10 {
		t.Fatalf("accept = %v, peer pid %d, want 10", err, n.PeerCred().PID)
	}
	if err := cs[2].ConnectUnix(st.UnixAbstract("srv")); err != nil {
		t.Fatalf("connect after accept = %v, want nil", err)
	}
	c, _ := st.NewSocket(linux.AF_UNIX, linux.SOCK_DGRAM, 0, me)
	if err := c.ConnectUnix(st.UnixAbstract("srv")); err != linux.EPROTOTYPE {
		t.Fatalf("datagram connect to a stream listener = %v, want EPROTOTYPE", err)
	}
}

func TestInetPorts(t *testing.T) {
	st := newStack()
	tests := []struct {
		family   int
		addr     string
		v6only   bool
		wantErr  error
		wantPort uint16
	}{
		{linux.AF_INET, "127.0.0.1:8080", false, nil, 8080},
		{linux.AF_INET, "127.0.0.2:8080", false, nil, 8080},         // another address
		{linux.AF_INET, "0.0.0.0:8080", false, linux.EADDRINUSE, 0}, // overlaps both
		{linux.AF_INET6, "[::]:8080", true, nil, 8080},              // IPv6 only: no overlap
		{linux.AF_INET6, "[::]:8081", false, nil, 8081},
		{linux.AF_INET, "127.0.0.1:8081", false, linux.EADDRINUSE, 0}, // dual stack took it
		{linux.AF_INET, "10.0.0.1:9000", false, linux.EADDRNOTAVAIL, 0},
		{linux.AF_INET, "0.0.0.0:0", false, nil, ephemeralLow},
		{linux.AF_INET, "0.0.0.0:0", false, nil, ephemeralLow + 1},
	}
	for _, tc := range tests {
		s, _ := st.NewSocket(tc.family, linux.SOCK_STREAM, 0, me)
		s.V6Only = tc.v6only
		err := s.BindInet(netip.MustParseAddrPort(tc.addr), false)
		if err != tc.wantErr {
			t.Errorf("bind %s (v6only %v) = %v, want %v", tc.addr, tc.v6only, err, tc.wantErr)
			continue
		}
		if err == nil && s.Local().IP.Port() != tc.wantPort {
			t.Errorf("bind %s: port %d, want %d", tc.addr, s.Local().IP.Port(), tc.wantPort)
		}
	}
}

func TestInetConnect(t *testing.T) {
	st := newStack()
	l, _ := st.NewSocket(linux.AF_INET6, linux.SOCK_STREAM, 0, me)
	l.BindInet(netip.MustParseAddrPort("[::]:80"), true)
	l.Listen(4)
	tests := []struct {
		family int
		to     string
		want   error
	}{
		{linux.AF_INET, "127.0.0.1:80", nil},
		{linux.AF_INET, "127.9.9.9:80", nil},
		{linux.AF_INET6, "[::1]:80", nil},
		{linux.AF_INET, "127.0.0.1:81", linux.ECONNREFUSED},
		{linux.AF_INET, "10.0.0.1:80", linux.ENETUNREACH},
		{linux.AF_INET6, "[2001:db8::1]:80", linux.ENETUNREACH},
	}
	for _, tc := range tests {
		c, _ := st.NewSocket(tc.family, linux.SOCK_STREAM, 0, me)
		if err := c.ConnectInet(netip.MustParseAddrPort(tc.to)); err != tc.want {
			t.Errorf("connect %s = %v, want %v", tc.to, err, tc.want)
		}
	}
	n, _ := l.Accept()
	if got := n.remote.IP.Addr().String(); got != "::ffff:127.0.0.1" {
		t.Errorf("IPv4 client seen by an IPv6 listener as %s, want ::ffff:127.0.0.1", got)
	}
}

func TestUDP(t *testing.T) {
	st := newStack()
	r, _ := st.NewSocket(linux.AF_INET, linux.SOCK_DGRAM, 0, me)
	r.BindInet(netip.MustParseAddrPort("127.0.0.1:5000"), false)
	s, _ := st.NewSocket(linux.AF_INET, linux.SOCK_DGRAM, 0, me)
	to := &Addr{Family: linux.AF_INET, IP: netip.MustParseAddrPort("127.0.0.1:5000")}
	s.Send([]byte("one"), nil, to, 0, me)
	s.Send([]byte("two"), nil, &Addr{Family: linux.AF_INET, IP: netip.MustParseAddrPort("127.0.0.1:5001")}, 0, me)
	buf := make([]byte, 8)
	got, err := r.Recv(buf, 0)
	if err != nil || string(buf[:got.N]) != "one" || got.From.IP.Port() != s.Local().IP.Port() {
		t.Fatalf("recv = %q from %v, %v; want one from port %d", buf[:got.N], got.From.IP, err, s.Local().IP.Port())
	}
	if _, err := r.Recv(buf, 0); err != vfs.ErrWouldBlock {
		t.Fatalf("recv of a datagram sent to a closed port = %v, want ErrWouldBlock (dropped)", err)
	}
}

func TestNetlinkDump(t *testing.T) {
	st := newStack()
	s, err := st.NewSocket(linux.AF_NETLINK, linux.SOCK_RAW, linux.NETLINK_ROUTE, me)
	if err != nil {
		t.Fatal(err)
	}
	req := make([]byte, 20)
	binary.LittleEndian.PutUint32(req, 20)
	binary.LittleEndian.PutUint16(req[4:], linux.RTM_GETADDR)
	binary.LittleEndian.PutUint16(req[6:], linux.NLM_F_REQUEST|linux.NLM_F_DUMP)
	binary.LittleEndian.PutUint32(req[8:], 42)
	s.Send(req, nil, nil, 0, me)
	buf := make([]byte, 4096)
	r, _ := s.Recv(buf, 0)
	var types []uint16
	for off := 0; off < r.N; {
		n := int(binary.LittleEndian.Uint32(buf[off:]))
		types = append(types, binary.LittleEndian.Uint16(buf[off+4:]))
		if seq := binary.LittleEndian.Uint32(buf[off+8:]); seq != 42 {
			t.Fatalf("reply seq %d, want 42", seq)
		}
		off += (n + 3) &^ 3
	}
	want := []uint16{linux.RTM_NEWADDR, linux.RTM_NEWADDR, linux.NLMSG_DONE}
	if len(types) != len(want) {
		t.Fatalf("reply types %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("reply types %v, want %v", types, want)
		}
	}
}

func TestPendingConnect(t *testing.T) {
	st := newStack()
	l, _ := st.NewSocket(linux.AF_INET, linux.SOCK_STREAM, 0, me)
	l.BindInet(netip.MustParseAddrPort("127.0.0.1:7000"), false)
	l.Listen(0) // room for one connection
	to := netip.MustParseAddrPort("127.0.0.1:7000")
	a, _ := st.NewSocket(linux.AF_INET, linux.SOCK_STREAM, 0, me)
	if err := a.ConnectInet(to); err != nil {
		t.Fatalf("first connect = %v, want nil", err)
	}
	b, _ := st.NewSocket(linux.AF_INET, linux.SOCK_STREAM, 0, me)
	if err := b.ConnectInet(to); err != vfs.ErrWouldBlock {
		t.Fatalf("connect to a full backlog = %v, want ErrWouldBlock", err)
	}
	b.SetPending() // non-blocking: EINPROGRESS
	if err := b.ConnectInet(to); err != linux.EALREADY {
		t.Fatalf("connect again while pending = %v, want EALREADY", err)
	}
	l.Accept() // room: the pending connect completes
	if _, err := b.Remote(); err != nil {
		t.Fatalf("pending connect not completed after accept: %v", err)
	}
	if n, err := l.Accept(); err != nil || n.peer != b {
		t.Fatalf("accept = %v, peer %p, want b's connection", err, n)
	}
}

func TestReopenedSocketStaysOpen(t *testing.T) {
	st := newStack()
	a, b, _ := st.Pair(linux.SOCK_STREAM, me)
	f1 := st.FS.NewSocketFile(a, 0, 0, 0)
	f2 := vfs.Open(f1.Inode, vfs.O_RDWR, f1.Path) // /proc/self/fd/N opened again
	f1.DecRef()
	if _, err := b.Send([]byte("x"), nil, nil, 0, me); err != nil {
		t.Fatalf("send to a socket still open through another description = %v", err)
	}
	f2.DecRef()
	if _, err := b.Send([]byte("x"), nil, nil, 0, me); err != vfs.ErrBrokenPipe {
		t.Fatalf("send after the last description closed = %v, want ErrBrokenPipe", err)
	}
}
