package server_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authn"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestAppKeysREST: application keys of apps on private_key_jwt — ZITADEL's
// key file (its fields in its order), the private key handed out once and
// never stored, ZITADEL's validation and error ids, org events, and keys
// deleted with their app and with their project.
func TestAppKeysREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			pid := e.must(e.admin("POST", "/management/v1/projects", `{"name":"Keys"}`), 200).str("id")
			api := e.must(e.admin("POST", "/management/v1/projects/"+pid+"/apps/api", `{"name":"rs","authMethodType":"API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`), 200)
			appID, clientID := api.str("appId"), api.str("clientId")
			keys := "/management/v1/projects/" + pid + "/apps/" + appID + "/keys"

			add := e.must(e.admin("POST", keys, `{"type":"KEY_TYPE_JSON"}`), 200)
			keyID := add.str("id")
			raw, err := base64.StdEncoding.DecodeString(add.str("keyDetails"))
			if err != nil {
				t.Fatal(err)
			}
			file := regexp.MustCompile(`^\{"type":"application","keyId":"(\d+)","key":"(-----BEGIN RSA PRIVATE KEY-----\\n[^"]+-----END RSA PRIVATE KEY-----\\n)","appId":"(\d+)","clientId":"([^"]+)"\}$`).FindStringSubmatch(string(raw))
			if file == nil || file[1] != keyID || file[3] != appID || file[4] != clientID {
				t.Fatalf("key file %s, want ZITADEL's for key %s of app %s (%s)", raw, keyID, appID, clientID)
			}
			var kf struct{ Key string }
			_ = json.Unmarshal(raw, &kf)
			block, _ := pem.Decode([]byte(kf.Key))
			priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil || priv.N.BitLen() != 2048 {
				t.Fatalf("private key: %v", err)
			}
			if add.str("details", "resourceOwner") != e.orgID || add.str("details", "creationDate") == "" {
				t.Fatalf("add details: %s", add.raw)
			}
			if evs := e.orgEvents(t); evs[len(evs)-1].Type != "project.application.oidc.key.added" || evs[len(evs)-1].Sequence != add.seq(t) {
				t.Fatalf("last org event %+v, want the key's at %d", evs[len(evs)-1], add.seq(t))
			}
			art := e.artifact(t, project.KindAppKey, keyID)
			var stored project.AppKey
			if err := json.Unmarshal(art.Data, &stored); err != nil {
				t.Fatal(err)
			}
			der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
			if strings.Contains(string(art.Data), "PRIVATE") || stored.PublicKeyPEM != string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})) ||
				stored.ClientID != clientID || stored.AppID != appID || art.OrgID != e.orgID {
				t.Fatalf("stored key %s", art.Data)
			}
			if !stored.Expiration.Equal(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)) {
				t.Fatalf("expiration %v, want ZITADEL's default", stored.Expiration)
			}

			exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
			second := e.must(e.admin("POST", keys, `{"type":"KEY_TYPE_JSON","expirationDate":"`+exp.Format(time.RFC3339)+`"}`), 200).str("id")
			get := e.must(e.admin("GET", keys+"/"+second, ""), 200)
			if get.str("key", "id") != second || get.str("key", "type") != "KEY_TYPE_JSON" || get.str("key", "expirationDate") != exp.Format(time.RFC3339) ||
				get.str("key", "details", "resourceOwner") != e.orgID || get.val("keyDetails") != nil {
				t.Fatalf("get: %s", get.raw)
			}
			list := e.must(e.admin("POST", keys+"/_search", `{"query":{"asc":true}}`), 200)
			if got := ids(list); len(got) != 2 || got[0] != keyID || got[1] != second || list.str("details", "totalResult") != "2" {
				t.Fatalf("list: %s", list.raw)
			}
			if got := ids(e.must(e.admin("POST", keys+"/_search", `{"query":{"limit":1}}`), 200)); len(got) != 1 || got[0] != second {
				t.Fatalf("a page of one, newest first: %v", got)
			}

			// ZITADEL's refusals.
			e.wantErr(e.admin("POST", keys, `{"type":"KEY_TYPE_JSON","expirationDate":"2001-01-01T00:00:00Z"}`), 400, "DOMAIN-dv3t5")
			e.wantErr(e.admin("POST", keys, `{}`), 400, "WARDEN-KEYTYPE")
			e.wantErr(e.admin("POST", keys, `{"type":"KEY_TYPE_JSON","expirationDate":"not a time"}`), 400, "")
			e.wantErr(e.admin("POST", "/management/v1/projects/"+pid+"/apps/424242/keys", `{"type":"KEY_TYPE_JSON"}`), 400, "COMMAND-sak25")
			e.wantErr(e.admin("POST", "/management/v1/projects/424242/apps/"+appID+"/keys", `{"type":"KEY_TYPE_JSON"}`), 404, "QUERY-fk2fs")
			basic := e.must(e.admin("POST", "/management/v1/projects/"+pid+"/apps/api", `{"name":"basic","authMethodType":"API_AUTH_METHOD_TYPE_BASIC"}`), 200).str("appId")
			e.wantErr(e.admin("POST", "/management/v1/projects/"+pid+"/apps/"+basic+"/keys", `{"type":"KEY_TYPE_JSON"}`), 400, "COMMAND-Dff54")
			e.wantErr(e.admin("GET", keys+"/424242", ""), 404, "QUERY-Dgr3g")
			e.wantErr(e.admin("GET", "/management/v1/projects/"+pid+"/apps/"+basic+"/keys/"+keyID, ""), 404, "QUERY-Dgr3g")
			e.wantErr(e.admin("DELETE", keys+"/424242", ""), 404, "COMMAND-4m77G")
			e.wantErr(e.admin("DELETE", "/management/v1/projects/"+pid+"/apps/"+basic+"/keys/"+keyID, ""), 404, "COMMAND-4m77G")
			if got := ids(e.must(e.admin("POST", "/management/v1/projects/"+pid+"/apps/"+basic+"/keys/_search", `{}`), 200)); len(got) != 0 {
				t.Fatalf("keys of an app without any: %v", got)
			}

			rm := e.must(e.admin("DELETE", keys+"/"+second, ""), 200)
			if evs := e.orgEvents(t); evs[len(evs)-1].Type != "project.application.oidc.key.removed" || evs[len(evs)-1].Sequence != rm.seq(t) {
				t.Fatalf("last org event %+v, want the removal at %d", evs[len(evs)-1], rm.seq(t))
			}
			e.wantErr(e.admin("GET", keys+"/"+second, ""), 404, "QUERY-Dgr3g")
			e.wantErr(e.admin("DELETE", keys+"/"+second, ""), 404, "COMMAND-4m77G")

			// An OIDC app on private_key_jwt takes keys too.
			web := e.must(e.admin("POST", "/management/v1/projects/"+pid+"/apps/oidc", `{"name":"web","redirectUris":["https://app.example.com/cb"],
				"authMethodType":"OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}`), 200).str("appId")
			webKey := e.must(e.admin("POST", "/management/v1/projects/"+pid+"/apps/"+web+"/keys", `{"type":"KEY_TYPE_JSON"}`), 200).str("id")

			// Removing the app removes its keys; removing the project, all of its apps'.
			e.must(e.admin("DELETE", "/management/v1/projects/"+pid+"/apps/"+appID, ""), 200)
			if _, err := e.store.Artifact(context.Background(), project.KindAppKey, keyID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the removed app's key: %v", err)
			}
			e.artifact(t, project.KindAppKey, webKey)
			e.must(e.admin("DELETE", "/management/v1/projects/"+pid, ""), 200)
			if _, err := e.store.Artifact(context.Background(), project.KindAppKey, webKey); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the removed project's app key: %v", err)
			}
		})
	}
}

// TestAppKeysGRPC: the same methods over native gRPC with zitadel-go's client.
func TestAppKeysGRPC(t *testing.T) {
	e := startEnv(t, engines(t)["sqlite"](t))
	m := management.NewManagementServiceClient(e.grpcConn())
	ctx := e.authCtx(e.token)
	p, err := m.AddProject(ctx, &management.AddProjectRequest{Name: "g"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.AddAPIApp(ctx, &management.AddAPIAppRequest{ProjectId: p.GetId(), Name: "rs", AuthMethodType: 1})
	if err != nil {
		t.Fatal(err)
	}
	exp := timestamppb.New(time.Now().Add(time.Hour).Truncate(time.Second))
	k, err := m.AddAppKey(ctx, &management.AddAppKeyRequest{ProjectId: p.GetId(), AppId: a.GetAppId(), Type: authn.KeyType_KEY_TYPE_JSON, ExpirationDate: exp})
	if err != nil || k.GetId() == "" || !strings.Contains(string(k.GetKeyDetails()), `"appId":"`+a.GetAppId()+`"`) {
		t.Fatalf("AddAppKey: %v %v", k, err)
	}
	g, err := m.GetAppKey(ctx, &management.GetAppKeyRequest{ProjectId: p.GetId(), AppId: a.GetAppId(), KeyId: k.GetId()})
	if err != nil || !g.GetKey().GetExpirationDate().AsTime().Equal(exp.AsTime()) {
		t.Fatalf("GetAppKey: %v %v", g, err)
	}
	l, err := m.ListAppKeys(ctx, &management.ListAppKeysRequest{ProjectId: p.GetId(), AppId: a.GetAppId()})
	if err != nil || len(l.GetResult()) != 1 || l.GetDetails().GetTotalResult() != 1 {
		t.Fatalf("ListAppKeys: %v %v", l, err)
	}
	if _, err := m.RemoveAppKey(ctx, &management.RemoveAppKeyRequest{ProjectId: p.GetId(), AppId: a.GetAppId(), KeyId: k.GetId()}); err != nil {
		t.Fatal(err)
	}
	_, err = m.GetAppKey(ctx, &management.GetAppKeyRequest{ProjectId: p.GetId(), AppId: a.GetAppId(), KeyId: k.GetId()})
	if status.Code(err) != codes.NotFound || detailID(err) != "QUERY-Dgr3g" {
		t.Fatalf("a removed key: %v", err)
	}
}
