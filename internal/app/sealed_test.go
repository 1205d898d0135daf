package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/masterkey"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
)

func withKey(t testing.TB, s store.Store) *App {
	t.Helper()
	k, err := masterkey.New(masterkey.Generate())
	if err != nil {
		t.Fatal(err)
	}
	return New(s, slog.New(slog.DiscardHandler), "localhost", WithMasterKey(k))
}

// TestCheckMasterKey: the first start records the check value; the same key
// passes again, another is ErrMasterKeyMismatch; nodes starting at once with
// one key agree, and of nodes racing with different keys only one key wins.
func TestCheckMasterKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		ctx := context.Background()
		s := open(t)
		nodes := make([]*App, 6)
		for i := range nodes {
			nodes[i] = withKey(t, s)
			if i%2 == 1 {
				nodes[i] = New(s, slog.New(slog.DiscardHandler), "localhost", WithMasterKey(nodes[i-1].MasterKey()))
			}
		}
		errs := make([]error, len(nodes))
		var wg sync.WaitGroup
		for i, a := range nodes {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = a.CheckMasterKey(ctx) }()
		}
		wg.Wait()
		won := -1
		for i := 0; i < len(nodes); i += 2 {
			a, b := errs[i], errs[i+1]
			if (a == nil) != (b == nil) {
				t.Fatalf("two nodes with one key disagree: %v, %v", a, b)
			}
			switch {
			case a == nil && won >= 0:
				t.Fatalf("keys %d and %d both accepted", won, i)
			case a == nil:
				won = i
			case !errors.Is(a, ErrMasterKeyMismatch):
				t.Fatalf("node %d: %v", i, a)
			}
		}
		if won < 0 {
			t.Fatal("no key won")
		}
		if err := nodes[won].CheckMasterKey(ctx); err != nil {
			t.Fatalf("the same key again: %v", err)
		}
		err := withKey(t, s).CheckMasterKey(ctx)
		if !errors.Is(err, ErrMasterKeyMismatch) {
			t.Fatalf("another key: %v", err)
		}
		t.Log(err)
	})
}

// TestConsoleSessionTokensSealed: the stored console session holds neither
// token; only its cookie opens them, and only in its own row.
func TestConsoleSessionTokensSealed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		ctx := context.Background()
		s := open(t)
		a := withKey(t, s)
		in := ConsoleSession{UserID: "u1", AccessToken: "access-token-value-0123456789", IDToken: "id-token-value-0123456789", CSRF: "csrf1"}
		cookie, err := a.CreateConsoleSession(ctx, in, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		art, err := s.ArtifactByKey(ctx, KindConsoleSession, consoleKey(cookie))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{in.AccessToken, in.IDToken, cookie} {
			if bytes.Contains(art.Data, []byte(v)) {
				t.Fatalf("the stored session holds %q: %s", v, art.Data)
			}
		}
		got, err := a.ConsoleSessionOf(ctx, cookie)
		if err != nil || *got != in {
			t.Fatalf("session: %+v %v", got, err)
		}
		if err := a.SetConsoleOrg(ctx, cookie, "o2"); err != nil {
			t.Fatal(err)
		}
		in.OrgID = "o2"
		if got, err = a.ConsoleSessionOf(ctx, cookie); err != nil || *got != in {
			t.Fatalf("after SetConsoleOrg: %+v %v", got, err)
		}

		// Another browser's session row, given this one's sealed tokens, opens
		// nothing: the key is the other cookie, the place another row.
		other, err := a.CreateConsoleSession(ctx, ConsoleSession{UserID: "u2", AccessToken: "x", CSRF: "c"}, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			o, err := tx.ArtifactByKey(ctx, KindConsoleSession, consoleKey(other))
			if err != nil {
				return err
			}
			o.Data = art.Data
			return tx.PutArtifact(ctx, o)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := a.ConsoleSessionOf(ctx, other); !errors.Is(err, ErrSessionEnded) {
			t.Fatalf("a moved record opened: %+v %v", got, err)
		}
		if _, err := openConsoleTokens(cookie, "elsewhere", mustRecord(t, art.Data).Tokens); err == nil {
			t.Fatal("the sealed tokens opened in another row")
		}
	})
}

func mustRecord(t *testing.T, data []byte) consoleRecord {
	t.Helper()
	var r consoleRecord
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestUpgradeDropsClearConsoleSessions: console sessions an earlier version
// stored with clear tokens are gone after the first start with a master key;
// sessions made since survive later starts.
func TestUpgradeDropsClearConsoleSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		ctx := context.Background()
		s := open(t)
		a := withKey(t, s)
		legacy := []byte(`{"userId":"u1","accessToken":"clear-access-token","idToken":"clear-id-token","csrf":"c"}`)
		err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return tx.PutArtifact(ctx, &store.Artifact{Kind: KindConsoleSession, ID: "legacy1", Key: consoleKey("old-cookie"),
				UserID: "u1", CreatedAt: store.Now(), ExpiresAt: time.Now().Add(time.Hour), Data: legacy})
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.ConsoleSessionOf(ctx, "old-cookie"); !errors.Is(err, ErrSessionEnded) {
			t.Fatalf("a clear session is used: %v", err)
		}
		if err := a.CheckMasterKey(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Artifact(ctx, KindConsoleSession, "legacy1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the clear console session is still stored: %v", err)
		}
		cookie, err := a.CreateConsoleSession(ctx, ConsoleSession{UserID: "u1", AccessToken: "t", CSRF: "c"}, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.CheckMasterKey(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ConsoleSessionOf(ctx, cookie); err != nil {
			t.Fatalf("a sealed session did not survive a restart: %v", err)
		}
	})
}
