package securitytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"golang.org/x/net/html"
	"golang.org/x/oauth2"
)

// Payloads an org user manager (or anyone who may name a user or an org)
// stores, hoping a console page shows them as markup.
var payloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`'><svg onload=alert(3)>`,
	`javascript:alert(4)`,
	`</textarea><iframe src=javascript:alert(5)>`,
	`{{.CSRF}}<!--`,
}

// markup lists what in a page's HTML is executable or loads something: script,
// embedded content, event-handler attributes, javascript:/data: URLs.
func markup(body string) []string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return []string{"unparsable HTML: " + err.Error()}
	}
	var found []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "img", "svg", "iframe", "object", "embed", "frame", "base", "meta":
				if n.Data == "meta" && !hasAttr(n, "http-equiv") {
					break // the templates' charset, viewport, referrer and robots
				}
				found = append(found, "<"+n.Data+">")
			}
			for _, a := range n.Attr {
				k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(k, "on") {
					found = append(found, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
				}
				switch k {
				case "href", "src", "action", "formaction", "xlink:href":
					if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:") {
						found = append(found, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// shown tells whether a payload made it onto the page as data: in its text or
// as an attribute's value (a form field showing what was typed).
func shown(body, s string) bool {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return false
	}
	found := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode && strings.Contains(n.Data, s) {
			found = true
		}
		for _, a := range n.Attr {
			if strings.Contains(a.Val, s) {
				found = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// checkEscaped insists that a page shows at least one of the payloads as
// data and none as markup.
func checkEscaped(t testing.TB, what string, v *wardentest.View) {
	t.Helper()
	if v.Status >= 500 {
		t.Errorf("%s: status %d", what, v.Status)
	}
	if m := markup(v.Body); len(m) > 0 {
		t.Errorf("%s (%s): markup from user data: %v", what, v.URL, m)
	}
	any := false
	for _, p := range payloads {
		if strings.ContainsAny(p, `<>"'`) && strings.Contains(v.Body, p) {
			t.Errorf("%s (%s): the payload %q stands unescaped in the page", what, v.URL, p)
		}
		if shown(v.Body, p) {
			any = true
		}
	}
	if !any {
		t.Errorf("%s (%s): no payload on the page, so nothing was shown to escape: %.500s", what, v.URL, v.Text())
	}
}

// TestConsolePagesEscapeUserData: names an org user manager or org owner
// chooses — user names, first, last, display and nick names, e-mail
// addresses, machine names and descriptions, org names, and text typed into
// the console's forms and search, project, role, group and app names — are
// shown on every console page (users list and search, a user's page with its
// lock details, grants and history, the confirmation pages, members, apps, the
// projects list, a project with its roles and apps, an app with its keys, the
// add-grant steps, the org switcher, the lockout policy, the new-user form,
// the token and secret pages) and on the login page
// (login hint, user name, consent, signed-in notice) as text: no script, no event handler, no
// javascript: URL reaches an administrator's browser.
func TestConsolePagesEscapeUserData(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{AttemptsPerMinute: -1})
		f := newFixtures(e)
		evil := f.admin(t, "", "POST", v1+"/orgs", `{"name":`+jsonQuote(payloads[0]+payloads[1])+`}`).Str("id")

		// A human with payloads in every name it has; a user name that markup
		// may be refused one day, which is safe too.
		name := func(p, fallback string) string {
			b := `{"userName":` + jsonQuote(p) + `,"profile":{"firstName":"x","lastName":"y"},"email":{"email":"probe@example.com"}}`
			r := e.DoHeaders(t, "POST", v1+"/users/human", e.Boot.Token, b, map[string]string{"x-zitadel-orgid": evil})
			if r.Status == 200 {
				f.admin(t, evil, "DELETE", v1+"/users/"+r.Str("userId"), "")
				return p
			}
			t.Logf("the user name %q is refused (%d), using %q", p, r.Status, fallback)
			return fallback
		}
		humanName := name(payloads[1], "human-x")
		human := f.admin(t, evil, "POST", v1+"/users/human/_import", `{"userName":`+jsonQuote(humanName)+`,
			"profile":{"firstName":`+jsonQuote(payloads[0])+`,"lastName":`+jsonQuote(payloads[3])+`,"nickName":`+jsonQuote(payloads[2])+`,"displayName":`+jsonQuote(payloads[4])+`},
			"email":{"email":`+jsonQuote(`"><b>x</b>@example.com`)+`,"isEmailVerified":true},"password":"`+Password+`"}`).Str("userId")
		machineName := name(payloads[0], "machine-x")
		machine := f.admin(t, evil, "POST", v1+"/users/machine", `{"userName":`+jsonQuote(machineName)+`,"name":`+jsonQuote(payloads[4])+`,"description":`+jsonQuote(payloads[5])+`}`).Str("userId")
		e.Grant(t, evil, human, "ORG_OWNER_VIEWER")
		e.Grant(t, evil, machine, "ORG_USER_READ")
		// A developer's project and app with payload names (the apps page, the
		// consent page).
		_, devToken := f.caller(t, evil, "ORG_PROJECT_CREATOR")
		devH := map[string]string{"x-zitadel-orgid": evil}
		devProject := wardentest.Must(t, e.DoHeaders(t, "POST", v1+"/projects", devToken, `{"name":`+jsonQuote(payloads[2])+`}`, devH), 200).Str("id")
		devOIDC := wardentest.Must(t, e.DoHeaders(t, "POST", v1+"/projects/"+devProject+"/apps/oidc", devToken, `{"name":`+jsonQuote(payloads[0])+`,
			"redirectUris":["http://127.0.0.1:9/cb"],"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
			"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC","devMode":true}`, devH), 200)
		devApp, devAppID := devOIDC.Str("clientId"), devOIDC.Str("appId")
		// Its roles (key, display name, group) and a grant of one to the
		// human: the project, app, grant and confirmation pages.
		roleKey := payloads[1]
		if r := e.DoHeaders(t, "POST", v1+"/projects/"+devProject+"/roles", devToken, `{"roleKey":`+jsonQuote(roleKey)+`,
			"displayName":`+jsonQuote(payloads[0])+`,"group":`+jsonQuote(payloads[4])+`}`, devH); r.Status != 200 {
			t.Logf("the role key %q is refused (%d), using role-x", roleKey, r.Status)
			roleKey = "role-x"
			f.admin(t, evil, "POST", v1+"/projects/"+devProject+"/roles", `{"roleKey":"role-x","displayName":`+jsonQuote(payloads[0])+`}`)
		}
		devKeyApp := f.admin(t, evil, "POST", v1+"/projects/"+devProject+"/apps/api", `{"name":`+jsonQuote(payloads[5])+`,
			"authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`).Str("appId")
		devKey := f.admin(t, evil, "POST", v1+"/projects/"+devProject+"/apps/"+devKeyApp+"/keys", `{"type":"KEY_TYPE_JSON"}`).Str("id")

		// The console's administrator: an IAM owner whose own names are payloads
		// too (they show in "signed in as" and in the history it writes).
		adminName := name(payloads[2], "root-x")
		root := f.admin(t, "", "POST", v1+"/users/human/_import", `{"userName":`+jsonQuote(adminName)+`,
			"profile":{"firstName":`+jsonQuote(payloads[1])+`,"lastName":"L"},"email":{"email":"root@example.com","isEmailVerified":true},"password":"`+Password+`"}`).Str("userId")
		f.instanceRole(t, root, "IAM_OWNER")

		b := wardentest.NewBrowser(t)
		v := consoleSignIn(t, e, b, adminName, Password)
		csrf := v.Forms[v.FormWith(t, "csrf")].Fields.Get("csrf")
		// Into the org with the payload name.
		v = b.Post(e.Base+"/ui/console/org", url.Values{"csrf": {csrf}, "org": {evil}, "back": {"/ui/console/users"}})
		checkEscaped(t, "users list (org switcher)", v)
		// Something for the history: the administrator locks the human.
		b.Post(e.Base+"/ui/console/users/"+human+"/lock", url.Values{"csrf": {csrf}})
		grant := f.admin(t, evil, "POST", v1+"/users/"+human+"/grants", `{"projectId":"`+devProject+`","roleKeys":[`+jsonQuote(roleKey)+`]}`).Str("userGrantId")
		proj := "/ui/console/projects/" + devProject

		pages := []string{
			"/ui/console/users",
			"/ui/console/users?q=" + url.QueryEscape(payloads[1]),
			"/ui/console/users?q=" + url.QueryEscape(payloads[0]) + "&state=" + url.QueryEscape(payloads[1]) + "&sort=" + url.QueryEscape(payloads[2]),
			"/ui/console/users/" + human,
			"/ui/console/users/" + machine,
			"/ui/console/users/" + human + "/confirm?action=unlock",
			"/ui/console/users/" + human + "/confirm?action=remove",
			"/ui/console/users/" + machine + "/confirm?action=pat-remove&pat=" + url.QueryEscape(payloads[0]),
			"/ui/console/members",
			"/ui/console/apps",
			"/ui/console/policy",
			"/ui/console/policy/confirm-reset",
			"/ui/console/users/new",
			"/ui/console/members/" + human + "/confirm",
			"/ui/console/projects",
			proj,
			proj + "/apps/" + devAppID,
			proj + "/apps/" + devKeyApp,
			proj + "/confirm?action=remove",
			proj + "/confirm?action=deactivate",
			proj + "/confirm?action=role-remove&role=" + url.QueryEscape(roleKey),
			proj + "/confirm?action=app-remove&app=" + devAppID,
			proj + "/confirm?action=key-remove&app=" + devKeyApp + "&key=" + devKey,
			"/ui/console/users/" + human + "/grants/new",
			"/ui/console/users/" + human + "/grants/new?project=" + devProject,
			"/ui/console/users/" + human + "/grants/" + grant + "/confirm?action=remove",
			"/ui/console/organisation",
			"/ui/console/organisation/confirm?action=deactivate",
		}
		for _, p := range pages {
			v := b.Get(e.Base + p)
			if v.Status != 200 { // the org switcher's payload is on every page, an error page too
				t.Errorf("GET %s: status %d: %.300s", p, v.Status, v.Text())
			}
			checkEscaped(t, "GET "+p, v)
		}
		// Forms shown again with what was typed.
		checkEscaped(t, "new user form with an error", b.Post(e.Base+"/ui/console/users/new", url.Values{"csrf": {csrf}, "type": {"human"},
			"userName": {humanName}, "firstName": {payloads[0]}, "lastName": {payloads[1]}, "email": {payloads[2]}}))
		checkEscaped(t, "new machine form with an error", b.Post(e.Base+"/ui/console/users/new", url.Values{"csrf": {csrf}, "type": {"machine"},
			"userName": {machineName}, "name": {payloads[4]}, "description": {payloads[5]}}))
		checkEscaped(t, "add member with an unknown user", b.Post(e.Base+"/ui/console/members", url.Values{"csrf": {csrf}, "user": {payloads[1]}, "role": {"ORG_OWNER"}}))
		checkEscaped(t, "lockout policy with a bad value", b.Post(e.Base+"/ui/console/policy", url.Values{"csrf": {csrf},
			"maxPasswordAttempts": {payloads[1]}, "maxOtpAttempts": {payloads[0]}}))
		checkEscaped(t, "a new PAT", b.Post(e.Base+"/ui/console/users/"+machine+"/pats", url.Values{"csrf": {csrf}}))
		checkEscaped(t, "a new client secret", b.Post(e.Base+"/ui/console/users/"+machine+"/secret", url.Values{"csrf": {csrf}}))
		checkEscaped(t, "new project with an error", b.Post(e.Base+"/ui/console/projects", url.Values{"csrf": {csrf}, "name": {payloads[1] + "\x00"}}))
		checkEscaped(t, "a role that exists", b.Post(e.Base+proj+"/roles", url.Values{"csrf": {csrf}, "key": {roleKey}}))
		checkEscaped(t, "a new API app's secret", b.Post(e.Base+proj+"/apps", url.Values{"csrf": {csrf}, "kind": {"api"}, "name": {payloads[3]},
			"authMethod": {"basic"}}))
		checkEscaped(t, "a grant with an unknown role", b.Post(e.Base+"/ui/console/users/"+human+"/grants", url.Values{"csrf": {csrf},
			"project": {devProject}, "role": {payloads[0]}}))
		checkEscaped(t, "org rename refused", b.Post(e.Base+"/ui/console/organisation", url.Values{"csrf": {csrf}, "name": {payloads[3] + "\x00"}}))
		checkEscaped(t, "org switch to an unknown id", b.Post(e.Base+"/ui/console/org", url.Values{"csrf": {csrf}, "orgId": {payloads[1]}, "back": {payloads[3]}}))

		// The login page: the login hint, a typed user name, the signed-in notice.
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		lb := wardentest.NewBrowser(t)
		au, _ := rp.AuthURL("x")
		v = lb.Get(au + "&login_hint=" + url.QueryEscape(payloads[1]))
		checkEscaped(t, "login page with a login hint", v)
		v = lb.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": payloads[0]})
		checkEscaped(t, "password page for a typed name", v)
		v = lb.Submit(v, v.FormWith(t, "password"), map[string]string{"password": "wrong"})
		checkEscaped(t, "wrong password", v)
		// The consent page names the app and its org.
		cv := b.Get(e.Base + "/oauth/v2/authorize?" + url.Values{"client_id": {devApp}, "redirect_uri": {"http://127.0.0.1:9/cb"},
			"response_type": {"code"}, "scope": {"openid urn:zitadel:iam:org:project:id:zitadel:aud"}, "state": {"s"},
			"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}.Encode())
		if !strings.Contains(cv.Text(), "asks to use Warden's API") {
			t.Errorf("no consent page for the developer's app: %s %.300s", cv.URL, cv.Text())
		}
		checkEscaped(t, "consent page", cv)
		if adminName == payloads[2] {
			checkEscaped(t, "signed in (console browser)", b.Get(e.Base+"/ui/login"))
		}
	})
}

// q quotes a string for JSON.
func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestSecurityHeaders: every page of the login and the console — forms,
// consent, confirmations, secrets, and the error pages (400, 401, 403, 404, 405) —
// forbids framing (CSP frame-ancestors 'none' and X-Frame-Options DENY),
// scripts and foreign resources (a CSP with default-src 'none' and no
// script-src), MIME sniffing and referrers, and caching. So no other site
// can frame a form to click it, no injected markup could run or phone home,
// and no shared cache keeps a page with a token or a secret on it.
func TestSecurityHeaders(t *testing.T) {
	e := start(t, testdb.SQLite(t), login.Options{AttemptsPerMinute: -1})
	f := newFixtures(e)
	rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
	ann := e.human("", "ann")
	f.admin(t, "", "POST", v1+"/users/human/_import", `{"userName":"cara","profile":{"firstName":"C","lastName":"L"},`+
		`"email":{"email":"cara@example.com","isEmailVerified":true},"password":"`+Password+`","passwordChangeRequired":true}`)
	root := e.human("", "root")
	f.instanceRole(t, root, "IAM_OWNER")
	machine, patID := f.withPAT(t, "")

	var pages []*wardentest.View
	see := func(v *wardentest.View) *wardentest.View { pages = append(pages, v); return v }

	// Login: start, user name, password, wrong password, forced change, done,
	// signed out, and its error pages.
	b := wardentest.NewBrowser(t)
	au, _ := rp.AuthURL("a")
	v := see(b.Get(au))
	v = see(b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "ann"}))
	see(b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": "wrong"}))
	bc := wardentest.NewBrowser(t)
	au, _ = rp.AuthURL("c")
	v = bc.Get(au)
	v = bc.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "cara"})
	see(bc.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})) // the change form
	_, devToken := f.caller(t, "", "ORG_PROJECT_CREATOR")
	devApp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{Token: devToken})
	bk := wardentest.NewBrowser(t)
	v = bk.Get(devApp.StartURL())
	v = bk.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "ann"})
	v = see(bk.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password})) // the consent page
	if !strings.Contains(v.Text(), "asks to use Warden's API") {
		t.Errorf("no consent page: %s", v.Text())
	}
	bs := wardentest.NewBrowser(t)
	rp.SignIn(t, bs, "ann", Password)
	see(bs.Get(e.Base + "/ui/login"))
	see(bs.Get(e.Base + "/ui/login/logged-out"))
	for _, p := range []string{"/ui/login", "/ui/login?authRequestID=nope", "/ui/login/nope", "/ui/login/username"} {
		see(wardentest.NewBrowser(t).Get(e.Base + p))
	}
	see(wardentest.NewBrowser(t).Post(e.Base+"/ui/login/password", url.Values{"csrf": {"x"}}))
	see(wardentest.NewBrowser(t).Post(e.Base+"/ui/login/username", url.Values{"x": {strings.Repeat("y", 20<<10)}}))
	// Forgotten passwords: the name form, its answer, the code forms and a refusal.
	bf := wardentest.NewBrowser(t)
	v = see(bf.Get(e.Base + "/ui/login/password/reset"))
	see(bf.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "nobody"}))
	v = see(bf.Get(e.Base + "/ui/login/password/init?userID=" + ann + "&code=nope"))
	see(bf.Submit(v, v.FormWith(t, "code"), map[string]string{"newPassword": "Another-Horse-2", "confirmPassword": "Another-Horse-2"}))
	see(bf.Get(e.Base + "/ui/login/user/init?userID=" + ann + "&code=nope&invite=true"))

	// The device flow's pages: the code form, an unknown code, the approval
	// and its answer.
	dp := f.admin(t, "", "POST", v1+"/projects", `{"name":"devices"}`).Str("id")
	dev := f.admin(t, "", "POST", v1+"/projects/"+dp+"/apps/oidc", `{"name":"tv","grantTypes":["OIDC_GRANT_TYPE_DEVICE_CODE"],`+
		`"appType":"OIDC_APP_TYPE_NATIVE","authMethodType":"OIDC_AUTH_METHOD_TYPE_NONE"}`)
	da := e.TokenPost(t, "/oauth/v2/device_authorization", url.Values{"client_id": {dev.Str("clientId")}}, "", "")
	code, _ := da.Body["user_code"].(string)
	bd := wardentest.NewBrowser(t)
	v = see(bd.Get(e.Base + "/device?user_code=" + url.QueryEscape(code)))
	see(bd.Submit(v, v.FormWith(t, "user_code"), map[string]string{"user_code": "BCDF-BCDF"}))
	v = bd.Submit(v, v.FormWith(t, "user_code"), nil)
	v = bd.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": "ann"})
	v = see(bd.Submit(v, v.FormWith(t, "password"), map[string]string{"password": Password}))
	if !strings.Contains(v.URL.Path, "/device/approve") {
		t.Errorf("no device approval page: %s %s", v.URL, v.Text())
	}
	see(bd.Submit(v, v.FormWith(t, "decision"), map[string]string{"decision": "allow"}))
	see(wardentest.NewBrowser(t).Get(e.Base + "/ui/login/device/approve?authRequestID=nope"))

	// Console: every page an administrator sees, and its error pages.
	cb := wardentest.NewBrowser(t)
	v = see(consoleSignIn(t, e, cb, "root", Password))
	csrf := v.Forms[v.FormWith(t, "csrf")].Fields.Get("csrf")
	// The access model's pages: a project with a role, its apps (one with a
	// key), a grant.
	f.admin(t, "", "POST", v1+"/projects/"+dp+"/roles", `{"roleKey":"viewer"}`)
	grant := f.admin(t, "", "POST", v1+"/users/"+ann+"/grants", `{"projectId":"`+dp+`","roleKeys":["viewer"]}`).Str("userGrantId")
	keyApp := f.admin(t, "", "POST", v1+"/projects/"+dp+"/apps/api", `{"name":"signer","authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`).Str("appId")
	proj := "/ui/console/projects/" + dp
	for _, p := range []string{
		"/ui/console/projects", proj, proj + "/apps/" + dev.Str("appId"), proj + "/apps/" + keyApp, proj + "/confirm?action=remove",
		proj + "/confirm?action=role-remove&role=viewer", proj + "/confirm?action=app-remove&app=" + keyApp, "/ui/console/projects/999999",
		"/ui/console/users/" + ann, "/ui/console/users/" + ann + "/grants/new", "/ui/console/users/" + ann + "/grants/new?project=" + dp,
		"/ui/console/users/" + ann + "/grants/" + grant + "/confirm?action=deactivate",
		"/ui/console/organisation", "/ui/console/organisation/confirm?action=deactivate", "/ui/console/organisation/confirm?action=nope",
		"/ui/console/users?q=a", "/ui/console/users/" + root, "/ui/console/users/" + machine,
		"/ui/console/users/" + machine + "/confirm?action=lock", "/ui/console/users/" + machine + "/confirm?action=pat-remove&pat=" + patID,
		"/ui/console/users/new", "/ui/console/users/new?type=machine", "/ui/console/members", "/ui/console/apps", "/ui/console/policy",
		"/ui/console/policy/confirm-reset", "/ui/console/nope", "/ui/console/users/999999", "/ui/console/users/" + machine + "/confirm?action=nope",
	} {
		see(cb.Get(e.Base + p))
	}
	see(cb.Post(e.Base+"/ui/console/users/"+machine+"/pats", url.Values{"csrf": {csrf}}))   // a token, shown once
	see(cb.Post(e.Base+"/ui/console/users/"+machine+"/secret", url.Values{"csrf": {csrf}})) // a client secret, shown once
	see(cb.Post(e.Base+"/ui/console/users/"+machine+"/lock", url.Values{"csrf": {"wrong"}}))
	see(cb.Post(e.Base+"/ui/console/projects", url.Values{"csrf": {csrf}, "name": {""}}))                                        // 400 beside the form
	see(cb.Post(e.Base+proj+"/apps", url.Values{"csrf": {csrf}, "kind": {"api"}, "name": {"backend"}, "authMethod": {"basic"}})) // an app's secret, shown once
	// An app key's file is a download, not a page, and must not be cached or
	// sniffed into one either.
	if kv := cb.Post(e.Base+proj+"/apps/"+keyApp+"/keys", url.Values{"csrf": {csrf}}); kv.Status != 200 ||
		!strings.HasPrefix(kv.Header.Get("Content-Disposition"), "attachment;") || kv.Header.Get("Cache-Control") != "no-store" ||
		kv.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(kv.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("app key file: %d %v", kv.Status, kv.Header)
	}
	see(cb.Post(e.Base+"/ui/console/users/new", url.Values{"csrf": {csrf}, "type": {"human"}}))
	see(cb.Post(e.Base+"/ui/console/members", url.Values{"csrf": {csrf}, "user": {strings.Repeat("z", 70<<10)}}))
	see(wardentest.NewBrowser(t).Post(e.Base+"/ui/console/users/"+machine+"/lock", url.Values{}))
	anon := wardentest.NewBrowser(t)
	see(anon.Get(e.Base + "/ui/console/callback?state=x&code=y"))
	see(anon.Get(e.Base + "/ui/console/signed-out"))
	// The sign-in redirect and the console's own sign-out page.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := c.Get(e.Base + "/ui/console/signin?next=/ui/console/users"); err == nil {
		resp.Body.Close()
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("console sign-in redirect: Cache-Control %q", cc)
		}
	}

	statuses := map[int]bool{}
	for _, v := range pages {
		statuses[v.Status] = true
		if ct := v.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s (%d): Content-Type %q, want an HTML page", v.URL, v.Status, ct)
			continue
		}
		h := v.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s (%d): CSP %q lacks %s", v.URL, v.Status, csp, want)
			}
		}
		if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "*") {
			t.Errorf("%s (%d): CSP %q allows scripts or anything", v.URL, v.Status, csp)
		}
		for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if got := h.Get(k); !strings.EqualFold(got, want) {
				t.Errorf("%s (%d): %s %q, want %q", v.URL, v.Status, k, got, want)
			}
		}
		if cc := h.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", v.URL, v.Status, cc)
		}
	}
	for _, want := range []int{200, 400, 401, 403, 404, 405, 413} {
		if !statuses[want] {
			t.Errorf("no page with status %d was checked (statuses seen: %v)", want, statuses)
		}
	}
}
