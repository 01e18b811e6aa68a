package kernel

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	"weft/internal/check"
	"weft/internal/cpu"
	"weft/internal/kernel/cost"
	"weft/internal/kernel/sched"
	"weft/internal/loader"
	"weft/internal/mm"
	"weft/internal/race"
	"weft/internal/trace"
	"weft/internal/vfs"
)

// Checkpoints: a frozen copy of the whole machine (every process, thread, address
// space, file, pipe, socket, timer, futex queue, the PRNG, the policy, each CPU's clock,
// hart registers, TLBs and decode caches) at an instant between instructions, from
// which any number of new kernels continue exactly as the original would.
//
// The copy is a deep copy of the kernel's object graph (graphcopy.go) that preserves
// sharing, so two descriptors of one open file description, or two processes sharing
// page-table nodes after fork, stay so in the copy. Guest memory is copied too: frames
// are not shared with the live kernel. That is what keeps a run exact: the live kernel
// goes on counting its copy-on-write work, page faults and TLB misses as if no
// checkpoint existed (sharing frames with a checkpoint would make the next write copy a
// frame the guest did not share, and charge it), and restored kernels on several
// goroutines never touch one reference count. The cost is memory: a checkpoint holds
// a copy of the resident pages (Bytes).
//
// What is not the machine's is not copied: the host streams (standard input, output
// and error), the trace sink, strace, notices, the debugger and the scheduling policy
// are given to each restored kernel by RestoreConfig. Read-only host files (--root's
// lower layer, read-only mounts) are shared; a kernel with a writable host mount
// cannot be checkpointed, since the host cannot be rolled back.

// Checkpoint is a frozen copy of a kernel at one instant. It is immutable: Restore may
// be called on it many times, from several goroutines at once.
type Checkpoint struct {
	k *Kernel    // the frozen copy; never runs
	g *graphCopy // the survey of k, shared by every Restore
	// pools hold the large objects (frames, decode caches, TLBs) of restored kernels
	// given back by Recycle, by type, for later Restores to reuse: recyclePools',
	// shared by every checkpoint, so that a restore from one checkpoint reuses the
	// frames of a kernel restored from another (weft view's steps back move from
	// checkpoint to checkpoint).
	pools map[reflect.Type]*sync.Pool
	insns uint64
	time  uint64
	bytes uint64
}

// RestoreConfig gives a restored kernel what a checkpoint does not hold: its host
// streams and observers, and who schedules it. A nil Stdin reads end-of-file, nil
// writers discard.
type RestoreConfig struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Strace         io.Writer
	StraceCalls    map[string]bool
	Trace          trace.Sink
	Notices        io.Writer
	HostStopped    func()
	Debugger       Debugger
	// Policy schedules the restored kernel from the checkpoint's instant on (nil: a
	// copy of the checkpointed kernel's policy, in the state it had). It must agree
	// with the checkpointed policy on Points, which decided how the harts were set up.
	Policy sched.Policy
	// AccessPoints is Config.AccessPoints (nil: none).
	AccessPoints func(pc uint64) bool
	// PauseAt is Config.PauseAt for the restored kernel (0: no pause).
	PauseAt uint64
	// Unwind is Config.Unwind (nil: none), which the race detector's and the misuse
	// checker's reports use.
	Unwind func(regs *[32]uint64, pc uint64, mem *mm.AddressSpace) []uint64
}

// hostStream stands, in a checkpoint, for one of the kernel's host streams (0 stdin,
// 1 stdout, 2 stderr, 3 notices); Restore puts RestoreConfig's in its place.
type hostStream struct{ fd int }

func (hostStream) Read([]byte) (int, error)    { return 0, io.EOF }
func (hostStream) Write(p []byte) (int, error) { return len(p), nil }

// frozenRandom stands for the kernel's PRNG in a checkpoint's /dev/urandom: Restore
// binds the device to the new kernel's Random.
func frozenRandom([]byte) { panic("kernel: a checkpoint's /dev/urandom was read") }

// eofReader reads end-of-file.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// Insns is the number of instructions the guest had retired when the checkpoint was
// taken.
func (c *Checkpoint) Insns() uint64 { return c.insns }

// Time is the virtual time (ns) of the checkpoint's instant.
func (c *Checkpoint) Time() uint64 { return c.time }

// Bytes is the host memory the checkpoint holds: its copies of the kernel's objects
// and of guest memory (frames, page-table nodes, decode caches), as allocated.
func (c *Checkpoint) Bytes() uint64 { return c.bytes }

// ErrCheckpoint is wrapped by the errors of Checkpoint: the kernel holds something a
// checkpoint cannot copy.
var ErrCheckpoint = errors.New("cannot checkpoint")

// commonCopy sets up what both directions of a copy share: the immutable types shared
// by reference and the fields never copied.
func commonCopy() *graphCopy {
	g := newGraphCopy()
	for _, v := range []any{(*SyscallTable)(nil), (*Syscall)(nil), (*cost.Model)(nil), (*loader.Binary)(nil), errors.New("")} {
		g.shared[reflect.TypeOf(v).Elem()] = true
	}
	g.shared[reflect.TypeOf((*reflect.Value)(nil)).Elem()] = true
	// Host files are shared: the ones a kernel holds are read-only handles (the guest
	// root's lower layer, a mapped file's pages), read with ReadAt, never closed while
	// the inode lives (vfs.Inode.HostPager); a writable host mount refuses below.
	g.shared[reflect.TypeOf(os.File{})] = true
	// So are the os.Roots of host mounts (read-only, never closed): a copy of one
	// would hold the same descriptor without the finalizer, which closes it when
	// the original kernel is collected.
	g.shared[reflect.TypeOf(os.Root{})] = true
	skip := func(v any, fields ...string) {
		t := reflect.TypeOf(v)
		m := map[string]bool{}
		for _, f := range fields {
			if _, ok := t.FieldByName(f); !ok {
				panic(fmt.Sprintf("kernel: checkpoint: %v has no field %s", t, f))
			}
			m[f] = true
		}
		g.skip[t] = m
	}
	// Host-facing: given anew by Restore.
	skip(Config{}, "Stdin", "Stdout", "Stderr", "Strace", "StraceCalls", "Trace", "Notices",
		"HostStopped", "Policy", "AccessPoints", "Unwind")
	skip(Kernel{}, "debug", "tr", "host", "made")
	// The pages of files no address space maps are shared (vfs/freeze.go).
	g.share[reflect.TypeOf(vfs.PageNode{})] = map[string]func(obj, p unsafe.Pointer) bool{
		"pages": func(_, p unsafe.Pointer) bool { return vfs.SharedFrame((*mm.Frame)(p)) },
	}
	skip(vfs.FS{}, "Notify", "DirNotify", "Now")
	skip(race.Detector{}, "Charge", "Uncharge")
	skip(check.Checker{}, "Unwind", "Charge", "Uncharge")
	cpu.CheckpointSkips(skip)
	return g
}

// Checkpoint freezes a copy of the whole machine at the current instant: call it when
// Run has returned Paused (Config.PauseAt, Kernel.PauseAt, Config.PauseAtClone), or
// before the first Run. From inside the debugger's Check it fails: a slice is then
// half run. k itself is not disturbed: it goes on exactly as it would have without the
// call. To reach an exact instruction count, restore the latest checkpoint before it
// with a Debugger (RestoreConfig.Debugger) that stops there.
func (k *Kernel) Checkpoint() (*Checkpoint, error) {
	if k.current != nil || k.inSyscall {
		return nil, fmt.Errorf("%w: a system call is in progress", ErrCheckpoint)
	}
	if k.inCheck {
		// The slice's instructions are not yet accounted (the task's count, the
		// CPU's clock): a kernel restored from here would run them again.
		return nil, fmt.Errorf("%w: in the middle of a time slice (from the debugger's Check); pause the run (Config.PauseAt, Kernel.PauseAt) and checkpoint when Run returns Paused", ErrCheckpoint)
	}
	for _, m := range k.cfg.Mounts {
		if m.Writable {
			return nil, fmt.Errorf("%w: %s is a writable host mount, and the host cannot be rolled back", ErrCheckpoint, m.Host)
		}
	}
	// A checkpoint may share k's files' pages, some of which Restore may have
	// allocated: they are no longer k's alone to recycle.
	k.made = nil
	g := commonCopy()
	// From now on the live kernel's files copy a page the checkpoint shares before
	// they change it.
	k.FS.FreezePages()
	streams := map[any]int{}
	for fd, s := range []any{k.cfg.Stdin, k.cfg.Stdout, k.cfg.Stderr, k.cfg.Notices} {
		if s != nil && reflect.TypeOf(s).Comparable() {
			if _, dup := streams[s]; !dup {
				streams[s] = fd
			}
		}
	}
	g.iface = func(v reflect.Value) (reflect.Value, bool) {
		if !v.Type().Comparable() {
			return reflect.Value{}, false
		}
		if fd, ok := streams[v.Interface()]; ok {
			return reflect.ValueOf(hostStream{fd}), true
		}
		return reflect.Value{}, false
	}
	inodeType := reflect.TypeOf(vfs.Inode{})
	g.funcs = func(owner reflect.Type, field string, obj unsafe.Pointer, f reflect.Value) (reflect.Value, bool) {
		switch {
		case owner == inodeType && (field == "lookupFn" || field == "namesFn") &&
			(*vfs.Inode)(obj) == k.procRoot:
			// Restore binds /proc's root anew. Any other synthetic directory or file
			// that is a closure (a /proc/PID one held open) is refused.
			return reflect.Value{}, true
		case owner == inodeType && (field == "lookupFn" || field == "namesFn" || field == "mkdirFn" || field == "rmdirFn") &&
			slices.Contains(k.cgroups.views, (*vfs.Inode)(obj)):
			return reflect.Value{}, true // so are the cgroup2 mounts' roots
		case owner == inodeType && (field == "lookupFn" || field == "namesFn") &&
			(*vfs.Inode)(obj) == k.hugepagesRoot:
			return reflect.Value{}, true // and /sys/kernel/mm/hugepages
		case owner == reflect.TypeOf(mm.Pool{}) && field == "Reclaim":
			return reflect.Value{}, true // and the memory cgroups' reclaim
		case owner != nil && owner.Name() == "randomDev" && field == "fill":
			return reflect.ValueOf(frozenRandom), true
		}
		return reflect.Value{}, false
	}
	root := reflect.ValueOf(k)
	g.survey(root)
	if g.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCheckpoint, g.Err())
	}
	// A checkpoint is host memory the guest caused, outside the guest's pool (charging
	// it there would change what the guest sees: where its allocations fail). Its
	// bound is the guest's cap: one checkpoint never holds more than that; whoever
	// keeps several bounds their sum with Bytes.
	var size uint64
	for _, o := range g.objs {
		size += uint64(o.size)
	}
	if size > k.MemoryCap() {
		return nil, fmt.Errorf("%w: it would take %d bytes, more than the memory cap (%d)", ErrCheckpoint, size, k.MemoryCap())
	}
	ck := (*Kernel)(g.ptr(root.UnsafePointer()))
	if g.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCheckpoint, g.Err())
	}
	c := &Checkpoint{k: ck, insns: k.totalInsns, time: k.now(), bytes: g.bytes}
	// The survey of the frozen copy, once for every Restore.
	rg := commonCopy()
	rg.iface = restoreIface
	rg.funcs = restoreFuncs
	rg.survey(reflect.ValueOf(ck))
	if rg.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCheckpoint, rg.Err())
	}
	c.g = rg
	c.pools = map[reflect.Type]*sync.Pool{}
	for _, o := range rg.objs {
		if o.size >= recycleSize && c.pools[o.t] == nil {
			p, _ := recyclePools.LoadOrStore(o.t, &sync.Pool{})
			c.pools[o.t] = p.(*sync.Pool)
		}
	}
	return c, nil
}

// restoreIface and restoreFuncs leave the sentinels of a checkpoint in place in the
// survey; Restore's copy replaces them.
func restoreIface(v reflect.Value) (reflect.Value, bool) {
	if v.Type() == reflect.TypeOf(hostStream{}) {
		return reflect.Value{}, true
	}
	return reflect.Value{}, false
}

func restoreFuncs(reflect.Type, string, unsafe.Pointer, reflect.Value) (reflect.Value, bool) {
	return reflect.Value{}, false
}

// recyclePools maps a type to the pool of its recycled objects (*sync.Pool).
var recyclePools sync.Map

// Restore gives a new, independent kernel that continues from the checkpoint's instant.
// The checkpoint stays usable.
func (c *Checkpoint) Restore(rc RestoreConfig) (*Kernel, error) {
	g := &graphCopy{
		shared: c.g.shared, skip: c.g.skip, share: c.g.share, objs: c.g.objs, base: c.g.plans,
		memo:  make(map[unsafe.Pointer]unsafe.Pointer, len(c.g.objs)),
		maps:  map[uintptr]reflect.Value{},
		plans: map[reflect.Type]*plan{},
		pools: c.pools,
	}
	if rc.Stdin == nil {
		rc.Stdin = eofReader{}
	}
	if rc.Stdout == nil {
		rc.Stdout = io.Discard
	}
	if rc.Stderr == nil {
		rc.Stderr = io.Discard
	}
	if rc.Notices == nil {
		rc.Notices = rc.Stderr
	}
	streams := [4]reflect.Value{reflect.ValueOf(rc.Stdin), reflect.ValueOf(rc.Stdout), reflect.ValueOf(rc.Stderr), reflect.ValueOf(rc.Notices)}
	var nk *Kernel
	g.iface = func(v reflect.Value) (reflect.Value, bool) {
		if hs, ok := v.Interface().(hostStream); ok && v.Type() == reflect.TypeOf(hostStream{}) {
			return streams[hs.fd], true
		}
		return reflect.Value{}, false
	}
	frozen := reflect.ValueOf(frozenRandom).Pointer()
	g.funcs = func(_ reflect.Type, _ string, _ unsafe.Pointer, f reflect.Value) (reflect.Value, bool) {
		if f.Pointer() == frozen {
			return reflect.ValueOf(nk.Random), true
		}
		return reflect.Value{}, false
	}
	// The kernel is the first object copied, so nk is known before any func is.
	base := unsafe.Pointer(c.k)
	o := g.find(uintptr(base))
	if o == nil || o.base != base {
		return nil, errors.New("kernel: checkpoint: the kernel is not an object of its survey")
	}
	nv := reflect.New(o.t)
	g.memo[base] = nv.UnsafePointer()
	nk = (*Kernel)(nv.UnsafePointer())
	g.bytes += uint64(o.t.Size())
	g.copy(unsafe.Pointer(nk), unsafe.Pointer(c.k), o.p)
	if g.err != nil {
		return nil, fmt.Errorf("kernel: restoring a checkpoint: %v", g.Err())
	}
	nk.rebind(rc)
	nk.made = g.made
	if rc.Policy != nil {
		if rc.Policy.Points() != nk.points {
			return nil, fmt.Errorf("kernel: restoring a checkpoint: policy %s stops at scheduling points (%v) where the checkpoint's did not (%v)", rc.Policy.Name(), rc.Policy.Points(), nk.points)
		}
		nk.policy = rc.Policy
	}
	nk.cfg.Policy = nk.policy
	return nk, nil
}

// Recycle gives back the large objects (guest frames, decode caches, TLBs) of k, a
// kernel restored from c (or from any checkpoint) that will not be used again, for
// later Restores to reuse: allocating them anew is most of what a Restore costs. k must be
// dropped: it, and anything still pointing into it, is invalid afterwards (what Run
// returned, and the race detector's reports, are values and stay good).
func (c *Checkpoint) Recycle(k *Kernel) {
	for _, o := range k.made {
		if p, ok := recyclePools.Load(o.t); ok {
			p.(*sync.Pool).Put(o.p)
		}
	}
	k.made = nil
}

// rebind gives a kernel copied from a checkpoint what the copy left out.
func (k *Kernel) rebind(rc RestoreConfig) {
	k.cfg.Stdin, k.cfg.Stdout, k.cfg.Stderr, k.cfg.Notices = rc.Stdin, rc.Stdout, rc.Stderr, rc.Notices
	k.cfg.Strace, k.cfg.StraceCalls = rc.Strace, rc.StraceCalls
	k.cfg.Trace, k.tr = rc.Trace, rc.Trace
	k.cfg.HostStopped = rc.HostStopped
	k.cfg.AccessPoints = rc.AccessPoints
	k.debug = rc.Debugger
	k.pauseAt = rc.PauseAt
	k.cfg.PauseAt = rc.PauseAt
	k.host = hostSignals{wake: make(chan struct{}, 1)}
	k.FS.Notify = k.sendIO
	k.FS.DirNotify = k.sendDirNotify
	k.FS.Now = func() int64 { return int64(k.ClockStart() + k.now()) }
	if k.procRoot != nil {
		k.procRoot.SetDynamic(k.procRootFuncs())
	}
	k.rebindCgroups()
	if k.hugepagesRoot != nil {
		k.hugepagesRoot.SetDynamic(k.hugepagesFuncs())
	}
	if d := k.cfg.Race; d != nil {
		d.Charge, d.Uncharge = k.pool.Charge, k.pool.Uncharge
	}
	k.cfg.Unwind = rc.Unwind
	if c := k.cfg.Check; c != nil {
		c.Unwind = nil
		k.setupCheck()
	}
}

// Check is the misuse checker of the run (Config.Check), nil when none: a restored
// kernel has its own copy of the checkpointed one.
func (k *Kernel) Check() *check.Checker { return k.cfg.Check }

// Race is the race detector of the run (Config.Race), nil when none: a restored
// kernel has its own copy of the checkpointed one.
func (k *Kernel) Race() *race.Detector { return k.cfg.Race }

// SetPolicy hands the scheduling over to p from now on (see Config.PauseAtClone). p
// must agree with the current policy on Points.
func (k *Kernel) SetPolicy(p sched.Policy) error {
	if p.Points() != k.points {
		return fmt.Errorf("kernel: policy %s stops at scheduling points (%v) where the current one does not (%v)", p.Name(), p.Points(), k.points)
	}
	k.policy = p
	k.cfg.Policy = p
	return nil
}
