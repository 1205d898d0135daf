package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"google.golang.org/grpc/codes"
)

// TestUserProfileChanges: Management v1's and Auth v1's profile, user name,
// e-mail and phone methods over REST and gRPC on both engines: the changes are
// the user's events, the signed-in user's userinfo follows them at once, and
// neither another org's user manager nor a caller without user.write changes
// anything.
func TestUserProfileChanges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startAuthEnv(t, open)
		other := e.AddOrg(t, "Other")
		alice := e.ImportHuman(t, "", "alice", authPassword)
		bob := e.ImportHuman(t, "", "bob", authPassword)
		mallory := e.AddMachine(t, other, "mallory")
		e.Grant(t, other, mallory, "ORG_USER_MANAGER")
		malloryPAT := patIn(t, e, other, mallory)
		viewer := e.AddMachine(t, "", "viewer")
		e.Grant(t, e.Boot.Instance.DefaultOrgID, viewer, "ORG_OWNER_VIEWER")
		viewerPAT := e.AddPAT(t, viewer)
		mc := mgmt.NewManagementServiceClient(e.conn)
		aliceTok := e.signIn("alice").Token.AccessToken
		base := "/management/v1/users/" + alice

		t.Run("Admin", func(t *testing.T) {
			wardentest.Must(t, e.Admin(t, "PUT", base+"/profile", `{"firstName":"Alice","lastName":"Liddell","displayName":"Alice L.","preferredLanguage":"en","gender":"GENDER_FEMALE"}`), 200)
			r := wardentest.Must(t, e.Admin(t, "GET", base+"/profile", ""), 200)
			if r.Str("profile", "displayName") != "Alice L." || r.Str("profile", "gender") != "GENDER_FEMALE" {
				t.Fatalf("profile: %s", r.Raw)
			}
			if r := e.Admin(t, "PUT", base+"/profile", `{"firstName":"Alice","lastName":"Liddell","displayName":"Alice L.","preferredLanguage":"en","gender":"GENDER_FEMALE"}`); r.Status != 400 || replyErrID(r) != "COMMAND-2M0fs" {
				t.Fatalf("unchanged profile: %d %s", r.Status, r.Raw)
			}
			if _, err := mc.UpdateHumanEmail(e.ctx(e.Boot.Token), &mgmt.UpdateHumanEmailRequest{UserId: alice, Email: "alice@wonder.example", IsEmailVerified: true}); err != nil {
				t.Fatal(err)
			}
			em, err := mc.GetHumanEmail(e.ctx(e.Boot.Token), &mgmt.GetHumanEmailRequest{UserId: alice})
			if err != nil || em.GetEmail().GetEmail() != "alice@wonder.example" || !em.GetEmail().GetIsEmailVerified() {
				t.Fatalf("email over gRPC: %v %v", em, err)
			}
			// Unverified: stored as such, nothing sent.
			wardentest.Must(t, e.Admin(t, "PUT", base+"/phone", `{"phone":"+41 79 123 45 67"}`), 200)
			if r := wardentest.Must(t, e.Admin(t, "GET", base+"/phone", ""), 200); r.Str("phone", "phone") != "+41 79 123 45 67" || r.Body["phone"].(map[string]any)["isPhoneVerified"] == true {
				t.Fatalf("phone: %s", r.Raw)
			}
			if _, err := mc.RemoveHumanPhone(e.ctx(e.Boot.Token), &mgmt.RemoveHumanPhoneRequest{UserId: alice}); err != nil {
				t.Fatal(err)
			}
			_, err = mc.RemoveHumanPhone(e.ctx(e.Boot.Token), &mgmt.RemoveHumanPhoneRequest{UserId: alice})
			wantGRPC(t, "phone removed twice", err, codes.NotFound, "WARDEN-NOPHONE")
			u := wardentest.Must(t, e.Admin(t, "GET", "/management/v1/users/_is_unique?userName=alice", ""), 200)
			if u.Raw != `{}` { // is_unique false is the default, left out
				t.Fatalf("alice unique: %s", u.Raw)
			}
			if u := wardentest.Must(t, e.Admin(t, "GET", "/management/v1/users/_is_unique?userName=nobody", ""), 200); u.Raw != `{"isUnique":true}` {
				t.Fatalf("nobody unique: %s", u.Raw)
			}
			robot := e.AddMachine(t, "", "robot")
			wardentest.Must(t, e.Admin(t, "PUT", "/management/v1/users/"+robot+"/machine", `{"name":"Robot","description":"beeps","accessTokenType":"ACCESS_TOKEN_TYPE_JWT"}`), 200)
			if r := wardentest.Must(t, e.Admin(t, "GET", "/management/v1/users/"+robot, ""), 200); r.Str("user", "machine", "description") != "beeps" || r.Str("user", "machine", "accessTokenType") != "ACCESS_TOKEN_TYPE_JWT" {
				t.Fatalf("machine: %s", r.Raw)
			}
			if r := e.Admin(t, "PUT", base+"/username", `{"userName":"bob"}`); r.Status != 409 {
				t.Fatalf("rename onto bob: %d %s", r.Status, r.Raw)
			}
		})

		t.Run("UserinfoFollows", func(t *testing.T) {
			wardentest.Must(t, e.Admin(t, "PUT", base+"/username", `{"userName":"alice2"}`), 200)
			r := wardentest.Must(t, e.Do(t, "GET", "/oidc/v1/userinfo", aliceTok, ""), 200)
			if !strings.HasPrefix(r.Str("preferred_username"), "alice2@") || r.Str("email") != "alice@wonder.example" || r.Str("given_name") != "Alice" || r.Str("name") != "Alice L." {
				t.Fatalf("userinfo after the changes: %s", r.Raw)
			}
			// The signed-in user renames itself (gRPC) and changes its profile (REST).
			if _, err := e.cli.UpdateMyUserName(e.ctx(aliceTok), &auth.UpdateMyUserNameRequest{UserName: "alice3"}); err != nil {
				t.Fatal(err)
			}
			wardentest.Must(t, e.rest("PUT", "/users/me/profile", aliceTok, `{"firstName":"Al","lastName":"Liddell","gender":"GENDER_FEMALE"}`), 200)
			r = wardentest.Must(t, e.Do(t, "GET", "/oidc/v1/userinfo", aliceTok, ""), 200)
			if !strings.HasPrefix(r.Str("preferred_username"), "alice3@") || r.Str("given_name") != "Al" {
				t.Fatalf("userinfo after the own changes: %s", r.Raw)
			}
			p, err := e.cli.GetMyProfile(e.ctx(aliceTok), &auth.GetMyProfileRequest{})
			if err != nil || p.GetProfile().GetFirstName() != "Al" || p.GetProfile().GetGender() != userpb.Gender_GENDER_FEMALE {
				t.Fatalf("GetMyProfile: %v %v", p, err)
			}
			if r := wardentest.Must(t, e.rest("GET", "/users/me/email", aliceTok, ""), 200); r.Str("email", "email") != "alice@wonder.example" {
				t.Fatalf("GetMyEmail: %s", r.Raw)
			}
			want := []string{event.HumanAdded, event.HumanProfileChanged, event.HumanEmailChanged, event.HumanEmailVerified,
				event.HumanPhoneChanged, event.HumanPhoneCodeAdded, event.HumanPhoneRemoved, event.UserNameChanged, event.UserNameChanged, event.HumanProfileChanged}
			got := eventTypes(t, e.Store, "user", alice)
			if fmt.Sprint(got[len(got)-len(want)+1:]) != fmt.Sprint(want[1:]) {
				t.Fatalf("events %v, want %v", got, want)
			}
			ch := wardentest.Must(t, e.Admin(t, "POST", base+"/changes/_search", `{"query":{"asc":true}}`), 200)
			if !strings.Contains(ch.Raw, event.UserNameChanged) || !strings.Contains(ch.Raw, event.HumanPhoneRemoved) {
				t.Fatalf("ListUserChanges: %s", ch.Raw)
			}
		})

		t.Run("ListUserMemberships", func(t *testing.T) {
			e.Grant(t, e.Boot.Instance.DefaultOrgID, bob, "ORG_OWNER_VIEWER")
			r := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+bob+"/memberships/_search", `{}`), 200)
			if len(results(r)) != 1 || results(r)[0]["orgId"] != e.Boot.Instance.DefaultOrgID || r.Str("details", "totalResult") != "1" {
				t.Fatalf("bob's memberships: %s", r.Raw)
			}
			res, err := mc.ListUserMemberships(e.ctx(e.Boot.Token), &mgmt.ListUserMembershipsRequest{UserId: bob})
			if err != nil || len(res.GetResult()) != 1 || res.GetResult()[0].GetRoles()[0] != "ORG_OWNER_VIEWER" {
				t.Fatalf("over gRPC: %v %v", res, err)
			}
			if r := e.DoHeaders(t, "POST", "/management/v1/users/"+bob+"/memberships/_search", malloryPAT, `{}`, map[string]string{"x-zitadel-orgid": other}); r.Status != 404 {
				t.Fatalf("another org's manager: %d %s", r.Status, r.Raw)
			}
		})

		t.Run("UpdateHumanUserV2", func(t *testing.T) {
			carol := e.ImportHuman(t, "", "carol", authPassword)
			v2 := "/v2/users/human/" + carol
			r := wardentest.Must(t, e.Admin(t, "PUT", v2, `{"username":"caroline","profile":{"givenName":"Caroline","familyName":"Herschel","displayName":"C. H.","gender":"GENDER_FEMALE"},`+
				`"email":{"email":"caroline@example.org","isVerified":true},"phone":{"phone":"+44 20 7946 0000","isVerified":true}}`), 200)
			if r.Str("details", "resourceOwner") != e.Boot.Instance.DefaultOrgID {
				t.Fatalf("v2 update: %s", r.Raw)
			}
			g := wardentest.Must(t, e.Admin(t, "GET", "/v2/users/"+carol, ""), 200)
			if g.Str("user", "username") != "caroline" || g.Str("user", "human", "profile", "displayName") != "C. H." ||
				g.Str("user", "human", "email", "email") != "caroline@example.org" || g.Str("user", "human", "phone", "phone") != "+44 20 7946 0000" {
				t.Fatalf("after the v2 update: %s", g.Raw)
			}
			before := eventTypes(t, e.Store, "user", carol)
			// A taken name with a profile change: nothing of it is written.
			if r := e.Admin(t, "PUT", v2, `{"username":"bob","profile":{"givenName":"Nope","familyName":"Nope"}}`); r.Status != 409 {
				t.Fatalf("taken name: %d %s", r.Status, r.Raw)
			}
			if r := e.Admin(t, "PUT", v2, `{"password":{"password":{"password":"Another-Horse-2"}}}`); r.Status != 400 || replyErrID(r) != "WARDEN-UPDPASSWORD" {
				t.Fatalf("password part: %d %s", r.Status, r.Raw)
			}
			// The same values again: no change, no event; v2beta reaches the same.
			wardentest.Must(t, e.Admin(t, "PUT", "/v2beta/users/"+carol, `{"profile":{"givenName":"Caroline","familyName":"Herschel"}}`), 200)
			if after := eventTypes(t, e.Store, "user", carol); len(after) != len(before) {
				t.Fatalf("events after refused and empty updates: %v, before %v", after, before)
			}
			if r := e.Do(t, "PUT", v2, malloryPAT, `{"profile":{"givenName":"Evil","familyName":"E"}}`); r.Status != 403 {
				t.Fatalf("another org's manager over v2: %d %s", r.Status, r.Raw)
			}
			if got := wardentest.Must(t, e.Admin(t, "GET", "/v2/users/"+carol, ""), 200).Str("user", "human", "profile", "givenName"); got != "Caroline" {
				t.Fatalf("given name after the refusals: %q", got)
			}
		})

		t.Run("GetUserByLoginNameGlobal", func(t *testing.T) {
			dom := wardentest.Must(t, e.Admin(t, "GET", "/management/v1/orgs/me", ""), 200).Str("org", "primaryDomain")
			// Found from another org's context: the lookup is global.
			r := wardentest.Must(t, e.Do(t, "GET", "/management/v1/global/users/_by_login_name?loginName=BOB@"+dom, malloryPAT, ""), 200)
			if r.Str("user", "id") != bob || r.Str("user", "preferredLoginName") != "bob@"+dom {
				t.Fatalf("bob by login name: %s", r.Raw)
			}
			res, err := mc.GetUserByLoginNameGlobal(e.ctx(e.Boot.Token), &mgmt.GetUserByLoginNameGlobalRequest{LoginName: "nobody@" + dom})
			wantGRPC(t, "unknown login name", err, codes.NotFound, "QUERY-Dfbg2")
			_ = res
			nobody := e.AddMachine(t, "", "nobody-at-all")
			if r := e.Do(t, "GET", "/management/v1/global/users/_by_login_name?loginName=bob@"+dom, e.AddPAT(t, nobody), ""); r.Status != 403 {
				t.Fatalf("a caller without user.global.read: %d %s", r.Status, r.Raw)
			}
		})

		t.Run("Attackers", func(t *testing.T) {
			for name, c := range map[string]struct {
				tok string
				h   map[string]string
			}{
				"other org's manager in its org":  {malloryPAT, map[string]string{"x-zitadel-orgid": other}},
				"other org's manager in this org": {malloryPAT, map[string]string{"x-zitadel-orgid": e.Boot.Instance.DefaultOrgID}},
				"viewer without user.write":       {viewerPAT, nil},
			} {
				for _, call := range [][3]string{
					{"PUT", base + "/profile", `{"firstName":"Evil","lastName":"E"}`},
					{"PUT", base + "/username", `{"userName":"evil"}`},
					{"PUT", base + "/email", `{"email":"evil@example.com","isEmailVerified":true}`},
					{"PUT", base + "/phone", `{"phone":"+1 555 0100","isPhoneVerified":true}`},
				} {
					if r := e.DoHeaders(t, call[0], call[1], c.tok, call[2], c.h); r.Status != 403 && r.Status != 404 {
						t.Fatalf("%s %s: %d %s", name, call[1], r.Status, r.Raw)
					}
				}
			}
			// UpdateMyProfile changes the caller only: bob's token, alice untouched.
			bobTok := e.signIn("bob").Token.AccessToken
			wardentest.Must(t, e.rest("PUT", "/users/me/profile", bobTok, `{"firstName":"Bobby","lastName":"B"}`), 200)
			if r := wardentest.Must(t, e.Admin(t, "GET", base+"/profile", ""), 200); r.Str("profile", "firstName") != "Al" {
				t.Fatalf("alice after bob's change: %s", r.Raw)
			}
			if r := wardentest.Must(t, e.Admin(t, "GET", "/management/v1/users/"+bob+"/profile", ""), 200); r.Str("profile", "firstName") != "Bobby" {
				t.Fatalf("bob: %s", r.Raw)
			}
		})
	})
}
