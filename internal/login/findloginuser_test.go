package login_test

import (
	"context"
	"errors"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/user"
)

// TestFindLoginUser: full login names, unique plain names (case-insensitive),
// names shared across orgs, verified e-mail addresses, humans only — and the
// login page, which cannot tell an ambiguous name from a wrong password
// without saying which names exist, hints at the full name.
func TestFindLoginUser(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t), login.Options{})
	ctx := context.Background()
	c, err := e.app.Authenticate(ctx, e.token)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.app.AddOrg(ctx, c, "Other Org")
	if err != nil {
		t.Fatal(err)
	}
	add := func(orgID, name, email string, verified bool) string {
		t.Helper()
		u, err := e.app.AddHuman(ctx, app.Scope{Caller: c, OrgID: orgID}, app.NewHuman{UserName: name,
			Profile: user.Human{FirstName: "F", LastName: "L", Email: email, EmailVerified: verified}, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	samHome := add(e.orgID, "sam", "sam@home.example", true)
	samOther := add(other.ID, "sam", "sam@other.example", false)
	tess := add(other.ID, "Tess", "tess@other.example", true)
	e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"robot","name":"Robot"}`), 200)

	for in, want := range map[string]string{
		"sam@warden.localhost":    samHome,
		"sam@other-org.localhost": samOther,
		"SAM@Other-Org.localhost": samOther,
		"tess":                    tess,
		"TESS":                    tess,
		"tess@other.example":      tess,
		"sam@home.example":        samHome,
		" tess ":                  tess,
	} {
		u, err := e.app.FindLoginUser(ctx, in)
		if err != nil || u.ID != want {
			t.Errorf("FindLoginUser(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for in, want := range map[string]error{
		"sam":                    app.ErrLoginNameAmbiguous,
		"sam@other.example":      user.ErrGetNotFound, // not verified
		"robot":                  user.ErrGetNotFound, // machines do not sign in here
		"nobody":                 user.ErrGetNotFound,
		"":                       user.ErrGetNotFound,
		strings.Repeat("x", 500): user.ErrGetNotFound,
		"sam@nowhere.localhost":  user.ErrGetNotFound,
	} {
		if _, err := e.app.FindLoginUser(ctx, in); !errors.Is(err, want) {
			t.Errorf("FindLoginUser(%q): %v, want %v", in, err, want)
		}
	}

	// An ambiguous plain name fails at the password step like any wrong
	// password, with the hint every plain name gets; the full name signs in.
	r := newRP(e)
	b := wardentest.NewBrowser(t)
	v := b.Get(r.Srv.URL + "/start")
	v = b.Submit(v, 0, map[string]string{"loginName": "sam"})
	v = b.Submit(v, 0, map[string]string{"password": password})
	if !strings.Contains(v.Text(), login.TextWrongPassword+" "+login.TextFullNameHint) {
		t.Fatalf("ambiguous name: %q", v.Text())
	}
	v = b.Get(r.Srv.URL + "/start")
	v = b.Submit(v, 0, map[string]string{"loginName": "sam@other-org.localhost"})
	v = b.Submit(v, 0, map[string]string{"password": password})
	if s := r.AtCallback(b.T, v); s.Subject != samOther {
		t.Fatalf("signed in as %s, want %s", s.Subject, samOther)
	}
}
