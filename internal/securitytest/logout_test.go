package securitytest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestAnonymousEndSessionEndsNothing (issue 8, item 4): end_session without a
// browser session — with no id_token_hint, with client_id, or with someone
// else's id_token_hint — ends no one's session and revokes no one's tokens. A
// browser's own sign-out ends its own session and, with its id_token_hint,
// its user's tokens of that client, and nobody else's.
func TestAnonymousEndSessionEndsNothing(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		e.human("", "alice")
		e.human("", "bob")
		ab, bb := wardentest.NewBrowser(t), wardentest.NewBrowser(t)
		as, bs := rp.SignIn(t, ab, "alice", Password), rp.SignIn(t, bb, "bob", Password)

		stillSignedIn := func(who string, b *wardentest.Browser, s *wardentest.SignIn) *wardentest.SignIn {
			t.Helper()
			v := b.Get(rp.StartURL()) // the session completes the flow without forms
			got := rp.AtCallback(t, v)
			if got.Subject != s.Subject {
				t.Fatalf("%s's session signed in %s", who, got.Subject)
			}
			if _, err := rp.Refresh(s.Token.RefreshToken); err != nil {
				t.Fatalf("%s's refresh token: %v", who, err)
			}
			return got
		}
		anon := wardentest.NewBrowser(t)
		for _, q := range []url.Values{{}, {"client_id": {rp.ClientID}}, {"id_token_hint": {as.IDToken}},
			{"id_token_hint": {as.IDToken}, "client_id": {rp.ClientID}}} {
			anon.Get(e.Base + "/oidc/v1/end_session?" + q.Encode())
		}
		// A browser with its own session and someone else's hint ends only its own session.
		mallory := wardentest.NewBrowser(t)
		e.human("", "mallory")
		rp.SignIn(t, mallory, "mallory", Password)
		mallory.Get(e.Base + "/oidc/v1/end_session?" + url.Values{"id_token_hint": {as.IDToken}}.Encode())
		as = stillSignedIn("alice", ab, as)
		bs = stillSignedIn("bob", bb, bs)

		// Alice signs out herself.
		v := ab.Get(e.Base + "/oidc/v1/end_session?" + url.Values{"id_token_hint": {as.IDToken},
			"post_logout_redirect_uri": {rp.Srv.URL + "/logged-out"}}.Encode())
		if !strings.HasPrefix(v.URL.String(), rp.Srv.URL+"/logged-out") {
			t.Fatalf("sign-out ended at %s", v.URL)
		}
		if v := ab.Get(rp.StartURL()); !strings.Contains(v.Body, `name="loginName"`) {
			t.Fatalf("alice's session survived her sign-out: %s", v.Text())
		}
		if _, err := rp.Refresh(as.Token.RefreshToken); err == nil {
			t.Fatal("alice's refresh token survived her sign-out")
		}
		stillSignedIn("bob", bb, bs)
	})
}
