package securitytest

import (
	"context"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// instanceRole gives a user a role at instance level, written to the store
// directly (AddIAMMember's escalation rule is not what these tests are about).
func (e *env) instanceRole(t testing.TB, userID string, roles ...string) {
	t.Helper()
	err := e.Store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return tx.PutMember(ctx, &org.Member{OrgID: org.InstanceScope, UserID: userID, Roles: roles, CreatedAt: store.Now(), ChangedAt: store.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// humanAdmin is the bootstrap human administrator's id (IAM_OWNER).
func (e *env) humanAdmin(t testing.TB) string {
	t.Helper()
	u, err := e.App.FindLoginUser(context.Background(), e.Boot.HumanLogin)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestUserManagerCannotEscalate (issue 8, item 3): an org user manager (and an
// instance user manager, and an instance org manager) tries to mint a PAT, a machine secret or key for, set
// the password of, lock, or remove the credentials of users who hold roles the
// caller lacks — the bootstrap IAM owners included — and fails each time,
// changing nothing; on users it outranks it still may.
func TestUserManagerCannotEscalate(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		admin, human := e.Boot.AdminID, e.humanAdmin(t)
		boss := e.human("", "boss")
		e.Grant(t, "", boss, "ORG_OWNER")
		plain := e.human("", "plain")
		bot := e.AddMachine(t, "", "plainbot")

		orgMgr := e.AddMachine(t, "", "orgmgr")
		e.Grant(t, "", orgMgr, "ORG_USER_MANAGER")
		iamMgr := e.AddMachine(t, "", "iammgr")
		e.instanceRole(t, iamMgr, "IAM_USER_MANAGER")
		// IAM_ORG_MANAGER carries every permission of IAM_OWNER but the owner's
		// own (trusting apps, acting on anyone): it must not become an owner.
		iamOrgMgr := e.AddMachine(t, "", "iamorgmgr")
		e.instanceRole(t, iamOrgMgr, "IAM_ORG_MANAGER")
		adminPATs := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+admin+"/pats/_search", `{}`), 200)
		patID := ""
		if res, _ := adminPATs.Body["result"].([]any); len(res) > 0 {
			patID, _ = res[0].(map[string]any)["id"].(string)
		}
		if patID == "" {
			t.Fatalf("no PAT of the administrator: %s", adminPATs.Raw)
		}

		type call struct{ method, path, body string }
		against := func(target string) []call {
			return []call{
				{"POST", "/management/v1/users/" + target + "/pats", `{}`},
				{"PUT", "/management/v1/users/" + target + "/secret", `{}`},
				{"POST", "/management/v1/users/" + target + "/keys", `{"type":"KEY_TYPE_JSON"}`},
				{"POST", "/v2/users/" + target + "/pats", `{}`},
				{"POST", "/v2/users/" + target + "/secret", `{}`},
				{"POST", "/v2/users/" + target + "/keys", `{}`},
				{"POST", "/management/v1/users/" + target + "/password", `{"password":"Taken-Over-1","noChangeRequired":true}`},
				{"POST", "/v2/users/" + target + "/password", `{"newPassword":{"password":"Taken-Over-1"}}`},
				{"POST", "/management/v1/users/" + target + "/_lock", `{}`},
				{"POST", "/v2/users/" + target + "/lock", `{}`},
				{"POST", "/management/v1/users/" + target + "/_deactivate", `{}`},
				{"DELETE", "/management/v1/users/" + target, ""},
			}
		}
		for name, caller := range map[string]string{"org user manager": orgMgr, "instance user manager": iamMgr, "instance org manager": iamOrgMgr} {
			tok := e.AddPAT(t, caller)
			targets := map[string]string{"machine IAM owner": admin, "human IAM owner": human}
			if caller == orgMgr {
				targets["org owner"] = boss
			}
			for tname, target := range targets {
				for _, c := range against(target) {
					if r := e.Do(t, c.method, c.path, tok, c.body); r.Status != 403 {
						t.Errorf("%s on %s: %s %s → %d %s", name, tname, c.method, c.path, r.Status, r.Raw)
					}
				}
			}
			if r := e.Do(t, "DELETE", "/management/v1/users/"+admin+"/pats/"+patID, tok, ""); r.Status != 403 {
				t.Errorf("%s removes the administrator's PAT: %d %s", name, r.Status, r.Raw)
			}
			if r := e.Do(t, "DELETE", "/v2/users/"+admin+"/pats/"+patID, tok, ""); r.Status != 403 {
				t.Errorf("%s removes the administrator's PAT through v2: %d %s", name, r.Status, r.Raw)
			}
			// Users it outranks: allowed.
			wardentest.Must(t, e.Do(t, "POST", "/management/v1/users/"+plain+"/_lock", tok, `{}`), 200)
			wardentest.Must(t, e.Do(t, "POST", "/management/v1/users/"+plain+"/_unlock", tok, `{}`), 200)
			wardentest.Must(t, e.Do(t, "POST", "/management/v1/users/"+bot+"/pats", tok, `{}`), 200)
			wardentest.Must(t, e.Do(t, "POST", "/v2/users/"+bot+"/pats", tok, `{}`), 200)
		}
		// Nothing changed for the administrators.
		if st := e.UserState(t, admin); st != "USER_STATE_ACTIVE" {
			t.Fatalf("administrator is %s", st)
		}
		after := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+admin+"/pats/_search", `{}`), 200)
		if strings.Count(after.Raw, `"id"`) != strings.Count(adminPATs.Raw, `"id"`) {
			t.Fatalf("the administrator's PATs changed: %s", after.Raw)
		}
		wardentest.Must(t, e.Admin(t, "GET", "/management/v1/orgs/me", ""), 200) // its PAT still works
		// The IAM owner may act on anyone.
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+boss+"/_lock", `{}`), 200)
	})
}

// TestLockSuspendsAdministratorCredentials (issue 8, "credentials after
// unlock"): a lock refuses everything at once; after the unlock, what an
// administrator issued (PAT, client secret, machine key, password) works again,
// while what a sign-in produced (tokens, sessions) stays dead. Removal deletes
// the administrator-issued credentials.
func TestLockSuspendsAdministratorCredentials(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		bot := e.AddMachine(t, "", "svc")
		e.Grant(t, "", bot, "ORG_USER_READ")
		pat := e.AddPAT(t, bot)
		creds := e.NewMachineCreds(t, bot)
		ccTok := e.ClientCredentials(t, creds).AccessToken()
		jwtTok := e.JWTProfile(t, creds).AccessToken()
		if ccTok == "" || jwtTok == "" {
			t.Fatal("no machine tokens")
		}
		hum := e.human("", "hugo")
		e.Grant(t, "", hum, "ORG_USER_READ")
		b := wardentest.NewBrowser(t)
		s := rp.SignIn(t, b, "hugo", Password)

		api := func(tok string) int { return e.Do(t, "GET", "/management/v1/orgs/me", tok, "").Status }
		for _, u := range []string{bot, hum} {
			wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+u+"/_lock", `{}`), 200)
		}
		for name, st := range map[string]int{"PAT": api(pat), "client-credentials token": api(ccTok), "JWT-profile token": api(jwtTok),
			"sign-in token": api(s.Token.AccessToken), "client credentials": e.ClientCredentials(t, creds).Status,
			"JWT profile": e.JWTProfile(t, creds).Status} {
			if st == 200 {
				t.Errorf("locked: %s accepted", name)
			}
		}
		for _, u := range []string{bot, hum} {
			wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+u+"/_unlock", `{}`), 200)
		}
		// Administrator-issued: back.
		if api(pat) != 200 || e.ClientCredentials(t, creds).AccessToken() == "" || e.JWTProfile(t, creds).AccessToken() == "" {
			t.Fatal("after the unlock, the PAT, secret or key does not work")
		}
		if s2 := rp.SignIn(t, wardentest.NewBrowser(t), "hugo", Password); s2.Subject != hum {
			t.Fatal("after the unlock, the password does not work")
		}
		// Derived from a sign-in or a grant: dead for good.
		for name, tok := range map[string]string{"client-credentials token": ccTok, "JWT-profile token": jwtTok, "sign-in token": s.Token.AccessToken} {
			if api(tok) != 401 {
				t.Errorf("after the unlock: the %s from before the lock works", name)
			}
		}
		if _, err := rp.Refresh(s.Token.RefreshToken); err == nil {
			t.Error("after the unlock: the refresh token from before the lock works")
		}
		if v := b.Get(rp.StartURL()); !strings.Contains(v.Body, `name="loginName"`) {
			t.Errorf("after the unlock: the browser session from before the lock signs in: %s", v.Text())
		}
		// Removal deletes them.
		wardentest.Must(t, e.Admin(t, "DELETE", "/management/v1/users/"+bot, ""), 200)
		var left int
		_ = e.Store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			pats, _, err := tx.ListPATs(ctx, bot, store.Page{})
			left = len(pats)
			for _, kind := range []string{"machine_secret", "machine_key"} {
				arts, _, err2 := tx.ListArtifacts(ctx, store.ArtifactQuery{Kind: kind, UserID: bot})
				left += len(arts)
				if err == nil {
					err = err2
				}
			}
			return err
		})
		if left != 0 {
			t.Fatalf("%d administrator-issued credentials left after removal", left)
		}
	})
}
