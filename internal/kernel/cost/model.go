package cost

// Default is weft's cost model: one price per unit of counted work, in picoseconds.
//
// Where the prices come from. Every price was measured on the machine weft's README
// numbers come from: an AMD EPYC guest with 2 vCPUs running Linux 6.18 under Firecracker
// with PVM (its kernel command line says pvm_no_zero_page, pti=on). In such a guest a
// trap or a page fault goes through the hypervisor, so traps cost about ten times and
// page faults about a hundred times what they cost on bare metal; the native column of
// `weft bench` is measured on the same machine, so the model and the native numbers
// agree about the machine. On another machine, measure again and edit this table.
//
// Two sources:
//
//   - prices.c, the host's Linux doing the same unit of work natively:
//     make -C bench/costs prices && bench/costs/bin/native-prices
//     Each line is the median of 7 repetitions; the table below keeps, for each line,
//     the lowest median of the runs made (interference from the other work on this
//     shared host, load average 3 to 18 on 2 cores, only ever adds time).
//   - weft's own kernel doing the unit, in Go, for work that has no user-visible native
//     equivalent: go test -run '^$' -bench . -count 3 ./internal/kernel/cost/
//     (the lowest of 3 runs).
//
// Measured 2026-12-07 (prices.c: lowest median of 2 runs, 4 for the ping-pong and
// memset lines, which later runs measured too):
//
//	trap (getppid round trip)               1732 ns
//	first-touch fault, per page            22651 ns
//	copy-on-write fault, per page          23937 ns
//	munmap of written pages, per page        205 ns
//	memset 4 KiB                              33 ns
//	memcpy 4096 bytes                         35 ns   (0.009 ns/byte)
//	memcpy 64 bytes                         1.47 ns   (0.023 ns/byte)
//	fork+exit+wait, per extra VMA           1018 ns
//	fork+exit+wait, per extra fd              58 ns
//	TLB miss (8192-page minus 16-page chase) 137 ns
//	pipe ping-pong per switch, 2 threads     9208 ns   (run 4; run 3: 18339)
//	pipe ping-pong per switch, 2 processes  18577 ns   (run 4; run 3: 34683)
//	BenchmarkQueueOp                        34.4 ns/op (2 queue ops)
//	BenchmarkTaskInit                       59.9 ns/op (952 bytes)
//	BenchmarkProcInit                      128.7 ns/op (2352 bytes)
//	BenchmarkRegCopy                        25.7 ns/op (198 registers)
//	BenchmarkPTRef                          5611 ns/op (1024 references)
var Default = Model{Name: "default", Price: [NumUnits]uint64{
	// 1 ns per guest instruction is weft's timebase, not a measurement: the guest's
	// clock (and its time CSR) advances 1 ns per instruction retired, a 1 GHz core
	// retiring one instruction per cycle. A 2020s x86-64 core retires several per ns,
	// so guest code is priced high next to kernel work; the zero model keeps this
	// price and drops every other.
	Insn: 1000,
	// prices.c "trap": a getppid(2) round trip, entry, dispatch and return.
	Trap: 1_732_000,
	// prices.c "first-touch fault" minus "trap": allocate, zero and map a page (the
	// fault's trap is counted as a Trap).
	PageZeroed: 20_919_000,
	// prices.c "copy-on-write fault" minus "trap": allocate, copy and remap a page.
	PageCopied: 22_205_000,
	// prices.c "munmap of written pages, per page": unmap, drop and free a page.
	PageFreed: 205_000,
	// prices.c "memset 4 KiB": a node is a page of 512 entries to zero. Taking the
	// page from the allocator's free list is not included.
	PTNodeAlloc: 33_000,
	// prices.c "memcpy 4096 bytes": a node's 512 entries copied (the references the
	// copy takes are counted as PTRef).
	PTNodeCopy: 35_000,
	// prices.c "munmap ... per page": a node is a page given back.
	PTNodeFree: 205_000,
	// BenchmarkPTRef: 5611 ns / 1024 references to frames 4 KiB apart, as a leaf
	// node's copy or release touches them.
	PTRef: 5_500,
	// prices.c "fork+exit+wait, per extra VMA": the growth of a fork, exit and wait
	// with each extra mapping in the parent. It includes dropping the copy at the
	// child's exit, which weft does not count separately.
	VMACopy: 1_018_000,
	// prices.c "fork+exit+wait, per extra fd": likewise per open descriptor (a
	// reference on the open file, dropped at exit).
	FDCopy: 58_000,
	// prices.c "memcpy 64 bytes" rate (0.023 ns/byte) times Linux's 32-byte struct
	// k_sigaction: copy_sighand copies the table of 64.
	SigActionCopy: 740,
	// BenchmarkTaskInit: filling in weft's 952-byte Task from the parent's.
	TaskInit: 60_000,
	// BenchmarkProcInit: filling in weft's 2352-byte ThreadGroup (credentials,
	// limits, signal table) from the parent's. The signal table's copy is also
	// priced per entry above; at 65 entries that is 48 ns of overlap, under the
	// noise of either measurement.
	ProcInit: 129_000,
	// BenchmarkRegCopy: 25.7 ns / 198 registers.
	RegCopy: 130,
	// prices.c "memcpy 4096 bytes" rate: 0.009 ns a byte. Fixed costs of a copy are
	// in the trap of the call that makes it.
	ByteCopied: 9,
	// BenchmarkQueueOp: 34.4 ns / 2 operations on weft's wait queue.
	QueueOp: 17_000,
	// prices.c "pipe ping-pong": a switch between two processes minus a switch between
	// two threads of one process, both pinned to one CPU and passing a byte over
	// pipes: what changing address space adds to a switch (run 4: 18577 - 9208 ns;
	// run 3 gave 16344). In this PVM guest that is a hypervisor exit to switch page
	// tables, and whatever TLB refills follow natively; weft counts its own misses on
	// top (tlb_miss), which with --asid off adds to this price. Measured under heavy
	// load, it is the least certain price in the table.
	ASSwitch: 9_369_000,
	// A flush is one instruction (sfence.vma, a CR3 write) whose own cost is small
	// next to what it causes: the misses that refill the TLB, counted as TLBMiss.
	// Flushes and the entries they drop are counted, priced at zero.
	TLBFlush:        0,
	TLBEntryFlushed: 0,
	// prices.c "TLB miss": a load that misses the TLB (a chase through 8192 pages,
	// one line each) minus one that hits it (16 pages), the page-table walk of a
	// miss. In a PVM guest the walk is the guest's and its shadow's.
	TLBMiss: 137_000,
	// prices.c "path lookup, per component": stat(2) of a 64-component path minus a
	// 1-component one, per extra component (8.86 ns, median of 7, measured 2026-12-07
	// while the machine was shared: run it again on an idle one).
	PathStep: 8_860,
}}
