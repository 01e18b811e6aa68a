package mm

// Peek copies len(buf) bytes at addr into buf for a debugger, as ptrace(PEEKDATA) reads:
// any mapped page, whatever its protection. A page not yet present reads as the guest
// would first see it (its file's bytes, or zeros) without being faulted in, and nothing
// is counted, so that looking at memory changes nothing the guest can observe.
func (as *AddressSpace) Peek(buf []byte, addr uint64) error {
	// The buffer for pages not present is made only when one is read: a debugger
	// peeks before every instruction while it watches memory.
	var page []byte
	for len(buf) > 0 {
		if addr >= AddrLimit {
			return &Fault{Addr: addr, Access: Load, Kind: Unmapped}
		}
		v := as.Find(addr)
		if v == nil {
			return &Fault{Addr: addr, Access: Load, Kind: Unmapped}
		}
		var data []byte
		e, _ := as.lookup(addr >> PageShift)
		switch {
		case e != nil && e.marker != 0: // no page to read, as ptrace finds none
			return &Fault{Addr: addr, Access: Load, Kind: e.marker.fault()}
		case e != nil && e.frame != nil:
			data = e.frame.Data[:]
		default:
			if page == nil {
				page = make([]byte, PageSize)
			} else {
				clear(page)
			}
			if v.Pager != nil {
				v.Pager.ReadPage(v.Off+(addr&^PageMask-v.Start), page)
			}
			data = page
		}
		n := copy(buf, data[addr&PageMask:])
		buf = buf[n:]
		addr += uint64(n)
	}
	return nil
}

// DebugPoke is for debuggers: it writes buf at addr as ptrace(POKEDATA) does, to any mapped
// page whatever its protection, copying a copy-on-write page first and dropping any
// code decoded from the pages it changes.
func (as *AddressSpace) DebugPoke(buf []byte, addr uint64) error {
	for len(buf) > 0 {
		if addr >= AddrLimit {
			return &Fault{Addr: addr, Access: Store, Kind: Unmapped}
		}
		v := as.Find(addr)
		if v == nil {
			return &Fault{Addr: addr, Access: Store, Kind: Unmapped}
		}
		f, fault := as.populate(v, addr, Store)
		if fault != nil {
			return fault
		}
		if f.Decoded != nil {
			f.Decoded.Invalidate()
			f.Decoded = nil
		}
		as.Gen++ // cached translations may point at a frame populate replaced
		n := copy(f.Data[addr&PageMask:], buf)
		buf = buf[n:]
		addr += uint64(n)
	}
	return nil
}
