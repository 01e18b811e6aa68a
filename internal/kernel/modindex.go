package kernel

import (
	"encoding/binary"
	"strings"
)

// kmod's index files (modules.builtin.bin and the others depmod writes beside the
// text lists): a trie of keys, each with a list of values, that modprobe searches
// without parsing text. weft's kernel writes modules.builtin.bin itself, as depmod
// would from modules.builtin, so that `modprobe NAME` of a built-in driver succeeds
// and `rmmod NAME` says it is built in, as on Linux.
//
// The layout (kmod's libkmod-index): a header of three big-endian words, the magic,
// the version (2.1) and the root node's offset; each node is referred to by its offset
// with flags in the top bits saying what it holds, in this order: a prefix (the key's
// next characters, NUL-terminated), children (the first and last character, then one
// offset per character in between, 0 for none), values (a count, then for each a
// priority word and a NUL-terminated string). Nodes are written parent first.

const (
	modIndexMagic    = 0xB007F457
	modIndexVersion  = 0x00020001
	modIndexPrefix   = 0x80000000
	modIndexValues   = 0x40000000
	modIndexChildren = 0x20000000
)

// modTrie is one node of the trie being built.
type modTrie struct {
	prefix   string
	children [256]*modTrie
	values   []string
}

// insert adds key with value below n (uncompressed: one node per character).
func (n *modTrie) insert(key, value string) {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if n.children[c] == nil {
			n.children[c] = &modTrie{}
		}
		n = n.children[c]
	}
	n.values = append(n.values, value)
}

// compress folds each chain of nodes with one child and no values into its first
// node's prefix, as depmod's index does.
func (n *modTrie) compress() {
	for {
		var only *modTrie
		count := 0
		var c byte
		for i, k := range n.children {
			if k != nil {
				only, c = k, byte(i)
				count++
			}
		}
		if count != 1 || len(n.values) > 0 {
			break
		}
		n.prefix += string(c) + only.prefix
		n.children, n.values = only.children, only.values
	}
	for _, k := range n.children {
		if k != nil {
			k.compress()
		}
	}
}

// write appends n and its subtree to out and returns n's offset with its flags.
func (n *modTrie) write(out *[]byte) uint32 {
	off := uint32(len(*out))
	var flags uint32
	if n.prefix != "" {
		flags |= modIndexPrefix
		*out = append(*out, n.prefix...)
		*out = append(*out, 0)
	}
	first, last := -1, -1
	for i, k := range n.children {
		if k != nil {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	slots := 0
	if first >= 0 {
		flags |= modIndexChildren
		*out = append(*out, byte(first), byte(last))
		slots = len(*out)
		*out = append(*out, make([]byte, 4*(last-first+1))...)
	}
	if len(n.values) > 0 {
		flags |= modIndexValues
		*out = binary.BigEndian.AppendUint32(*out, uint32(len(n.values)))
		for _, v := range n.values {
			*out = binary.BigEndian.AppendUint32(*out, 0) // priority
			*out = append(*out, v...)
			*out = append(*out, 0)
		}
	}
	for i := first; first >= 0 && i <= last; i++ {
		if k := n.children[i]; k != nil {
			child := k.write(out) // first: writing may move out's array
			binary.BigEndian.PutUint32((*out)[slots+4*(i-first):], child)
		}
	}
	return off | flags
}

// modulesBuiltinIndex is modules.builtin.bin for the lines of modules.builtin: each
// module's name (its file's base name, "-" as "_") with an empty value.
func modulesBuiltinIndex(list string) []byte {
	root := &modTrie{}
	for _, line := range strings.Fields(list) {
		name := line[strings.LastIndexByte(line, '/')+1:]
		name = strings.ReplaceAll(strings.TrimSuffix(name, ".ko"), "-", "_")
		root.insert(name, "")
	}
	// The root keeps no prefix, as depmod writes it: a lookup starts at its children.
	for _, k := range root.children {
		if k != nil {
			k.compress()
		}
	}
	out := binary.BigEndian.AppendUint32(nil, modIndexMagic)
	out = binary.BigEndian.AppendUint32(out, modIndexVersion)
	out = append(out, 0, 0, 0, 0)
	rootOff := root.write(&out)
	binary.BigEndian.PutUint32(out[8:], rootOff)
	return out
}
