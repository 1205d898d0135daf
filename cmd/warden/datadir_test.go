package main

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDataDirLock: with the embedded store, a second warden start on a data
// dir another one serves is refused with an error naming the holder's pid,
// and the first serves on; warden backup and warden store copy work beside
// it; once the holder is gone (even by SIGKILL) the data dir starts again.
func TestDataDirLock(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary; skipped in -short mode")
	}
	bin := crashBuildWarden(t)
	dir := t.TempDir()
	first := crashStart(t, bin, dir)

	second, err := startNode(t, bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = second.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("a second warden on the served data dir still runs after 20s; its log:\n%s", second.logs())
	}
	out, code := second.fullLog(), second.cmd.ProcessState.ExitCode()
	pid := strconv.Itoa(first.cmd.Process.Pid)
	if code == 0 || !strings.Contains(out, "in use by another warden") || !strings.Contains(out, "pid "+pid) ||
		!strings.Contains(out, "WARDEN-DATADIR-LOCKED") {
		t.Fatalf("second start on a served data dir: exit %d, output:\n%s\nwant a refusal naming pid %s", code, out, pid)
	}
	if err := waitReady(first.base, http.StatusOK, 5*time.Second); err != nil {
		t.Fatalf("the first warden after the refused start: %v", err)
	}

	snap := filepath.Join(t.TempDir(), "snap.db")
	if out, code := runWarden(t, bin, "backup", "--data-dir", dir, "--to", snap); code != 0 {
		t.Fatalf("backup beside the server: exit %d\n%s", code, out)
	}
	copyTo := filepath.Join(t.TempDir(), "copy.db")
	if out, code := runWarden(t, bin, "store", "copy", "--from", dir, "--to", copyTo); code != 0 {
		t.Fatalf("store copy from the served data dir: exit %d\n%s", code, out)
	}

	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	again := crashStart(t, bin, dir) // the kernel dropped the dead holder's lock
	if err := again.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = again.cmd.Wait()
}

// runWarden runs one warden command to its end and returns its combined
// output and exit code.
func runWarden(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("warden %v did not end within 60s:\n%s", args, out.String())
	}
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("warden %v: %v", args, err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}
