package kernel

import (
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
	// readable wakes readers of /dev/kmsg blocked for a new record.
	readable vfs.Queue
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
