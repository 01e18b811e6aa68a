package kernel

import (
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unsafe"
)

// graphCopy deep-copies an object graph (a whole kernel) by reflection, preserving
// sharing: two pointers to one object, to one slice's backing array, or to one map
// point to one copy afterwards, and a pointer into the middle of an object (a field,
// an element) points into the middle of that object's copy, whatever order the copy
// meets them in. That last point needs a first pass (survey) that collects every
// object the graph points to, as an address range, so that the second pass (copy)
// knows which ranges lie inside others.
//
// What cannot be copied blindly is handled by the caller through hooks: types that
// are shared (immutable tables), fields left zero (host-facing things: writers, the
// policy, the debugger), and func values. A func value that is a closure or a bound
// method may capture objects of the graph that the copy cannot see; the copier
// refuses one (an error naming where it is) unless the funcs hook takes it, so that
// no copy silently keeps a closure pointing into the original.
type graphCopy struct {
	// shared lists pointer targets copied by reference (immutable data).
	shared map[reflect.Type]bool
	// skip lists struct fields left zero in the copy, by struct type and field name.
	skip map[reflect.Type]map[string]bool
	// funcs, if set, is asked first about every func value (ok false: the copier
	// decides). owner is the struct type it is a field of (nil if none), field its
	// name and obj the struct's address.
	funcs func(owner reflect.Type, field string, obj unsafe.Pointer, f reflect.Value) (reflect.Value, bool)
	// share, for a pointer type, says which pointers of a struct's field are shared
	// rather than copied (by the field's owner, its name and the owner's address);
	// PageNode.pages shares the unmapped pages of files (vfs/freeze.go).
	share map[reflect.Type]map[string]func(obj, p unsafe.Pointer) bool
	// iface, if set, may substitute the copy of an interface's dynamic value
	// (host streams); ok false leaves it to the copier.
	iface func(v reflect.Value) (reflect.Value, bool)

	objs  []object                          // the survey: every object pointed to, outermost ones only
	memo  map[unsafe.Pointer]unsafe.Pointer // object base -> its copy's base
	maps  map[uintptr]reflect.Value
	plans map[reflect.Type]*plan
	// base, if set, holds plans made before (a checkpoint's, which its restores
	// share and only read).
	base map[reflect.Type]*plan
	path []string // the fields from where an error happened up, for Err
	err  error
	// bytes is what the copies take (objects, slices' arrays, map entries), roughly.
	bytes uint64
	// pools, if set, hold large objects of dead copies to reuse (see Recycle), by
	// type; made lists the large objects this copy allocated.
	pools map[reflect.Type]*sync.Pool
	made  []madeObj
}

// madeObj is a large object a copy allocated, which a later copy may reuse.
type madeObj struct {
	t reflect.Type
	p unsafe.Pointer
}

// recycleSize is the size from which a copy's objects are worth reusing: frames,
// decode caches, TLBs. Allocating them anew costs more than clearing them (zeroed
// memory from the operating system, the collector's work to free them).
const recycleSize = 4096

// alloc returns a zeroed object of plan p's type: a recycled one if there is one.
func (g *graphCopy) alloc(p *plan) unsafe.Pointer {
	if p.size < recycleSize || g.pools == nil {
		return reflect.New(p.t).UnsafePointer()
	}
	pool := g.pools[p.t]
	if pool == nil {
		return reflect.New(p.t).UnsafePointer()
	}
	var q unsafe.Pointer
	if v := pool.Get(); v != nil {
		q = v.(unsafe.Pointer)
		reflect.NewAt(p.t, q).Elem().SetZero()
	} else {
		q = reflect.New(p.t).UnsafePointer()
	}
	g.made = append(g.made, madeObj{p.t, q})
	return q
}

// object is one range of memory the graph points to: the outermost allocation (as far
// as the graph shows) holding [base, base+size).
type object struct {
	base unsafe.Pointer
	size uintptr
	t    reflect.Type // the type of the whole range (an array type for slices)
	// liveEnd ends the part in use: a slice's array past the longest slice of it holds
	// dead entries, which are left zero in the copy.
	liveEnd uintptr
	p       *plan // how to copy t
}

// plan says how to copy one type: its pointer-free byte runs are moved with memmove,
// the rest field by field.
type plan struct {
	t      reflect.Type
	kind   reflect.Kind
	size   uintptr
	noPtr  bool
	shared bool        // a pointer to a shared or zero-size type: copied as it is
	elem   *plan       // an array's elements
	n      int         // an array's length
	key    *plan       // a map's keys
	val    *plan       // a map's values
	fields []planField // a struct's fields that hold pointers
	runs   [][2]uintptr
	// ptrs, for an array whose elements hold no pointers but plain ones to copied
	// types (page-table entries, TLB entries), are the offsets of those pointers in
	// an element: such an array is copied whole and its pointers then redirected,
	// without a call per element.
	ptrs []uintptr
}

type planField struct {
	off  uintptr
	p    *plan
	name string
	skip bool
	// share, for a slice of pointers, says which elements are shared (graphCopy.share).
	share func(obj, p unsafe.Pointer) bool
}

func newGraphCopy() *graphCopy {
	return &graphCopy{
		shared: map[reflect.Type]bool{},
		skip:   map[reflect.Type]map[string]bool{},
		share:  map[reflect.Type]map[string]func(obj, p unsafe.Pointer) bool{},
		memo:   map[unsafe.Pointer]unsafe.Pointer{},
		maps:   map[uintptr]reflect.Value{},
		plans:  map[reflect.Type]*plan{},
	}
}

func (g *graphCopy) fail(format string, args ...any) {
	if g.err == nil {
		g.err = fmt.Errorf(format, args...)
	}
}

// Err is the copy's error, if any, with the path of fields to where it happened.
func (g *graphCopy) Err() error {
	if g.err == nil {
		return nil
	}
	if len(g.path) == 0 {
		return g.err
	}
	rev := make([]string, len(g.path))
	for i, f := range g.path {
		rev[len(g.path)-1-i] = f
	}
	return fmt.Errorf("in %s: %w", strings.Join(rev, "."), g.err)
}

// planFor computes (once) how to copy t.
func (g *graphCopy) planFor(t reflect.Type) *plan {
	if p := g.plans[t]; p != nil {
		return p
	}
	if p := g.base[t]; p != nil {
		return p
	}
	p := &plan{t: t, kind: t.Kind(), size: t.Size(), noPtr: !hasPointers(t)}
	g.plans[t] = p
	if p.noPtr {
		return p
	}
	switch t.Kind() {
	case reflect.Pointer:
		p.shared = g.shared[t.Elem()] || t.Elem().Size() == 0
	case reflect.Array:
		p.elem, p.n = g.planFor(t.Elem()), t.Len()
		p.ptrs = g.plainPointers(p.elem)
	case reflect.Map:
		p.key, p.val = g.planFor(t.Key()), g.planFor(t.Elem())
	}
	if t.Kind() == reflect.Struct {
		var run [2]uintptr
		open := false
		skip := g.skip[t]
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !hasPointers(f.Type) && !skip[f.Name] {
				if open && run[1] == f.Offset {
					run[1] = f.Offset + f.Type.Size()
				} else {
					if open {
						p.runs = append(p.runs, run)
					}
					run, open = [2]uintptr{f.Offset, f.Offset + f.Type.Size()}, true
				}
				continue
			}
			pf := planField{off: f.Offset, name: f.Name, skip: skip[f.Name], share: g.share[t][f.Name]}
			if !pf.skip {
				pf.p = g.planFor(f.Type)
			}
			p.fields = append(p.fields, pf)
		}
		if open {
			p.runs = append(p.runs, run)
		}
	}
	return p
}

// plainPointers returns the offsets of the pointers in a value of plan ep if every
// pointer it holds is a plain pointer to a copied type, or nil.
func (g *graphCopy) plainPointers(ep *plan) []uintptr {
	switch ep.kind {
	case reflect.Pointer:
		if !ep.shared {
			return []uintptr{0}
		}
	case reflect.Struct:
		if len(g.skip[ep.t]) > 0 || len(g.share[ep.t]) > 0 {
			return nil
		}
		var offs []uintptr
		for _, f := range ep.fields {
			if f.p.kind != reflect.Pointer || f.p.shared {
				return nil
			}
			offs = append(offs, f.off)
		}
		return offs
	}
	return nil
}

// hasPointers reports whether a value of type t holds any pointer (so that it may be
// copied with memmove).
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	}
	return true
}

// survey walks the graph from root (a pointer) and records every object it points to.
func (g *graphCopy) survey(root reflect.Value) {
	type claim = object
	type seenKey struct {
		p uintptr
		t reflect.Type
	}
	var claims []claim
	seen := map[seenKey]bool{} // (addr, type) already walked
	var walk func(p unsafe.Pointer, t reflect.Type)
	visitPtr := func(p unsafe.Pointer, t reflect.Type) {
		if t.Size() == 0 {
			return // shared as it is (see copy)
		}
		key := seenKey{uintptr(p), t}
		if seen[key] {
			return
		}
		seen[key] = true
		claims = append(claims, claim{base: p, size: t.Size(), t: t, liveEnd: uintptr(p) + t.Size()})
		walk(p, t)
	}
	walk = func(p unsafe.Pointer, t reflect.Type) {
		if g.err != nil {
			return
		}
		pl := g.planFor(t)
		if pl.noPtr {
			return
		}
		switch t.Kind() {
		case reflect.Pointer:
			q := *(*unsafe.Pointer)(p)
			if q == nil || g.shared[t.Elem()] {
				return
			}
			visitPtr(q, t.Elem())
		case reflect.Struct:
			for _, f := range pl.fields {
				switch {
				case f.skip:
				case f.share != nil:
					// A slice of pointers whose shared elements are not walked; its
					// array is the field's own (copied with the owner, see copy).
					h := (*sliceHeader)(unsafe.Add(p, f.off))
					for i := 0; i < h.len; i++ {
						q := *(*unsafe.Pointer)(unsafe.Add(h.data, uintptr(i)*unsafe.Sizeof(q0)))
						if q != nil && !f.share(p, q) {
							visitPtr(q, f.p.t.Elem().Elem())
						}
					}
				default:
					walk(unsafe.Add(p, f.off), f.p.t)
				}
			}
		case reflect.Array:
			et := t.Elem()
			for i := 0; i < t.Len(); i++ {
				walk(unsafe.Add(p, uintptr(i)*et.Size()), et)
			}
		case reflect.Slice:
			h := (*sliceHeader)(p)
			if h.data == nil || h.cap == 0 {
				return
			}
			et := t.Elem()
			if et.Size() == 0 {
				return
			}
			at := reflect.ArrayOf(h.cap, et)
			g.planFor(at)
			key := seenKey{uintptr(h.data), at}
			if seen[key] {
				return
			}
			seen[key] = true
			claims = append(claims, claim{base: h.data, size: at.Size(), t: at, liveEnd: uintptr(h.data) + uintptr(h.len)*et.Size()})
			// Only the elements in use are walked: those past len are dead (a queue's
			// stale entries) and are copied as zeros.
			for i := 0; i < h.len; i++ {
				walk(unsafe.Add(h.data, uintptr(i)*et.Size()), et)
			}
		case reflect.Map:
			m := reflect.NewAt(t, p).Elem()
			if m.IsNil() {
				return
			}
			if seen[seenKey{m.Pointer(), nil}] {
				return
			}
			seen[seenKey{m.Pointer(), nil}] = true
			kt, vt := t.Key(), t.Elem()
			kp, vp := reflect.New(kt), reflect.New(vt)
			it := m.MapRange()
			for it.Next() {
				kp.Elem().Set(it.Key())
				vp.Elem().Set(it.Value())
				walk(kp.UnsafePointer(), kt)
				walk(vp.UnsafePointer(), vt)
			}
		case reflect.Interface:
			v := reflect.NewAt(t, p).Elem()
			if v.IsNil() {
				return
			}
			d := v.Elem()
			if g.iface != nil {
				if _, ok := g.iface(d); ok {
					return
				}
			}
			if d.Kind() == reflect.Pointer {
				if d.IsNil() || g.shared[d.Type().Elem()] || d.Type().Elem().Size() == 0 {
					return
				}
				visitPtr(d.UnsafePointer(), d.Type().Elem())
				return
			}
			tmp := reflect.New(d.Type())
			tmp.Elem().Set(d)
			walk(tmp.UnsafePointer(), d.Type())
		case reflect.Func, reflect.String:
		case reflect.Chan, reflect.UnsafePointer:
			g.fail("cannot copy a %v", t)
		}
	}
	walk(root.UnsafePointer(), root.Type().Elem())
	rt := root.Type().Elem()
	claims = append(claims, claim{base: root.UnsafePointer(), size: rt.Size(), t: rt, liveEnd: root.Pointer() + rt.Size()})
	// Outermost ranges: sort by base, larger first on a tie; a range inside the
	// previous outermost one is interior to it.
	sort.Slice(claims, func(i, j int) bool {
		if claims[i].base != claims[j].base {
			return uintptr(claims[i].base) < uintptr(claims[j].base)
		}
		return claims[i].size > claims[j].size
	})
	g.objs = g.objs[:0]
	for _, c := range claims {
		if n := len(g.objs); n > 0 {
			last := &g.objs[n-1]
			if uintptr(c.base) < uintptr(last.base)+last.size {
				if uintptr(c.base)+c.size > uintptr(last.base)+last.size {
					g.fail("objects overlap at 0x%x: %v and %v", c.base, last.t, c.t)
				}
				last.liveEnd = max(last.liveEnd, c.liveEnd)
				continue
			}
		}
		g.objs = append(g.objs, c)
	}
	for i := range g.objs {
		g.objs[i].p = g.planFor(g.objs[i].t)
	}
}

type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// find returns the outermost object holding addr.
func (g *graphCopy) find(addr uintptr) *object {
	i := sort.Search(len(g.objs), func(i int) bool { return uintptr(g.objs[i].base)+g.objs[i].size > addr }) // first ending past addr
	if i < len(g.objs) && uintptr(g.objs[i].base) <= addr {
		return &g.objs[i]
	}
	return nil
}

// ptr returns the copy of the pointer p (to something of type elem).
func (g *graphCopy) ptr(p unsafe.Pointer) unsafe.Pointer {
	o := g.find(uintptr(p))
	if o == nil {
		g.fail("pointer 0x%x outside every surveyed object", uintptr(p))
		return nil
	}
	nb, ok := g.memo[o.base]
	if !ok {
		nb = g.alloc(o.p)
		g.memo[o.base] = nb
		g.bytes += uint64(o.t.Size())
		if o.p.kind == reflect.Array && o.liveEnd < uintptr(o.base)+o.size {
			// A slice's array: only the elements in use.
			if o.p.noPtr {
				memmove(nb, o.base, o.liveEnd-uintptr(o.base))
			} else {
				ep := o.p.elem
				for off := uintptr(0); uintptr(o.base)+off < o.liveEnd; off += ep.size {
					g.copy(unsafe.Add(nb, off), unsafe.Add(o.base, off), ep)
				}
			}
		} else {
			g.copy(nb, o.base, o.p)
		}
	}
	return unsafe.Add(nb, uintptr(p)-uintptr(o.base))
}

// copy copies the value of type p.t at src into dst (zeroed, of the same type).
func (g *graphCopy) copy(dst, src unsafe.Pointer, p *plan) {
	if p.noPtr {
		memmove(dst, src, p.size)
		return
	}
	if g.err != nil {
		return
	}
	switch p.kind {
	case reflect.Pointer:
		q := *(*unsafe.Pointer)(src)
		if q == nil {
			return
		}
		if p.shared {
			*(*unsafe.Pointer)(dst) = q
			return
		}
		*(*unsafe.Pointer)(dst) = g.ptr(q)
	case reflect.Struct:
		for _, r := range p.runs {
			memmove(unsafe.Add(dst, r[0]), unsafe.Add(src, r[0]), r[1]-r[0])
		}
		for i := range p.fields {
			f := &p.fields[i]
			if f.skip {
				continue
			}
			if f.p.kind == reflect.Func {
				g.copyFunc(unsafe.Add(dst, f.off), unsafe.Add(src, f.off), f.p.t, p.t, f.name, src)
				continue
			}
			if f.share != nil {
				g.copyShared(unsafe.Add(dst, f.off), unsafe.Add(src, f.off), f, src)
				continue
			}
			g.copy(unsafe.Add(dst, f.off), unsafe.Add(src, f.off), f.p)
			if g.err != nil {
				g.path = append(g.path, f.name)
				return
			}
		}
	case reflect.Array:
		ep := p.elem
		if p.ptrs != nil {
			// One typed copy (with the garbage collector's write barriers), then each
			// pointer redirected to its copy; runs of one pointer are common (a TLB's
			// entries for one frame), so the last answer is kept.
			reflect.NewAt(p.t, dst).Elem().Set(reflect.NewAt(p.t, src).Elem())
			var last, lastCopy unsafe.Pointer
			for i := 0; i < p.n; i++ {
				for _, off := range p.ptrs {
					slot := (*unsafe.Pointer)(unsafe.Add(dst, uintptr(i)*ep.size+off))
					q := *slot
					if q == nil {
						continue
					}
					if q != last {
						last, lastCopy = q, g.ptr(q)
					}
					*slot = lastCopy
				}
			}
			return
		}
		for i := 0; i < p.n; i++ {
			g.copy(unsafe.Add(dst, uintptr(i)*ep.size), unsafe.Add(src, uintptr(i)*ep.size), ep)
		}
	case reflect.Slice:
		h := (*sliceHeader)(src)
		d := (*sliceHeader)(dst)
		d.len, d.cap = h.len, h.cap
		if h.data == nil {
			return
		}
		if h.cap == 0 || p.t.Elem().Size() == 0 {
			d.data = h.data // nothing to share: any non-nil pointer will do
			return
		}
		d.data = g.ptr(h.data)
	case reflect.String:
		*(*string)(dst) = *(*string)(src)
	case reflect.Map:
		m := reflect.NewAt(p.t, src).Elem()
		if m.IsNil() {
			return
		}
		nm, ok := g.maps[m.Pointer()]
		if !ok {
			nm = reflect.MakeMapWithSize(p.t, m.Len())
			g.maps[m.Pointer()] = nm
			kt, vt := p.key, p.val
			kp, vp := reflect.New(kt.t), reflect.New(vt.t)
			nk, nv := reflect.New(kt.t), reflect.New(vt.t)
			it := m.MapRange()
			for it.Next() {
				kp.Elem().Set(it.Key())
				vp.Elem().Set(it.Value())
				nk.Elem().SetZero()
				nv.Elem().SetZero()
				g.copy(nk.UnsafePointer(), kp.UnsafePointer(), kt)
				g.copy(nv.UnsafePointer(), vp.UnsafePointer(), vt)
				nm.SetMapIndex(nk.Elem(), nv.Elem())
				g.bytes += uint64(kt.size + vt.size)
			}
		}
		reflect.NewAt(p.t, dst).Elem().Set(nm)
	case reflect.Interface:
		v := reflect.NewAt(p.t, src).Elem()
		if v.IsNil() {
			return
		}
		d := v.Elem()
		if g.iface != nil {
			if nv, ok := g.iface(d); ok {
				if nv.IsValid() {
					reflect.NewAt(p.t, dst).Elem().Set(nv)
				}
				return
			}
		}
		dt := d.Type()
		var nv reflect.Value
		if dt.Kind() == reflect.Pointer {
			if d.IsNil() || g.shared[dt.Elem()] || dt.Elem().Size() == 0 {
				reflect.NewAt(p.t, dst).Elem().Set(d)
				return
			}
			nv = reflect.NewAt(dt.Elem(), g.ptr(d.UnsafePointer()))
		} else {
			tmp := reflect.New(dt)
			tmp.Elem().Set(d)
			nv = reflect.New(dt)
			g.copy(nv.UnsafePointer(), tmp.UnsafePointer(), g.planFor(dt))
			nv = nv.Elem()
		}
		reflect.NewAt(p.t, dst).Elem().Set(nv)
	case reflect.Func:
		g.copyFunc(dst, src, p.t, nil, "", nil)
	default:
		g.fail("cannot copy a %v", p.t)
	}
}

// copyFunc copies a func value: a plain function is shared; a closure or a method
// bound to a receiver goes to the funcs hook.
func (g *graphCopy) copyFunc(dst, src unsafe.Pointer, t, owner reflect.Type, field string, obj unsafe.Pointer) {
	f := reflect.NewAt(t, src).Elem()
	if f.IsNil() {
		return
	}
	if g.funcs != nil {
		if nf, ok := g.funcs(owner, field, obj, f); ok {
			if nf.IsValid() {
				reflect.NewAt(t, dst).Elem().Set(nf)
			}
			return
		}
	}
	name := funcName(f)
	if !isClosure(name) {
		reflect.NewAt(t, dst).Elem().Set(f)
		return
	}
	where := field
	if owner != nil {
		where = owner.String() + "." + field
	}
	g.fail("%s holds %s, a closure or bound method that a copy cannot rebind", where, name)
}

// isClosure reports whether a function's runtime name is a closure's (pkg.F.func1) or
// a method value's (pkg.(*T).M-fm): something that may capture state.
func isClosure(name string) bool {
	return strings.HasSuffix(name, "-fm") || strings.Contains(name, ".func") || strings.Contains(name, ".gowrap")
}

func memmove(dst, src unsafe.Pointer, n uintptr) {
	if n == 0 {
		return
	}
	copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
}

func funcName(f reflect.Value) string { return runtime.FuncForPC(f.Pointer()).Name() }

// q0 is a pointer-sized element, for the size of a slice of pointers' elements.
var q0 unsafe.Pointer

// copyShared copies a slice of pointers, field f of the struct at obj, into a new
// array: the elements f.share accepts are shared, the others copied.
func (g *graphCopy) copyShared(dst, src unsafe.Pointer, f *planField, obj unsafe.Pointer) {
	h := (*sliceHeader)(src)
	if h.data == nil {
		return
	}
	n := reflect.MakeSlice(f.p.t, h.len, h.len)
	d := reflect.NewAt(f.p.t, dst).Elem()
	d.Set(n)
	nd := (*sliceHeader)(dst).data
	g.bytes += uint64(h.len) * uint64(unsafe.Sizeof(q0))
	for i := 0; i < h.len; i++ {
		off := uintptr(i) * unsafe.Sizeof(q0)
		q := *(*unsafe.Pointer)(unsafe.Add(h.data, off))
		switch {
		case q == nil:
		case f.share(obj, q):
			*(*unsafe.Pointer)(unsafe.Add(nd, off)) = q
		default:
			*(*unsafe.Pointer)(unsafe.Add(nd, off)) = g.ptr(q)
		}
	}
}
