// os/exec: the program runs itself again as a child (WEFT_GO_CHILD says which part to
// play), with arguments, an environment, standard input from a string, its output
// captured through pipes, a non-zero exit status and a kill by a signal.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

func child(mode string) {
	switch mode {
	case "echo":
		fmt.Println("child args:", strings.Join(os.Args[1:], ","))
		fmt.Println("child env:", os.Getenv("GREETING"))
		fmt.Fprintln(os.Stderr, "child stderr")
	case "upper":
		b, _ := io.ReadAll(os.Stdin)
		fmt.Print(strings.ToUpper(string(b)))
	case "fail":
		os.Exit(3)
	case "hang":
		select {}
	}
	os.Exit(0)
}

func main() {
	if m := os.Getenv("WEFT_GO_CHILD"); m != "" {
		child(m)
	}
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	run := func(mode string, args ...string) *exec.Cmd {
		c := exec.Command(self, args...)
		c.Env = []string{"WEFT_GO_CHILD=" + mode, "GREETING=hello from the parent"}
		return c
	}

	c := run("echo", "a", "b c")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	fmt.Println("run:", c.Run())
	fmt.Print("stdout: ", out.String())
	fmt.Print("stderr: ", errb.String())

	c = run("upper")
	c.Stdin = strings.NewReader("through stdin\n")
	b, err := c.Output()
	fmt.Printf("output: %q %v\n", b, err)

	err = run("fail").Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		fmt.Println("exit code:", ee.ExitCode())
	}

	c = run("hang")
	fmt.Println("start:", c.Start())
	fmt.Println("kill:", c.Process.Signal(syscall.SIGTERM))
	err = c.Wait()
	if errors.As(err, &ee) {
		ws := ee.Sys().(syscall.WaitStatus)
		fmt.Println("killed by:", ws.Signal())
	}

	_, err = exec.Command("/no/such/program").Output()
	fmt.Println("missing program:", err)
}
