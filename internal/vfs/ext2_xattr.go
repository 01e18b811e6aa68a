package vfs

import (
	"slices"
	"strings"

	"weft/internal/abi/linux"
)

// ext2's extended attributes (fs/ext2/xattr.c): all of a file's attributes in one
// block that i_file_acl points to, a 32-byte header, then the entries sorted by
// name, the values packed at the block's end. weft keeps the user, trusted and security
// namespaces (those it implements, xattr.go); it writes one block per file that has
// attributes, never shared.

const (
	ext2XattrMagic  = 0xea020000
	ext2XattrHeader = 32
	ext2XattrEntry  = 16
)

// ext2XattrPrefixes are the name indexes (EXT2_XATTR_INDEX_*) of the namespaces weft
// keeps.
var ext2XattrPrefixes = []struct {
	index  byte
	prefix string
}{{1, "user."}, {4, "trusted."}, {6, "security."}}

func pad4(n int) int { return (n + 3) &^ 3 }

// ext2XattrIndex splits a name into its index and the rest (ok false: a namespace the
// block does not hold).
func ext2XattrIndex(name string) (byte, string, bool) {
	for _, p := range ext2XattrPrefixes {
		if rest, ok := strings.CutPrefix(name, p.prefix); ok {
			return p.index, rest, true
		}
	}
	return 0, "", false
}

// loadXattrs reads the attribute block b (0: none) into n.
func (e *ext2FS) loadXattrs(n *Inode, b uint32) error {
	if b == 0 {
		return nil
	}
	blk, err := e.readBlock(b)
	if err != nil {
		return err
	}
	if le32(blk, 0) != ext2XattrMagic || le32(blk, 8) != 1 {
		return errCorrupt
	}
	if e.csum && le32(blk, 16) != e.xattrCsum(b, blk) {
		return linux.EBADMSG // ext4_xattr_block_csum_verify
	}
	return e.parseXattrs(n, blk, ext2XattrHeader, 0)
}

// loadIbodyXattrs reads the attributes ext4 keeps in a large inode past its extra
// fields (a magic number, then entries whose values are placed from the first
// entry: ext4_xattr_ibody_get). weft writes every attribute to the block, so the
// inode's bytes it keeps lose them (e.extra).
func (e *ext2FS) loadIbodyXattrs(n *Inode, ino uint32, raw []byte) error {
	start := ext2OldInode + e.extraIsize(raw)
	if !e.ext4 || e.isize <= ext2OldInode || start+4 > e.isize || le32(raw, int(start)) != ext2XattrMagic {
		return nil
	}
	if x := e.extra[ino]; x != nil {
		clear(x[start-ext2OldInode:])
	}
	return e.parseXattrs(n, raw[start:], 4, 4)
}

// parseXattrs reads the attribute entries of region from first on into n; a value's
// offset counts from base.
func (e *ext2FS) parseXattrs(n *Inode, blk []byte, first, base int) error {
	for off := first; ; {
		if off+4 > len(blk) {
			return errCorrupt
		}
		if le32(blk, off) == 0 {
			break
		}
		if off+ext2XattrEntry > len(blk) {
			return errCorrupt
		}
		nameLen, index := int(blk[off]), blk[off+1]
		voff, vblock, vsize := base+int(le16(blk, off+2)), le32(blk, off+4), int(le32(blk, off+8))
		next := off + pad4(ext2XattrEntry+nameLen)
		if nameLen == 0 || next > len(blk) || vblock != 0 || voff+vsize > len(blk) || vsize > XattrSizeMax {
			return errCorrupt
		}
		name := string(blk[off+ext2XattrEntry : off+ext2XattrEntry+nameLen])
		off = next
		prefix := ""
		for _, p := range ext2XattrPrefixes {
			if p.index == index {
				prefix = p.prefix
			}
		}
		if prefix == "" {
			continue // an ACL or another namespace weft does not keep
		}
		cost := int64(len(prefix) + len(name) + slotCost + vsize)
		if !e.fs.charge(cost) {
			return linux.ENOMEM
		}
		n.charged += cost
		if n.xattrs == nil {
			n.xattrs = map[string][]byte{}
		}
		n.xattrs[prefix+name] = append([]byte{}, blk[voff:voff+vsize]...)
	}
	return nil
}

// xattrsFit reports whether the attributes attrs, with name set to value, fit one
// block (ext2_xattr_set: ENOSPC if not).
func (e *ext2FS) xattrsFit(attrs map[string][]byte, name string, value []byte) bool {
	need := ext2XattrHeader + 4
	add := func(name string, v []byte) {
		if _, rest, ok := ext2XattrIndex(name); ok {
			need += pad4(ext2XattrEntry+len(rest)) + pad4(len(v))
		}
	}
	for k, v := range attrs {
		if k != name {
			add(k, v)
		}
	}
	add(name, value)
	return int64(need) <= e.bs
}

// encodeXattrs lays n's attributes out as a block (nil: none to keep).
func (e *ext2FS) encodeXattrs(n *Inode) []byte {
	type ent struct {
		index byte
		name  string
		value []byte
	}
	var ents []ent
	for name, v := range n.xattrs {
		if index, rest, ok := ext2XattrIndex(name); ok {
			ents = append(ents, ent{index, rest, v})
		}
	}
	if len(ents) == 0 {
		return nil
	}
	// Sorted as ext2 keeps them: by index, then name length, then name.
	slices.SortFunc(ents, func(a, b ent) int {
		switch {
		case a.index != b.index:
			return int(a.index) - int(b.index)
		case len(a.name) != len(b.name):
			return len(a.name) - len(b.name)
		}
		return strings.Compare(a.name, b.name)
	})
	blk := make([]byte, e.bs)
	put32(blk, 0, ext2XattrMagic)
	put32(blk, 4, 1) // h_refcount
	put32(blk, 8, 1) // h_blocks
	off, vend := ext2XattrHeader, int(e.bs)
	var blockHash uint32
	for _, x := range ents {
		vend -= pad4(len(x.value))
		copy(blk[vend:], x.value)
		blk[off], blk[off+1] = byte(len(x.name)), x.index
		put16(blk, off+2, uint32(vend))
		put32(blk, off+8, uint32(len(x.value)))
		copy(blk[off+ext2XattrEntry:], x.name)
		// ext2_xattr_hash_entry: the name's bytes, then the value's words.
		var h uint32
		for i := 0; i < len(x.name); i++ {
			h = h<<5 ^ h>>27 ^ uint32(x.name[i])
		}
		for i := 0; i < pad4(len(x.value)); i += 4 {
			h = h<<16 ^ h>>16 ^ le32(blk, vend+i)
		}
		put32(blk, off+12, h)
		blockHash = blockHash<<16 ^ blockHash>>16 ^ h
		off += pad4(ext2XattrEntry + len(x.name))
	}
	put32(blk, 12, blockHash)
	return blk
}
