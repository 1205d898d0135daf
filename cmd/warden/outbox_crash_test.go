package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/mail"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestOutboxSurvivesKill: mails queued in the store are delivered by the real
// binary through the active SMTP configuration; killed with SIGKILL in the
// middle of the delivery and started again, it delivers every mail, none
// lost, and a mail sent twice (at most the one in flight at the kill) carries
// the same Message-ID, so by Message-ID each arrives exactly once.
func TestOutboxSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real server; skipped in -short mode")
	}
	bin := crashBuildWarden(t)
	dataDir := t.TempDir()
	srv := wardentest.NewSMTPServerPlain(t)
	srv.Delay = 100 * time.Millisecond
	flags := []string{"--outbox-interval", "1s", "--outbox-lease", "2s"}
	start := func() *crashProc {
		t.Helper()
		p, err := startNode(t, bin, dataDir, flags...)
		if err != nil {
			t.Fatal(err)
		}
		if err := waitReady(p.base, http.StatusOK, 20*time.Second); err != nil {
			t.Fatalf("%v; log:\n%s", err, p.logs())
		}
		return p
	}
	kill := func(p *crashProc) {
		t.Helper()
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
	}

	// An active SMTP configuration, set over the API.
	p := start()
	api := &crashClient{base: p.base, token: crashReadPAT(t, dataDir), http: crashHTTPClient()}
	var added struct {
		ID string `json:"id"`
	}
	if code, b, err := api.do(context.Background(), http.MethodPost, "/admin/v1/smtp",
		`{"senderAddress":"noreply@example.com","host":"`+srv.Addr+`"}`, &added); err != nil || code != 200 {
		t.Fatalf("add smtp config: %d %s %v", code, b, err)
	}
	if code, b, err := api.do(context.Background(), http.MethodPost, "/admin/v1/smtp/"+added.ID+"/_activate", `{}`, nil); err != nil || code != 200 {
		t.Fatalf("activate: %d %s %v", code, b, err)
	}
	kill(p)

	// Mails queued while it is down, as a use case's transaction would.
	const n = 20
	st, err := sqlite.Open(context.Background(), filepath.Join(dataDir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	err = st.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for i := range ids {
			ids[i] = fmt.Sprintf("crash-mail-%02d", i)
			if err := tx.EnqueueMessage(ctx, &store.Message{ID: ids[i], Kind: app.KindEmail, Recipient: "u@example.com",
				Data: []byte(fmt.Sprintf(`{"to":"u%d@example.com","subject":"s","text":"mail %d"}`, i, i))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Kill it in the middle of the delivery.
	p = start()
	deadline := time.Now().Add(20 * time.Second)
	for len(srv.Mails()) < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("no delivery started; log:\n%s", p.logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
	kill(p)
	before := len(srv.Mails())
	if before >= n {
		t.Fatalf("all %d mails went out before the kill; the test proves nothing", before)
	}

	p = start()
	deadline = time.Now().Add(30 * time.Second)
	for {
		seen := map[string]int{}
		for _, m := range srv.Mails() {
			seen[m.MessageID]++
		}
		if len(seen) >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d mails after the restart; log:\n%s", len(seen), n, p.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2500 * time.Millisecond) // past a lease and a run: nothing more may come
	kill(p)

	seen := map[string]int{}
	for _, m := range srv.Mails() {
		seen[m.MessageID]++
	}
	dups := 0
	for _, id := range ids {
		c := seen[mail.MessageIDHeader(id)]
		if c == 0 {
			t.Errorf("mail %s lost", id)
		}
		dups += c - 1
	}
	if len(seen) != n {
		t.Errorf("%d distinct Message-IDs, want %d", len(seen), n)
	}
	if dups > 1 {
		t.Errorf("%d duplicates; at most the one in flight at the kill may repeat", dups)
	}
	t.Logf("%d mails before the kill, %d duplicates (same Message-ID) after it", before, dups)

	st, err = sqlite.Open(context.Background(), filepath.Join(dataDir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if c, err := st.CountMessages(context.Background(), store.MessageSent); err != nil || c != n {
		t.Errorf("%d mails marked sent, %v; want %d", c, err, n)
	}
}
