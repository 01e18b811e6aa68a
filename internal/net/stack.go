// Package net is weft's socket layer: Unix domain sockets (stream, datagram and
// seqpacket, on guest paths and in the abstract namespace), the guest's loopback network
// (TCP and UDP over IPv4 and IPv6 on 127.0.0.0/8 and ::1, no host network at all) and a
// NETLINK_ROUTE socket that describes the one interface, lo.
//
// A Socket is the device behind a vfs.File of type S_IFSOCK. Nothing here blocks:
// an operation that must wait returns vfs.ErrWouldBlock, and the syscall layer parks
// the task on the socket's queues (Queues) and retries the call when woken, so waits on
// sockets are the kernel's wait queues and a deadlock between processes blocked in
// recv is reported like a futex deadlock.
//
// There are no segments, checksums or retransmissions: a connected pair of stream
// sockets is two byte queues, which is all a loopback TCP connection can show its
// programs. Everything is owned by the kernel's simulation goroutine; no map is ever
// iterated, so every choice (ephemeral ports, autobind names, delivery order) is
// deterministic.
package net

import (
	"net/netip"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// Stack is one kernel's network: its Unix socket names, its ports, its counters.
type Stack struct {
	FS *vfs.FS
	// paths maps the inode of a socket node made by bind(2) to the socket bound there.
	paths map[*vfs.Inode]*Socket
	// abstract maps Unix abstract names (without the leading NUL) to their sockets.
	abstract map[string]*Socket
	// nextAutobind is the next abstract name autobind tries (five hex digits, as Linux).
	nextAutobind uint32
	// bound lists the bound TCP and UDP sockets in the order they were bound; lookups
	// scan it, so the first match is always the same one.
	bound []*Socket
	// nextPort is the next ephemeral port to try, per protocol (0 TCP, 1 UDP).
	nextPort [2]uint16
	// nlPorts are the netlink port IDs in use; nextNL numbers those that cannot be
	// a pid.
	nlPorts []uint32
	nextNL  uint32
	// Stats counts the work of the stack and of every network namespace made from it
	// (NewNamespace), for weft's reports.
	Stats *Stats
	// Conf holds the namespace's IPv4 interface settings that /proc/sys/net/ipv4/conf
	// shows: for all interfaces, the default for new ones, and the loopback's.
	Conf struct{ All, Default, Lo DevConf }
	// init is the first network namespace, the one the kernel booted with, whose
	// settings a new namespace starts from.
	init *Stack
}

// DevConf is one interface's IPv4 settings (Linux's ipv4_devconf). weft keeps the
// ones programs read and set to tell namespaces apart; its loopback network has no
// routing for the others to change.
type DevConf struct {
	// Tag is the interface's tag ("tag": a value the kernel keeps for the
	// administrator and never acts on).
	Tag int64
}

// NewNamespace returns a new, empty network namespace (clone(2) or unshare(2) with
// CLONE_NEWNET): its own abstract Unix names, ports, bound sockets and netlink ports;
// Unix sockets bound to file system paths stay reachable from every namespace, as on
// Linux. Its settings start as the first namespace's "all" and "default" ones, and
// its loopback interface takes the default (net.core.devconf_inherit_init_net 0).
func (st *Stack) NewNamespace() *Stack {
	n := NewStack(st.FS)
	n.paths, n.Stats, n.init = st.paths, st.Stats, st.init
	n.Conf.All, n.Conf.Default, n.Conf.Lo = st.init.Conf.All, st.init.Conf.Default, st.init.Conf.Default
	return n
}

// Stats is the counted work of the socket layer.
type Stats struct {
	Sockets     uint64 // sockets created (socket, socketpair, accept)
	Connects    uint64 // connections made
	Messages    uint64 // messages (or stream writes) queued
	Bytes       uint64 // bytes queued
	FilesPassed uint64 // open files sent with SCM_RIGHTS
}

// NewStack returns an empty network (the first network namespace) whose buffers count
// against fs's memory cap.
func NewStack(fs *vfs.FS) *Stack {
	st := &Stack{
		FS:           fs,
		paths:        map[*vfs.Inode]*Socket{},
		abstract:     map[string]*Socket{},
		nextAutobind: 0,
		nextPort:     [2]uint16{ephemeralLow, ephemeralLow},
		Stats:        &Stats{},
	}
	st.init = st
	return st
}

// Linux's default ip_local_port_range.
const (
	ephemeralLow  = 32768
	ephemeralHigh = 60999
)

// Cred is the identity a socket reports to its peer (SO_PEERCRED, SCM_CREDENTIALS).
type Cred struct {
	PID      int32
	UID, GID uint32
	// NSPID is the process as its own PID namespace numbers it: a netlink socket's
	// automatic port ID (PID is global, translated for each reader).
	NSPID int32
}

// Addr is a socket address of any family weft knows.
type Addr struct {
	Family int
	// Unix: Path is the name as bound; Abstract says it lives in the abstract
	// namespace (the leading NUL not included in Path). Unnamed if both are empty.
	Path     string
	Abstract bool
	// Inet: the address and port; IP is 4 bytes for AF_INET, 16 for AF_INET6.
	IP netip.AddrPort
	// Netlink: the port ID.
	NLPort uint32
	// Target is the socket a Unix address names, resolved by the caller (who walks
	// paths) for a datagram's destination.
	Target *Socket
}

// Named reports whether a Unix address has a name.
func (a Addr) Named() bool { return a.Path != "" || a.Abstract }

// Interface is a network interface as ioctl and netlink describe it.
type Interface struct {
	Index int
	Name  string
	Flags uint32
	MTU   int
	Addrs []netip.Prefix
}

// Interfaces lists the guest's network interfaces: only the loopback one, lo.
func Interfaces() []Interface {
	return []Interface{{
		Index: 1,
		Name:  "lo",
		Flags: linux.IFF_UP | linux.IFF_LOOPBACK | linux.IFF_RUNNING | linux.IFF_LOWER_UP,
		MTU:   65536,
		Addrs: []netip.Prefix{
			netip.PrefixFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 8),
			netip.PrefixFrom(netip.IPv6Loopback(), 128),
		},
	}}
}

// loopback reports whether ip (unmapped) is an address of lo: 127.0.0.0/8 or ::1.
func loopback(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback()
}

// local reports whether a socket may bind ip: lo's addresses or the unspecified one.
func local(ip netip.Addr) bool {
	return loopback(ip) || ip.Unmap().IsUnspecified()
}
