package vfs

import "weft/internal/mm"

// HugeFile returns the huge pages of a file on hugetlbfs, nil for any other inode.
func (n *Inode) HugeFile() *mm.HugeFile { return n.huge }
