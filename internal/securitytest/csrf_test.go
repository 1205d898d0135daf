package securitytest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/console"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
)

// userPrint is what a refused form must leave as it was: a user's state,
// history length, credential epoch and password hash.
func userPrint(t testing.TB, e *env, id string) string {
	t.Helper()
	u, err := e.Store.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	hash := ""
	if u.Human != nil {
		hash = u.Human.PasswordHash
	}
	return fmt.Sprintf("%v/%d/%d/%s", u.State, u.Sequence, u.CredentialEpoch, hash)
}

// authRequest reads an auth request as stored.
func authRequest(t testing.TB, e *env, id string) oauth.AuthRequest {
	t.Helper()
	art, err := e.Store.Artifact(context.Background(), oauth.KindAuthRequest, id)
	if err != nil {
		t.Fatal(err)
	}
	var ar oauth.AuthRequest
	if err := json.Unmarshal(art.Data, &ar); err != nil {
		t.Fatal(err)
	}
	return ar
}

// forgeries are the ways a cross-site form can carry (or not) the token: none,
// a wrong one, the token of another browser's page, and none with no cookie
// at all (plain client). They return the form values to post and the client.
func forgeries(t testing.TB, b *wardentest.Browser, form url.Values, otherToken string) map[string]struct {
	vals url.Values
	c    *http.Client
} {
	out := map[string]struct {
		vals url.Values
		c    *http.Client
	}{}
	mk := func(token string, keep bool) url.Values {
		v := url.Values{}
		for k, vs := range form {
			v[k] = append([]string(nil), vs...)
		}
		v.Del("csrf")
		if keep {
			v.Set("csrf", token)
		}
		return v
	}
	out["no token"] = struct {
		vals url.Values
		c    *http.Client
	}{mk("", false), b.C}
	out["empty token"] = struct {
		vals url.Values
		c    *http.Client
	}{mk("", true), b.C}
	out["wrong token"] = struct {
		vals url.Values
		c    *http.Client
	}{mk(strings.Repeat("A", 43), true), b.C}
	out["another browser's token"] = struct {
		vals url.Values
		c    *http.Client
	}{mk(otherToken, true), b.C}
	out["no cookies"] = struct {
		vals url.Values
		c    *http.Client
	}{mk(form.Get("csrf"), true), &http.Client{}}
	return out
}

// postRefused posts vals and insists on a 403 with the form-expired text.
func postRefused(t testing.TB, c *http.Client, u string, vals url.Values, text, what string) {
	t.Helper()
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := nc.PostForm(u, vals)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(resp)
	switch {
	case resp.StatusCode == http.StatusForbidden && strings.Contains(body, htmlText(text)):
	case resp.StatusCode == http.StatusUnauthorized && c.Jar == nil && strings.Contains(u, "/ui/console/"):
		// Without its cookies the console sees no session at all.
	default:
		t.Errorf("%s: POST %s answered %d (Location %q), want 403 with the form-expired page", what, u, resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, c := range resp.Cookies() {
		if c.Name == "warden_session" || c.Name == "warden_console" {
			t.Errorf("%s: POST %s set the cookie %s", what, u, c.Name)
		}
	}
}

// htmlText is text as html/template writes it (apostrophes and quotes escaped).
func htmlText(s string) string {
	return strings.NewReplacer("'", "&#39;", `"`, "&#34;").Replace(s)
}

func readBody(resp *http.Response) string {
	defer resp.Body.Close()
	b := new(strings.Builder)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// TestFormsWithoutCSRFRefused: a page on another site that makes a signed-in
// (or signing-in) browser post a form of the login page or the console —
// without the form's CSRF token, with a wrong one, with the token of another
// browser, or from a client without the cookies — gets 403 and changes
// nothing: no user chosen, no password checked or changed, no consent given,
// no session made or ended, no user, token, member, policy, app trust,
// project, role, app, app key or grant touched.
func TestFormsWithoutCSRFRefused(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		ann := e.human("", "ann")
		cara := f.admin(t, "", "POST", v1+"/users/human/_import", `{"userName":"cara","profile":{"firstName":"C","lastName":"L"},`+
			`"email":{"email":"cara@example.com","isEmailVerified":true},"password":"`+Password+`","passwordChangeRequired":true}`).Str("userId")

		other := wardentest.NewBrowser(t)
		au, _ := rp.AuthURL("other")
		ov := other.Get(au)
		otherLoginToken := ov.Forms[ov.FormWith(t, "csrf")].Fields.Get("csrf")

		t.Run("login", func(t *testing.T) {
			base := e.Base + "/ui/login"
			// user name step
			b := wardentest.NewBrowser(t)
			au, _ := rp.AuthURL("s1")
			v := b.Get(au)
			form := v.Forms[v.FormWith(t, "loginName")].Fields
			form.Set("loginName", "ann")
			arID := form.Get("authRequestID")
			for name, fg := range forgeries(t, b, form, otherLoginToken) {
				postRefused(t, fg.c, base+"/username", fg.vals, login.TextCSRF, "user name, "+name)
			}
			if ar := authRequest(t, e, arID); ar.UserID != "" || ar.Done {
				t.Errorf("the refused user-name post chose user %q (done %v)", ar.UserID, ar.Done)
			}

			// password step, with the right password
			annBefore := userPrint(t, e, ann)
			v = b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "ann"})
			form = v.Forms[v.FormWith(t, "password")].Fields
			form.Set("password", Password)
			for name, fg := range forgeries(t, b, form, otherLoginToken) {
				postRefused(t, fg.c, base+"/password", fg.vals, login.TextCSRF, "password, "+name)
			}
			if ar := authRequest(t, e, arID); ar.Done {
				t.Error("a refused password post completed the sign-in")
			}
			if b.Cookie(base, "warden_session") != "" {
				t.Error("a refused password post started a session")
			}
			if got := userPrint(t, e, ann); got != annBefore {
				t.Errorf("a refused password post changed the user: %s → %s", annBefore, got)
			}

			// forced password change
			bc := wardentest.NewBrowser(t)
			au, _ = rp.AuthURL("s2")
			v = bc.Get(au)
			v = bc.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "cara"})
			v = bc.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
			form = v.Forms[v.FormWith(t, "ticket")].Fields
			form.Set("newPassword", "Brand-New-Pass-9")
			form.Set("confirmPassword", "Brand-New-Pass-9")
			caraBefore := userPrint(t, e, cara)
			for name, fg := range forgeries(t, bc, form, otherLoginToken) {
				postRefused(t, fg.c, base+"/change", fg.vals, login.TextCSRF, "password change, "+name)
			}
			if got := userPrint(t, e, cara); got != caraBefore {
				t.Errorf("a refused change post changed the user: %s → %s", caraBefore, got)
			}

			// consent to an app that must ask (made by a project creator)
			_, devToken := f.caller(t, e.Boot.Instance.DefaultOrgID, "ORG_PROJECT_CREATOR")
			devApp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{Token: devToken})
			bk := wardentest.NewBrowser(t)
			au, _ = devApp.AuthURL("k")
			v = bk.Get(au)
			arID = v.Forms[v.FormWith(t, "loginName")].Fields.Get("authRequestID")
			v = bk.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "ann"})
			v = bk.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
			form = v.Forms[v.FormWith(t, "decision")].Fields
			form.Set("decision", "allow")
			for name, fg := range forgeries(t, bk, form, otherLoginToken) {
				postRefused(t, fg.c, base+"/consent", fg.vals, login.TextCSRF, "consent, "+name)
			}
			if need, err := e.App.APIConsentNeeded(context.Background(), ann, devApp.ClientID); err != nil || !need {
				t.Errorf("a refused consent post recorded consent (still needed: %v, %v)", need, err)
			}
			if ar := authRequest(t, e, arID); ar.Done {
				t.Error("a refused consent post completed the sign-in")
			}

			// sign-out of a signed-in browser
			bs := wardentest.NewBrowser(t)
			rp.SignIn(t, bs, "ann", Password)
			session := bs.Cookie(base, "warden_session")
			v = bs.Get(base)
			if !strings.Contains(v.Text(), "You are signed in as") {
				t.Fatalf("not signed in: %s", v.Text())
			}
			form = v.Forms[v.FormWith(t, "csrf")].Fields
			for name, fg := range forgeries(t, bs, form, otherLoginToken) {
				postRefused(t, fg.c, base+"/logout", fg.vals, login.TextCSRF, "sign-out, "+name)
			}
			if v := bs.Get(base); !strings.Contains(v.Text(), "You are signed in as") || bs.Cookie(base, "warden_session") != session {
				t.Errorf("a refused sign-out ended the session: %s", v.Text())
			}
		})

		t.Run("console", func(t *testing.T) {
			orgID := e.Boot.Instance.DefaultOrgID
			root := e.human("", "root")
			f.instanceRole(t, root, "IAM_OWNER")
			b := wardentest.NewBrowser(t)
			v := consoleSignIn(t, e, b, "root", Password)
			token := v.Forms[v.FormWith(t, "csrf")].Fields.Get("csrf")
			cookie := b.Cookie(e.Base+"/ui/console/", "warden_console")

			// Another administrator's console session, for its token.
			root2 := e.human("", "root2")
			f.instanceRole(t, root2, "IAM_OWNER")
			b2 := wardentest.NewBrowser(t)
			v2 := consoleSignIn(t, e, b2, "root2", Password)
			otherToken := v2.Forms[v2.FormWith(t, "csrf")].Fields.Get("csrf")

			active, locked, inactive := f.machine(t, orgID), f.locked(t, orgID), f.inactive(t, orgID)
			_, devToken := f.caller(t, orgID, "ORG_PROJECT_CREATOR")
			devApp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{Token: devToken}) // asks each user
			devAppID := f.admin(t, orgID, "POST", v1+"/projects/"+devApp.ProjectID+"/apps/_search", `{}`).Body["result"].([]any)[0].(map[string]any)["id"].(string)
			patUser, patID := f.withPAT(t, orgID)
			member := f.member(t, orgID)
			outsider := f.machine(t, orgID)
			otherOrg := f.org(t, "switch")
			f.lockout(t, orgID, false)

			users := []string{active, locked, inactive, patUser, member, outsider}
			before := map[string]string{}
			for _, u := range users {
				before[u] = userPrint(t, e, u)
			}
			pats := f.admin(t, orgID, "POST", v1+"/users/"+patUser+"/pats/_search", `{}`).Str("details", "totalResult")
			members := fmt.Sprint(f.admin(t, orgID, "POST", v1+"/orgs/me/members/_search", `{}`).Body["result"])
			policy := f.admin(t, orgID, "GET", v1+"/policies/lockout", "").Raw

			// A project with a role, an app with a key and a grant, for the
			// access model's forms.
			pid := devApp.ProjectID
			f.admin(t, orgID, "POST", v1+"/projects/"+pid+"/roles", `{"roleKey":"r"}`)
			keyApp := f.admin(t, orgID, "POST", v1+"/projects/"+pid+"/apps/api", `{"name":"signer","authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`).Str("appId")
			key := f.admin(t, orgID, "POST", v1+"/projects/"+pid+"/apps/"+keyApp+"/keys", `{"type":"KEY_TYPE_JSON"}`).Str("id")
			grant := f.admin(t, orgID, "POST", v1+"/users/"+active+"/grants", `{"projectId":"`+pid+`","roleKeys":["r"]}`).Str("userGrantId")
			access := func() string { // the lists' results (their view timestamps differ)
				var out string
				for _, p := range []string{"/projects/_search", "/projects/" + pid + "/roles/_search", "/projects/" + pid + "/apps/_search",
					"/projects/" + pid + "/apps/" + keyApp + "/keys/_search", "/users/grants/_search"} {
					out += fmt.Sprintln(p, f.admin(t, orgID, "POST", v1+p, `{}`).Body["result"])
				}
				return out
			}
			accessBefore := access()

			base := e.Base + "/ui/console"
			forms := []struct {
				path string
				vals url.Values
			}{
				{"/signout", url.Values{}},
				{"/org", url.Values{"org": {otherOrg}, "back": {"/ui/console/users"}}},
				{"/users/new", url.Values{"type": {"machine"}, "userName": {"csrf-made"}, "name": {"CSRF"}}},
				{"/users/new", url.Values{"type": {"human"}, "userName": {"csrf-human"}, "firstName": {"A"}, "lastName": {"B"}, "email": {"x@example.com"}, "password": {"Csrf-Pass-123"}}},
				{"/users/" + active + "/lock", url.Values{}},
				{"/users/" + locked + "/unlock", url.Values{}},
				{"/users/" + active + "/deactivate", url.Values{}},
				{"/users/" + inactive + "/reactivate", url.Values{}},
				{"/users/" + active + "/remove", url.Values{}},
				{"/users/" + active + "/secret", url.Values{}},
				{"/users/" + patUser + "/pats", url.Values{"expiration": {""}}},
				{"/users/" + patUser + "/pats/" + patID + "/remove", url.Values{}},
				{"/members", url.Values{"user": {outsider}, "role": {"ORG_OWNER"}}},
				{"/members/" + member, url.Values{"role": {"ORG_OWNER"}}},
				{"/members/" + member + "/remove", url.Values{}},
				{"/policy", url.Values{"maxPasswordAttempts": {"1"}, "maxOtpAttempts": {"0"}}},
				{"/policy/reset", url.Values{}},
				{"/apps/" + devApp.ProjectID + "/" + devAppID + "/trust", url.Values{"trusted": {"true"}}},
				{"/projects", url.Values{"name": {"csrf-project"}}},
				{"/projects/" + pid, url.Values{"name": {"csrf-renamed"}, "roleCheck": {"on"}}},
				{"/projects/" + pid + "/deactivate", url.Values{}},
				{"/projects/" + pid + "/remove", url.Values{}},
				{"/projects/" + pid + "/roles", url.Values{"key": {"csrf-role"}}},
				{"/projects/" + pid + "/roles/update", url.Values{"key": {"r"}, "displayName": {"csrf"}}},
				{"/projects/" + pid + "/roles/remove", url.Values{"key": {"r"}}},
				{"/projects/" + pid + "/apps", url.Values{"kind": {"api"}, "name": {"csrf-app"}, "authMethod": {"basic"}}},
				{"/projects/" + pid + "/apps/" + keyApp + "/keys", url.Values{}},
				{"/projects/" + pid + "/apps/" + keyApp + "/keys/" + key + "/remove", url.Values{}},
				{"/projects/" + pid + "/apps/" + keyApp + "/remove", url.Values{}},
				{"/users/" + outsider + "/grants", url.Values{"project": {pid}, "role": {"r"}}},
				{"/users/" + active + "/grants/" + grant + "/deactivate", url.Values{}},
				{"/users/" + active + "/grants/" + grant + "/remove", url.Values{}},
				{"/organisation", url.Values{"name": {"csrf-org"}}},
			}
			for _, fm := range forms {
				fm.vals.Set("csrf", token)
				for name, fg := range forgeries(t, b, fm.vals, otherToken) {
					postRefused(t, fg.c, base+fm.path, fg.vals, console.TextCSRF, "console "+fm.path+", "+name)
				}
			}
			for _, u := range users {
				if got := userPrint(t, e, u); got != before[u] {
					t.Errorf("user %s changed: %s → %s", u, before[u], got)
				}
			}
			for _, n := range []string{"csrf-made", "csrf-human"} {
				if _, err := e.Store.UserByName(context.Background(), orgID, n); err == nil {
					t.Errorf("user %s was created", n)
				}
			}
			if got := f.admin(t, orgID, "POST", v1+"/users/"+patUser+"/pats/_search", `{}`).Str("details", "totalResult"); got != pats {
				t.Errorf("PATs: %s → %s", pats, got)
			}
			if got := fmt.Sprint(f.admin(t, orgID, "POST", v1+"/orgs/me/members/_search", `{}`).Body["result"]); got != members {
				t.Errorf("members changed:\n%s\n%s", members, got)
			}
			if got := f.admin(t, orgID, "GET", v1+"/policies/lockout", "").Raw; got != policy {
				t.Errorf("lockout policy changed: %s → %s", policy, got)
			}
			if o, err := e.App.GetOrg(context.Background(), orgID); err != nil || o.Name == "csrf-org" {
				t.Errorf("a refused rename post renamed the org: %+v %v", o, err)
			}
			if got := access(); got != accessBefore {
				t.Errorf("projects, roles, apps, keys or grants changed:\n%s\n%s", accessBefore, got)
			}
			if c, err := e.App.Client(context.Background(), devApp.ClientID); err != nil || c.Trusted {
				t.Errorf("a refused trust post trusted the app: %+v %v", c, err)
			}
			sess, err := e.App.ConsoleSessionOf(context.Background(), cookie)
			if err != nil || sess.OrgID != "" {
				t.Errorf("console session after the refused posts: %+v %v (want it alive, in its own org)", sess, err)
			}
			// The reset form with a custom policy in place, too.
			f.lockout(t, orgID, true)
			policy = f.admin(t, orgID, "GET", v1+"/policies/lockout", "").Raw
			for name, fg := range forgeries(t, b, url.Values{"csrf": {token}}, otherToken) {
				postRefused(t, fg.c, base+"/policy/reset", fg.vals, console.TextCSRF, "console /policy/reset (custom policy), "+name)
			}
			if got := f.admin(t, orgID, "GET", v1+"/policies/lockout", "").Raw; got != policy {
				t.Errorf("lockout policy reset: %s → %s", policy, got)
			}
			// And the token itself works: the refusals were about it.
			if v := b.Post(base+"/users/"+active+"/lock", url.Values{"csrf": {token}}); v.Status != 200 || e.UserState(t, active) != "USER_STATE_LOCKED" {
				t.Errorf("the console's own form with its token: %d %s", v.Status, v.Text())
			}
		})
	})
}
