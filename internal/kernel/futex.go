package kernel

import (
	"fmt"

	"weft/internal/abi/linux"
	"weft/internal/kernel/cost"
	"weft/internal/mm"
	"weft/internal/trace"
)

// Futexes (futex(2)). A waiter is queued under a key: for a private futex, or any futex
// in private memory, the address space and virtual address; for a futex in MAP_SHARED
// memory, the frame and the offset in it, so processes sharing the memory meet on the
// same key wherever they map it.

type futexKey struct {
	as    *mm.AddressSpace
	frame *mm.Frame
	addr  uint64 // virtual address, or offset in frame
}

type futexWaiter struct {
	task   *Task
	bitset uint32
	index  int // for futex_waitv: which of the task's futexes this entry is
}

// FUTEX_BITSET_MATCH_ANY is the bitset of plain FUTEX_WAIT and FUTEX_WAKE.
const FUTEX_BITSET_MATCH_ANY = 0xffffffff

func (k *Kernel) futexKey(t *Task, addr uint64, private bool) (futexKey, error) {
	if addr&3 != 0 {
		return futexKey{}, linux.EINVAL
	}
	as := t.TG.MM
	if !private {
		// A shared key comes from the page itself (get_futex_key pins it), so an
		// address with no readable mapping fails with EFAULT, even for a wake.
		v := as.Find(addr)
		if v == nil || v.Perm&mm.PermRead == 0 {
			return futexKey{}, linux.EFAULT
		}
		if v.Shared {
			f, fault := as.Page(addr, mm.Load)
			if fault != nil {
				return futexKey{}, linux.EFAULT
			}
			return futexKey{frame: f, addr: addr & mm.PageMask}, nil
		}
	}
	return futexKey{as: as, addr: addr}, nil
}

// FutexWait blocks t on the futex at addr if it still holds val (FUTEX_WAIT and
// FUTEX_WAIT_BITSET). The deadline, if any, is in t.Call.Deadline. It returns nil once
// woken by FUTEX_WAKE, ETIMEDOUT, EAGAIN if the value differed, or ErrBlocked.
func (t *Task) FutexWait(addr uint64, val, bitset uint32, private bool) error {
	k := t.k
	if bitset == 0 {
		return linux.EINVAL
	}
	if t.Call.Started {
		// Woken: by a FUTEX_WAKE (which took us off the queue) or by the timer.
		if t.futexWoken {
			t.futexWoken = false
			return nil
		}
		k.futexRemove(t)
		return linux.ETIMEDOUT
	}
	key, err := k.futexKey(t, addr, private)
	if err != nil {
		return err
	}
	cur, err := t.TG.MM.ReadU32(addr)
	if err != nil {
		return linux.EFAULT
	}
	if cur != val {
		return linux.EAGAIN
	}
	if t.Call.Deadline != 0 && t.Now() >= t.Call.Deadline {
		return linux.ETIMEDOUT
	}
	t.Call.Started = true
	t.futexWoken = false
	k.futexes[key] = append(k.futexes[key], futexWaiter{task: t, bitset: bitset})
	k.work[cost.QueueOp]++
	t.futexKey = key
	if k.tr != nil {
		k.traceEvent(t, trace.Event{Time: t.Now(), Kind: trace.FutexWait, Addr: addr})
	}
	what := fmt.Sprintf("futex 0x%x", addr)
	if sym := t.TG.SymbolAt(addr); sym != "" {
		what += " (" + sym + ")"
	}
	return t.Block(what)
}

// futexRemove takes t off whatever futex queues it is on.
func (k *Kernel) futexRemove(t *Task) {
	if t.futexVKeys != nil {
		k.futexRemoveV(t)
		return
	}
	q := k.futexes[t.futexKey]
	for i, w := range q {
		if w.task == t {
			k.work[cost.QueueOp]++
			q = append(q[:i], q[i+1:]...)
			break
		}
	}
	k.setFutexQueue(t.futexKey, q)
}

// FutexWake wakes up to n waiters on the futex at addr whose bitset intersects bitset.
func (t *Task) FutexWake(addr uint64, n int, bitset uint32, private bool) (int, error) {
	k := t.k
	if bitset == 0 {
		return 0, linux.EINVAL
	}
	key, err := k.futexKey(t, addr, private)
	if err != nil {
		return 0, err
	}
	woken := k.futexWakeKey(key, n, bitset)
	if k.tr != nil && woken > 0 {
		k.traceEvent(t, trace.Event{Time: t.Now(), Kind: trace.FutexWake, Addr: addr, Arg: uint64(woken)})
	}
	return woken, nil
}

func (k *Kernel) futexWakeKey(key futexKey, n int, bitset uint32) int {
	q := k.futexes[key]
	woken := 0
	kept := q[:0]
	var vWoken []*Task
	for _, w := range q {
		if w.task.futexVKeys != nil && w.task.futexWoken {
			continue // another entry of a futex_waitv woke it: this one goes too
		}
		if woken < n && w.bitset&bitset != 0 {
			woken++
			k.work[cost.QueueOp]++
			w.task.futexWoken = true
			if w.task.futexVKeys != nil {
				w.task.futexWokenIndex = w.index
				vWoken = append(vWoken, w.task)
			}
			w.task.Wake()
			continue
		}
		kept = append(kept, w)
	}
	k.setFutexQueue(key, kept)
	// A futex_waitv waiter leaves its other queues as it wakes (Linux unqueues them
	// when it runs; no wake can find them in between here).
	for _, t := range vWoken {
		k.futexRemoveV(t)
	}
	return woken
}

// FutexV is one futex of a futex_waitv(2) call.
type FutexV struct {
	Addr    uint64
	Val     uint32
	Private bool
}

// FutexWaitv blocks t until one of the futexes is woken (futex_waitv): each must still
// hold its value (EAGAIN otherwise). It returns the index of the futex woken,
// ETIMEDOUT at t.Call.Deadline, or ErrBlocked.
func (t *Task) FutexWaitv(ws []FutexV) (int, error) {
	k := t.k
	if t.Call.Started {
		if t.futexWoken {
			t.futexWoken = false
			i := t.futexWokenIndex
			k.futexRemoveV(t)
			return i, nil
		}
		k.futexRemoveV(t)
		return 0, linux.ETIMEDOUT
	}
	keys := make([]futexKey, len(ws))
	for i, w := range ws {
		key, err := k.futexKey(t, w.Addr, w.Private)
		if err != nil {
			return 0, err
		}
		keys[i] = key
	}
	for _, w := range ws {
		cur, err := t.TG.MM.ReadU32(w.Addr)
		if err != nil {
			return 0, linux.EFAULT
		}
		if cur != w.Val {
			return 0, linux.EAGAIN
		}
	}
	if t.Call.Deadline != 0 && t.Now() >= t.Call.Deadline {
		return 0, linux.ETIMEDOUT
	}
	t.Call.Started = true
	t.futexWoken = false
	for i, key := range keys {
		k.futexes[key] = append(k.futexes[key], futexWaiter{task: t, bitset: FUTEX_BITSET_MATCH_ANY, index: i})
		k.work[cost.QueueOp]++
	}
	t.futexVKeys = keys
	return 0, t.Block(fmt.Sprintf("futex_waitv of %d futexes (first 0x%x)", len(ws), ws[0].Addr))
}

// setFutexQueue makes q the wait queue of key; an empty queue is no queue.
func (k *Kernel) setFutexQueue(key futexKey, q []futexWaiter) {
	if len(q) == 0 {
		delete(k.futexes, key)
	} else {
		k.futexes[key] = q
	}
}

// futexRemoveV takes a futex_waitv waiter off all its queues.
func (k *Kernel) futexRemoveV(t *Task) {
	for _, key := range t.futexVKeys {
		q := k.futexes[key]
		kept := q[:0]
		for _, w := range q {
			if w.task == t {
				k.work[cost.QueueOp]++
				continue
			}
			kept = append(kept, w)
		}
		k.setFutexQueue(key, kept)
	}
	t.futexVKeys = nil
}

// futexKeys returns the keys of the two futexes a requeue or wake-op works on.
func (k *Kernel) futexKeys(t *Task, addr, addr2 uint64, private bool) (key, key2 futexKey, err error) {
	if key, err = k.futexKey(t, addr, private); err != nil {
		return
	}
	key2, err = k.futexKey(t, addr2, private)
	return
}

// FutexRequeue wakes up to n waiters at addr and moves up to n2 of the rest to addr2
// (FUTEX_REQUEUE; FUTEX_CMP_REQUEUE first checks that addr holds val).
func (t *Task) FutexRequeue(addr, addr2 uint64, n, n2 int, cmp bool, val uint32, private bool) (int, error) {
	k := t.k
	key, key2, err := k.futexKeys(t, addr, addr2, private)
	if err != nil {
		return 0, err
	}
	if cmp {
		cur, err := t.TG.MM.ReadU32(addr)
		if err != nil {
			return 0, linux.EFAULT
		}
		if cur != val {
			return 0, linux.EAGAIN
		}
	}
	woken := k.futexWakeKey(key, n, FUTEX_BITSET_MATCH_ANY)
	q := k.futexes[key]
	moved := min(n2, len(q))
	if key == key2 {
		return woken + moved, nil // requeued onto the futex they wait on: nothing moves
	}
	k.work[cost.QueueOp] += 2 * uint64(moved) // off one queue, onto the other
	for _, w := range q[:moved] {
		if w.task.futexVKeys != nil {
			w.task.futexVKeys[w.index] = key2 // one futex of a futex_waitv moves
		} else {
			w.task.futexKey = key2
		}
		k.futexes[key2] = append(k.futexes[key2], w)
	}
	k.setFutexQueue(key, q[moved:])
	return woken + moved, nil
}

// FutexWakeOp implements FUTEX_WAKE_OP: it changes the word at addr2 as op says, wakes
// up to n waiters at addr, and, if the old value at addr2 passes op's comparison, up to
// n2 waiters at addr2.
func (t *Task) FutexWakeOp(addr, addr2 uint64, n, n2 int, op uint32, private bool) (int, error) {
	k := t.k
	key, key2, err := k.futexKeys(t, addr, addr2, private)
	if err != nil {
		return 0, err
	}
	code, cmpOp := op>>28&7, op>>24&15
	oparg, cmparg := op>>12&0xfff, op&0xfff
	if op>>28&8 != 0 { // FUTEX_OP_OPARG_SHIFT
		if oparg > 31 {
			return 0, linux.EINVAL
		}
		oparg = 1 << oparg
	}
	old, err := t.TG.MM.ReadU32(addr2)
	if err != nil {
		return 0, linux.EFAULT
	}
	var nv uint32
	switch code {
	case 0: // FUTEX_OP_SET
		nv = oparg
	case 1: // FUTEX_OP_ADD
		nv = old + oparg
	case 2: // FUTEX_OP_OR
		nv = old | oparg
	case 3: // FUTEX_OP_ANDN
		nv = old &^ oparg
	case 4: // FUTEX_OP_XOR
		nv = old ^ oparg
	default:
		return 0, linux.ENOSYS
	}
	if err := t.TG.MM.WriteU32(addr2, nv); err != nil {
		return 0, linux.EFAULT
	}
	woken := k.futexWakeKey(key, n, FUTEX_BITSET_MATCH_ANY)
	var ok bool
	switch cmpOp {
	case 0:
		ok = old == cmparg
	case 1:
		ok = old != cmparg
	case 2:
		ok = int32(old) < int32(cmparg)
	case 3:
		ok = int32(old) <= int32(cmparg)
	case 4:
		ok = int32(old) > int32(cmparg)
	case 5:
		ok = int32(old) >= int32(cmparg)
	default:
		return 0, linux.ENOSYS
	}
	if ok {
		woken += k.futexWakeKey(key2, n2, FUTEX_BITSET_MATCH_ANY)
	}
	return woken, nil
}

// Robust futex list constants (include/uapi/linux/futex.h).
const (
	FUTEX_WAITERS    = 0x80000000
	FUTEX_OWNER_DIED = 0x40000000
	FUTEX_TID_MASK   = 0x3fffffff
	robustListLimit  = 2048 // ROBUST_LIST_LIMIT: bounds a corrupted or cyclic list
)

// exitRobustList releases the robust futexes a dying thread holds, as Linux's
// exit_robust_list does: each gets FUTEX_OWNER_DIED and one waiter is woken.
func (k *Kernel) exitRobustList(t *Task) {
	head := t.RobustList
	if head == 0 {
		return
	}
	as := t.TG.MM
	next, err := as.ReadU64(head) // struct robust_list_head: list.next, futex_offset, list_op_pending
	if err != nil {
		return
	}
	offRaw, err := as.ReadU64(head + 8)
	if err != nil {
		return
	}
	off := int64(offRaw)
	pending, _ := as.ReadU64(head + 16)
	handle := func(entry uint64) {
		addr := uint64(int64(entry) + off)
		v, err := as.ReadU32(addr)
		if err != nil || v&FUTEX_TID_MASK != uint32(t.TIDOf(t)) {
			return
		}
		as.WriteU32(addr, v&FUTEX_WAITERS|FUTEX_OWNER_DIED)
		if v&FUTEX_WAITERS != 0 {
			if key, err := k.futexKey(t, addr, false); err == nil {
				k.futexWakeKey(key, 1, FUTEX_BITSET_MATCH_ANY)
			}
		}
	}
	for i := 0; next != head && next != 0 && i < robustListLimit; i++ {
		entry := next
		if next, err = as.ReadU64(entry); err != nil {
			break
		}
		if entry != pending {
			handle(entry)
		}
	}
	if pending != 0 {
		handle(pending)
	}
}

// exitClearTID does CLONE_CHILD_CLEARTID's work when a thread exits: zero the TID word
// and wake one waiter on it (pthread_join waits there).
func (k *Kernel) exitClearTID(t *Task) {
	if t.ClearTID == 0 || t.TG.Exited {
		return
	}
	if t.TG.MM.WriteU32(t.ClearTID, 0) == nil {
		if key, err := k.futexKey(t, t.ClearTID, false); err == nil {
			k.futexWakeKey(key, 1, FUTEX_BITSET_MATCH_ANY)
		}
	}
}
