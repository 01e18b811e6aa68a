package mm

// SetHolder makes h the holder of the VMA that starts at start (just made by
// MapFrames), and tells h of it.
func (as *AddressSpace) SetHolder(start uint64, h Holder) {
	if v := as.Find(start); v != nil && v.Start == start && v.Holder == nil {
		v.Holder = h
		h.Hold(1)
	}
}
