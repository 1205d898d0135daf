// Package wardentest starts a whole Warden — API, OpenID provider and, when
// asked, the login page and the console — on a loopback port, wired as
// `warden start` wires it, for end-to-end tests of every front.
package wardentest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"log/slog"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/console"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/masterkey"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store"
)

// Options choose what runs beside the API.
type Options struct {
	Log           *slog.Logger // nil: discard
	AppOptions    []app.Option
	ServerOptions []server.Option
	Login         *login.Options // nil: no login page
	Console       bool           // the console (it signs in through the login page)
	// MasterKey seals the store's keys; nil = a new random one.
	MasterKey *masterkey.Key
}

// Instance is a running Warden with a bootstrapped instance.
type Instance struct {
	Base     string // http://127.0.0.1:port, also the OIDC issuer
	Addr     string
	App      *app.App
	Store    store.Store
	Provider *oidc.Provider
	Boot     *app.Bootstrapped // admin PAT, org, one-time password of the human administrator
}

// Start serves st until the test ends. It listens first, so the issuer is the
// address the server answers on.
func Start(t testing.TB, st store.Store, o Options) *Instance {
	t.Helper()
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mk := o.MasterKey
	if mk == nil {
		var err error
		if mk, err = masterkey.New(masterkey.Generate()); err != nil {
			t.Fatal(err)
		}
	}
	a := app.New(st, log, "localhost", append([]app.Option{app.WithMasterKey(mk)}, o.AppOptions...)...)
	ctx, cancel := context.WithCancel(context.Background())
	boot, err := a.Bootstrap(ctx, "Warden", func(string) error { return nil })
	if err != nil || boot == nil {
		cancel()
		t.Fatalf("bootstrap: %v %v", boot, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	a.SetPublicURL(base)
	prov, err := oidc.New(ctx, a, st, base, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var loginPage http.Handler
	if o.Login != nil {
		lo := *o.Login
		if lo.Logger == nil {
			lo.Logger = log
		}
		loginPage = login.New(a, prov, lo)
	}
	opts := append(o.ServerOptions, server.WithOIDC(prov.Handler(), loginPage))
	if o.Console {
		con, err := console.New(a, prov, console.Options{Logger: log})
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		opts = append(opts, server.WithConsole(con))
	}
	srv, err := server.New(a, log, opts...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	// Drain longer than the 5 s http.Server.Shutdown grants connections a
	// client dialed but never used.
	go func() { done <- srv.Serve(ctx, ln, 10*time.Second) }()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	in := &Instance{Base: base, Addr: ln.Addr().String(), App: a, Store: st, Provider: prov, Boot: boot}
	WaitReady(t, base)
	return in
}

// WaitReady polls /debug/ready until it answers 200.
func WaitReady(t testing.TB, base string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/debug/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatal("server never became ready")
}

// LogBuffer collects log output from many goroutines, for tests that check
// what the server logged.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
