package kernel

import (
	"errors"
	"fmt"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// The kernel log (Linux's printk ring buffer) and /dev/kmsg, its record interface
// (Documentation/ABI/testing/dev-kmsg): the kernel's messages, and those programs
// write to /dev/kmsg, each a numbered record with its priority and the virtual time
// since boot. The oldest records go when the text held passes logBufLen.

// logBufLen is the log's size: Linux's default, 1 << CONFIG_LOG_BUF_SHIFT (17).
const logBufLen = 1 << 17

// recordMax is the longest message a write to /dev/kmsg may carry (EINVAL past it):
// Linux's PRINTKRB_RECORD_MAX.
const recordMax = 1024

// recordBytes is what a record costs the host besides its text: the record and its
// slice slot.
const recordBytes = 48

// Syslog priorities (syslog(3)): a record's priority is facility<<3 | level.
const (
	logKern    = 0 // facility of the kernel's own messages
	logUser    = 1 // the facility a write to /dev/kmsg gets unless it names another
	logWarning = 4 // the level a write to /dev/kmsg gets unless it names one (Linux's default_message_loglevel)
)

// Levels of the kernel's own messages (linux/kern_levels.h).
const (
	KERN_ERR    = 3
	KERN_NOTICE = 5
	KERN_INFO   = 6 // pr_info
)

// logRecord is one message of the log.
type logRecord struct {
	seq  uint64
	usec uint64 // virtual time since boot, in microseconds
	prio uint32 // facility<<3 | level
	text string // without the trailing newline
}

// kernelLog is the log. The kernel's goroutine owns it.
type kernelLog struct {
	records []logRecord // oldest first; records[0].seq is the first one still held
	next    uint64      // the sequence number of the next record
	bytes   int         // text held
	// readable wakes readers of /dev/kmsg and syslog(2) blocked for a new record.
	readable vfs.Queue
	// syslogSeq and syslogPartial are where syslog(2)'s destructive read stands: the
	// next record, and how many bytes of its text it has given already; clearSeq is
	// where SYSLOG_ACTION_CLEAR left the log for SYSLOG_ACTION_READ_ALL;
	// consoleLevel is the console log level syslog(2) sets and /proc/sys/kernel/printk
	// would show (weft has no console the kernel prints to).
	syslogSeq, syslogPartial, clearSeq uint64
	consoleLevel, savedLevel           int
}

// first is the sequence number of the oldest record held (next when there is none).
func (l *kernelLog) first() uint64 {
	if len(l.records) == 0 {
		return l.next
	}
	return l.records[0].seq
}

// Logf adds a message of the kernel (facility kern) at level to the log, as printk.
func (k *Kernel) Logf(level uint32, format string, args ...any) {
	k.logAdd(logKern<<3|level, fmt.Sprintf(format, args...))
}

// logAdd appends a record, dropping the oldest ones while the text held passes
// logBufLen. A record the memory cap has no room for is lost, as one the ring buffer
// had no room for.
func (k *Kernel) logAdd(prio uint32, text string) {
	l := &k.klog
	text = strings.TrimSuffix(text, "\n")
	if !k.pool.Charge(int64(len(text) + recordBytes)) {
		return
	}
	l.records = append(l.records, logRecord{seq: l.next, usec: k.now() / 1000, prio: prio, text: text})
	l.next++
	l.bytes += len(text)
	for l.bytes > logBufLen && len(l.records) > 1 {
		old := l.records[0]
		l.records[0] = logRecord{}
		l.records = l.records[1:]
		l.bytes -= len(old.text)
		k.pool.Uncharge(int64(len(old.text) + recordBytes))
	}
	l.readable.WakeAll()
}

// kmsgDev is /dev/kmsg. Each open file description reads the records in order from
// its own position, which the description's Offset holds: 0 for the oldest record
// held (where an open starts), else the next record's sequence number plus one.
type kmsgDev struct{ k *Kernel }

// position is the sequence number of the record f reads next.
func (d kmsgDev) position(f *vfs.File) uint64 {
	if f.Offset == 0 {
		return d.k.klog.first()
	}
	return uint64(f.Offset) - 1
}

// Read implements vfs.Device: one whole record per call, in the form
// "PRIO,SEQ,USEC,FLAGS;TEXT\n", unprintable bytes escaped as \xNN. A reader whose
// next record has gone from the log gets EPIPE once and continues at the oldest one
// held; a buffer too small for the record is EINVAL.
func (d kmsgDev) Read(f *vfs.File, p []byte) (int, error) {
	l := &d.k.klog
	seq := d.position(f)
	if seq < l.first() {
		f.Offset = 0
		return 0, linux.EPIPE
	}
	if seq >= l.next {
		return 0, vfs.ErrWouldBlock
	}
	r := l.records[seq-l.first()]
	line := formatRecord(r)
	if len(line) > len(p) {
		return 0, linux.EINVAL
	}
	f.Offset = int64(seq + 2)
	return copy(p, line), nil
}

// formatRecord is r as /dev/kmsg reads it (printk.c's info_print_ext_header and
// msg_add_ext_text).
func formatRecord(r logRecord) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d,%d,%d,-;", r.prio, r.seq, r.usec)
	for i := 0; i < len(r.text); i++ {
		c := r.text[i]
		if c < ' ' || c >= 127 || c == '\\' {
			fmt.Fprintf(&b, "\\x%02x", c)
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('\n')
	return b.String()
}

// Write implements vfs.Device: the whole write is one message, "<N>" in front giving
// its priority (a facility of 0, the kernel's, becomes user), else level warning,
// facility user (devkmsg_write).
func (d kmsgDev) Write(_ *vfs.File, p []byte) (int, error) {
	if len(p) > recordMax {
		return 0, linux.EINVAL
	}
	prio, text := kmsgPrefix(string(p))
	d.k.logAdd(prio, text)
	return len(p), nil
}

// kmsgPrefix splits a message written to /dev/kmsg into its priority and text: a
// prefix "<" digits ">" gives the priority (a facility of 0, the kernel's, becomes
// user), as simple_strtoul reads it (no digits is 0); without one the priority is
// level warning, facility user.
func kmsgPrefix(text string) (uint32, string) {
	prio := uint32(logUser<<3 | logWarning)
	if !strings.HasPrefix(text, "<") {
		return prio, text
	}
	var u uint64
	i := 1
	for ; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
		u = u*10 + uint64(text[i]-'0')
	}
	if i == len(text) || text[i] != '>' {
		return prio, text
	}
	prio = uint32(u)
	if prio>>3 == logKern {
		prio |= logUser << 3
	}
	return prio, text[i+1:]
}

// IsTTY implements vfs.Device.
func (kmsgDev) IsTTY() bool { return false }

// Seek implements vfs.Seeker: only to offset 0 from SEEK_SET (the oldest record held),
// SEEK_END (after the newest) or SEEK_DATA (after the last syslog(2) clear: weft's log
// is never cleared, so the oldest); any other offset is ESPIPE (devkmsg_llseek).
func (d kmsgDev) Seek(f *vfs.File, off int64, whence int) (int64, error) {
	if off != 0 {
		return 0, linux.ESPIPE
	}
	l := &d.k.klog
	switch whence {
	case vfs.SEEK_SET, vfs.SEEK_DATA:
		f.Offset = int64(l.first() + 1)
	case vfs.SEEK_END:
		f.Offset = int64(l.next + 1)
	default:
		return 0, linux.EINVAL
	}
	return 0, nil
}

// Poll implements vfs.Pollable: readable when a record waits, and POLLERR|POLLPRI
// too when the next one has gone from the log (devkmsg_poll).
func (d kmsgDev) Poll(f *vfs.File, want int16) int16 {
	l := &d.k.klog
	var ready int16
	seq := d.position(f)
	if seq < l.next {
		ready |= vfs.POLLIN
		if seq < l.first() {
			ready |= vfs.POLLERR | vfs.POLLPRI
		}
	}
	if f.Writable() {
		ready |= vfs.POLLOUT
	}
	return ready & (want | vfs.POLLERR)
}

// Queues implements vfs.Pollable: readers wait for a new record; writes never wait.
func (d kmsgDev) Queues(_ *vfs.File, write bool) *vfs.Queue {
	if write {
		return nil
	}
	return &d.k.klog.readable
}

// makeKmsg makes /dev/kmsg (character device 1:11, read and written by root) and logs
// the kernel's banner, the first line of Linux's log.
func (k *Kernel) makeKmsg() {
	k.FS.AddNode("/dev/kmsg", k.FS.NewDevice(kmsgDev{k}, 0o644, 1<<8|11))
	k.Logf(KERN_NOTICE, "%s", strings.TrimSuffix(procVersion, "\n"))
}

// syslog(2)'s actions (linux/syslog.h).
const (
	SYSLOG_ACTION_CLOSE = iota
	SYSLOG_ACTION_OPEN
	SYSLOG_ACTION_READ
	SYSLOG_ACTION_READ_ALL
	SYSLOG_ACTION_READ_CLEAR
	SYSLOG_ACTION_CLEAR
	SYSLOG_ACTION_CONSOLE_OFF
	SYSLOG_ACTION_CONSOLE_ON
	SYSLOG_ACTION_CONSOLE_LEVEL
	SYSLOG_ACTION_SIZE_UNREAD
	SYSLOG_ACTION_SIZE_BUFFER
)

// defaultConsoleLevel is Linux's CONSOLE_LOGLEVEL_DEFAULT.
const defaultConsoleLevel = 7

// ErrSyslogWait is Syslog's answer when SYSLOG_ACTION_READ must wait for a record:
// the caller blocks the task on SyslogQueue and calls again.
var ErrSyslogWait = errors.New("syslog: no record to read yet")

// SyslogQueue is the queue a task waiting in syslog(2) blocks on.
func (k *Kernel) SyslogQueue() *WaitQueue { return &k.klog.readable }

// syslogText is r as syslog(2) gives it: each line of the text after "<PRIO>" and the
// time since boot, "[SECONDS.MICROSECONDS] " (record_print_text, with printk_time).
func syslogText(r logRecord) string {
	prefix := fmt.Sprintf("<%d>[%5d.%06d] ", r.prio, r.usec/1e6, r.usec%1e6)
	var b strings.Builder
	for _, line := range strings.Split(r.text, "\n") {
		b.WriteString(prefix)
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// Syslog is syslog(2) (do_syslog) for t: it returns the call's value and, for the
// reading actions, the bytes to copy to the caller's buffer of length n (EINVAL if
// there is no buffer, buf false). Only
// SYSLOG_ACTION_READ_ALL and SYSLOG_ACTION_SIZE_BUFFER are open to everyone
// (kernel.dmesg_restrict is 0); the rest want CAP_SYSLOG or CAP_SYS_ADMIN (EPERM).
func (k *Kernel) Syslog(t *Task, action int, buf bool, n int64) ([]byte, int64, error) {
	l := &k.klog
	if action != SYSLOG_ACTION_READ_ALL && action != SYSLOG_ACTION_SIZE_BUFFER &&
		!t.TG.Creds.Capable(CAP_SYSLOG) && !t.TG.Creds.Capable(CAP_SYS_ADMIN) {
		return nil, 0, linux.EPERM
	}
	if l.consoleLevel == 0 {
		l.consoleLevel = defaultConsoleLevel
	}
	switch action {
	case SYSLOG_ACTION_CLOSE, SYSLOG_ACTION_OPEN:
		return nil, 0, nil
	case SYSLOG_ACTION_READ:
		if !buf || n < 0 {
			return nil, 0, linux.EINVAL
		}
		if n == 0 {
			return nil, 0, nil
		}
		if l.syslogSeq < l.first() {
			l.syslogSeq, l.syslogPartial = l.first(), 0 // the records it missed are gone
		}
		if l.syslogSeq >= l.next {
			return nil, 0, ErrSyslogWait
		}
		var out []byte
		for l.syslogSeq < l.next {
			text := syslogText(l.records[l.syslogSeq-l.first()])[l.syslogPartial:]
			switch {
			case int64(len(out)+len(text)) <= n:
				out = append(out, text...)
				l.syslogSeq++
				l.syslogPartial = 0
				continue
			case len(out) == 0: // a record longer than the buffer: part of it
				out = append(out, text[:n]...)
				l.syslogPartial += uint64(n)
			}
			break
		}
		return out, int64(len(out)), nil
	case SYSLOG_ACTION_READ_ALL, SYSLOG_ACTION_READ_CLEAR:
		if !buf || n < 0 {
			return nil, 0, linux.EINVAL
		}
		if n == 0 {
			return nil, 0, nil
		}
		// The newest records that fit, from the last clear on (syslog_print_all).
		from := max(l.clearSeq, l.first())
		var texts []string
		var total int64
		for seq := l.next; seq > from; seq-- {
			text := syslogText(l.records[seq-1-l.first()])
			if total+int64(len(text)) > n {
				break
			}
			texts = append(texts, text)
			total += int64(len(text))
		}
		out := make([]byte, 0, total)
		for i := len(texts) - 1; i >= 0; i-- {
			out = append(out, texts[i]...)
		}
		if action == SYSLOG_ACTION_READ_CLEAR {
			l.clearSeq = l.next
		}
		return out, int64(len(out)), nil
	case SYSLOG_ACTION_CLEAR:
		l.clearSeq = l.next
		return nil, 0, nil
	case SYSLOG_ACTION_CONSOLE_OFF:
		if l.savedLevel == 0 {
			l.savedLevel, l.consoleLevel = l.consoleLevel, 1 // minimum_console_loglevel
		}
		return nil, 0, nil
	case SYSLOG_ACTION_CONSOLE_ON:
		if l.savedLevel != 0 {
			l.consoleLevel, l.savedLevel = l.savedLevel, 0
		}
		return nil, 0, nil
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if n < 1 || n > 8 {
			return nil, 0, linux.EINVAL
		}
		l.consoleLevel, l.savedLevel = int(n), 0
		return nil, 0, nil
	case SYSLOG_ACTION_SIZE_UNREAD:
		var size int64
		for seq := max(l.syslogSeq, l.first()); seq < l.next; seq++ {
			size += int64(len(syslogText(l.records[seq-l.first()])))
		}
		if l.syslogSeq >= l.first() {
			size -= int64(l.syslogPartial)
		}
		return nil, size, nil
	case SYSLOG_ACTION_SIZE_BUFFER:
		return nil, logBufLen, nil
	}
	return nil, 0, linux.EINVAL
}
