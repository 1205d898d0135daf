//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import (
	"errors"
	"os"
)

const dataDirLock = "warden.lock"

// lockDataDir: this platform has no flock; warden start warns that a second
// process on the same data dir is not refused.
func lockDataDir(string) (*os.File, error) { return nil, errDirLockUnsupported }

var errDirLockUnsupported = errors.New("no data dir lock on this platform")
