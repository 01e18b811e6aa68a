package linux

// epoll(7), eventfd(2), timerfd_create(2), signalfd(2), timer_create(2) and
// pidfd_open(2) constants, as include/uapi/linux/eventpoll.h and friends define them
// for riscv64.

// epoll event bits (struct epoll_event's events).
const (
	EPOLLIN        = 0x1
	EPOLLPRI       = 0x2
	EPOLLOUT       = 0x4
	EPOLLERR       = 0x8
	EPOLLHUP       = 0x10
	EPOLLNVAL      = 0x20
	EPOLLRDNORM    = 0x40
	EPOLLRDBAND    = 0x80
	EPOLLWRNORM    = 0x100
	EPOLLWRBAND    = 0x200
	EPOLLMSG       = 0x400
	EPOLLRDHUP     = 0x2000
	EPOLLEXCLUSIVE = 1 << 28
	EPOLLWAKEUP    = 1 << 29
	EPOLLONESHOT   = 1 << 30
	EPOLLET        = 1 << 31
)

// epoll_ctl operations.
const (
	EPOLL_CTL_ADD = 1
	EPOLL_CTL_DEL = 2
	EPOLL_CTL_MOD = 3
)

// EPOLL_CLOEXEC is epoll_create1's one flag (O_CLOEXEC).
const EPOLL_CLOEXEC = 0o2000000

// eventfd2 flags.
const (
	EFD_SEMAPHORE = 1
	EFD_NONBLOCK  = 0o4000
	EFD_CLOEXEC   = 0o2000000
)

// timerfd flags.
const (
	TFD_NONBLOCK             = 0o4000
	TFD_CLOEXEC              = 0o2000000
	TFD_TIMER_ABSTIME        = 1
	TFD_TIMER_CANCEL_ON_SET  = 2
	SFD_NONBLOCK             = 0o4000
	SFD_CLOEXEC              = 0o2000000
	PIDFD_NONBLOCK           = 0o4000
	SIGEV_SIGNAL             = 0
	SIGEV_NONE               = 1
	SIGEV_THREAD             = 2
	SIGEV_THREAD_ID          = 4
	TIMER_ABSTIME            = 1
	P_PIDFD                  = 3
	SignalfdSiginfoSize      = 128
	EpollEventSize           = 16
	SigeventSize             = 64
	ItimerspecSize           = 32
	EP_MAX_NESTS             = 4
	EP_MAX_EVENTS            = 0x7fffffff / EpollEventSize
	EPOLL_EXCLUSIVE_OK_BITS  = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE
	EPOLL_PRIVATE_BITS       = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE
	EPOLL_CTL_ADD_ALWAYS     = EPOLLERR | EPOLLHUP
	POSIX_TIMER_MAX_PER_PROC = 1 << 15
)
