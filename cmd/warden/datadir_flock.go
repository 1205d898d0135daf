//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// dataDirLock is the file warden start holds an exclusive flock on while it
// serves the embedded store. The store's exact in-process auth cache (and its
// single writer) assume one process per database file, so a second warden on
// the same data dir is refused rather than left to serve stale answers. The
// kernel drops the lock when the process ends, however it ends (kill -9
// included), so a stale lock file never blocks a restart. warden backup and
// warden store copy do not take it: they only read.
const dataDirLock = "warden.lock"

// lockDataDir takes the lock, or says which process holds it. The holder's
// pid is written into the file once the lock is held; the file is never
// removed (removing it would let two processes lock two different files).
func lockDataDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, dataDirLock)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data dir lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := "unknown pid"
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(string(bytes.TrimSpace(b))); perr == nil {
				holder = "pid " + strconv.Itoa(pid)
			}
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errDataDirLocked.Msgf("data dir %s is in use by another warden (%s holds %s): the embedded store serves "+
				"one process at a time; stop that one first (warden backup and warden store copy work beside it)",
				dir, holder, path)
		}
		return nil, fmt.Errorf("data dir lock %s: %w", path, err)
	}
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir lock %s: %w", path, err)
	}
	return f, nil
}

// errDirLockUnsupported is what lockDataDir returns where there is no flock.
var errDirLockUnsupported = errors.New("no data dir lock on this platform")
