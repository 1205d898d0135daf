package securitytest

import (
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// Password is what every human a test imports gets.
const Password = "Correct-Horse-1"

// env is a whole Warden with its login page and console.
type env struct {
	*wardentest.Instance
	t    testing.TB
	logs *wardentest.LogBuffer // everything the server logged, debug included
	// challenges answers org domain validations (its hosts: example.com,
	// example.org and their subdomains).
	challenges *wardentest.Challenges
}

// each runs fn once per engine (SQLite file; PostgreSQL when configured).
func each(t *testing.T, fn func(t *testing.T, open testdb.Opener)) { testdb.Each(t, fn) }

// start runs Warden on st; opts tune the login page.
func start(t testing.TB, st store.Store, opts login.Options) *env {
	t.Helper()
	logs := &wardentest.LogBuffer{}
	var w io.Writer = logs
	if testing.Verbose() && os.Getenv("WARDEN_TEST_LOG") != "" {
		w = io.MultiWriter(logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ch := wardentest.NewChallenges(t)
	in := wardentest.Start(t, st, wardentest.Options{Log: log, Login: &opts, Console: true, AppOptions: []app.Option{ch.Option()}})
	return &env{Instance: in, t: t, logs: logs, challenges: ch}
}

// human imports a human with Password into the default org ("" ) or orgID.
func (e *env) human(orgID, name string) string { return e.ImportHuman(e.t, orgID, name, Password) }
