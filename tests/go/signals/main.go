// os/signal: signal.Notify with a signal the process sends itself, one that is
// ignored, and one a child process (this program again) sends its parent; and a child
// that catches SIGTERM and says so before it exits.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	switch os.Getenv("WEFT_GO_CHILD") {
	case "kill-parent":
		syscall.Kill(os.Getppid(), syscall.SIGUSR2)
		os.Exit(0)
	case "catch":
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		fmt.Println("child ready")
		os.Stdout.Sync()
		s := <-ch
		fmt.Println("child caught", s)
		os.Exit(7)
	}

	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	fmt.Println("got:", <-ch)

	signal.Ignore(syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	fmt.Println("SIGHUP ignored, still here")

	self, _ := os.Executable()
	ch2 := make(chan os.Signal, 1)
	signal.Notify(ch2, syscall.SIGUSR2)
	c := exec.Command(self)
	c.Env = []string{"WEFT_GO_CHILD=kill-parent"}
	fmt.Println("child run:", c.Run())
	fmt.Println("from the child:", <-ch2)

	c = exec.Command(self)
	c.Env = []string{"WEFT_GO_CHILD=catch"}
	pr, pw, _ := os.Pipe()
	c.Stdout = pw
	c.Start()
	pw.Close()
	buf := make([]byte, 64)
	n, _ := pr.Read(buf) // "child ready": its handler is in place
	fmt.Print("child says: ", string(buf[:n]))
	c.Process.Signal(syscall.SIGTERM)
	rest := make([]byte, 64)
	m, _ := pr.Read(rest)
	err := c.Wait()
	fmt.Print("child says: ", string(rest[:m]))
	fmt.Println("child exit:", err)

	signal.Stop(ch)
	select {
	case s := <-ch:
		fmt.Println("unexpected", s)
	case <-time.After(time.Millisecond):
		fmt.Println("no more signals")
	}
}
