package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/store/testdb"
)

// TestFirstStartPointsToConsole: a newcomer's first minute. The first start
// prints, once, where to sign in (the console's URL) beside the one-time
// password; GET / sends a browser to the console, which sends it on to the
// login page; a second start on the same store prints no password.
func TestFirstStartPointsToConsole(t *testing.T) {
	clearEnv(t)
	testdb.Each(t, func(t *testing.T, _ testdb.Opener) {
		dir := t.TempDir()
		args := []string{"--data-dir", dir, "--addr", "127.0.0.1:0", "--drain-timeout", "2s", "--log-json"}
		if strings.HasSuffix(t.Name(), "/postgres") {
			args = append(args, "--database", testdb.PostgresDSN(t), "--masterkey-file", newMasterKeyFile(t))
		}
		run := func() (printed string, base string) {
			t.Helper()
			c, _, err := load(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			var logs, out syncBuf
			c.stderr = &out
			log, err := newLogger(&logs, c.logLevel, c.logJSON)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- serve(ctx, c, log) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
				http.DefaultClient.CloseIdleConnections()
			}()
			var console string
			for deadline := time.Now().Add(30 * time.Second); base == ""; time.Sleep(20 * time.Millisecond) {
				for _, l := range strings.Split(logs.String(), "\n") {
					var m map[string]any
					if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "serving" {
						base, console = "http://"+m["addr"].(string), m["console"].(string)
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("never served:\n%s", logs.String())
				}
			}
			if console != base+"/ui/console" {
				t.Errorf("serving line names the console %q", console)
			}
			noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noFollow.Get(base + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/ui/console" {
				t.Errorf("GET /: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			jar, _ := cookiejar.New(nil) // the sign-in binds itself to the browser's cookie
			resp, err = (&http.Client{Jar: jar}).Get(base + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Request.URL.Path != "/ui/login" {
				t.Errorf("GET / ends at %s with %d, want the login page the console sends to", resp.Request.URL, resp.StatusCode)
			}
			return out.String(), base
		}
		printed, base := run()
		if !strings.Contains(printed, "First sign-in: open "+base+"/ui/console; user \"administrator@warden.localhost\", one-time password ") {
			t.Fatalf("first start printed %q", printed)
		}
		if again, _ := run(); again != "" {
			t.Fatalf("second start printed %q", again)
		}
	})
}
