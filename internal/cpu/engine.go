package cpu

import (
	"os"

	"weft/internal/mm"
)

// Engine is a way of executing a hart's instructions. Every engine implements the same
// contract, that of Hart.Run: the same stops at the same PCs, the same registers and
// memory, the same retired counts for the same budget. So a run gives the same output,
// instruction counts and trace whichever engine executes it; the interpreter is the
// reference the others are tested against (the CPU tests, the decoder checks and the
// differential programs run on every engine).
//
// An engine owns how it caches decoded code: the interpreter keeps a slot per 16-bit
// parcel of a page, the block engine basic blocks, and the compiler engine (amd64
// only, jit_amd64.go) the block engine's blocks with x86-64 machine code for the hot
// ones, which lives with its blocks' page in the bus's code cache, so that it is
// counted in the cache's bounds, invalidated by stores and evicted like the others.
type Engine interface {
	// Name identifies the engine (WEFT_ENGINE).
	Name() string
	newExecutor(h *Hart) executor
}

// executor runs one hart for its engine.
type executor interface {
	// run executes up to budget instructions; prepareRun has already run.
	run(budget uint64) Stop
}

type interpEngine struct{}

func (interpEngine) Name() string                 { return "interp" }
func (interpEngine) newExecutor(h *Hart) executor { return interp{h} }

type blockEngine struct{}

func (blockEngine) Name() string                 { return "block" }
func (blockEngine) newExecutor(h *Hart) executor { return &blockExec{h: h} }

var (
	// Interpreter is the reference engine: it decodes each instruction once into a
	// per-page slot array and dispatches one instruction at a time.
	Interpreter Engine = interpEngine{}
	// Blocks decodes basic blocks, fuses common pairs, charges the budget per block
	// and chains blocks to their successors.
	Blocks Engine = blockEngine{}
)

// Engines lists the engines, the reference first; the compiler engine (Compiler) is
// among them on amd64 hosts only.
func Engines() []Engine { return append([]Engine{Interpreter, Blocks}, archEngines()...) }

// EngineByName returns the engine called name.
func EngineByName(name string) (Engine, bool) {
	for _, e := range Engines() {
		if e.Name() == name {
			return e, true
		}
	}
	return nil, false
}

// DefaultEngine is the engine of a Bus that names none: the fastest the host has (the
// compiler engine on amd64, else the block engine), or the one the WEFT_ENGINE
// environment variable names (so that every test, and any weft run, can be repeated on
// another engine without code changes). Every engine gives the same run.
var DefaultEngine = defaultEngine()

func defaultEngine() Engine {
	if e, ok := EngineByName(os.Getenv("WEFT_ENGINE")); ok {
		return e
	}
	all := Engines()
	return all[len(all)-1] // Engines lists the reference first and the fastest last
}

// The code cache bounds the host memory of decoded code: past maxCodeBytes (or
// maxCodePages pages) it evicts its oldest pages, whatever code a guest runs. It is a
// fixed bound rather than a charge to the guest's memory cap so that what the guest
// sees (when it runs out of memory, the peak memory weft reports) does not depend on
// the engine: engines decode into different amounts of memory.
var (
	maxCodeBytes int64 = 64 << 20
	maxCodePages       = 1 << 14
)

// codePage is a decoded page in the code cache.
type codePage interface {
	mm.Invalidator
	// drop invalidates the page and detaches it from its frame.
	drop()
	isValid() bool
}

// codeCache holds every decoded page of a bus's harts, oldest first.
type codeCache struct {
	bus   *Bus
	pages []codePage // FIFO; may still hold pages invalidated since
	head  int        // pages[:head] are gone
	live  int        // valid pages
	bytes int64      // host bytes of valid pages
	// Evicted counts the pages evicted to stay within the bounds.
	evicted uint64
	// jitBlocks numbers the blocks with machine code (the compiler engine's exits
	// name them by number); jitFree lists the free numbers.
	jitBlocks []*block
	jitFree   []uint32
}

// add records a new page whose host size is size bytes, evicting old pages to make
// room.
func (c *codeCache) add(p codePage, size int64) {
	for c.live >= maxCodePages && c.evictOldest(p) {
	}
	c.charge(size, p)
	if len(c.pages)-c.head > 2*c.live+64 {
		// Mostly stale pages (code rewritten again and again): keep the valid ones,
		// so that the queue, and the stale pages it would keep alive, stay bounded.
		n := 0
		for _, q := range c.pages[c.head:] {
			if q.isValid() {
				c.pages[n] = q
				n++
			}
		}
		clear(c.pages[n:])
		c.pages, c.head = c.pages[:n], 0
	} else if c.head > 0 && c.head >= len(c.pages)/2 {
		n := copy(c.pages, c.pages[c.head:])
		clear(c.pages[n:])
		c.pages, c.head = c.pages[:n], 0
	}
	c.pages = append(c.pages, p)
	c.live++
}

// charge adds size bytes (negative: gives them back), evicting the oldest pages other
// than keep while the total is past the bound.
func (c *codeCache) charge(size int64, keep codePage) {
	c.bytes += size
	for c.bytes > maxCodeBytes && c.evictOldest(keep) {
	}
}

// release is called once by a page that stops being valid, with its size. Every TLB
// set of the bus takes a new link, so that no chained block or jump-cache entry leads
// into the stale page: engines need not check pages on the way.
func (c *codeCache) release(size int64) {
	c.live--
	c.charge(-size, nil)
	if c.bus != nil {
		c.bus.relink()
	}
}

// evictOldest drops the oldest valid page other than keep; false if there is none.
func (c *codeCache) evictOldest(keep codePage) bool {
	for i := c.head; i < len(c.pages); i++ {
		p := c.pages[i]
		if p == keep {
			continue
		}
		if i == c.head {
			c.pages[i] = nil
			c.head++
		}
		if p.isValid() {
			p.drop()
			c.evicted++
			return true
		}
	}
	return false
}

// flushAll drops every decoded page (fence.i): simpler than finding the pages one
// hart can reach, and fence.i is rare.
func (c *codeCache) flushAll() {
	for _, p := range c.pages[c.head:] {
		if p != nil && p.isValid() {
			p.drop()
		}
	}
	clear(c.pages)
	c.pages, c.head = c.pages[:0], 0
}

// CheckpointSkips names, through skip, the fields that a deep copy of a machine (a
// kernel checkpoint) must leave zero: the compiler engine's machine code and chain
// records, which live outside the Go heap or are addressed by that code, and belong
// to the original's blocks. The copy translates its hot blocks anew.
func CheckpointSkips(skip func(v any, fields ...string)) {
	skip(block{}, "jit", "hot")
	skip(blockPage{}, "jit")
	skip(codeCache{}, "jitBlocks", "jitFree")
}

// CodeBytes reports the host bytes of decoded code the bus holds now.
func (b *Bus) CodeBytes() int64 { return b.code.bytes }
