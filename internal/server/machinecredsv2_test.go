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
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/warden-id/warden/internal/store/testdb"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// v2Connect calls a user v2 method over Connect (JSON) with token.
func v2Connect[Req, Res any](e *env, method, token string, req *Req) (*Res, error) {
	c := connect.NewClient[Req, Res](http.DefaultClient, e.base+"/zitadel.user.v2.UserService/"+method, connect.WithProtoJSON())
	r := connect.NewRequest(req)
	r.Header().Set("Authorization", "Bearer "+token)
	out, err := c.CallUnary(context.Background(), r)
	if err != nil {
		return nil, err
	}
	return out.Msg, nil
}

func connectCode(err error) connect.Code {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Code()
	}
	return 0
}

// listIDs reads the ids of a v2 credential list's result.
func listIDs(r reply) string {
	return strings.Join(ids(r), ",")
}

// TestMachineCredentialsV2 drives user v2's secret, key and PAT methods over
// REST on both engines: each credential works where it is used (client
// credentials through golang.org/x/oauth2, the JWT profile, the API), stops
// at once when removed, is suspended while its user is locked; the lists
// search, sort and filter by permission; and the attackers are refused.
func TestMachineCredentialsV2(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnv(t, open(t))
		id := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"robot","name":"Robot"}`), 200).str("userId")
		u := "/v2/users/" + id
		me := func(tok string) int { return e.do("GET", "/auth/v1/users/me", tok, "").status }

		// Secret: shown once, works for client credentials, removal ends it.
		sec := e.must(e.admin("POST", u+"/secret", `{}`), 200)
		if len(sec.str("clientSecret")) != 43 || sec.str("creationDate") == "" {
			t.Fatalf("add secret: %s", sec.raw)
		}
		cc := clientcredentials.Config{ClientID: "robot", ClientSecret: sec.str("clientSecret"), TokenURL: e.base + "/oauth/v2/token",
			Scopes: strings.Fields(apiScope)}
		tok, err := cc.Token(context.Background())
		if err != nil || me(tok.AccessToken) != 200 {
			t.Fatalf("client credentials: %v", err)
		}
		e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", `{}`), 200)
		if _, err := cc.Token(context.Background()); err == nil {
			t.Fatal("client credentials of a locked user")
		}
		e.must(e.admin("POST", "/management/v1/users/"+id+"/_unlock", `{}`), 200)
		if _, err := cc.Token(context.Background()); err != nil {
			t.Fatalf("client credentials after unlock: %v", err)
		}
		if r := e.must(e.admin("DELETE", u+"/secret", ""), 200); r.str("deletionDate") == "" {
			t.Fatalf("remove secret: %s", r.raw)
		}
		if _, err := cc.Token(context.Background()); err == nil {
			t.Fatal("client credentials with a removed secret")
		}
		e.wantErr(e.admin("DELETE", u+"/secret", ""), 400, "COMMAND-coi82n")

		// Keys: a generated pair (its key file, once) and a supplied public key.
		k := e.must(e.admin("POST", u+"/keys", `{}`), 200)
		raw, err := base64.StdEncoding.DecodeString(k.str("keyContent"))
		if err != nil || k.str("keyId") == "" || k.str("creationDate") == "" {
			t.Fatalf("add key: %v %s", err, k.raw)
		}
		var kf struct{ KeyID, Key, UserID string }
		if err := json.Unmarshal(raw, &kf); err != nil || kf.KeyID != k.str("keyId") || kf.UserID != id {
			t.Fatalf("key file %s: %v", raw, err)
		}
		mc := machineCreds{id: id, keyID: kf.KeyID, keyPEM: kf.Key}
		tokenOf(t, e.jwtProfile(mc))
		own, _ := rsa.GenerateKey(rand.Reader, 2048)
		der, _ := x509.MarshalPKIXPublicKey(&own.PublicKey)
		exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		body, _ := json.Marshal(map[string]any{"publicKey": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), "expirationDate": exp.Format(time.RFC3339)})
		k2 := e.must(e.admin("POST", u+"/keys", string(body)), 200)
		if k2.str("keyContent") != "" || k2.str("keyId") == "" {
			t.Fatalf("add supplied key: %s", k2.raw)
		}
		e.wantErr(e.admin("POST", u+"/keys", `{"expirationDate":"2001-01-01T00:00:00Z"}`), 400, "WARDEN-EXPIRY")
		e.wantErr(e.admin("POST", u+"/keys", `{"publicKey":"bm90IGEga2V5"}`), 400, "WARDEN-PUBKEY")

		search := `{"filters":[{"userIdFilter":{"id":"` + id + `"}}],"pagination":{"asc":true}}`
		l := e.must(e.admin("POST", "/v2/users/keys/search", search), 200)
		if listIDs(l) != kf.KeyID+","+k2.str("keyId") || l.str("pagination", "totalResult") != "2" {
			t.Fatalf("list keys: %s", l.raw)
		}
		first := l.body["result"].([]any)[0].(map[string]any)
		if first["userId"] != id || first["organizationId"] != e.orgID || !strings.HasPrefix(first["expirationDate"].(string), "9999-12-31") ||
			first["creationDate"] == nil || first["changeDate"] == nil {
			t.Fatalf("key %v", first)
		}
		l = e.must(e.admin("POST", "/v2/users/keys/search", `{"sortingColumn":"KEY_FIELD_NAME_KEY_EXPIRATION_DATE","filters":[{"userIdFilter":{"id":"`+id+`"}},`+
			`{"expirationDateFilter":{"timestamp":"`+time.Now().Add(72*time.Hour).UTC().Format(time.RFC3339)+`","method":"TIMESTAMP_FILTER_METHOD_BEFORE"}}],"pagination":{"asc":true}}`), 200)
		if listIDs(l) != k2.str("keyId") {
			t.Fatalf("keys expiring within 72h: %s", l.raw)
		}
		l = e.must(e.admin("POST", "/v2/users/keys/search", `{"filters":[{"keyIdFilter":{"id":"`+kf.KeyID+`"}}]}`), 200)
		if listIDs(l) != kf.KeyID {
			t.Fatalf("key by id: %s", l.raw)
		}
		e.wantErr(e.admin("POST", "/v2/users/keys/search", `{"filters":[{}]}`), 400, "GRPC-vR9nC")
		e.wantErr(e.admin("POST", "/v2/users/keys/search", `{"sortingColumn":9}`), 400, "WARDEN-SORT")
		if r := e.must(e.admin("DELETE", u+"/keys/"+kf.KeyID, ""), 200); r.str("deletionDate") == "" {
			t.Fatalf("remove key: %s", r.raw)
		}
		if r := e.jwtProfile(mc); r.status == 200 {
			t.Fatalf("JWT profile with a removed key: %v", r.body)
		}
		e.wantErr(e.admin("DELETE", u+"/keys/"+kf.KeyID, ""), 404, "COMMAND-4m77G")

		// PATs: the token works, ZITADEL's list and v1 read show it, removal ends it.
		p := e.must(e.admin("POST", u+"/pats", `{}`), 200)
		pat, patID := p.str("token"), p.str("tokenId")
		if pat == "" || patID == "" || p.str("creationDate") == "" || me(pat) != 200 {
			t.Fatalf("add pat: %s", p.raw)
		}
		l = e.must(e.admin("POST", "/v2/users/pats/search", `{"filters":[{"userIdFilter":{"id":"`+id+`"}}]}`), 200)
		if listIDs(l) != patID || !strings.HasPrefix(l.body["result"].([]any)[0].(map[string]any)["expirationDate"].(string), "9999-12-31") {
			t.Fatalf("list pats: %s", l.raw)
		}
		g := e.must(e.admin("GET", "/management/v1/users/"+id+"/pats/"+patID, ""), 200)
		if g.str("token", "id") != patID || g.str("token", "details", "resourceOwner") != e.orgID || !strings.HasPrefix(g.str("token", "expirationDate"), "9999-12-31") {
			t.Fatalf("v1 get pat: %s", g.raw)
		}
		e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", `{}`), 200)
		if me(pat) != 401 {
			t.Fatal("PAT of a locked user accepted")
		}
		e.must(e.admin("POST", "/management/v1/users/"+id+"/_unlock", `{}`), 200)
		if me(pat) != 200 {
			t.Fatal("PAT refused after unlock")
		}
		if r := e.must(e.admin("DELETE", u+"/pats/"+patID, ""), 200); r.str("deletionDate") == "" {
			t.Fatalf("remove pat: %s", r.raw)
		}
		if me(pat) != 401 {
			t.Fatal("removed PAT accepted")
		}
		e.wantErr(e.admin("GET", "/management/v1/users/"+id+"/pats/"+patID, ""), 404, "QUERY-fRunu")
		e.wantErr(e.admin("DELETE", u+"/pats/"+patID, ""), 404, "COMMAND-4m77G")
		human := e.importHuman("hugo")
		e.wantErr(e.admin("POST", "/v2/users/"+human+"/pats", `{}`), 400, "WARDEN-PATMACHINE")
		e.wantErr(e.admin("POST", "/v2/users/"+human+"/secret", `{}`), 400, "WARDEN-NOTMACHINE")

		want := "user.machine.added user.machine.secret.set user.locked user.unlocked user.machine.secret.removed " +
			"user.machine.key.added user.machine.key.added user.machine.key.removed " +
			"user.personal.access.token.added user.locked user.unlocked user.personal.access.token.removed"
		if got := strings.Join(e.userEvents(t, id), " "); got != want {
			t.Fatalf("events %s\nwant %s", got, want)
		}
	})
}

// TestMachineCredentialsV2Attackers: another org's manager, a user without
// user.write and one without any role cannot add or remove credentials of a
// machine; another org's manager lists none of them.
func TestMachineCredentialsV2Attackers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnv(t, open(t))
		id := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"robot","name":"Robot"}`), 200).str("userId")
		u := "/v2/users/" + id
		keyID := e.must(e.admin("POST", u+"/keys", `{}`), 200).str("keyId")
		patID := e.must(e.admin("POST", u+"/pats", `{}`), 200).str("tokenId")
		other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Other"}`), 200).str("id")
		_, otherMgr := e.machineWithTokenIn(other, "mallory", "ORG_OWNER")
		_, viewer := e.machineWithToken("viewer", "ORG_OWNER_VIEWER")
		_, none := e.machineWithToken("nobody")
		for _, tok := range []string{otherMgr, viewer, none} {
			e.wantErr(e.do("POST", u+"/pats", tok, `{}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("DELETE", u+"/pats/"+patID, tok, ""), 403, "AUTH-5mWD2")
			e.wantErr(e.do("POST", u+"/keys", tok, `{}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("DELETE", u+"/keys/"+keyID, tok, ""), 403, "AUTH-5mWD2")
			e.wantErr(e.do("POST", u+"/secret", tok, `{}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("DELETE", u+"/secret", tok, ""), 403, "AUTH-5mWD2")
		}
		filter := `{"filters":[{"userIdFilter":{"id":"` + id + `"}}]}`
		for _, path := range []string{"/v2/users/keys/search", "/v2/users/pats/search"} {
			if r := e.must(e.do("POST", path, otherMgr, filter), 200); len(ids(r)) != 0 || r.str("pagination", "totalResult") != "" {
				t.Fatalf("%s of another org's user: %s", path, r.raw)
			}
			if r := e.must(e.do("POST", path, otherMgr, `{}`), 200); strings.Contains(r.raw, id) {
				t.Fatalf("%s lists another org's user: %s", path, r.raw)
			}
			if r := e.must(e.do("POST", path, viewer, filter), 200); len(ids(r)) != 1 {
				t.Fatalf("%s for a viewer of the org: %s", path, r.raw)
			}
			e.wantErr(e.do("POST", path, none, filter), 403, "AUTH-5mWD2")
		}
		e.wantErr(e.do("GET", "/management/v1/users/"+id+"/pats/"+patID, none, ""), 403, "AUTH-5mWD2")
		e.wantErr(e.do("GET", "/management/v1/users/"+id+"/pats/"+patID, otherMgr, "", "x-zitadel-orgid", other), 404, "QUERY-fRunu")
	})
}

// TestMachineCredentialsV2Connect: the same methods over Connect.
func TestMachineCredentialsV2Connect(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnv(t, open(t))
		id := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"robot","name":"Robot"}`), 200).str("userId")
		p, err := v2Connect[userv2.AddPersonalAccessTokenRequest, userv2.AddPersonalAccessTokenResponse](e, "AddPersonalAccessToken", e.token,
			&userv2.AddPersonalAccessTokenRequest{UserId: id, ExpirationDate: timestamppb.New(time.Now().Add(time.Hour))})
		if err != nil || p.GetToken() == "" || e.do("GET", "/auth/v1/users/me", p.GetToken(), "").status != 200 {
			t.Fatalf("add pat: %v", err)
		}
		k, err := v2Connect[userv2.AddKeyRequest, userv2.AddKeyResponse](e, "AddKey", e.token, &userv2.AddKeyRequest{UserId: id})
		if err != nil || len(k.GetKeyContent()) == 0 {
			t.Fatalf("add key: %v", err)
		}
		s, err := v2Connect[userv2.AddSecretRequest, userv2.AddSecretResponse](e, "AddSecret", e.token, &userv2.AddSecretRequest{UserId: id})
		if err != nil || s.GetClientSecret() == "" {
			t.Fatalf("add secret: %v", err)
		}
		uid := &userv2.KeysSearchFilter{Filter: &userv2.KeysSearchFilter_UserIdFilter{UserIdFilter: &filterv2.IDFilter{Id: id}}}
		lk, err := v2Connect[userv2.ListKeysRequest, userv2.ListKeysResponse](e, "ListKeys", e.token, &userv2.ListKeysRequest{Filters: []*userv2.KeysSearchFilter{uid}})
		if err != nil || len(lk.GetResult()) != 1 || lk.GetResult()[0].GetId() != k.GetKeyId() || lk.GetPagination().GetTotalResult() != 1 {
			t.Fatalf("list keys: %v %v", err, lk)
		}
		lp, err := v2Connect[userv2.ListPersonalAccessTokensRequest, userv2.ListPersonalAccessTokensResponse](e, "ListPersonalAccessTokens", e.token,
			&userv2.ListPersonalAccessTokensRequest{Filters: []*userv2.PersonalAccessTokensSearchFilter{{Filter: &userv2.PersonalAccessTokensSearchFilter_TokenIdFilter{TokenIdFilter: &filterv2.IDFilter{Id: p.GetTokenId()}}}}})
		if err != nil || len(lp.GetResult()) != 1 || lp.GetResult()[0].GetUserId() != id || !lp.GetResult()[0].GetExpirationDate().AsTime().Before(time.Now().Add(2*time.Hour)) {
			t.Fatalf("list pats: %v %v", err, lp)
		}
		if _, err := v2Connect[userv2.RemovePersonalAccessTokenRequest, userv2.RemovePersonalAccessTokenResponse](e, "RemovePersonalAccessToken", e.token,
			&userv2.RemovePersonalAccessTokenRequest{UserId: id, TokenId: p.GetTokenId()}); err != nil {
			t.Fatal(err)
		}
		if e.do("GET", "/auth/v1/users/me", p.GetToken(), "").status != 401 {
			t.Fatal("removed PAT accepted")
		}
		if _, err := v2Connect[userv2.RemoveKeyRequest, userv2.RemoveKeyResponse](e, "RemoveKey", e.token, &userv2.RemoveKeyRequest{UserId: id, KeyId: k.GetKeyId()}); err != nil {
			t.Fatal(err)
		}
		if _, err := v2Connect[userv2.RemoveSecretRequest, userv2.RemoveSecretResponse](e, "RemoveSecret", e.token, &userv2.RemoveSecretRequest{UserId: id}); err != nil {
			t.Fatal(err)
		}
		_, none := e.machineWithToken("nobody")
		if _, err := v2Connect[userv2.AddPersonalAccessTokenRequest, userv2.AddPersonalAccessTokenResponse](e, "AddPersonalAccessToken", none,
			&userv2.AddPersonalAccessTokenRequest{UserId: id}); connectCode(err) != connect.CodePermissionDenied {
			t.Fatalf("add pat without permission: %v", err)
		}
	})
}
