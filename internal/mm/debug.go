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

// VMAUsage is what the pages of one mapping hold, as /proc/PID/smaps reports it, in
// bytes. weft keeps no dirty bits: every present page counts as dirty, as Linux counts
// anonymous memory.
type VMAUsage struct {
	Rss, Pss                      uint64 // present pages, and their share (each page's size divided by its mappers)
	Shared, Private               uint64 // present pages others map too, and those only this mapping does
	Anonymous, LazyFree           uint64 // private anonymous pages, and those MADV_FREE let go of
	SharedHugetlb, PrivateHugetlb uint64 // huge pages (not in Rss, as Linux counts them)
}

// Usage counts the pages of v, one of as's mappings. A page's mappers are its frame's
// page-table entries times the address spaces that share the page-table nodes above
// them since fork.
func (as *AddressSpace) Usage(v *VMA) VMAUsage {
	var u VMAUsage
	huge := map[*HugePage]bool{}
	var walk func(n *node, level int, base uint64, mult uint64)
	walk = func(n *node, level int, base uint64, mult uint64) {
		mult *= uint64(n.refs)
		span := uint64(1) << (PageShift + levelBits*level)
		for i := 0; i < fanout; i++ {
			lo := base + uint64(i)*span
			if lo+span <= v.Start {
				continue
			}
			if lo >= v.End {
				return
			}
			if level > 0 {
				if k := n.kids[i]; k != nil {
					walk(k, level-1, lo, mult)
				}
				continue
			}
			e := &n.ptes[i]
			if e.frame == nil {
				continue
			}
			maps := uint64(e.frame.refs) * mult
			if hp := e.frame.huge; hp != nil {
				if !huge[hp] { // a huge page counts once, whole
					huge[hp] = true
					if maps > 1 { // by mappers, not by MAP_SHARED (smaps_hugetlb_range)
						u.SharedHugetlb += HugeSize
					} else {
						u.PrivateHugetlb += HugeSize
					}
				}
				continue
			}
			u.Rss += PageSize
			u.Pss += (PageSize << 12) / maps
			if maps > 1 { // (smaps_account: by mapcount)
				u.Shared += PageSize
			} else {
				u.Private += PageSize
			}
			if !e.shared && !e.frame.external && v.File == nil && (v.Pager == nil || e.frame.copied) {
				u.Anonymous += PageSize
			}
			if e.lazy {
				u.LazyFree += PageSize
			}
		}
	}
	if as.root != nil {
		walk(as.root, levels-1, 0, 1)
	}
	u.Pss >>= 12
	return u
}
