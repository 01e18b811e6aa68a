package vfs

// Signal-driven I/O (fcntl(2): O_ASYNC, F_SETOWN, F_SETOWN_EX, F_SETSIG): an open file
// description with O_ASYNC set has its owner (a thread, a process or a process group)
// signalled when I/O becomes possible on it. The file system says when; the kernel
// (FS.Notify) picks the signal and sends it.

// O_ASYNC is FASYNC (asm-generic/fcntl.h).
const O_ASYNC = 0o20000

// Owner types of F_SETOWN_EX (struct f_owner_ex).
const (
	F_OWNER_TID  = 0
	F_OWNER_PID  = 1
	F_OWNER_PGRP = 2
)

// Owner is who an open file description signals: ID 0 is no one. UID and EUID are the
// credentials of whoever set it, which the kernel checks against the target's as for
// kill(2) (Linux's sigio_perm).
type Owner struct {
	Type      int32
	ID        int
	UID, EUID uint32
}

// Async is the signal-driven I/O state of an open file description.
type Async struct {
	Owner Owner
	Sig   int // F_SETSIG: 0 sends SIGIO without details
	FD    int // the descriptor O_ASYNC was set through (siginfo's si_fd)
}

// notifyAsync tells the kernel that I/O is possible (band: POLLIN, POLLOUT ...) on each
// of files that wants to know.
func (fs *FS) notifyAsync(files []*File, band uint32) {
	if fs == nil || fs.Notify == nil {
		return
	}
	for _, f := range files {
		if f.Flags&O_ASYNC != 0 && f.Async.Owner.ID != 0 {
			fs.Notify(f, band)
		}
	}
}
