// Package linux holds the Linux ABI as seen by a riscv64 guest: syscall numbers
// (asm-generic), errno values, flags and struct layouts, with their C names.
//
// It is a leaf package: it imports nothing from weft.
package linux

import "strconv"

// Errno is a guest-visible error number. Handlers return it as an error; it becomes a
// negative return value only at the syscall boundary.
type Errno uint16

// Error numbers from include/uapi/asm-generic/errno-base.h and errno.h.
const (
	EPERM        Errno = 1
	ENOENT       Errno = 2
	ESRCH        Errno = 3
	EINTR        Errno = 4
	EIO          Errno = 5
	ENXIO        Errno = 6
	E2BIG        Errno = 7
	ENOEXEC      Errno = 8
	EBADF        Errno = 9
	ECHILD       Errno = 10
	EAGAIN       Errno = 11
	ENOMEM       Errno = 12
	EACCES       Errno = 13
	EFAULT       Errno = 14
	ENOTBLK      Errno = 15
	EBUSY        Errno = 16
	EEXIST       Errno = 17
	EXDEV        Errno = 18
	ENODEV       Errno = 19
	ENOTDIR      Errno = 20
	EISDIR       Errno = 21
	EINVAL       Errno = 22
	ENFILE       Errno = 23
	EMFILE       Errno = 24
	ENOTTY       Errno = 25
	ETXTBSY      Errno = 26
	EFBIG        Errno = 27
	ENOSPC       Errno = 28
	ESPIPE       Errno = 29
	EROFS        Errno = 30
	EMLINK       Errno = 31
	EPIPE        Errno = 32
	EDOM         Errno = 33
	ERANGE       Errno = 34
	EDEADLK      Errno = 35
	ENAMETOOLONG Errno = 36
	ENOLCK       Errno = 37
	ENOSYS       Errno = 38
	ENOTEMPTY    Errno = 39
	ELOOP        Errno = 40
	ENOMSG       Errno = 42
	EIDRM        Errno = 43
	ENODATA      Errno = 61
	EBADMSG      Errno = 74 // also a bad metadata checksum (the kernel's EFSBADCRC)
	EOVERFLOW    Errno = 75
	ELIBBAD      Errno = 80
	EUSERS       Errno = 87
	ENOTSOCK     Errno = 88
	EOPNOTSUPP   Errno = 95
	ETIMEDOUT    Errno = 110
	EUCLEAN      Errno = 117 // a corrupt file system (the kernel's EFSCORRUPTED)
	EHWPOISON    Errno = 133 // memory page has hardware error
	ERESTARTSYS  Errno = 512 // kernel-internal: restart the call if SA_RESTART
)

var errnoNames = map[Errno]string{
	EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO",
	ENXIO: "ENXIO", E2BIG: "E2BIG", ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD",
	EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT",
	ENOTBLK: "ENOTBLK", EBUSY: "EBUSY", EEXIST: "EEXIST", EXDEV: "EXDEV", ENODEV: "ENODEV",
	ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE",
	EMFILE: "EMFILE", ENOTTY: "ENOTTY", ETXTBSY: "ETXTBSY", EFBIG: "EFBIG",
	ENOSPC: "ENOSPC", ESPIPE: "ESPIPE", EROFS: "EROFS", EMLINK: "EMLINK", EPIPE: "EPIPE",
	EDOM: "EDOM", ERANGE: "ERANGE", EDEADLK: "EDEADLK", ENAMETOOLONG: "ENAMETOOLONG",
	ENOLCK: "ENOLCK", ENOSYS: "ENOSYS", ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP",
	ENOMSG: "ENOMSG", ENODATA: "ENODATA", EOVERFLOW: "EOVERFLOW", ENOTSOCK: "ENOTSOCK",
	EOPNOTSUPP: "EOPNOTSUPP", ETIMEDOUT: "ETIMEDOUT", ERESTARTSYS: "ERESTARTSYS",
	ELIBBAD: "ELIBBAD", EUSERS: "EUSERS",
	EIDRM: "EIDRM", EUCLEAN: "EUCLEAN", EHWPOISON: "EHWPOISON", EBADMSG: "EBADMSG",
}

// String returns the C name, e.g. "ENOENT".
func (e Errno) String() string {
	if s, ok := errnoNames[e]; ok {
		return s
	}
	return "errno " + strconv.Itoa(int(e))
}

func (e Errno) Error() string { return e.String() }
