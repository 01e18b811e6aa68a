// Timers on the Go runtime's netpoller (epoll and an eventfd under it): time.Sleep,
// time.Timer (fired, stopped, reset), time.Ticker, time.After in a select,
// time.AfterFunc and context.WithTimeout. Only what happened is printed, never a time.
package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	fmt.Println("slept at least 20ms:", time.Since(start) >= 20*time.Millisecond)

	t := time.NewTimer(10 * time.Millisecond)
	<-t.C
	fmt.Println("timer fired")
	t2 := time.NewTimer(time.Hour)
	fmt.Println("stop a pending timer:", t2.Stop())
	t2.Reset(5 * time.Millisecond)
	<-t2.C
	fmt.Println("reset timer fired")

	tk := time.NewTicker(3 * time.Millisecond)
	n := 0
	for range tk.C {
		n++
		if n == 5 {
			break
		}
	}
	tk.Stop()
	fmt.Println("ticks:", n)

	select {
	case <-time.After(5 * time.Millisecond):
		fmt.Println("time.After won the select")
	case <-make(chan int):
		fmt.Println("impossible")
	}

	var wg sync.WaitGroup
	wg.Add(1)
	time.AfterFunc(2*time.Millisecond, func() { fmt.Println("AfterFunc ran"); wg.Done() })
	wg.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	fmt.Println("context:", ctx.Err())

	// Many goroutines sleeping different times wake in order of their deadlines.
	var mu sync.Mutex
	var order []int
	var wg2 sync.WaitGroup
	for i := 5; i >= 1; i-- {
		wg2.Add(1)
		go func(i int) {
			defer wg2.Done()
			time.Sleep(time.Duration(i) * 20 * time.Millisecond)
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		}(i)
	}
	wg2.Wait()
	fmt.Println("wake order:", order)
}
