// Package guestroot gives the test suites the default guest root: Debian trixie's
// riscv64 packages that scripts/rootfs.sh builds once and caches.
package guestroot

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

var (
	once sync.Once
	dir  string
	err  error
)

// Path returns the default guest root's directory, building it the first time (a
// download of about 25 MB from the Debian archive the host's apt uses). repoRoot is
// the repository's top directory.
func Path(repoRoot string) (string, error) {
	once.Do(func() {
		cmd := exec.Command(filepath.Join(repoRoot, "scripts", "rootfs.sh"), "--default")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, e := cmd.Output()
		if e != nil {
			err = fmt.Errorf("scripts/rootfs.sh --default: %v\n%s", e, stderr.String())
			return
		}
		dir = strings.TrimSpace(string(out))
	})
	return dir, err
}
