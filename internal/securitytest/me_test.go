package securitytest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// TestAuthAPIActsOnlyOnTheCaller: through the Auth API ("my" user, sessions,
// refresh tokens), a signed-in user — and an IAM owner too — reaches only its
// own data. Naming the victim's refresh token id (read from the store, as if
// leaked) to RevokeMyRefreshToken is 404 COMMAND-BHt2w like an unknown id,
// in the victim's org context as in its own; the victim's sessions and tokens
// appear in no list of the attacker's; RevokeAllMyRefreshTokens leaves them;
// and after all of it the victim's refresh token still refreshes.
func TestAuthAPIActsOnlyOnTheCaller(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		victim := e.human("", "victim")
		e.human("", "mallory")
		v := rp.SignIn(t, wardentest.NewBrowser(t), "victim", Password)
		m := rp.SignIn(t, wardentest.NewBrowser(t), "mallory", Password)

		art, err := e.Store.ArtifactByKey(context.Background(), oauth.KindRefreshToken, hex.EncodeToString(credential.HashToken(v.Token.RefreshToken)))
		if err != nil {
			t.Fatal(err)
		}
		var rt oauth.RefreshToken
		if err := json.Unmarshal(art.Data, &rt); err != nil {
			t.Fatal(err)
		}
		sessions, _, err := e.Store.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: oauth.KindSession, UserID: victim})
		if err != nil || len(sessions) != 1 {
			t.Fatalf("the victim's session: %v %v", sessions, err)
		}
		secrets := []string{victim, rt.FamilyID(), rt.ID, sessions[0].ID}

		for name, tok := range map[string]string{"signed-in user": m.Token.AccessToken, "IAM owner": e.Boot.Token} {
			for _, h := range []map[string]string{nil, {"x-zitadel-orgid": e.Boot.Instance.DefaultOrgID}} {
				for _, id := range []string{rt.FamilyID(), rt.ID} {
					r := e.DoHeaders(t, "DELETE", "/auth/v1/users/me/tokens/refresh/"+id, tok, "", h)
					if r.Status != 404 || !strings.Contains(r.Raw, "COMMAND-BHt2w") {
						t.Errorf("%s revoking the victim's refresh token %s: %d %s", name, id, r.Status, r.Raw)
					}
				}
				for _, c := range [][3]string{
					{"GET", "/auth/v1/users/me", ""},
					{"POST", "/auth/v1/users/me/sessions/_search", "{}"},
					{"POST", "/auth/v1/users/me/tokens/refresh/_search", "{}"},
					{"POST", "/auth/v1/users/me/changes/_search", "{}"},
					{"POST", "/auth/v1/memberships/me/_search", "{}"},
				} {
					r := wardentest.Must(t, e.DoHeaders(t, c[0], c[1], tok, c[2], h), 200)
					for _, s := range secrets {
						if strings.Contains(r.Raw, s) {
							t.Errorf("%s %s %s names the victim's %s: %s", name, c[0], c[1], s, r.Raw)
						}
					}
				}
			}
		}
		wardentest.Must(t, e.Do(t, "POST", "/auth/v1/users/me/tokens/refresh/_revoke_all", m.Token.AccessToken, "{}"), 200)
		if _, err := rp.Refresh(v.Token.RefreshToken); err != nil {
			t.Fatalf("the victim's refresh token after the attacks: %v", err)
		}
		if _, err := rp.Refresh(m.Token.RefreshToken); err == nil {
			t.Fatal("the attacker's own RevokeAllMyRefreshTokens left its token")
		}
	})
}
