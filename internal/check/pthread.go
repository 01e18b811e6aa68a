package check

import (
	"encoding/binary"
	"fmt"
)

// The pthread checks, at the entry of glibc's functions (a0 is the object).
//
// glibc's layout on riscv64 (bits/struct_mutex.h, bits/thread-shared-types.h;
// checked under weft): pthread_mutex_t is 40 bytes, struct __pthread_mutex_s { int
// __lock; unsigned __count; int __owner; unsigned __nusers; int __kind; ... }, so
// __owner at 8 and __kind at 16; pthread_cond_t is 48 bytes with __wrefs at 36.
//
// What the words mean here:
//
//   - initialised: the object's address was passed to its *_init function (and it was
//     not destroyed since), or it is not inside a heap block and was never destroyed
//     there. Memory outside the heap, static storage or a stack, may use the static
//     initialisers (PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER), which write
//     memory and call nothing, so such an object counts as initialised from its first
//     use. A heap block (what malloc, calloc, realloc, memalign, aligned_alloc,
//     valloc, pvalloc or posix_memalign returned, seen at their return) is memory
//     whose previous contents are not an initialisation: an object in one is
//     uninitialised until its *_init is called after the block was allocated. (So a
//     heap mutex set by assigning PTHREAD_MUTEX_INITIALIZER is reported: weft's rule,
//     stricter than glibc, which accepts an all-zero mutex anywhere.)
//   - destroyed: *_destroy was called on the address and the memory still holds what
//     glibc's destroy left there: __kind == -1 for a mutex, the wake-request bit (4)
//     of __wrefs for a condition variable. If the program wrote the object anew (a
//     static initialiser on a reused stack) it is initialised again; so is it by
//     *_init, or when the heap block it lies in is freed or allocated.
//   - held: glibc records the owner's TID in __owner when a lock succeeds and clears
//     it at unlock. An unlock, or a pthread_cond_*wait, with __owner not the calling
//     thread's TID is reported for the mutex types where glibc does not check it
//     itself (normal and adaptive, not robust, not priority-inheriting); for
//     error-checking and recursive mutexes glibc returns EPERM to the program.

const (
	mutexSize   = 40
	condSize    = 48
	offOwner    = 8
	offKind     = 16
	offWrefs    = 36
	objectBytes = 96 // host bytes an object record takes, as charged

	kindRecursive   = 1
	kindErrorcheck  = 2
	kindMask        = 3
	kindRobust      = 16
	kindPI          = 32
	condWakeRequest = 4
)

type objKind uint8

const (
	mutex objKind = iota
	cond
)

func (k objKind) String() string {
	if k == mutex {
		return "mutex"
	}
	return "condition variable"
}

// object is what the checker knows of one pthread object.
type object struct {
	kind      objKind
	destroyed *Event // the destroy, while it holds
}

func (c *Checker) pthread(t *Thread, s *space, f fn) {
	a := t.Regs[10]
	if a == 0 {
		return // glibc faults: the fault report says it
	}
	name := fnLabel[f]
	switch f {
	case fnMutexInit, fnCondInit:
		k := mutex
		if f == fnCondInit {
			k = cond
		}
		if o := s.objs[a]; o != nil {
			o.kind, o.destroyed = k, nil
			return
		}
		if c.take(objectBytes) {
			s.objs[a] = &object{kind: k}
		}
	case fnMutexLock, fnMutexTrylock, fnMutexTimedlock:
		c.use(t, s, a, mutex, name)
	case fnMutexUnlock:
		if c.use(t, s, a, mutex, name) {
			c.held(t, a, name, "unlock of a mutex the thread does not hold")
		}
	case fnMutexDestroy, fnCondDestroy:
		k := mutex
		if f == fnCondDestroy {
			k = cond
		}
		if c.use(t, s, a, k, name) {
			if o := s.objs[a]; o != nil {
				o.destroyed = &Event{What: "destroyed", TID: t.TID, Stack: c.callerStack(t)}
			}
		}
	case fnCondWait, fnCondTimedwait, fnCondClockwait:
		c.use(t, s, a, cond, name)
		if m := t.Regs[11]; m != 0 && c.use(t, s, m, mutex, name) {
			c.held(t, m, name, "wait on a condition variable with a mutex the thread does not hold")
		}
	case fnCondSignal, fnCondBroadcast:
		c.use(t, s, a, cond, name)
	}
}

// use checks a use of the object of kind k at a by the function name, reports a
// destroyed or uninitialised one, and says whether the object is sound to check
// further.
func (c *Checker) use(t *Thread, s *space, a uint64, k objKind, name string) bool {
	o := s.objs[a]
	if o != nil && o.destroyed != nil {
		if c.stillDestroyed(t.Mem, a, k) {
			c.report(Report{Kind: "use of a destroyed " + k.String(), Func: name, Addr: a, TID: t.TID,
				Stack: c.callerStack(t), Prev: o.destroyed})
			return false
		}
		o.destroyed = nil // written anew since (a static initialiser)
	}
	if o != nil {
		return true
	}
	size := uint64(mutexSize)
	if k == cond {
		size = condSize
	}
	sound := true
	if b := s.find(a, size); b != nil && !b.freed {
		c.report(Report{Kind: "use of an uninitialised " + k.String(), Func: name, Addr: a, TID: t.TID,
			Stack:  c.callerStack(t),
			Detail: fmt.Sprintf("at offset %d of a %d-byte heap block at 0x%x, not passed to pthread_%s_init since it was allocated", a-b.start, b.size, b.start, map[objKind]string{mutex: "mutex", cond: "cond"}[k])})
		sound = false
	}
	if c.take(objectBytes) {
		s.objs[a] = &object{kind: k} // reported once; from now on it is an object
	}
	return sound
}

func (c *Checker) stillDestroyed(m Memory, a uint64, k objKind) bool {
	var w [4]byte
	if k == mutex {
		if m.Peek(w[:], a+offKind) != nil {
			return false
		}
		return int32(binary.LittleEndian.Uint32(w[:])) == -1
	}
	if m.Peek(w[:], a+offWrefs) != nil {
		return false
	}
	return binary.LittleEndian.Uint32(w[:])&condWakeRequest != 0
}

// held reports, as kind, a mutex at a that the calling thread does not hold, for the
// mutex types whose misuse glibc does not catch itself.
func (c *Checker) held(t *Thread, a uint64, name, kind string) {
	var w [20]byte
	if t.Mem.Peek(w[:], a) != nil {
		return
	}
	mk := int32(binary.LittleEndian.Uint32(w[offKind:]))
	if mk < 0 || mk&(kindRobust|kindPI) != 0 {
		return
	}
	if typ := mk & kindMask; typ == kindRecursive || typ == kindErrorcheck {
		return // glibc returns EPERM
	}
	owner := int32(binary.LittleEndian.Uint32(w[offOwner:]))
	if int(owner) == t.TID {
		return
	}
	detail := "it is not locked"
	if owner != 0 {
		detail = fmt.Sprintf("tid %d holds it", owner)
	}
	c.report(Report{Kind: kind, Func: name, Addr: a, TID: t.TID, Stack: c.callerStack(t), Detail: detail})
}
