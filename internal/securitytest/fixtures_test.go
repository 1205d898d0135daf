package securitytest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
	"golang.org/x/crypto/bcrypt"
)

// fixtures makes the objects a test acts on, as the bootstrap administrator
// (IAM_OWNER, so in any org through x-zitadel-orgid). Every name is unique, so
// parallel subtests share one Warden.
type fixtures struct {
	*shared
	// decoy: the next objects are for a call expected to be refused, which
	// leaves them as they are; they are made once per kind and org and reused.
	decoy  bool
	decoys map[string][]string
	// The matrix's caller, for rows that act on orgs of their own (sibling),
	// and the headers such a row's call adds.
	self, role, own string
	hdr             map[string]string
}

// shared is what every fixtures value of one Warden shares.
type shared struct {
	e *env
	n atomic.Int64

	keyOnce sync.Once
	pubPEM  string // a public key machine keys are registered with (no key generation per fixture)

	hashOnce sync.Once
	hash     string // bcrypt (cost 4) of Password
}

func newFixtures(e *env) *fixtures { return &fixtures{shared: &shared{e: e}} }

// fork returns fixtures with a decoy cache of their own (one per goroutine).
func (f *fixtures) fork() *fixtures {
	return &fixtures{shared: f.shared, decoys: map[string][]string{}}
}

// memo makes an object, or in decoy mode reuses the one made for kind in orgID.
func (f *fixtures) memo(kind, orgID string, make func() []string) []string {
	if !f.decoy || f.decoys == nil {
		return make()
	}
	k := kind + " " + orgID
	if v, ok := f.decoys[k]; ok {
		return v
	}
	f.decoy = false // what make builds on must be its own
	v := make()
	f.decoy = true
	f.decoys[k] = v
	return v
}

func (f *fixtures) memo1(kind, orgID string, make func() string) string {
	return f.memo(kind, orgID, func() []string { return []string{make()} })[0]
}

func (f *fixtures) memo2(kind, orgID string, make func() (string, string)) (string, string) {
	v := f.memo(kind, orgID, func() []string { a, b := make(); return []string{a, b} })
	return v[0], v[1]
}

func (f *fixtures) uniq(prefix string) string { return fmt.Sprintf("%s-%d", prefix, f.n.Add(1)) }

// admin makes a call as the administrator in org ("" = the admin's own org)
// and insists on 200.
func (f *fixtures) admin(t testing.TB, orgID, method, path, body string) wardentest.Reply {
	t.Helper()
	h := map[string]string{}
	if orgID != "" {
		h["x-zitadel-orgid"] = orgID
	}
	return wardentest.Must(t, f.e.DoHeaders(t, method, path, f.e.Boot.Token, body, h), 200)
}

func (f *fixtures) org(t testing.TB, prefix string) string { return f.e.AddOrg(t, f.uniq(prefix)) }

// machine is a new, active machine user without roles.
func (f *fixtures) machine(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("machine", orgID, func() string {
		return f.e.AddMachine(t, orgID, f.uniq("m"))
	})
}

// human is a new, active human with Password and without roles. The password
// comes as a cheap bcrypt hash, so making many humans costs no argon2 time.
func (f *fixtures) human(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("human", orgID, func() string {
		f.hashOnce.Do(func() {
			h, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.MinCost)
			if err != nil {
				t.Fatal(err)
			}
			f.hash = string(h)
		})
		n := f.uniq("h")
		return f.admin(t, orgID, "POST", "/management/v1/users/human/_import", `{"userName":"`+n+`","profile":{"firstName":"F","lastName":"L"},`+
			`"email":{"email":"`+n+`@example.com","isEmailVerified":true},"hashedPassword":{"value":"`+f.hash+`"}}`).Str("userId")
	})
}

func (f *fixtures) locked(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("locked", orgID, func() string {
		id := f.machine(t, orgID)
		f.admin(t, orgID, "POST", "/management/v1/users/"+id+"/_lock", `{}`)
		return id
	})
}

func (f *fixtures) inactive(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("inactive", orgID, func() string {
		id := f.machine(t, orgID)
		f.admin(t, orgID, "POST", "/management/v1/users/"+id+"/_deactivate", `{}`)
		return id
	})
}

// withPAT is a machine user with a PAT; it returns the user and the token's id.
func (f *fixtures) withPAT(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("withPAT", orgID, func() (string, string) {
		id := f.machine(t, orgID)
		return id, f.admin(t, orgID, "POST", "/management/v1/users/"+id+"/pats", `{}`).Str("tokenId")
	})
}

func (f *fixtures) withSecret(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("withSecret", orgID, func() string {
		id := f.machine(t, orgID)
		f.admin(t, orgID, "PUT", "/management/v1/users/"+id+"/secret", `{}`)
		return id
	})
}

// publicKey is a PEM public key, made once, that machine keys are added with.
func (f *fixtures) publicKey(t testing.TB) string {
	f.keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		f.pubPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	})
	return f.pubPEM
}

// keyBody adds a machine key with the shared public key.
func (f *fixtures) keyBody(t testing.TB) string {
	b, _ := json.Marshal(map[string]any{"type": "KEY_TYPE_JSON", "publicKey": []byte(f.publicKey(t))})
	return string(b)
}

// withKey is a machine user with a machine key; it returns the user and key ids.
func (f *fixtures) withKey(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("withKey", orgID, func() (string, string) {
		id := f.machine(t, orgID)
		return id, f.admin(t, orgID, "POST", "/management/v1/users/"+id+"/keys", f.keyBody(t)).Str("keyId")
	})
}

func (f *fixtures) project(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("project", orgID, func() string {
		return f.admin(t, orgID, "POST", "/management/v1/projects", `{"name":"`+f.uniq("p")+`"}`).Str("id")
	})
}

func (f *fixtures) oidcAppBody() string {
	return `{"name":"` + f.uniq("web") + `","redirectUris":["https://app.example.com/cb"],
		"responseTypes":["OIDC_RESPONSE_TYPE_CODE"],"grantTypes":["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
		"appType":"OIDC_APP_TYPE_WEB","authMethodType":"OIDC_AUTH_METHOD_TYPE_BASIC"}`
}

func (f *fixtures) apiAppBody() string {
	return `{"name":"` + f.uniq("api") + `","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`
}

// oidcApp is a web app (client secret) in a new project; it returns both ids.
func (f *fixtures) oidcApp(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("oidcApp", orgID, func() (string, string) {
		p := f.project(t, orgID)
		return p, f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/apps/oidc", f.oidcAppBody()).Str("appId")
	})
}

func (f *fixtures) apiApp(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("apiApp", orgID, func() (string, string) {
		p := f.project(t, orgID)
		return p, f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/apps/api", f.apiAppBody()).Str("appId")
	})
}

// member is a machine user of the org that is its member as ORG_OWNER_VIEWER.
func (f *fixtures) member(t testing.TB, orgID string) string {
	t.Helper()
	return f.memo1("member", orgID, func() string {
		id := f.machine(t, orgID)
		f.e.Grant(t, orgID, id, "ORG_OWNER_VIEWER")
		return id
	})
}

// lockout sets whether the org has a custom lockout policy (true) or the
// instance default (false).
func (f *fixtures) lockout(t testing.TB, orgID string, custom bool) {
	t.Helper()
	if f.decoy {
		return // a refused call changes nothing either way
	}
	h := map[string]string{"x-zitadel-orgid": orgID}
	if custom {
		r := f.e.DoHeaders(t, "POST", "/management/v1/policies/lockout", f.e.Boot.Token, `{"maxPasswordAttempts":7}`, h)
		if r.Status != 200 && r.Status != 409 {
			t.Fatalf("custom lockout policy: %d %s", r.Status, r.Raw)
		}
		return
	}
	r := f.e.DoHeaders(t, "DELETE", "/management/v1/policies/lockout", f.e.Boot.Token, "", h)
	if r.Status != 200 && r.Status != 404 {
		t.Fatalf("default lockout policy: %d %s", r.Status, r.Raw)
	}
}

// caller is a machine user of orgID with role — an org role there, or an
// instance role (IAM_*) given through the store, as no served method grants
// one — and a PAT. role "" gives no membership at all.
func (f *fixtures) caller(t testing.TB, orgID, role string) (id, token string) {
	t.Helper()
	id = f.machine(t, orgID)
	switch {
	case role == "":
	case org.IsInstanceRole(role):
		f.instanceRole(t, id, role)
	default:
		f.e.Grant(t, orgID, id, role)
	}
	return id, f.pat(t, orgID, id)
}

// pat issues a PAT for a machine user of orgID.
func (f *fixtures) pat(t testing.TB, orgID, userID string) string {
	t.Helper()
	tok := f.admin(t, orgID, "POST", "/management/v1/users/"+userID+"/pats", `{}`).Str("token")
	if tok == "" {
		t.Fatal("no token")
	}
	return tok
}

// instanceRole gives a user an instance membership, through the store: no
// served method grants one.
func (f *fixtures) instanceRole(t testing.TB, userID string, roles ...string) {
	t.Helper()
	now := store.Now()
	err := f.e.Store.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return tx.PutMember(ctx, &org.Member{OrgID: org.InstanceScope, UserID: userID, Roles: roles, CreatedAt: now, ChangedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// consoleSignIn signs b in to the console through the login page.
func consoleSignIn(t testing.TB, e *env, b *wardentest.Browser, loginName, password string) *wardentest.View {
	t.Helper()
	v := b.Get(e.Base + "/ui/console/users")
	v = b.Submit(v, v.FormWith(t, "loginName"), map[string]string{"loginName": loginName})
	v = b.Submit(v, v.FormWith(t, "password"), map[string]string{"password": password})
	if v.Status != 200 || v.URL.Path != "/ui/console/users" {
		t.Fatalf("console sign-in ended at %s (%d): %s", v.URL, v.Status, v.Text())
	}
	return v
}

// keyApp is an API app on private_key_jwt in a new project; it returns both ids.
func (f *fixtures) keyApp(t testing.TB, orgID string) (string, string) {
	t.Helper()
	return f.memo2("keyApp", orgID, func() (string, string) {
		p := f.project(t, orgID)
		return p, f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/apps/api",
			`{"name":"`+f.uniq("rs")+`","authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`).Str("appId")
	})
}

// withAppKey is a key of a keyApp; it returns the project, app and key ids.
func (f *fixtures) withAppKey(t testing.TB, orgID string) (string, string, string) {
	t.Helper()
	v := f.memo("withAppKey", orgID, func() []string {
		p, a := f.keyApp(t, orgID)
		return []string{p, a, f.admin(t, orgID, "POST", "/management/v1/projects/"+p+"/apps/"+a+"/keys", `{"type":"KEY_TYPE_JSON"}`).Str("id")}
	})
	return v[0], v[1], v[2]
}
