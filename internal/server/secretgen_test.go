package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/settings"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
)

const adminSvc = "/zitadel.admin.v1.AdminService/"

// sgField is a field of a GetSecretGenerator answer, numbers included.
func sgField(r reply, k string) string {
	m, _ := r.body["secretGenerator"].(map[string]any)
	return fmt.Sprint(m[k])
}

// TestSecretGeneratorsREST: the list shows ZITADEL's defaults for every type,
// an update shows in Get and the list, an unchanged update and bad input are
// refused with ZITADEL's ids, and an org owner may neither read nor set them.
func TestSecretGeneratorsREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			_, _, ownerTok := e.orgWithOwner("Alpha", "ORG_OWNER")

			l := e.must(e.admin("POST", "/admin/v1/secretgenerators/_search", `{}`), 200)
			if l.str("details", "totalResult") != "8" {
				t.Fatalf("list: %s", l.raw)
			}
			g := e.must(e.admin("GET", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_INIT_CODE", ""), 200)
			if sgField(g, "length") != "6" || g.str("secretGenerator", "expiry") != "259200s" ||
				g.body["secretGenerator"].(map[string]any)["includeUpperLetters"] != true {
				t.Fatalf("init code default: %s", g.raw)
			}
			body := `{"length":8,"expiry":"600s","includeDigits":true}`
			u := e.must(e.admin("PUT", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_OTP_EMAIL", body), 200)
			if u.str("details", "resourceOwner") == "" {
				t.Fatalf("update: %s", u.raw)
			}
			g = e.must(e.admin("GET", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_OTP_EMAIL", ""), 200)
			if g.str("secretGenerator", "expiry") != "600s" || g.str("secretGenerator", "details", "sequence") != u.str("details", "sequence") {
				t.Fatalf("after update: %s", g.raw)
			}
			q := e.must(e.admin("POST", "/admin/v1/secretgenerators/_search", `{"queries":[{"typeQuery":{"generatorType":"SECRET_GENERATOR_TYPE_OTP_EMAIL"}}]}`), 200)
			if q.str("details", "totalResult") != "1" {
				t.Fatalf("type query: %s", q.raw)
			}
			e.wantErr(e.admin("PUT", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_OTP_EMAIL", body), 400, "COMMAND-m0o3f")
			e.wantErr(e.admin("PUT", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_OTP_EMAIL", `{"length":0,"includeDigits":true}`), 400, "V2-jEqCt")
			e.wantErr(e.admin("PUT", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_OTP_EMAIL", `{"length":6}`), 400, "V2-jEqCt")
			e.wantErr(e.admin("PUT", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_UNSPECIFIED", body), 400, "COMMAND-33k9f")

			// An org owner: no instance administrator.
			e.wantErr(e.do("PUT", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_OTP_EMAIL", ownerTok, `{"length":4,"includeDigits":true}`), 403, "AUTH-5mWD2")
			e.wantErr(e.do("POST", "/admin/v1/secretgenerators/_search", ownerTok, `{}`), 403, "AUTH-5mWD2")
			g = e.must(e.admin("GET", "/admin/v1/secretgenerators/SECRET_GENERATOR_TYPE_OTP_EMAIL", ""), 200)
			if sgField(g, "length") != "8" {
				t.Fatalf("org owner changed it: %s", g.raw)
			}
		})
	}
}

// TestSecretGeneratorsRPC: the same over gRPC and Connect.
func TestSecretGeneratorsRPC(t *testing.T) {
	for name, open := range engines(t) {
		for _, p := range []string{"gRPC", "Connect"} {
			t.Run(name+"/"+p, func(t *testing.T) {
				e := startEnv(t, open(t))
				_, _, ownerTok := e.orgWithOwner("Alpha", "ORG_OWNER")
				up := &admin.UpdateSecretGeneratorRequest{GeneratorType: settings.SecretGeneratorType_SECRET_GENERATOR_TYPE_PASSWORD_RESET_CODE,
					Length: 10, Expiry: durationpb.New(15 * time.Minute), IncludeLowerLetters: true, IncludeDigits: true}
				must2beta[admin.UpdateSecretGeneratorRequest, admin.UpdateSecretGeneratorResponse](t, e, p, adminSvc+"UpdateSecretGenerator", e.token, up)
				g := must2beta[admin.GetSecretGeneratorRequest, admin.GetSecretGeneratorResponse](t, e, p, adminSvc+"GetSecretGenerator", e.token,
					&admin.GetSecretGeneratorRequest{GeneratorType: up.GeneratorType})
				if sg := g.GetSecretGenerator(); sg.GetLength() != 10 || sg.GetExpiry().AsDuration() != 15*time.Minute || !sg.GetIncludeLowerLetters() || sg.GetIncludeUpperLetters() {
					t.Fatalf("got %v", sg)
				}
				l := must2beta[admin.ListSecretGeneratorsRequest, admin.ListSecretGeneratorsResponse](t, e, p, adminSvc+"ListSecretGenerators", e.token, &admin.ListSecretGeneratorsRequest{})
				if len(l.GetResult()) != 8 || l.GetResult()[0].GetGeneratorType() != settings.SecretGeneratorType_SECRET_GENERATOR_TYPE_INIT_CODE {
					t.Fatalf("list %v", l)
				}
				up.Length = 4
				if _, err := call2beta[admin.UpdateSecretGeneratorRequest, admin.UpdateSecretGeneratorResponse](t, e, p, adminSvc+"UpdateSecretGenerator", ownerTok, up); err == nil || err.code != codes.PermissionDenied {
					t.Fatalf("org owner update: %v", err)
				}
			})
		}
	}
}
