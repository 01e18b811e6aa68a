package tests

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// browser is a headless Chromium driven through the Chrome DevTools Protocol over a
// pipe (--remote-debugging-pipe: the browser reads commands on its descriptor 3 and
// writes replies and events on 4, each message JSON ending in a NUL byte), so that no
// WebSocket client and no npm package is needed. One page, one command at a time.
type browser struct {
	t       testing.TB
	cmd     *exec.Cmd
	in      *os.File      // our end of the browser's descriptor 3
	out     *bufio.Reader // our end of its descriptor 4
	outFile *os.File
	id      int
	session string // the page's session (Target.attachToTarget, flat mode)
	profile string // the browser's user data directory, removed when it has exited
	ctx     context.Context
}

// startBrowser starts Debian's chromium headless with one blank page of w×h pixels.
func startBrowser(t testing.TB, ctx context.Context, w, h int) *browser {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is missing (apt-get install chromium; scripts/setup.sh installs it): %v", err)
	}
	// Not t.TempDir: the browser's helper processes may still write there for a moment
	// after it exits, which would fail the test in TempDir's cleanup.
	profile, err := os.MkdirTemp("", "weft-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--user-data-dir="+profile, "--remote-debugging-pipe",
		fmt.Sprintf("--window-size=%d,%d", w, h), "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, evW} // descriptors 3 and 4
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmdR.Close()
	evW.Close()
	b := &browser{t: t, cmd: cmd, in: cmdW, out: bufio.NewReader(evR), outFile: evR, profile: profile, ctx: ctx}
	t.Cleanup(b.close)
	var target struct{ TargetID string }
	b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct{ SessionID string }
	b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	b.session = att.SessionID
	b.call(b.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": w, "height": h, "deviceScaleFactor": 1, "mobile": false}, nil)
	return b
}

func (b *browser) close() {
	msg, _ := json.Marshal(map[string]any{"id": b.id + 1, "method": "Browser.close"})
	b.in.Write(append(msg, 0))
	b.in.Close()
	done := make(chan struct{})
	go func() { b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second): // the browser ignored the closed pipe
		b.cmd.Process.Kill()
		<-done
	}
	b.outFile.Close()
	os.RemoveAll(b.profile)
}

// call sends one command (to the page's session, or to the browser with session "")
// and decodes its result into res; events that arrive meanwhile are dropped.
func (b *browser) call(session, method string, params any, res any) {
	b.t.Helper()
	b.id++
	msg := map[string]any{"id": b.id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.in.Write(append(data, 0)); err != nil {
		b.t.Fatalf("chromium: %s: %v", method, err)
	}
	for {
		line, err := b.out.ReadBytes(0)
		if err != nil {
			b.t.Fatalf("chromium: %s: no reply: %v", method, err)
		}
		var reply struct {
			ID     int
			Result json.RawMessage
			Error  *struct {
				Code    int
				Message string
			}
		}
		if err := json.Unmarshal(line[:len(line)-1], &reply); err != nil {
			b.t.Fatalf("chromium: %s: %v in %q", method, err, line)
		}
		if reply.ID != b.id {
			continue // an event, or the reply to nothing we wait for
		}
		if reply.Error != nil {
			b.t.Fatalf("chromium: %s: %d %s", method, reply.Error.Code, reply.Error.Message)
		}
		if res != nil {
			if err := json.Unmarshal(reply.Result, res); err != nil {
				b.t.Fatalf("chromium: %s: %v", method, err)
			}
		}
		return
	}
}

// navigate loads url in the page.
func (b *browser) navigate(url string) {
	b.t.Helper()
	b.call(b.session, "Page.navigate", map[string]any{"url": url}, nil)
}

// eval evaluates a JavaScript expression in the page (awaiting it if it is a promise)
// and decodes its JSON value into res.
func (b *browser) eval(expr string, res any) {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	b.call(b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if r.ExceptionDetails != nil {
		b.t.Fatalf("page: %s: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if res != nil {
		if err := json.Unmarshal(r.Result.Value, res); err != nil {
			b.t.Fatalf("page: %s: %v in %s", expr, err, r.Result.Value)
		}
	}
}

// waitFor polls a JavaScript condition until it is true. Only the test's context (a
// catcher of hangs, minutes long) bounds the wait, so a loaded machine only makes it
// slower.
func (b *browser) waitFor(cond string) {
	b.t.Helper()
	for b.ctx.Err() == nil {
		var ok bool
		b.eval("(() => { try { return !!("+cond+"); } catch (e) { return false; } })()", &ok)
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.t.Fatalf("page: %s never became true", cond)
}

// click presses and releases the left mouse button at (x, y), as a user would.
func (b *browser) click(x, y float64) {
	b.t.Helper()
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		b.call(b.session, "Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "clickCount": 1}, nil)
	}
}

// screenshot returns the page as PNG.
func (b *browser) screenshot() []byte {
	b.t.Helper()
	var r struct{ Data string }
	b.call(b.session, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	return png
}
