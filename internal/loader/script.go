package loader

import (
	"bytes"
	"errors"
	"strings"
)

// MaxInterp is how many "#!" interpreters may chain (Linux allows 4 levels of binfmt
// rewriting); past it execve fails with ELOOP.
const MaxInterp = 4

// ErrBadScript is a "#!" line with no interpreter, or longer than 255 bytes with no
// end (ENOEXEC).
var ErrBadScript = errors.New("bad #! line")

// Script recognises an interpreter script ("#!interpreter [argument]", execve(2)). ok
// reports whether data is one; then interp is the program to run instead, with argv:
// the interpreter's name, the optional argument, the script's path, and the script's
// arguments after argv[0] ("Interpreter scripts").
func Script(data []byte, path string, argv []string) (interp string, nargv []string, ok bool, err error) {
	if len(data) < 2 || data[0] != '#' || data[1] != '!' {
		return "", nil, false, nil
	}
	line := data[2:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	} else if len(line) > 255 {
		return "", nil, true, ErrBadScript
	}
	fields := strings.TrimLeft(string(line), " \t")
	if fields == "" {
		return "", nil, true, ErrBadScript
	}
	interp, arg, _ := strings.Cut(fields, " ")
	if i := strings.IndexByte(interp, '\t'); i >= 0 {
		interp, arg = interp[:i], interp[i+1:]
	}
	nargv = []string{interp}
	if arg = strings.TrimSpace(arg); arg != "" {
		nargv = append(nargv, arg)
	}
	nargv = append(nargv, path)
	if len(argv) > 1 {
		nargv = append(nargv, argv[1:]...)
	}
	return interp, nargv, true, nil
}
