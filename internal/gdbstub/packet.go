// Package gdbstub is a GDB remote serial protocol server for weft: gdb-multiarch
// (`set architecture riscv:rv64`, `target remote HOST:PORT`) attaches to a weft run and
// reads and writes registers and memory, sets breakpoints and watchpoints, steps and
// continues, forwards and backwards (reverse.go), interrupts with Ctrl-C, lists the
// threads of the processes it debugs and follows them across fork, vfork and exec
// (process.go).
//
// The kernel knows nothing of the protocol: it calls a kernel.Debugger (Stub) at
// instruction boundaries on its simulation goroutine, and the stub, while the guest is
// stopped, talks to gdb on that same goroutine. A reader goroutine only turns the byte
// stream into packets and notices Ctrl-C; nothing it does reaches the guest except
// through the run goroutine, so a run gives the same output with and without gdb.
package gdbstub

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// packet is one thing gdb sent: a packet's payload, or a Ctrl-C (interrupt).
type packet struct {
	data      string
	interrupt bool
}

// errChecksum is a packet whose checksum does not match its payload (gdb resends it
// after our '-').
var errChecksum = errors.New("gdbstub: bad packet checksum")

// maxPacket bounds a packet's payload: what we advertise as PacketSize, with room for
// a peer that ignores it, so a bad peer cannot make the stub buffer without end.
const (
	packetSize = 0x4000
	maxPacket  = 4 * packetSize
)

// readPacket reads the next packet or interrupt from r, skipping acks and noise
// between packets. A packet's payload is returned unescaped ('}' x -> x^0x20); run-length
// encoding is only ever sent by stubs, not by gdb, and is not decoded.
func readPacket(r *bufio.Reader) (packet, error) {
	for {
		b, err := r.ReadByte()
		if err != nil {
			return packet{}, err
		}
		switch b {
		case 0x03:
			return packet{interrupt: true}, nil
		case '$':
		default:
			continue // '+', '-' and anything else between packets
		}
		var data []byte
		var sum byte
		for {
			c, err := r.ReadByte()
			if err != nil {
				return packet{}, err
			}
			if c == '#' {
				break
			}
			sum += c
			if c == '}' {
				e, err := r.ReadByte()
				if err != nil {
					return packet{}, err
				}
				sum += e
				c = e ^ 0x20
			}
			if len(data) >= maxPacket {
				return packet{}, fmt.Errorf("gdbstub: packet longer than %d bytes", maxPacket)
			}
			data = append(data, c)
		}
		var hex [2]byte
		if _, err := io.ReadFull(r, hex[:]); err != nil {
			return packet{}, err
		}
		want, ok := parseHexByte(hex[0], hex[1])
		if !ok || want != sum {
			return packet{}, errChecksum
		}
		return packet{data: string(data)}, nil
	}
}

// frame encodes payload as a packet: '$', the payload with '#', '$', '}' and '*'
// escaped, '#' and the two-digit checksum of what was sent.
func frame(payload []byte) []byte {
	out := make([]byte, 0, len(payload)+8)
	out = append(out, '$')
	var sum byte
	for _, c := range payload {
		if c == '#' || c == '$' || c == '}' || c == '*' {
			out = append(out, '}')
			sum += '}'
			c ^= 0x20
		}
		out = append(out, c)
		sum += c
	}
	return append(out, '#', hexDigits[sum>>4], hexDigits[sum&15])
}

const hexDigits = "0123456789abcdef"

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func parseHexByte(a, b byte) (byte, bool) {
	h, ok1 := unhex(a)
	l, ok2 := unhex(b)
	return h<<4 | l, ok1 && ok2
}

// decodeHex decodes a string of hex digit pairs.
func decodeHex(s string) ([]byte, bool) {
	if len(s)%2 != 0 {
		return nil, false
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		b, ok := parseHexByte(s[2*i], s[2*i+1])
		if !ok {
			return nil, false
		}
		out[i] = b
	}
	return out, true
}

func encodeHex(b []byte) string {
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = hexDigits[c>>4], hexDigits[c&15]
	}
	return string(out)
}

// parseHex parses a hex number of at most 64 bits.
func parseHex(s string) (uint64, bool) {
	if s == "" || len(s) > 16 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d, ok := unhex(s[i])
		if !ok {
			return 0, false
		}
		v = v<<4 | uint64(d)
	}
	return v, true
}
