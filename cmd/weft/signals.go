package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

// How weft ends a run the guest does not end itself after a signal from the host.
const (
	// doubleInterrupt: a second Ctrl-C this soon after the first ends the run, as
	// many interactive tools do (the guest may catch SIGINT and carry on, which is
	// legitimate for a REPL; the person at the keyboard still needs a way out).
	doubleInterrupt = time.Second
	// gracePeriod: after SIGTERM, SIGHUP or SIGQUIT, the guest has this long (host
	// time) to exit before weft ends the run itself.
	gracePeriod = 5 * time.Second
)

// hostSignals are the signals weft forwards to the guest's foreground process group,
// as a terminal's line discipline sends them to the terminal's foreground group.
var hostSignals = []os.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP,
	syscall.SIGTSTP, syscall.SIGCONT}

// forwarder delivers the host's signals to a kernel.
type forwarder struct {
	ch     chan os.Signal
	done   chan struct{}
	stderr io.Writer
	stdin  *hostReader // interrupted when the run is ended, or by a terminal's signal

	mu      sync.Mutex
	k       *kernel.Kernel
	early   []syscall.Signal // came while the program was being loaded
	lastInt time.Time
	grace   *time.Timer
}

// startForwarding catches the host signals until stop is called. The kernel is set
// with attach once it exists; a signal that comes before is forwarded then.
func startForwarding(stderr io.Writer, stdin *hostReader) *forwarder {
	f := &forwarder{ch: make(chan os.Signal, 8), done: make(chan struct{}), stderr: stderr, stdin: stdin}
	signal.Notify(f.ch, hostSignals...)
	go f.loop()
	return f
}

func (f *forwarder) attach(k *kernel.Kernel) {
	f.mu.Lock()
	f.k = k
	early := f.early
	f.early = nil
	f.mu.Unlock()
	for _, s := range early {
		f.handle(s)
	}
}

func (f *forwarder) stop() {
	signal.Stop(f.ch)
	close(f.done)
	f.mu.Lock()
	if f.grace != nil {
		f.grace.Stop()
	}
	f.mu.Unlock()
}

func (f *forwarder) loop() {
	for {
		select {
		case <-f.done:
			return
		case s := <-f.ch:
			f.handle(s.(syscall.Signal))
		}
	}
}

func (f *forwarder) handle(s syscall.Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := f.k
	if k == nil {
		f.early = append(f.early, s) // forwarded once the kernel exists
		return
	}
	sig := linux.Signal(s)
	switch s {
	case syscall.SIGINT:
		now := time.Now()
		if !f.lastInt.IsZero() && now.Sub(f.lastInt) < doubleInterrupt {
			fmt.Fprintln(f.stderr, "weft: interrupted twice: ending the run")
			f.abort(sig)
			return
		}
		f.lastInt = now
	case syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT:
		if f.grace == nil {
			f.grace = time.AfterFunc(gracePeriod, func() {
				f.mu.Lock()
				defer f.mu.Unlock()
				fmt.Fprintf(f.stderr, "weft: the guest did not exit within %v of %v: ending the run\n", gracePeriod, sig)
				f.abort(sig)
			})
		}
	}
	k.PostHostSignal(sig)
	if f.stdin != nil && f.stdin.tty && s != syscall.SIGCONT && s != syscall.SIGTSTP {
		// On a terminal the same keystroke would interrupt the guest's read: let the
		// kernel see the signal now rather than after the next line of input.
		f.stdin.interrupt(linux.EINTR)
	}
}

// abort ends the run; f.mu is held.
func (f *forwarder) abort(sig linux.Signal) {
	f.k.Abort(sig)
	if f.stdin != nil {
		f.stdin.interrupt(linux.EIO)
	}
}

// stopSelf stops weft as a job of its shell, once the guest's foreground group was
// stopped by a host signal (Ctrl-Z); the shell's fg or bg sends SIGCONT, which weft
// forwards to the guest.
func stopSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGSTOP)
}

// hostReader reads weft's standard input for the guest on a goroutine, so that a read
// that waits for the host (a terminal, a pipe) can be interrupted: by a signal from a
// terminal, or when the run is ended. The kernel still sees one synchronous read at a
// time, so a run with the same input is as deterministic as before.
type hostReader struct {
	r   io.Reader
	tty bool

	mu       sync.Mutex
	inflight chan readResult // the read under way, or nil
	buf      []byte          // its buffer
	left     []byte          // bytes read but not yet returned
	waiting  bool            // a Read waits for inflight
	intr     chan error      // interrupt: the error a waiting Read returns
}

type readResult struct {
	n   int
	err error
}

func newHostReader(r io.Reader, tty bool) *hostReader {
	return &hostReader{r: r, tty: tty, intr: make(chan error, 1)}
}

func (h *hostReader) Read(p []byte) (int, error) {
	h.mu.Lock()
	if len(h.left) > 0 {
		n := copy(p, h.left)
		h.left = h.left[n:]
		h.mu.Unlock()
		return n, nil
	}
	if h.inflight == nil {
		ch := make(chan readResult, 1)
		buf := make([]byte, len(p))
		h.inflight, h.buf = ch, buf
		go func() {
			n, err := h.r.Read(buf)
			ch <- readResult{n, err}
		}()
	}
	ch := h.inflight
	h.waiting = true
	select {
	case <-h.intr: // an interrupt that came when no Read waited is stale
	default:
	}
	h.mu.Unlock()
	select {
	case res := <-ch:
		h.mu.Lock()
		defer h.mu.Unlock()
		h.inflight, h.waiting = nil, false
		n := copy(p, h.buf[:res.n])
		// An interrupted read is taken by a later Read, which may bring a smaller
		// buffer: keep what does not fit for the next one.
		h.left = h.buf[n:res.n]
		if n == 0 {
			return 0, res.err
		}
		return n, nil
	case err := <-h.intr:
		h.mu.Lock()
		h.waiting = false
		h.mu.Unlock()
		return 0, err // the read stays in flight; a later Read takes its result
	}
}

// interrupt makes a waiting Read return err (an errno for the guest).
func (h *hostReader) interrupt(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.waiting {
		return
	}
	select {
	case h.intr <- err:
	default:
	}
}
