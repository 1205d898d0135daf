package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/store"
	"google.golang.org/grpc/codes"
)

func (e *env) artifact(t *testing.T, kind, id string) *store.Artifact {
	t.Helper()
	a, err := e.store.Artifact(context.Background(), kind, id)
	if err != nil {
		t.Fatalf("artifact %s/%s: %v", kind, id, err)
	}
	return a
}

func (e *env) userEvents(t *testing.T, id string) []string {
	t.Helper()
	ch := e.must(e.admin("POST", "/management/v1/users/"+id+"/changes/_search", `{"query":{"asc":true,"limit":100}}`), 200)
	var hist struct {
		Result []struct {
			EventType struct {
				LocalizedMessage string `json:"localizedMessage"`
			} `json:"eventType"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(ch.raw), &hist); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hist.Result {
		out = append(out, h.EventType.LocalizedMessage)
	}
	return out
}

// TestMachineSecretREST: client secrets of machine users.
func TestMachineSecretREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			id := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"robot","name":"Robot"}`), 200).str("userId")
			p := "/management/v1/users/" + id + "/secret"
			r := e.must(e.admin("PUT", p, `{}`), 200)
			secret := r.str("clientSecret")
			if r.str("clientId") != "robot" || len(secret) != 43 || r.str("details", "sequence") != "2" || r.str("details", "resourceOwner") != e.orgID {
				t.Fatalf("generate: %s", r.raw)
			}
			var ms credential.MachineSecret
			art := e.artifact(t, credential.KindMachineSecret, id)
			if err := json.Unmarshal(art.Data, &ms); err != nil {
				t.Fatal(err)
			}
			u, err := e.store.User(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if art.UserID != id || art.OrgID != e.orgID || ms.UserID != id || ms.Epoch != u.CredentialEpoch ||
				!credential.SecretMatches(ms.Hash, secret) || strings.Contains(string(art.Data), secret) {
				t.Fatalf("stored secret %+v %+v", art, ms)
			}
			r2 := e.must(e.admin("PUT", p, `{}`), 200)
			if err := json.Unmarshal(e.artifact(t, credential.KindMachineSecret, id).Data, &ms); err != nil {
				t.Fatal(err)
			}
			if credential.SecretMatches(ms.Hash, secret) || !credential.SecretMatches(ms.Hash, r2.str("clientSecret")) {
				t.Fatal("regenerated secret did not replace the old one")
			}
			if d := e.must(e.admin("DELETE", p, ""), 200); d.str("details", "sequence") != "4" {
				t.Fatalf("remove: %s", d.raw)
			}
			if _, err := e.store.Artifact(context.Background(), credential.KindMachineSecret, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("secret survived removal: %v", err)
			}
			e.wantErr(e.admin("DELETE", p, ""), 400, "COMMAND-coi82n")

			human := e.importHuman("hugo")
			e.wantErr(e.admin("PUT", "/management/v1/users/"+human+"/secret", `{}`), 400, "WARDEN-NOTMACHINE")
			e.wantErr(e.admin("PUT", "/management/v1/users/424242/secret", `{}`), 404, "WARDEN-MACHINENOTFOUND")
			_, none := e.machineWithToken("nobody")
			e.wantErr(e.do("PUT", p, none, `{}`), 403, "AUTH-5mWD2")
			other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Other"}`), 200).str("id")
			e.wantErr(e.admin("PUT", p, `{}`, "x-zitadel-orgid", other), 404, "WARDEN-MACHINENOTFOUND")
			e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", `{}`), 200)
			e.wantErr(e.admin("PUT", p, `{}`), 400, "COMMAND-3NN8v")

			want := "user.machine.added user.machine.secret.set user.machine.secret.set user.machine.secret.removed user.locked"
			if got := strings.Join(e.userEvents(t, id), " "); got != want {
				t.Fatalf("events %s, want %s", got, want)
			}
		})
	}
}

// TestMachineKeysREST: JSON key files like ZITADEL's, supplied public keys,
// list, get, remove.
func TestMachineKeysREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			id := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"robot","name":"Robot"}`), 200).str("userId")
			p := "/management/v1/users/" + id + "/keys"
			r := e.must(e.admin("POST", p, `{"type":"KEY_TYPE_JSON"}`), 200)
			keyID := r.str("keyId")
			raw, err := base64.StdEncoding.DecodeString(r.str("keyDetails"))
			if err != nil || keyID == "" || r.str("details", "creationDate") == "" {
				t.Fatalf("add key: %v %s", err, r.raw)
			}
			var file map[string]string
			if err := json.Unmarshal(raw, &file); err != nil {
				t.Fatalf("key file %s: %v", raw, err)
			}
			if len(file) != 4 || file["type"] != "serviceaccount" || file["keyId"] != keyID || file["userId"] != id {
				t.Fatalf("key file %s", raw)
			}
			blk, _ := pem.Decode([]byte(file["key"]))
			if blk == nil || blk.Type != "RSA PRIVATE KEY" {
				t.Fatalf("private key %q", file["key"])
			}
			priv, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err != nil || priv.N.BitLen() != 2048 {
				t.Fatalf("private key: %v", err)
			}
			var k credential.MachineKey
			art := e.artifact(t, credential.KindMachineKey, keyID)
			if err := json.Unmarshal(art.Data, &k); err != nil {
				t.Fatal(err)
			}
			pblk, _ := pem.Decode([]byte(k.PublicKeyPEM))
			if pblk == nil {
				t.Fatalf("stored public key %q", k.PublicKeyPEM)
			}
			pub, err := x509.ParsePKIXPublicKey(pblk.Bytes)
			if err != nil || !priv.PublicKey.Equal(pub) {
				t.Fatalf("stored public key does not match the private key: %v", err)
			}
			u, _ := e.store.User(context.Background(), id)
			if k.UserID != id || art.UserID != id || k.Epoch != u.CredentialEpoch || k.Expiration.Year() != 9999 ||
				strings.Contains(string(art.Data), "PRIVATE") {
				t.Fatalf("stored key %+v", k)
			}

			// A supplied public key: stored as given (normalised), no key file.
			own, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			der, _ := x509.MarshalPKIXPublicKey(&own.PublicKey)
			pemPub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
			body, _ := json.Marshal(map[string]any{"type": "KEY_TYPE_JSON", "publicKey": pemPub, "expirationDate": exp.Format(time.RFC3339)})
			r2 := e.must(e.admin("POST", p, string(body)), 200)
			if r2.str("keyDetails") != "" || r2.str("keyId") == "" {
				t.Fatalf("add with public key: %s", r2.raw)
			}
			if err := json.Unmarshal(e.artifact(t, credential.KindMachineKey, r2.str("keyId")).Data, &k); err != nil {
				t.Fatal(err)
			}
			if k.PublicKeyPEM != string(pemPub) || !k.Expiration.Equal(exp) {
				t.Fatalf("stored supplied key %+v", k)
			}

			// Refusals.
			e.wantErr(e.admin("POST", p, `{"type":"KEY_TYPE_JSON","expirationDate":"2001-01-01T00:00:00Z"}`), 400, "WARDEN-EXPIRY")
			e.wantErr(e.admin("POST", p, `{}`), 400, "WARDEN-KEYTYPE")
			e.wantErr(e.admin("POST", p, `{"type":"KEY_TYPE_JSON","publicKey":"bm90IGEga2V5"}`), 400, "WARDEN-PUBKEY")
			human := e.importHuman("hugo")
			e.wantErr(e.admin("POST", "/management/v1/users/"+human+"/keys", `{"type":"KEY_TYPE_JSON"}`), 400, "WARDEN-NOTMACHINE")
			e.wantErr(e.admin("POST", "/management/v1/users/"+human+"/keys/_search", `{}`), 400, "WARDEN-NOTMACHINE")
			_, none := e.machineWithToken("nobody")
			e.wantErr(e.do("POST", p, none, `{"type":"KEY_TYPE_JSON"}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("POST", p+"/_search", none, `{}`), 403, "AUTH-5mWD2")
			_, viewer := e.machineWithToken("viewer", "ORG_OWNER_VIEWER")
			e.must(e.do("GET", p+"/"+keyID, viewer, ""), 200)
			e.wantErr(e.do("DELETE", p+"/"+keyID, viewer, ""), 403, "AUTH-5mWD2")
			other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Other"}`), 200).str("id")
			e.wantErr(e.admin("GET", p+"/"+keyID, "", "x-zitadel-orgid", other), 404, "QUERY-Dfbg2")

			list := e.must(e.admin("POST", p+"/_search", `{"query":{"asc":true}}`), 200)
			if list.str("details", "totalResult") != "2" || strings.Join(ids(list), ",") != keyID+","+r2.str("keyId") {
				t.Fatalf("list: %s", list.raw)
			}
			g := e.must(e.admin("GET", p+"/"+keyID, ""), 200)
			if g.str("key", "id") != keyID || g.str("key", "type") != "KEY_TYPE_JSON" || !strings.HasPrefix(g.str("key", "expirationDate"), "9999-12-31") ||
				g.str("key", "details", "resourceOwner") != e.orgID {
				t.Fatalf("get: %s", g.raw)
			}
			e.wantErr(e.admin("GET", p+"/123", ""), 404, "COMMAND-4m77G")
			e.must(e.admin("DELETE", p+"/"+keyID, ""), 200)
			e.wantErr(e.admin("GET", p+"/"+keyID, ""), 404, "COMMAND-4m77G")
			e.wantErr(e.admin("DELETE", p+"/"+keyID, ""), 404, "COMMAND-4m77G")
			// Another machine's key is not reachable through this user.
			id2 := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"robot2","name":"Robot 2"}`), 200).str("userId")
			e.wantErr(e.admin("GET", "/management/v1/users/"+id2+"/keys/"+r2.str("keyId"), ""), 404, "COMMAND-4m77G")
			e.wantErr(e.admin("DELETE", "/management/v1/users/"+id2+"/keys/"+r2.str("keyId"), ""), 404, "COMMAND-4m77G")

			want := "user.machine.added user.machine.key.added user.machine.key.added user.machine.key.removed"
			if got := strings.Join(e.userEvents(t, id), " "); got != want {
				t.Fatalf("events %s, want %s", got, want)
			}
		})
	}
}

// TestLockoutPolicyREST: the org's own lockout policy over the instance default.
func TestLockoutPolicyREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			const p = "/management/v1/policies/lockout"
			get := func(hdr ...string) reply {
				t.Helper()
				return e.must(e.admin("GET", p, "", hdr...), 200)
			}
			g := get()
			if g.val("isDefault") != true || g.val("policy", "isDefault") != true || g.str("policy", "maxPasswordAttempts") != "10" ||
				g.str("policy", "details", "resourceOwner") == e.orgID || g.str("policy", "details", "resourceOwner") == "" {
				t.Fatalf("default: %s", g.raw)
			}
			e.wantErr(e.admin("PUT", p, `{"maxPasswordAttempts":5}`), 404, "ORG-ADfs1")
			e.wantErr(e.admin("DELETE", p, ""), 404, "ORG-ADfs1")
			// A policy change is a change of the org: its details carry the
			// org's next sequence, and the org's history shows it.
			orgSeq := func() uint64 {
				t.Helper()
				n, _ := strconv.ParseUint(e.must(e.admin("GET", "/management/v1/orgs/me", ""), 200).str("org", "details", "sequence"), 10, 64)
				return n
			}
			seq0 := orgSeq()
			seqIs := func(r reply, n uint64) bool { return r.str("details", "sequence") == strconv.FormatUint(seq0+n, 10) }
			add := e.must(e.admin("POST", p, `{"maxPasswordAttempts":3,"maxOtpAttempts":2}`), 200)
			if !seqIs(add, 1) || add.str("details", "resourceOwner") != e.orgID || add.str("details", "creationDate") == "" {
				t.Fatalf("add: %s", add.raw)
			}
			e.wantErr(e.admin("POST", p, `{"maxPasswordAttempts":3}`), 409, "ORG-0olDf")
			g = get()
			if g.val("isDefault") != nil || g.val("policy", "isDefault") != nil || g.str("policy", "maxPasswordAttempts") != "3" ||
				g.str("policy", "maxOtpAttempts") != "2" || g.str("policy", "details", "resourceOwner") != e.orgID || g.str("policy", "details", "sequence") != add.str("details", "sequence") {
				t.Fatalf("custom: %s", g.raw)
			}
			up := e.must(e.admin("PUT", p, `{"maxPasswordAttempts":5}`), 200)
			if !seqIs(up, 2) || up.str("details", "creationDate") != "" {
				t.Fatalf("update: %s", up.raw)
			}
			if g = get(); g.str("policy", "maxPasswordAttempts") != "5" || g.str("policy", "maxOtpAttempts") != "" {
				t.Fatalf("updated: %s", g.raw)
			}

			// The policy applies: the fifth wrong password locks.
			uid := e.importHuman("guesser")
			for i := 0; i < 5; i++ {
				if _, err := e.app.CheckPassword(context.Background(), uid, "wrong-password"); err == nil {
					t.Fatal("wrong password accepted")
				}
			}
			if s := e.must(e.admin("GET", "/management/v1/users/"+uid, ""), 200).str("user", "state"); s != "USER_STATE_LOCKED" {
				t.Fatalf("state after 5 wrong passwords: %s", s)
			}

			// Another org still has the default; permissions.
			other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Other"}`), 200).str("id")
			if g := get("x-zitadel-orgid", other); g.val("isDefault") != true {
				t.Fatalf("other org: %s", g.raw)
			}
			_, viewer := e.machineWithToken("viewer", "ORG_OWNER_VIEWER")
			e.must(e.do("GET", p, viewer, ""), 200)
			e.wantErr(e.do("PUT", p, viewer, `{"maxPasswordAttempts":1}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("DELETE", p, viewer, ""), 403, "AUTH-5mWD2")
			_, none := e.machineWithToken("nobody")
			e.wantErr(e.do("GET", p, none, ""), 403, "AUTH-5mWD2")

			rs := e.must(e.admin("DELETE", p, ""), 200)
			if rs.str("details", "sequence") != strconv.FormatUint(orgSeq(), 10) {
				t.Fatalf("reset: %s", rs.raw)
			}
			ch := e.must(e.admin("POST", "/management/v1/orgs/me/changes/_search", `{"query":{"asc":true}}`), 200)
			var types []string
			for _, c := range ch.body["result"].([]any) {
				if typ := c.(map[string]any)["eventType"].(map[string]any)["localizedMessage"].(string); strings.Contains(typ, "lockout") {
					types = append(types, typ)
				}
			}
			if want := []string{event.LockoutPolicyAdded, event.LockoutPolicyChanged, event.LockoutPolicyRemoved}; !slices.Equal(types, want) {
				t.Fatalf("org history %v, want %v", types, want)
			}
			if g = get(); g.val("isDefault") != true || g.str("policy", "maxPasswordAttempts") != "10" {
				t.Fatalf("after reset: %s", g.raw)
			}
		})
	}
}

// TestSetPasswordREST: v1 SetHumanPassword and v2 SetPassword.
func TestSetPasswordREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			ctx := context.Background()
			id := e.importHuman("ann")
			check := func(pw string, ok bool) {
				t.Helper()
				_, err := e.app.CheckPassword(ctx, id, pw)
				if (err == nil) != ok {
					t.Fatalf("check %q: %v, want ok=%v", pw, err, ok)
				}
			}
			changeRequired := func() any {
				return e.must(e.admin("GET", "/v2/users/"+id, ""), 200).val("user", "human", "passwordChangeRequired")
			}
			r := e.must(e.admin("POST", "/management/v1/users/"+id+"/password", `{"password":"New-Secret-2","noChangeRequired":true}`), 200)
			if r.str("details", "sequence") != "2" || r.str("details", "resourceOwner") != e.orgID {
				t.Fatalf("v1 set: %s", r.raw)
			}
			check("Secret-Pass-1", false)
			check("New-Secret-2", true)
			if v := changeRequired(); v != nil {
				t.Fatalf("change required after noChangeRequired: %v", v)
			}
			e.must(e.admin("POST", "/management/v1/users/"+id+"/password", `{"password":"Third-Secret-3"}`), 200)
			check("Third-Secret-3", true)
			if v := changeRequired(); v != true {
				t.Fatalf("change required: %v", v)
			}
			e.wantErr(e.admin("POST", "/management/v1/users/"+id+"/password", `{"password":"short"}`), 400, "COMMA-HuJf6")
			e.wantErr(e.admin("POST", "/management/v1/users/"+id+"/password", `{"password":"`+strings.Repeat("Aa1-", 65)+`"}`), 400, "WARDEN-PWLEN")
			e.wantErr(e.admin("POST", "/management/v1/users/424242/password", `{"password":"Long-Enough-1"}`), 404, "")
			robot := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"robot","name":"Robot"}`), 200).str("userId")
			e.wantErr(e.admin("POST", "/management/v1/users/"+robot+"/password", `{"password":"Long-Enough-1"}`), 400, "WARDEN-NOTHUMAN")
			_, none := e.machineWithToken("nobody")
			e.wantErr(e.do("POST", "/management/v1/users/"+id+"/password", none, `{"password":"Long-Enough-1"}`), 403, "AUTH-5mWD2")
			other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Other"}`), 200).str("id")
			e.wantErr(e.admin("POST", "/management/v1/users/"+id+"/password", `{"password":"Long-Enough-1"}`, "x-zitadel-orgid", other), 404, "")

			// v2: by permission, by current password, never by code.
			v2 := "/v2/users/" + id + "/password"
			r = e.must(e.admin("POST", v2, `{"newPassword":{"password":"Fourth-Secret-4"}}`), 200)
			if r.str("details", "resourceOwner") != e.orgID || r.str("details", "sequence") == "" {
				t.Fatalf("v2 set: %s", r.raw)
			}
			if v := changeRequired(); v != nil {
				t.Fatalf("v2 change required: %v", v)
			}
			// By a reset code: none pending, a wrong one, the one PasswordReset returned.
			e.wantErr(e.admin("POST", v2, `{"newPassword":{"password":"Fifth-Secret-5"},"verificationCode":"123456"}`), 400, "COMMAND-2M9fs")
			r = e.must(e.admin("POST", "/v2/users/"+id+"/password_reset", `{"returnCode":{}}`), 200)
			code := r.str("verificationCode")
			if code == "" || r.str("details", "resourceOwner") != e.orgID {
				t.Fatalf("password_reset: %s", r.raw)
			}
			e.wantErr(e.admin("POST", v2, `{"newPassword":{"password":"Fifth-Secret-5"},"verificationCode":"wrong"}`), 400, "CODE-woT0xc")
			e.must(e.admin("POST", v2, `{"newPassword":{"password":"Fourth-Secret-4"},"verificationCode":"`+code+`"}`), 200)
			e.wantErr(e.admin("POST", v2, `{"newPassword":{"password":"Fifth-Secret-5"},"verificationCode":"`+code+`"}`), 400, "COMMAND-2M9fs")
			e.wantErr(e.admin("POST", v2, `{"newPassword":{"password":"Fifth-Secret-5"},"currentPassword":"wrong-password"}`), 400, "COMMAND-3M0fs")
			// The right current password (so the wrong one changed nothing) sets the new one.
			e.must(e.admin("POST", v2, `{"newPassword":{"password":"Fifth-Secret-5","changeRequired":true},"currentPassword":"Fourth-Secret-4"}`), 200)
			if v := changeRequired(); v != true {
				t.Fatalf("v2 change required: %v", v)
			}
			e.wantErr(e.do("POST", v2, none, `{"newPassword":{"password":"Long-Enough-1"}}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("POST", v2, none, `{"newPassword":{"password":"Long-Enough-1"},"currentPassword":"Fifth-Secret-5"}`), 403, "AUTH-5mWD2")

			// The user itself, without any permission, with its current password.
			self := &app.Caller{UserID: id, OrgID: e.orgID}
			_, err := e.app.ChangePassword(ctx, self, id, "wrong-password", "Sixth-Secret-6", false)
			if fe, ok := fail.As(err); !ok || fe.Code != codes.InvalidArgument {
				t.Fatalf("self with wrong current password: %v", err)
			}
			if _, err := e.app.ChangePassword(ctx, self, id, "Fifth-Secret-5", "Sixth-Secret-6", false); err != nil {
				t.Fatalf("self change: %v", err)
			}
			check("Sixth-Secret-6", true)
			if _, err := e.app.ChangePassword(ctx, self, robot, "x", "Seventh-Secret-7", false); !errors.Is(err, fail.PermissionDenied) {
				t.Fatalf("self on another user: %v", err)
			}
		})
	}
}
