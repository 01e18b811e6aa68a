package mm

import "encoding/binary"

// The functions in this file are the kernel's access to guest memory (copy_from_user and
// copy_to_user): they check the guest's permissions and fault pages in like the guest
// would, and report a *Fault (EFAULT to the guest) instead of crashing.

// ReadAt copies len(buf) bytes at addr into buf.
func (as *AddressSpace) ReadAt(buf []byte, addr uint64) error {
	for len(buf) > 0 {
		f, fault := as.Page(addr, Load)
		if fault != nil {
			return fault
		}
		n := copy(buf, f.Data[addr&PageMask:])
		as.pool.Work.BytesCopied += uint64(n)
		buf = buf[n:]
		addr += uint64(n)
	}
	return nil
}

// WriteAt copies buf to guest memory at addr.
func (as *AddressSpace) WriteAt(buf []byte, addr uint64) error {
	for len(buf) > 0 {
		f, fault := as.Page(addr, Store)
		if fault != nil {
			return fault
		}
		if f.Decoded != nil {
			f.Decoded.Invalidate()
			f.Decoded = nil
			as.Gen++
		}
		n := copy(f.Data[addr&PageMask:], buf)
		as.pool.Work.BytesCopied += uint64(n)
		buf = buf[n:]
		addr += uint64(n)
	}
	return nil
}

// ReadU64 reads a little-endian 64-bit word.
func (as *AddressSpace) ReadU64(addr uint64) (uint64, error) {
	var b [8]byte
	err := as.ReadAt(b[:], addr)
	return binary.LittleEndian.Uint64(b[:]), err
}

// WriteU64 writes a little-endian 64-bit word.
func (as *AddressSpace) WriteU64(addr, v uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return as.WriteAt(b[:], addr)
}

// ReadU32 reads a little-endian 32-bit word.
func (as *AddressSpace) ReadU32(addr uint64) (uint32, error) {
	var b [4]byte
	err := as.ReadAt(b[:], addr)
	return binary.LittleEndian.Uint32(b[:]), err
}

// WriteU32 writes a little-endian 32-bit word.
func (as *AddressSpace) WriteU32(addr uint64, v uint32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return as.WriteAt(b[:], addr)
}

// ReadString reads a NUL-terminated string of at most max bytes (without the NUL).
// It reports ok=false when no NUL came within max bytes.
func (as *AddressSpace) ReadString(addr uint64, max int) (s string, ok bool, err error) {
	var out []byte
	for len(out) < max {
		f, fault := as.Page(addr, Load)
		if fault != nil {
			return "", false, fault
		}
		chunk := f.Data[addr&PageMask:]
		if rest := max - len(out); len(chunk) > rest {
			chunk = chunk[:rest]
		}
		for i, c := range chunk {
			if c == 0 {
				as.pool.Work.BytesCopied += uint64(len(out) + i + 1)
				return string(append(out, chunk[:i]...)), true, nil
			}
		}
		out = append(out, chunk...)
		addr += uint64(len(chunk))
	}
	as.pool.Work.BytesCopied += uint64(len(out))
	return string(out), false, nil
}

// Poke writes buf at addr regardless of the mapping's permissions (but it must be
// mapped): the loader uses it to fill read-only segments and the initial stack.
func (as *AddressSpace) Poke(addr uint64, buf []byte) error {
	for len(buf) > 0 {
		v := as.Find(addr)
		if v == nil {
			return &Fault{Addr: addr, Access: Store, Kind: Unmapped}
		}
		f, fault := as.populate(v, addr, Store)
		if fault != nil {
			return fault
		}
		n := copy(f.Data[addr&PageMask:], buf)
		as.pool.Work.BytesCopied += uint64(n)
		buf = buf[n:]
		addr += uint64(n)
	}
	return nil
}
