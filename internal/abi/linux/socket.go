package linux

// Socket ABI: error numbers, address families, socket types, levels, options and
// message flags from include/uapi/asm-generic/errno.h, include/linux/socket.h,
// include/uapi/linux/in.h, in6.h, tcp.h, netlink.h, rtnetlink.h and sockios.h.

// Error numbers of the socket layer.
const (
	EPROTO          Errno = 71
	EDESTADDRREQ    Errno = 89
	EMSGSIZE        Errno = 90
	EPROTOTYPE      Errno = 91
	ENOPROTOOPT     Errno = 92
	EPROTONOSUPPORT Errno = 93
	ESOCKTNOSUPPORT Errno = 94
	EAFNOSUPPORT    Errno = 97
	EADDRINUSE      Errno = 98
	EADDRNOTAVAIL   Errno = 99
	ENETUNREACH     Errno = 101
	ECONNABORTED    Errno = 103
	ECONNRESET      Errno = 104
	ENOBUFS         Errno = 105
	EISCONN         Errno = 106
	ENOTCONN        Errno = 107
	ECONNREFUSED    Errno = 111
	EALREADY        Errno = 114
	EINPROGRESS     Errno = 115
)

func init() {
	for e, s := range map[Errno]string{
		EPROTO: "EPROTO", EDESTADDRREQ: "EDESTADDRREQ", EMSGSIZE: "EMSGSIZE",
		EPROTOTYPE: "EPROTOTYPE", ENOPROTOOPT: "ENOPROTOOPT", EPROTONOSUPPORT: "EPROTONOSUPPORT",
		ESOCKTNOSUPPORT: "ESOCKTNOSUPPORT", EAFNOSUPPORT: "EAFNOSUPPORT",
		EADDRINUSE: "EADDRINUSE", EADDRNOTAVAIL: "EADDRNOTAVAIL", ENETUNREACH: "ENETUNREACH",
		ECONNABORTED: "ECONNABORTED", ECONNRESET: "ECONNRESET", ENOBUFS: "ENOBUFS",
		EISCONN: "EISCONN", ENOTCONN: "ENOTCONN", ECONNREFUSED: "ECONNREFUSED",
		EALREADY: "EALREADY", EINPROGRESS: "EINPROGRESS",
	} {
		errnoNames[e] = s
	}
}

// Address families.
const (
	AF_UNSPEC  = 0
	AF_UNIX    = 1
	AF_INET    = 2
	AF_INET6   = 10
	AF_NETLINK = 16
)

// Socket types, and the flags socket(2) and socketpair(2) take with them.
const (
	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_RAW       = 3
	SOCK_SEQPACKET = 5
	SOCK_TYPE_MASK = 0xf
	SOCK_NONBLOCK  = 0o4000
	SOCK_CLOEXEC   = 0o2000000
)

// Protocol numbers.
const (
	IPPROTO_IP    = 0
	IPPROTO_TCP   = 6
	IPPROTO_UDP   = 17
	IPPROTO_IPV6  = 41
	NETLINK_ROUTE = 0
)

// Option levels and SOL_SOCKET options (asm-generic/socket.h).
const (
	SOL_SOCKET = 1

	SO_DEBUG       = 1
	SO_REUSEADDR   = 2
	SO_TYPE        = 3
	SO_ERROR       = 4
	SO_DONTROUTE   = 5
	SO_BROADCAST   = 6
	SO_SNDBUF      = 7
	SO_RCVBUF      = 8
	SO_KEEPALIVE   = 9
	SO_OOBINLINE   = 10
	SO_LINGER      = 13
	SO_REUSEPORT   = 15
	SO_PASSCRED    = 16
	SO_PEERCRED    = 17
	SO_RCVLOWAT    = 18
	SO_SNDLOWAT    = 19
	SO_RCVTIMEO    = 20
	SO_SNDTIMEO    = 21
	SO_ACCEPTCONN  = 30
	SO_SNDBUFFORCE = 32
	SO_RCVBUFFORCE = 33
	SO_PROTOCOL    = 38
	SO_DOMAIN      = 39
)

// IPPROTO_TCP, IPPROTO_IP and IPPROTO_IPV6 options.
const (
	TCP_NODELAY   = 1
	TCP_MAXSEG    = 2
	TCP_KEEPIDLE  = 4
	TCP_KEEPINTVL = 5
	TCP_KEEPCNT   = 6
	TCP_INFO      = 11
	TCP_QUICKACK  = 12
	IP_TOS        = 1
	IP_TTL        = 2
	IPV6_V6ONLY   = 26
)

// Message flags (send(2), recv(2)).
const (
	MSG_OOB          = 0x1
	MSG_PEEK         = 0x2
	MSG_DONTROUTE    = 0x4
	MSG_CTRUNC       = 0x8
	MSG_TRUNC        = 0x20
	MSG_DONTWAIT     = 0x40
	MSG_EOR          = 0x80
	MSG_WAITALL      = 0x100
	MSG_NOSIGNAL     = 0x4000
	MSG_MORE         = 0x8000
	MSG_CMSG_CLOEXEC = 0x40000000
)

// Control messages at SOL_SOCKET (unix(7)).
const (
	SCM_RIGHTS      = 1
	SCM_CREDENTIALS = 2
)

// shutdown(2) how.
const (
	SHUT_RD   = 0
	SHUT_WR   = 1
	SHUT_RDWR = 2
)

// Netlink (netlink(7), rtnetlink(7)).
const (
	NLMSG_NOOP      = 1
	NLMSG_ERROR     = 2
	NLMSG_DONE      = 3
	NLM_F_REQUEST   = 0x1
	NLM_F_MULTI     = 0x2
	NLM_F_DUMP      = 0x300
	RTM_NEWLINK     = 16
	RTM_GETLINK     = 18
	RTM_NEWADDR     = 20
	RTM_GETADDR     = 22
	IFLA_ADDRESS    = 1
	IFLA_BROADCAST  = 2
	IFLA_IFNAME     = 3
	IFLA_MTU        = 4
	IFLA_TXQLEN     = 13
	IFLA_OPERSTATE  = 16
	IFA_ADDRESS     = 1
	IFA_LOCAL       = 2
	IFA_LABEL       = 3
	IFA_F_PERMANENT = 0x80
	RT_SCOPE_HOST   = 254
	ARPHRD_LOOPBACK = 772
)

// Interface flags (netdevice(7)).
const (
	IFF_UP       = 0x1
	IFF_LOOPBACK = 0x8
	IFF_RUNNING  = 0x40
	IFF_LOWER_UP = 0x10000
)

// Socket ioctls (sockios.h) and FIONREAD.
const (
	FIONREAD     = 0x541b
	SIOCGIFNAME  = 0x8910
	SIOCGIFCONF  = 0x8912
	SIOCGIFFLAGS = 0x8913
	SIOCGIFINDEX = 0x8933
	SIOCGIFMTU   = 0x8921
	SIOCGIFADDR  = 0x8915
)
