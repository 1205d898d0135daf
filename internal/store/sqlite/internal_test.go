package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
)

// TestPragmas checks the durability settings really took on the writer.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode string
	var sync, fk int
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 {
		t.Errorf("journal_mode=%s synchronous=%d, want wal and 2 (FULL)", mode, sync)
	}
	var qo int
	if err := s.rdb.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil {
		t.Fatal(err)
	}
	if qo != 1 {
		t.Errorf("read pool query_only=%d", qo)
	}
}

// TestGroupCommit: concurrent writes share transactions.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 20 {
				err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
					return tx.Append(ctx, event.Event{AggregateType: "x", AggregateID: strconv.Itoa(g), Sequence: uint64(i + 1), Type: "t"})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	st := s.Stats()
	t.Logf("%d writes in %d batches", st.Writes, st.Batches)
	if st.Writes != 640 || st.Batches >= st.Writes/2 {
		t.Errorf("group commit did not batch: %+v", st)
	}
}

// TestCancelWhileQueued: a caller that gives up while its request waits behind
// a busy writer gets ctx.Err() and its fn never runs.
func TestCancelWhileQueued(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release := make(chan struct{})
	started := make(chan struct{})
	go s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		close(started)
		<-release
		return nil
	})
	<-started
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	ran := false
	err = s.Write(cctx, func(ctx context.Context, tx store.Tx) error { ran = true; return nil })
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want deadline exceeded", err)
	}
	// The writer skips the abandoned request and keeps serving.
	if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Error("abandoned fn ran")
	}
}
