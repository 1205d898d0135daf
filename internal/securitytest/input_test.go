package securitytest

// What callers put into Warden — password hashes, member ids, user ids,
// names — and what it can make the node do: the importer who plants a hash
// that takes the node's hash slots, the org owner who reads another org's
// users through the member list, the user manager who picks a user id that
// hijacks another org's client id, anyone who hides characters in a name.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"github.com/warden-id/warden/internal/wardentest"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// startInput runs Warden on st with app options (start's harness has none)
// and no login throttle.
func startInput(t *testing.T, st store.Store, opts ...app.Option) *env {
	t.Helper()
	logs := &wardentest.LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	in := wardentest.Start(t, st, wardentest.Options{Log: log, AppOptions: opts,
		Login: &login.Options{AttemptsPerMinute: -1}, Console: true})
	return &env{Instance: in, t: t, logs: logs}
}

// formAt is the index of v's form that posts to action (wardentest's
// FormWith finds forms by a field with a value, which a password field lacks).
func formAt(t *testing.T, v *wardentest.View, action string) int {
	t.Helper()
	for i, f := range v.Forms {
		if f.Action == action {
			return i
		}
	}
	t.Fatalf("no form posting to %s at %s: %s", action, v.URL, v.Text())
	return -1
}

// signIn runs rp's flow in b through the login page's two forms.
func signIn(t *testing.T, rp *wardentest.RP, b *wardentest.Browser, loginName, password string) *wardentest.SignIn {
	t.Helper()
	v := b.Get(rp.StartURL())
	v = b.Submit(v, formAt(t, v, "/ui/login/username"), map[string]string{"loginName": loginName})
	v = b.Submit(v, formAt(t, v, "/ui/login/password"), map[string]string{"password": password})
	return rp.AtCallback(t, v)
}

// pat issues a PAT for a machine user of orgID ("" = the default org).
func (e *env) pat(orgID, userID string) string {
	e.t.Helper()
	h := map[string]string{}
	if orgID != "" {
		h["x-zitadel-orgid"] = orgID
	}
	tok := wardentest.Must(e.t, e.DoHeaders(e.t, "POST", "/management/v1/users/"+userID+"/pats", e.Boot.Token, `{}`, h), 200).Str("token")
	if tok == "" {
		e.t.Fatal("no token")
	}
	return tok
}

// importHashed imports a human with a password hash (and the header's org).
func (e *env) importHashed(name, hash string) wardentest.Reply {
	e.t.Helper()
	return e.Admin(e.t, "POST", "/management/v1/users/human/_import", fmt.Sprintf(
		`{"userName":%q,"profile":{"firstName":"F","lastName":"L"},"email":{"email":%q,"isEmailVerified":true},"hashedPassword":{"value":%q}}`,
		name, name+"@example.com", hash))
}

// argonPHC is an argon2id hash of pw with the given parameters; with pw ""
// the key is not computed (a hash no password matches, as costly to check).
func argonPHC(pw string, m, t uint32, p uint8) string {
	salt := []byte("saltsaltsaltsalt")
	key := make([]byte, 32)
	if pw != "" {
		key = argon2.IDKey([]byte(pw), salt, t, m, p, 32)
	}
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// bcryptOfCost is a well-formed bcrypt hash that claims any cost.
func bcryptOfCost(cost int) string {
	b, _ := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)
	return fmt.Sprintf("%s%02d%s", b[:4], cost, b[6:])
}

// checkPasswordBody is a v2 SetPassword that first verifies current.
func checkPasswordBody(userID, current string) string {
	return fmt.Sprintf(`{"userId":%q,"newPassword":{"password":"New-Password-1"},"currentPassword":%q}`, userID, current)
}

// TestHashImportCannotExhaustSignIn — an administrator or user manager who
// imports users (or a compromised import feed) cannot plant hashes that tie
// up the node's password-hash slots: parameters beyond argon2id m=256 MiB,
// t=10, p=16 or bcrypt cost 14 are refused (400); a hash beyond them already
// in the store is never computed; and while every slot is taken, a check
// waits only as long as its request lives (503 at the deadline) and the login
// page says it is busy, so the node serves sign-ins again when the slots free.
func TestHashImportCannotExhaustSignIn(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := startInput(t, open(t), app.WithHashSlots(2, time.Second))
		for i, h := range []string{
			argonPHC("", 1<<20, 16, 255), argonPHC("", credential.MaxArgonMemory+1, 1, 1),
			argonPHC("", 8192, credential.MaxArgonTime+1, 1), argonPHC("", 8192, 1, credential.MaxArgonThreads+1),
			bcryptOfCost(31), bcryptOfCost(credential.MaxBcryptCost + 1),
		} {
			r := wardentest.Must(t, e.importHashed(fmt.Sprintf("dos%d", i), h), 400)
			if !strings.Contains(r.Raw, "exceed the limits") {
				t.Errorf("unclear refusal of %s: %s", h, r.Raw)
			}
			wardentest.Must(t, e.Admin(t, "POST", "/v2/users/human", fmt.Sprintf(
				`{"username":"dos%dv2","profile":{"givenName":"F","familyName":"L"},"email":{"email":"d@example.com"},"hashedPassword":{"hash":%q}}`, i, h)), 400)
		}

		// A hash stored before the limits existed: refused at once, not computed.
		planted, ev := user.NewHuman("planted", e.Boot.Instance.DefaultOrgID, "planted",
			user.Human{Email: "p@example.com", PasswordHash: argonPHC("", 1<<20, 16, 255)}, false, user.Actor{At: store.Now()})
		if err := e.Store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if err := tx.InsertUser(ctx, planted); err != nil {
				return err
			}
			return tx.Append(ctx, ev)
		}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		wardentest.Must(t, e.Admin(t, "POST", "/v2/users/planted/password", checkPasswordBody("planted", Password)), 400)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("checking a planted 1 GiB hash took %v", d)
		}

		// The costliest hashes the limits allow, and a person who signs in.
		var slow []string
		for i := range 2 {
			r := wardentest.Must(t, e.importHashed(fmt.Sprintf("slow%d", i), argonPHC("", credential.MaxArgonMemory, credential.MaxArgonTime, credential.MaxArgonThreads)), 200)
			slow = append(slow, r.Str("userId"))
		}
		fast := e.human("", "fast")
		probe := e.human("", "probe") // its wrong guesses count towards its lockout, not fast's
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		b := wardentest.NewBrowser(t)
		v := b.Get(rp.StartURL())
		v = b.Submit(v, formAt(t, v, "/ui/login/username"), map[string]string{"loginName": "fast"})
		pwForm := formAt(t, v, "/ui/login/password")

		// Take both slots, as two checks of those slow hashes would. The test
		// holds them itself: a real check ends when it ends, and on a fast or a
		// loaded machine it may end before or after the requests below.
		var held []func()
		for range 2 {
			release, err := e.App.TakeHashSlot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, release)
		}

		// A check whose caller gives it 300 ms answers 503 at that deadline
		// instead of waiting its turn.
		start = time.Now()
		r := e.DoHeaders(t, "POST", "/zitadel.user.v2.UserService/SetPassword", e.Boot.Token, checkPasswordBody(probe, "a-guess-001"),
			map[string]string{"Connect-Protocol-Version": "1", "Connect-Timeout-Ms": "300"})
		if took := time.Since(start); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Raw, "HASHBUSY") || took > 3*time.Second {
			t.Errorf("a check with a 300 ms deadline while every slot is taken: %d after %v: %s", r.Status, took, r.Raw)
		}
		// The login page waits at most the configured bound and says so.
		v = b.Submit(v, pwForm, map[string]string{"password": Password})
		if v.Status != http.StatusServiceUnavailable || !strings.Contains(v.Text(), login.TextBusy) {
			t.Errorf("login page while every slot is taken: %d %q", v.Status, v.Text())
		}
		for _, release := range held {
			release()
		}
		// One of the slow hashes the limits allow is checked (and refused: a
		// wrong guess) in a slot like any other.
		wardentest.Must(t, e.Admin(t, "POST", "/v2/users/"+slow[0]+"/password", checkPasswordBody(slow[0], "a-guess-000")), 400)
		// The slots free, the node signs people in again.
		if s := signIn(t, rp, wardentest.NewBrowser(t), "fast", Password); s.Subject != fast {
			t.Fatalf("signed in as %s, want %s", s.Subject, fast)
		}
	})
}

// TestImportedHashIsRehashed — someone who later obtains a copy of the
// database finds the server's own argon2id, not the weaker imported hash: the
// first successful sign-in replaces an imported bcrypt (or otherwise tuned
// argon2id) hash, records user.human.password.hash.updated (without the hash),
// and the password keeps working.
func TestImportedHashIsRehashed(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		ctx := context.Background()
		b, _ := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.MinCost)
		rp := wardentest.NewRP(t, e.Instance, wardentest.RPOptions{})
		for name, h := range map[string]string{"legacy": string(b), "tuned": argonPHC(Password, 8192, 1, 1)} {
			id := wardentest.Must(t, e.importHashed(name, h), 200).Str("userId")
			for range 2 {
				if s := signIn(t, rp, wardentest.NewBrowser(t), name, Password); s.Subject != id {
					t.Fatalf("%s: signed in as %s", name, s.Subject)
				}
			}
			u, err := e.Store.User(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if u.Human.PasswordHash == h || credential.NeedsRehash(u.Human.PasswordHash) || !credential.VerifyPassword(u.Human.PasswordHash, Password) {
				t.Fatalf("%s: stored hash is not the server's argon2id of the password: %s", name, u.Human.PasswordHash)
			}
			evs, err := e.Store.Events(ctx, store.EventQuery{AggregateType: event.AggregateUser, AggregateID: id, Asc: true, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			upgrades := 0
			for _, ev := range evs {
				if ev.Type == event.PasswordHashUpdated {
					upgrades++
				}
				if strings.Contains(string(ev.Payload), "$argon2") || strings.Contains(string(ev.Payload), "$2a$") {
					t.Errorf("%s: event %s carries a hash", name, ev.Type)
				}
			}
			if upgrades != 1 {
				t.Fatalf("%s: %d hash upgrades recorded, want 1", name, upgrades)
			}
		}
	})
}

// TestMembersOnlyFromReadableOrgs — an org owner cannot make another org's
// user a member of its org (404 exactly as for a user that does not exist,
// nothing written) and so cannot read that user's name and e-mail from the
// member list; a member an instance owner added from another org shows
// without them.
func TestMembersOnlyFromReadableOrgs(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		orgA := e.AddOrg(t, "Org A")
		owner := e.AddMachine(t, orgA, "owner-a")
		e.Grant(t, orgA, owner, "ORG_OWNER")
		tok := e.pat(orgA, owner)
		victim := e.human("", "victim") // the default org

		add := func(userID string) wardentest.Reply {
			return e.Do(t, "POST", "/management/v1/orgs/me/members", tok, `{"userId":"`+userID+`","roles":["ORG_OWNER_VIEWER"]}`)
		}
		missing := wardentest.Must(t, add("4242424242"), 404)
		foreign := wardentest.Must(t, add(victim), 404)
		if missing.Str("message") == "" || foreign.Str("message") != missing.Str("message") {
			t.Fatalf("foreign user %s, missing user %s: want the same answer", foreign.Raw, missing.Raw)
		}
		list := func() string {
			return wardentest.Must(t, e.Do(t, "POST", "/management/v1/orgs/me/members/_search", tok, `{}`), 200).Raw
		}
		if l := list(); strings.Contains(l, victim) {
			t.Fatalf("the foreign user became a member: %s", l)
		}
		// An instance owner may add anyone; the org owner still learns nothing.
		wardentest.Must(t, e.DoHeaders(t, "POST", "/management/v1/orgs/me/members", e.Boot.Token,
			`{"userId":"`+victim+`","roles":["ORG_OWNER_VIEWER"]}`, map[string]string{"x-zitadel-orgid": orgA}), 200)
		l := list()
		if !strings.Contains(l, victim) {
			t.Fatalf("membership not listed: %s", l)
		}
		for _, secret := range []string{"victim@example.com", "victim@", `"firstName"`} {
			if strings.Contains(l, secret) {
				t.Errorf("member list shows %s of another org's user: %s", secret, l)
			}
		}
	})
}

// TestUserIDsSafeAndUnambiguous — a user manager who picks user ids cannot
// plant path or query syntax in them (400: letters, digits, '_', '-', '.'
// only), nor take another org's machine user name as an id or another user's
// id as a machine user name (409), so the victim's client credentials keep
// working; a client id that names two users anyway names none; and the console
// escapes ids in its links.
func TestUserIDsSafeAndUnambiguous(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		orgB := e.AddOrg(t, "Org B")
		mgr := e.AddMachine(t, orgB, "mgr-b")
		e.Grant(t, orgB, mgr, "ORG_USER_MANAGER")
		tok := e.pat(orgB, mgr)

		for _, bad := range []string{"a/b", "..", ".", "a?b", "a#b", `a\u0000b`, "a b", "a%2Fb", `x\u202eb`} {
			wardentest.Must(t, e.Do(t, "POST", "/management/v1/users/machine", tok, `{"userName":"m1","name":"m","userId":"`+bad+`"}`), 400)
			wardentest.Must(t, e.Do(t, "POST", "/v2/users/human", tok, `{"userId":"`+bad+`","username":"h1","organization":{"orgId":"`+orgB+`"},
				"profile":{"givenName":"F","familyName":"L"},"email":{"email":"h1@example.com"}}`), 400)
		}

		// The victim: a machine user of the default org with a client secret,
		// used with its user name as client id.
		victim := e.AddMachine(t, "", "billing")
		sec := wardentest.Must(t, e.Admin(t, "PUT", "/management/v1/users/"+victim+"/secret", `{}`), 200)
		if sec.Str("clientId") != "billing" {
			t.Fatalf("client id %q", sec.Str("clientId"))
		}
		secret := sec.Str("clientSecret")
		clientToken := func(clientID, secret string) int {
			req, _ := http.NewRequest("POST", e.Base+"/oauth/v2/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode == 200 && body["access_token"] == nil {
				t.Fatalf("200 without a token: %v", body)
			}
			return resp.StatusCode
		}
		if c := clientToken("billing", secret); c != 200 {
			t.Fatalf("victim's client credentials before the attack: %d", c)
		}

		// The attacks, from another org.
		wardentest.Must(t, e.Do(t, "POST", "/management/v1/users/machine", tok, `{"userName":"billing-b","name":"b","userId":"billing"}`), 409)
		wardentest.Must(t, e.Do(t, "POST", "/v2/users/human", tok, `{"userId":"billing","username":"h2","organization":{"orgId":"`+orgB+`"},
			"profile":{"givenName":"F","familyName":"L"},"email":{"email":"h2@example.com"}}`), 409)
		wardentest.Must(t, e.Do(t, "POST", "/management/v1/users/machine", tok, `{"userName":"`+victim+`","name":"b"}`), 409)
		for _, cid := range []string{"billing", victim} {
			if c := clientToken(cid, secret); c != 200 {
				t.Errorf("victim's client credentials as %s after the attacks: %d", cid, c)
			}
		}

		// Defence in depth: should a colliding user exist anyway (a race between
		// nodes, data from before the rule), the ambiguous client id names no
		// one — never the attacker — while the victim's user id still works.
		evil, ev := user.NewMachine("billing", orgB, "evil", user.Machine{Name: "evil"}, user.Actor{At: store.Now()})
		if err := e.Store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if err := tx.InsertUser(ctx, evil); err != nil {
				return err
			}
			return tx.Append(ctx, ev)
		}); err != nil {
			t.Fatal(err)
		}
		evilSecret := wardentest.Must(t, e.DoHeaders(t, "PUT", "/management/v1/users/billing/secret", e.Boot.Token, `{}`,
			map[string]string{"x-zitadel-orgid": orgB}), 200).Str("clientSecret")
		if c := clientToken("billing", evilSecret); c == 200 {
			t.Error("an ambiguous client id authenticated the colliding user")
		}
		if c := clientToken("billing", secret); c == 200 {
			t.Error("an ambiguous client id authenticated a user by name")
		}
		if c := clientToken(victim, secret); c != 200 {
			t.Errorf("victim's client credentials by user id: %d", c)
		}

		// The console escapes ids in links, whatever the store holds.
		odd, ev := user.NewMachine("x/../../members?y#z", e.Boot.Instance.DefaultOrgID, "odd-one", user.Machine{Name: "odd"}, user.Actor{At: store.Now()})
		if err := e.Store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if err := tx.InsertUser(ctx, odd); err != nil {
				return err
			}
			return tx.Append(ctx, ev)
		}); err != nil {
			t.Fatal(err)
		}
		e.human("", "ops")
		e.Grant(t, "", e.userID("ops"), "ORG_OWNER")
		br := wardentest.NewBrowser(t)
		v := br.Get(e.Base + "/ui/console/users")
		v = br.Submit(v, formAt(t, v, "/ui/login/username"), map[string]string{"loginName": "ops"})
		v = br.Submit(v, formAt(t, v, "/ui/login/password"), map[string]string{"password": Password})
		if v.Status != 200 || !strings.HasPrefix(v.URL.Path, "/ui/console/users") || !strings.Contains(v.Body, "odd-one") {
			t.Fatalf("console users page: %d %s: %s", v.Status, v.URL, v.Text())
		}
		if !strings.Contains(v.Body, `href="/ui/console/users/x%2F..%2F..%2Fmembers%3Fy%23z"`) || strings.Contains(v.Body, "users/x/../") {
			t.Errorf("console link to the odd id is not escaped:\n%s", v.Body)
		}
	})
}

// userID finds a user id by user name in the default org.
func (e *env) userID(name string) string {
	e.t.Helper()
	r := wardentest.Must(e.t, e.Admin(e.t, "POST", "/management/v1/users/_search",
		`{"queries":[{"userNameQuery":{"userName":"`+name+`","method":"TEXT_QUERY_METHOD_EQUALS"}}]}`), 200)
	res, _ := r.Body["result"].([]any)
	if len(res) != 1 {
		e.t.Fatalf("users named %s: %s", name, r.Raw)
	}
	id, _ := res[0].(map[string]any)["id"].(string)
	return id
}

// TestInvisibleCharactersRefusedInNames — nobody who creates users, orgs,
// projects or apps can store NUL (which breaks PostgreSQL and `warden store
// copy`), other control characters, zero-width or bidi characters (with which
// one name passes for another) in a name, a profile field, a description or a
// redirect URI (400); ordinary non-ASCII text is welcome, and so are the
// zero-width joiners in a person's name; a NUL in an id or a search is 400,
// not a database error.
func TestInvisibleCharactersRefusedInNames(t *testing.T) {
	each(t, func(t *testing.T, open testdb.Opener) {
		e := start(t, open(t), login.Options{})
		proj := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/projects", `{"name":"P"}`), 200).Str("id")
		for _, c := range []string{`\u0000`, `\u0007`, `\t`, `\n`, `\u007f`, `\u0085`, `\u00ad`, `\u200b`, `\u200d`, `\u200e`, `\u202e`, `\u2066`, `\u2060`, `\ufeff`} {
			bad := "ev" + c + "il"
			for _, req := range []struct{ what, method, path, body string }{
				{"user name", "POST", "/management/v1/users/human", `{"userName":"` + bad + `","profile":{"firstName":"F","lastName":"L"},"email":{"email":"a@example.com"}}`},
				{"first name", "POST", "/management/v1/users/human", `{"userName":"u1","profile":{"firstName":"` + bad + `","lastName":"L"},"email":{"email":"a@example.com"}}`},
				{"display name", "POST", "/management/v1/users/human", `{"userName":"u1","profile":{"firstName":"F","lastName":"L","displayName":"` + bad + `"},"email":{"email":"a@example.com"}}`},
				{"v2 given name", "POST", "/v2/users/human", `{"username":"u2","profile":{"givenName":"` + bad + `","familyName":"L"},"email":{"email":"b@example.com"}}`},
				{"machine user name", "POST", "/management/v1/users/machine", `{"userName":"` + bad + `","name":"m"}`},
				{"machine name", "POST", "/management/v1/users/machine", `{"userName":"m1","name":"` + bad + `"}`},
				{"machine description", "POST", "/management/v1/users/machine", `{"userName":"m1","name":"m","description":"` + bad + `"}`},
				{"org name", "POST", "/management/v1/orgs", `{"name":"` + bad + `"}`},
				{"project name", "POST", "/management/v1/projects", `{"name":"` + bad + `"}`},
				{"app name", "POST", "/management/v1/projects/" + proj + "/apps/api", `{"name":"` + bad + `","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`},
				{"redirect URI", "POST", "/management/v1/projects/" + proj + "/apps/oidc", `{"name":"web","redirectUris":["https://app.example.com/` + bad + `"],
					"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"]}`},
			} {
				if c == `\u200d` && (req.what == "first name" || req.what == "display name" || req.what == "v2 given name") {
					continue // person names may join (below)
				}
				if r := e.Admin(t, req.method, req.path, req.body); r.Status != 400 {
					t.Errorf("%s with %s: %d, want 400: %s", req.what, c, r.Status, r.Raw)
				}
			}
		}
		// Persian names and emoji sequences need the zero-width (non-)joiner:
		// a person's name may hold them, an identifier may not (above).
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/human",
			`{"userName":"mehr","profile":{"firstName":"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647","lastName":"L","displayName":"\ud83d\udc68\u200d\ud83d\udc69"},"email":{"email":"mehr@example.com"}}`), 200)
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/human",
			`{"userName":"zoë","profile":{"firstName":"Zoë","lastName":"Ünal-Øster 李","displayName":"Zoë 🎉"},"email":{"email":"zoe@example.com"}}`), 200)
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/orgs", `{"name":"Société Générale"}`), 200)
		wardentest.Must(t, e.Admin(t, "GET", "/management/v1/users/a%00b", ""), 400)
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/_search",
			`{"queries":[{"userNameQuery":{"userName":"a\u0000b","method":"TEXT_QUERY_METHOD_EQUALS"}}]}`), 400)
		wardentest.Must(t, e.Admin(t, "POST", "/v2/users", `{"queries":[{"emailQuery":{"emailAddress":"a\u0000b"}}]}`), 400)
	})
}
