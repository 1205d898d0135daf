package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/masterkey"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/store/testdb"
)

// running is a serve call in this process.
type running struct {
	base string
	logs *syncBuf
	stop func() error
}

// startServe runs serve with c on a free port until stop or the end of the
// test. It returns serve's error when serve gives up before serving.
func startServe(t *testing.T, c startConfig) (*running, error) {
	t.Helper()
	c.addr, c.logJSON, c.drain = "127.0.0.1:0", true, 2*time.Second
	logs := &syncBuf{}
	log, err := newLogger(logs, "info", true)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, log) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			stopped = true
			cancel()
			if err == nil {
				err = errors.New("serve returned without error before serving")
			}
			return nil, err
		default:
		}
		for _, l := range strings.Split(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "serving" {
				return &running{base: "http://" + m["addr"].(string), logs: logs, stop: stop}, nil
			}
		}
	}
	t.Fatalf("never served:\n%s", logs.String())
	return nil, nil
}

func mustServe(t *testing.T, c startConfig) *running {
	t.Helper()
	r, err := startServe(t, c)
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	return r
}

func (r *running) halt(t *testing.T) {
	t.Helper()
	if err := r.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// keyIDs are the kids the running server publishes.
func (r *running) keyIDs(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get(r.base + "/oauth/v2/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.Kid)
	}
	return ids
}

func embedded(t *testing.T) startConfig {
	return startConfig{dataDir: filepath.Join(t.TempDir(), "data"), domain: "localhost", orgName: "Warden", logLevel: "info", metrics: false}
}

// TestMasterKeySettings: the key comes from WARDEN_MASTERKEY or a file
// (--masterkey-file, WARDEN_MASTERKEY_FILE, masterkey_file) by the usual
// precedence; a loose file warns; a key of the wrong length is refused naming
// the source, never the value.
func TestMasterKeySettings(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	envKey, fileKey := string(masterkey.Generate()), string(masterkey.Generate())
	t.Setenv("WARDEN_MASTERKEY", envKey)
	c, warn, err := load(t)
	if err != nil || c.masterKey != envKey || len(warn) > 0 {
		t.Fatalf("WARDEN_MASTERKEY: %v %v", warn, err)
	}
	loose := writeFile(t, dir, "key", fileKey+"\n", 0o644)
	c, warn, err = load(t, "--masterkey-file", loose)
	if err != nil || c.masterKey != fileKey {
		t.Fatalf("--masterkey-file over WARDEN_MASTERKEY: %v", err)
	}
	if len(warn) != 1 || !strings.Contains(warn[0], loose) || !strings.Contains(warn[0], "0644") {
		t.Errorf("want one warning about %s, got %q", loose, warn)
	}
	t.Setenv("WARDEN_MASTERKEY", "")
	cfg := writeFile(t, dir, "warden.yaml", "masterkey_file: "+writeFile(t, dir, "key2", fileKey+"\n", 0o600)+"\n", 0o600)
	if c, _, err = load(t, "--config", cfg); err != nil || c.masterKey != fileKey {
		t.Fatalf("masterkey_file in the config file: %v", err)
	}

	short := "only-twenty-characters"
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"short env":       {env: map[string]string{"WARDEN_MASTERKEY": short}, want: "WARDEN_MASTERKEY: masterkey: must be exactly 32"},
		"short file":      {args: []string{"--masterkey-file", writeFile(t, dir, "short", short+"\n", 0o600)}, want: "--masterkey-file: masterkey: must be exactly 32"},
		"both env":        {env: map[string]string{"WARDEN_MASTERKEY": envKey, "WARDEN_MASTERKEY_FILE": loose}, want: "both WARDEN_MASTERKEY and WARDEN_MASTERKEY_FILE"},
		"missing file":    {args: []string{"--masterkey-file", filepath.Join(dir, "absent")}, want: "--masterkey-file"},
		"long (with tab)": {env: map[string]string{"WARDEN_MASTERKEY": envKey + "\t"}, want: "got 33"},
	} {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, _, err := load(t, tc.args...)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), short) || strings.Contains(err.Error(), envKey) {
				t.Fatal("the error shows the key")
			}
		})
	}

	var out bytes.Buffer
	if err := run([]string{"start", "--help"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--masterkey string  (env WARDEN_MASTERKEY, yaml masterkey)",
		"--masterkey-file FILE  (env WARDEN_MASTERKEY_FILE, yaml masterkey_file)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestMasterKeyFileCreatedOnce: the embedded store's first start generates
// data-dir/masterkey with mode 0600; later starts read the same key (and warn
// when the file became readable by others); the key is never logged.
func TestMasterKeyFileCreatedOnce(t *testing.T) {
	clearEnv(t)
	c := embedded(t)
	r := mustServe(t, c)
	kids := r.keyIDs(t)
	r.halt(t)
	path := filepath.Join(c.dataDir, "masterkey")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("masterkey has mode %04o, want 0600", fi.Mode().Perm())
	}
	key, _ := os.ReadFile(path)
	if _, err := masterkey.Parse(key); err != nil {
		t.Fatalf("masterkey file: %v", err)
	}
	if !strings.Contains(r.logs.String(), "generated the master key") {
		t.Errorf("the first start does not say it generated the key:\n%s", r.logs)
	}

	r = mustServe(t, c)
	if again := r.keyIDs(t); strings.Join(again, ",") != strings.Join(kids, ",") {
		t.Errorf("signing keys changed across a restart: %v, then %v", kids, again)
	}
	r.halt(t)
	if now, _ := os.ReadFile(path); !bytes.Equal(now, key) {
		t.Fatal("a second start replaced the master key file")
	}
	if strings.Contains(r.logs.String(), "generated the master key") {
		t.Error("a second start generated a key again")
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	r = mustServe(t, c)
	r.halt(t)
	if !strings.Contains(r.logs.String(), "master key file "+path+" is readable by group or others") {
		t.Errorf("no warning about a readable master key file:\n%s", r.logs)
	}
	if strings.Contains(r.logs.String(), strings.TrimSpace(string(key))) {
		t.Error("the master key is in the log")
	}
}

// TestPostgresNeedsMasterKey: with --database and no key given, start is
// refused before connecting, saying how to give one; a data-dir/masterkey
// file, when there is one, is used.
func TestPostgresNeedsMasterKey(t *testing.T) {
	clearEnv(t)
	c := embedded(t)
	c.database = "postgres://warden@127.0.0.1:1/unreachable"
	_, err := startServe(t, c)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "--masterkey-file") || !strings.Contains(err.Error(), "WARDEN_MASTERKEY") ||
		strings.Contains(err.Error(), "open store") {
		t.Fatalf("want a refusal naming --masterkey-file and WARDEN_MASTERKEY before any connection, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "masterkey")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key was generated for PostgreSQL: %v", err)
	}

	want := masterkey.Generate()
	if err := os.WriteFile(filepath.Join(c.dataDir, "masterkey"), append(want, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	k, from, err := loadMasterKey(c, slog.New(slog.DiscardHandler))
	if err != nil || from != filepath.Join(c.dataDir, "masterkey") {
		t.Fatalf("data-dir/masterkey with PostgreSQL: %q %v", from, err)
	}
	wk, _ := masterkey.New(want)
	if !bytes.Equal(k.Derive("x"), wk.Derive("x")) {
		t.Fatal("not the key in the file")
	}
}

// TestWrongMasterKeyRefused: a store set up with one master key does not start
// with another (given, or regenerated after the file was lost), on either
// engine, with the clear error, and nothing of it changes.
func TestWrongMasterKeyRefused(t *testing.T) {
	clearEnv(t)
	t.Run("sqlite", func(t *testing.T) {
		c := embedded(t)
		mustServe(t, c).halt(t)
		db := filepath.Join(c.dataDir, "warden.db")
		before := artifactsOf(t, db)

		other := c
		other.masterKey = string(masterkey.Generate())
		_, err := startServe(t, other)
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), "the master key does not match the one this database was set up with") ||
			!strings.Contains(err.Error(), "WARDEN_MASTERKEY") {
			t.Fatalf("another key: %v", err)
		}

		// The key file lost: a new one is generated, and refused.
		if err := os.Remove(filepath.Join(c.dataDir, "masterkey")); err != nil {
			t.Fatal(err)
		}
		_, err = startServe(t, c)
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), "does not match") || !strings.Contains(err.Error(), "generated just now") {
			t.Fatalf("a regenerated key: %v", err)
		}
		if after := artifactsOf(t, db); after != before {
			t.Fatal("a refused start changed the stored keys")
		}
	})
	t.Run("postgres", func(t *testing.T) {
		c := embedded(t)
		c.database = testdb.PostgresDSN(t)
		c.masterKey = string(masterkey.Generate())
		mustServe(t, c).halt(t)
		c.masterKey = string(masterkey.Generate())
		_, err := startServe(t, c)
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), "the master key does not match the one this database was set up with") {
			t.Fatalf("another key: %v", err)
		}
	})
}

// artifactsOf is every key-like artifact of a closed SQLite store, as text.
func artifactsOf(t *testing.T, db string) string {
	t.Helper()
	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var b strings.Builder
	for _, kind := range []string{oauth.KindSigningKey, oauth.KindCryptoKey, app.KindMasterKeyCheck} {
		arts, _, err := s.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: kind, Page: store.Page{Limit: 100, Asc: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range arts {
			b.WriteString(a.Kind + "/" + a.ID + "=" + string(a.Data) + "\n")
		}
	}
	return b.String()
}

// TestStartSealsClearKeys: a data dir written by a version before the master
// key (the token key and a signing key in clear, a console session holding its
// tokens) starts, generates its master key, and afterwards holds them sealed
// (the same keys) and no clear console session.
func TestStartSealsClearKeys(t *testing.T) {
	clearEnv(t)
	c := embedded(t)
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(c.dataDir, "warden.db")
	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var tokenKey [32]byte
	_, _ = rand.Read(tokenKey[:])
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := store.Now()
	sk, _ := json.Marshal(oauth.SigningKey{ID: "00112233445566778899aabbccddeeff", Algorithm: "RS256",
		PrivatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})),
		NotBefore:  now.Add(-time.Hour), NotAfter: now.Add(20 * 24 * time.Hour), CreatedAt: now.Add(-time.Hour)})
	err = s.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for _, a := range []*store.Artifact{
			{Kind: oauth.KindCryptoKey, ID: "0a0b0c0d", Key: "current", CreatedAt: now, Data: tokenKey[:]},
			{Kind: oauth.KindSigningKey, ID: "00112233445566778899aabbccddeeff", CreatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour), Data: sk},
			{Kind: app.KindConsoleSession, ID: "1", Key: "cafe", UserID: "u", CreatedAt: now, ExpiresAt: now.Add(time.Hour),
				Data: []byte(`{"userId":"u","accessToken":"clear-console-token","csrf":"x"}`)},
		} {
			if err := tx.PutArtifact(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	r := mustServe(t, c)
	if kids := r.keyIDs(t); len(kids) != 1 || kids[0] != "00112233445566778899aabbccddeeff" {
		t.Errorf("published keys %v, want the upgraded one", kids)
	}
	r.halt(t)

	raw, err := os.ReadFile(filepath.Join(c.dataDir, "masterkey"))
	if err != nil {
		t.Fatal(err)
	}
	mk, err := masterkey.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	ck, err := s.Artifact(ctx, oauth.KindCryptoKey, "0a0b0c0d")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := mk.Open(ck.Data, []byte("crypto_key/0a0b0c0d")); err != nil || !bytes.Equal(got, tokenKey[:]) {
		t.Errorf("crypto key not sealed as it was: %v", err)
	}
	sa, err := s.Artifact(ctx, oauth.KindSigningKey, "00112233445566778899aabbccddeeff")
	if err != nil {
		t.Fatal(err)
	}
	var m oauth.SigningKey
	if err := json.Unmarshal(sa.Data, &m); err != nil || m.PrivatePEM != "" || bytes.Contains(sa.Data, []byte("PRIVATE KEY")) {
		t.Fatalf("signing key still in clear: %s", sa.Data)
	}
	der, err := mk.Open(m.Sealed, []byte("signing_key/"+m.ID))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := x509.ParsePKCS1PrivateKey(der); err != nil || !got.Equal(priv) {
		t.Fatalf("signing key changed: %v", err)
	}
	if _, err := s.Artifact(ctx, app.KindConsoleSession, "1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the clear console session survived: %v", err)
	}
}

// TestStoreCopyNeedsTheMasterKey: a store copied to PostgreSQL starts with the
// source's master key (its keys unchanged) and is refused with any other.
func TestStoreCopyNeedsTheMasterKey(t *testing.T) {
	clearEnv(t)
	dsn := testdb.PostgresDSN(t)
	c := embedded(t)
	r := mustServe(t, c)
	kids := r.keyIDs(t)
	r.halt(t)
	var out bytes.Buffer
	if err := run([]string{"store", "copy", "--from", c.dataDir, "--to", dsn}, &out, io.Discard); err != nil {
		t.Fatalf("store copy: %v\n%s", err, &out)
	}

	pg := embedded(t) // a node of its own, without the source's data dir
	pg.database = dsn
	pg.masterKey = string(masterkey.Generate())
	_, err := startServe(t, pg)
	if err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("the copy with another master key: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(c.dataDir, "masterkey"))
	if err != nil {
		t.Fatal(err)
	}
	pg.masterKey = strings.TrimSpace(string(raw))
	r = mustServe(t, pg)
	if got := r.keyIDs(t); strings.Join(got, ",") != strings.Join(kids, ",") {
		t.Errorf("keys after the copy %v, before %v", got, kids)
	}
	r.halt(t)
}
