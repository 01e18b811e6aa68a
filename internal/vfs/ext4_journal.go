package vfs

import (
	"encoding/binary"

	"weft/internal/abi/linux"
)

// Journal recovery (jbd2, Linux's fs/jbd2/recovery.c; the format in
// Documentation/filesystems/ext4/journal.rst): a file system left with needs_recovery
// has transactions in its journal that may not have reached their places. The mount
// replays them as Linux does, in three passes over the log from s_start: find the
// last transaction with a commit block, gather the revoked blocks, and write every
// logged block that no later revoke cancels to its place. Then the journal is empty
// (s_start 0) and needs_recovery is cleared. Journal blocks are big-endian.

const (
	jbd2Magic      = 0xc03b3998
	jbd2Descriptor = 1
	jbd2Commit     = 2
	jbd2SuperV1    = 3
	jbd2SuperV2    = 4
	jbd2Revoke     = 5

	jbd2IncompatRevoke  = 0x1
	jbd2Incompat64bit   = 0x2
	jbd2IncompatCsumV2  = 0x8
	jbd2IncompatCsumV3  = 0x10
	jbd2IncompatFastCmt = 0x20
	jbd2IncompatKnown   = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20

	jbd2FlagEscape   = 0x1
	jbd2FlagSameUUID = 0x2
	jbd2FlagLastTag  = 0x8
)

func be32(b []byte, off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }

// jbd2Log is the journal being recovered: its blocks on the device, by their
// number in the journal.
type jbd2Log struct {
	e           *ext2FS
	blocks      []uint32 // the journal inode's blocks, in logical order
	first, max  uint32   // s_first, s_maxlen
	incompat    uint32
	seed        uint32 // crc32c of the journal's uuid (checksums v2, v3)
	tagBytes    int
	csumV2or3   bool
	is64bit     bool
	superBlock  []byte
	superDevOff int64
}

// read reads block i of the journal.
func (j *jbd2Log) read(i uint32) ([]byte, error) {
	if int64(i) >= int64(len(j.blocks)) {
		return nil, errCorrupt
	}
	return j.e.readBlock(j.blocks[i])
}

// next is the journal block after i, wrapping from the end to s_first.
func (j *jbd2Log) next(i uint32) uint32 {
	if i++; i >= j.max {
		return j.first
	}
	return i
}

// jbd2Tag is one block a descriptor logs.
type jbd2Tag struct {
	fsBlock uint64
	flags   uint32
	csum    uint32
}

// tags reads a descriptor block's tags (journal_tag_bytes; the uuid after the first
// tag, and after any without SAME_UUID).
func (j *jbd2Log) tags(blk []byte) ([]jbd2Tag, error) {
	end := len(blk)
	if j.csumV2or3 {
		end -= 4 // struct jbd2_journal_block_tail
	}
	var out []jbd2Tag
	for off := 12; ; {
		if off+j.tagBytes > end {
			return nil, errCorrupt
		}
		var t jbd2Tag
		t.fsBlock = uint64(be32(blk, off))
		if j.incompat&jbd2IncompatCsumV3 != 0 {
			t.flags = be32(blk, off+4)
			if j.is64bit {
				t.fsBlock |= uint64(be32(blk, off+8)) << 32
			}
			t.csum = be32(blk, off+12)
		} else {
			t.csum = uint32(binary.BigEndian.Uint16(blk[off+4:]))
			t.flags = uint32(binary.BigEndian.Uint16(blk[off+6:]))
			if j.is64bit {
				t.fsBlock |= uint64(be32(blk, off+8)) << 32
			}
		}
		out = append(out, t)
		off += j.tagBytes
		if t.flags&jbd2FlagSameUUID == 0 {
			off += 16
		}
		if t.flags&jbd2FlagLastTag != 0 {
			return out, nil
		}
	}
}

// recoverJournal replays the journal of inode ino (journal_recover).
func (e *ext2FS) recoverJournal(ino uint32) error {
	raw, err := e.readInode(ino)
	if err != nil {
		return err
	}
	// The map of the journal's blocks and the revoke table are the image's doing:
	// charged while the recovery holds them.
	n := inodeSize(raw) / e.bs
	if n <= 1 || n > int64(e.blocks) {
		return errCorrupt
	}
	if !e.fs.charge(4 * n) {
		return linux.ENOMEM
	}
	defer e.fs.uncharge(4 * n)
	j := &jbd2Log{e: e, blocks: make([]uint32, 0, n)}
	if err := e.eachBlock(ino, raw, func(lb int64, b uint32, kind blockKind) error {
		if kind == blockMeta {
			return nil
		}
		if lb != int64(len(j.blocks)) || lb >= n || kind == blockUnwritten {
			return errCorrupt // a journal has all its blocks, in a row of logical numbers
		}
		j.blocks = append(j.blocks, b)
		return nil
	}); err != nil {
		return err
	}
	if len(j.blocks) == 0 {
		return errCorrupt
	}
	sb, err := j.read(0)
	if err != nil {
		return err
	}
	if be32(sb, 0) != jbd2Magic || (be32(sb, 4) != jbd2SuperV1 && be32(sb, 4) != jbd2SuperV2) || int64(be32(sb, 12)) != e.bs {
		return errCorrupt
	}
	j.superBlock, j.superDevOff = sb, int64(j.blocks[0])*e.bs
	j.max, j.first = be32(sb, 16), be32(sb, 20)
	if j.max > uint32(len(j.blocks)) || j.first == 0 || j.first >= j.max {
		return errCorrupt
	}
	if be32(sb, 4) == jbd2SuperV2 {
		j.incompat = be32(sb, 40)
	}
	if j.incompat&^jbd2IncompatKnown != 0 || j.incompat&jbd2IncompatFastCmt != 0 {
		return ErrNeedsRecovery // journal features weft cannot replay
	}
	j.is64bit = j.incompat&jbd2Incompat64bit != 0
	j.csumV2or3 = j.incompat&(jbd2IncompatCsumV2|jbd2IncompatCsumV3) != 0
	j.seed = crc32c(^uint32(0), sb[48:64])
	switch {
	case j.incompat&jbd2IncompatCsumV3 != 0:
		j.tagBytes = 16
	default:
		j.tagBytes = 8
		if j.incompat&jbd2IncompatCsumV2 != 0 {
			j.tagBytes += 2
		}
		if j.is64bit {
			j.tagBytes += 4
		}
	}
	if j.csumV2or3 {
		c := append([]byte{}, sb[:1024]...)
		binary.BigEndian.PutUint32(c[0xfc:], 0)
		if be32(sb, 0xfc) != crc32c(^uint32(0), c) {
			return linux.EBADMSG
		}
	}
	start, seq := be32(sb, 28), be32(sb, 24)
	if start != 0 {
		if start < j.first || start >= j.max {
			return errCorrupt
		}
		end, err := j.scan(start, seq)
		if err != nil {
			return err
		}
		revoked, err := j.revokes(start, seq, end)
		defer e.fs.uncharge(int64(len(revoked)) * revokeEntryCost)
		if err != nil {
			return err
		}
		if err := j.replay(start, seq, end, revoked); err != nil {
			return err
		}
		seq = end + 1 // jbd2_journal_recover: ++info.end_transaction
	}
	// The journal is empty: s_start 0, the next transaction's sequence.
	binary.BigEndian.PutUint32(sb[28:], 0)
	binary.BigEndian.PutUint32(sb[24:], seq)
	if j.csumV2or3 {
		binary.BigEndian.PutUint32(sb[0xfc:], 0)
		binary.BigEndian.PutUint32(sb[0xfc:], crc32c(^uint32(0), sb[:1024]))
	}
	if n, err := e.dev.PWrite(sb, j.superDevOff); err != nil || n != len(sb) {
		return linux.EIO
	}
	return nil
}

// walk calls fn for each block of the log from start, transaction seq on, with its
// journal position, until a block that is not the expected transaction's (or, with
// until, the transaction until).
func (j *jbd2Log) walk(start, seq uint32, until uint32, stopAt bool, fn func(pos uint32, blk []byte, seq uint32) (skip int, err error)) (uint32, error) {
	pos := start
	for steps := uint32(0); steps < j.max; steps++ {
		if stopAt && seq == until {
			return seq, nil
		}
		blk, err := j.read(pos)
		if err != nil {
			return seq, err
		}
		if be32(blk, 0) != jbd2Magic || be32(blk, 8) != seq {
			return seq, nil // the end of the log
		}
		typ := be32(blk, 4)
		skip, err := fn(pos, blk, seq)
		if err != nil {
			return seq, err
		}
		pos = j.next(pos)
		for ; skip > 0; skip-- {
			pos = j.next(pos)
		}
		switch typ {
		case jbd2Commit:
			seq++
		case jbd2Descriptor, jbd2Revoke:
		default:
			return seq, nil
		}
	}
	return seq, errCorrupt // a log that never ends
}

// scan finds the transaction after the last committed one (PASS_SCAN).
func (j *jbd2Log) scan(start, seq uint32) (uint32, error) {
	return j.walk(start, seq, 0, false, func(_ uint32, blk []byte, _ uint32) (int, error) {
		if be32(blk, 4) != jbd2Descriptor {
			return 0, nil
		}
		tags, err := j.tags(blk)
		return len(tags), err
	})
}

// revokes gathers the revoked blocks with the last transaction that revoked each
// (PASS_REVOKE).
func (j *jbd2Log) revokes(start, seq, end uint32) (map[uint64]uint32, error) {
	revoked := map[uint64]uint32{}
	_, err := j.walk(start, seq, end, true, func(_ uint32, blk []byte, seq uint32) (int, error) {
		switch be32(blk, 4) {
		case jbd2Descriptor:
			tags, err := j.tags(blk)
			return len(tags), err
		case jbd2Revoke:
			if j.incompat&jbd2IncompatRevoke == 0 {
				return 0, nil
			}
			count := int(be32(blk, 12))
			size := 4
			if j.is64bit {
				size = 8
			}
			if count > len(blk) || count < 16 {
				return 0, errCorrupt
			}
			for off := 16; off+size <= count; off += size {
				b := uint64(be32(blk, off))
				if size == 8 {
					b = binary.BigEndian.Uint64(blk[off:])
				}
				if _, ok := revoked[b]; !ok && !j.e.fs.charge(revokeEntryCost) {
					return 0, linux.ENOMEM
				}
				revoked[b] = seq
			}
		}
		return 0, nil
	})
	return revoked, err
}

// replay writes every logged block of the committed transactions to its place, but
// those a revoke in the same or a later transaction cancels (PASS_REPLAY). A block
// whose checksum (v2, v3) is wrong is not written, and the recovery fails with
// EBADMSG once the rest is (EFSBADCRC, as do_one_pass).
func (j *jbd2Log) replay(start, seq, end uint32, revoked map[uint64]uint32) error {
	e := j.e
	badBlock := false
	_, err := j.walk(start, seq, end, true, func(pos uint32, blk []byte, seq uint32) (int, error) {
		if be32(blk, 4) != jbd2Descriptor {
			return 0, nil
		}
		tags, err := j.tags(blk)
		if err != nil {
			return 0, err
		}
		at := pos
		for _, t := range tags {
			at = j.next(at)
			if r, ok := revoked[t.fsBlock]; ok && r >= seq {
				continue
			}
			data, err := j.read(at)
			if err != nil {
				return 0, err
			}
			if t.fsBlock < uint64(e.firstData) || t.fsBlock >= uint64(e.blocks) {
				return 0, errCorrupt
			}
			if j.csumV2or3 {
				sum := crc32c(crc32cBE(j.seed, seq), data) // as logged, escaped
				if j.incompat&jbd2IncompatCsumV3 == 0 {
					sum &= 0xffff
				}
				if sum != t.csum {
					badBlock = true
					continue
				}
			}
			if t.flags&jbd2FlagEscape != 0 {
				binary.BigEndian.PutUint32(data, jbd2Magic)
			}
			if n, err := e.dev.PWrite(data, int64(t.fsBlock)*e.bs); err != nil || n != len(data) {
				return 0, linux.EIO
			}
		}
		return len(tags), nil
	})
	if err == nil && badBlock {
		err = linux.EBADMSG
	}
	return err
}

// revokeEntryCost is what an entry of the revoke table costs.
const revokeEntryCost = 32

// crc32cBE is crc32c over v as four big-endian bytes.
func crc32cBE(crc, v uint32) uint32 {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return crc32c(crc, b[:])
}
