// Goroutines on several threads: GOMAXPROCS 4, a mutex-protected counter, atomics,
// channels in a pipeline, a WaitGroup, and a sync.Cond handoff. Results, not
// interleavings, are printed, so they are the same on every schedule.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

func main() {
	runtime.GOMAXPROCS(4)
	fmt.Println("GOMAXPROCS:", runtime.GOMAXPROCS(0))

	var mu sync.Mutex
	var wg sync.WaitGroup
	count := 0
	var atom atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				mu.Lock()
				count++
				mu.Unlock()
				atom.Add(1)
				if i%500 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	fmt.Println("mutex count:", count, "atomic count:", atom.Load())

	// A pipeline: generate, square on 4 workers, sum.
	in := make(chan int)
	out := make(chan int)
	go func() {
		for i := 1; i <= 1000; i++ {
			in <- i
		}
		close(in)
	}()
	var wg2 sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for v := range in {
				out <- v * v
			}
		}()
	}
	go func() { wg2.Wait(); close(out) }()
	sum := 0
	for v := range out {
		sum += v
	}
	fmt.Println("sum of squares 1..1000:", sum)

	// Ping-pong through a condition variable.
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	turn := 0
	var wg3 sync.WaitGroup
	for p := 0; p < 2; p++ {
		wg3.Add(1)
		go func(p int) {
			defer wg3.Done()
			for i := 0; i < 100; i++ {
				cmu.Lock()
				for turn%2 != p {
					cond.Wait()
				}
				turn++
				cond.Broadcast()
				cmu.Unlock()
			}
		}(p)
	}
	wg3.Wait()
	fmt.Println("turns:", turn)

	// Allocation on many goroutines keeps the collector busy on every thread.
	var total atomic.Int64
	var wg4 sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg4.Add(1)
		go func() {
			defer wg4.Done()
			for i := 0; i < 200; i++ {
				b := make([]byte, 16<<10)
				b[i] = byte(i)
				total.Add(int64(len(b)))
			}
		}()
	}
	wg4.Wait()
	runtime.GC()
	fmt.Println("allocated:", total.Load())
}
