package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/grpc/codes"
)

// TestUserV2CreateUpdate: User v2's CreateUser and UpdateUser over REST and
// gRPC on both engines, for humans and machines: what they set is what the
// user reads back (and a created human signs in with its password), every
// part of an update is one write that stands or falls whole, and neither
// another org's user manager, a viewer nor a locked user's token changes
// anything.
func TestUserV2CreateUpdate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startAuthEnv(t, open)
		home := e.Boot.Instance.DefaultOrgID
		other := e.AddOrg(t, "Other")
		mallory := e.AddMachine(t, other, "mallory")
		e.Grant(t, other, mallory, "ORG_USER_MANAGER")
		malloryPAT := patIn(t, e, other, mallory)
		viewer := e.AddMachine(t, "", "viewer")
		e.Grant(t, home, viewer, "ORG_OWNER_VIEWER")
		viewerPAT := e.AddPAT(t, viewer)
		uc := userv2.NewUserServiceClient(e.conn)
		var dora, robot string

		t.Run("CreateHuman", func(t *testing.T) {
			r := wardentest.Must(t, e.Admin(t, "POST", "/v2/users/new", `{"organizationId":"`+home+`","username":"dora",`+
				`"human":{"profile":{"givenName":"Dora","familyName":"Explorer","nickName":"D"},"email":{"email":"dora@example.org","isVerified":true},`+
				`"phone":{"phone":"+41 79 555 00 11","isVerified":true},"password":{"password":"`+authPassword+`","changeRequired":false}},`+
				`"metadata":[{"key":"team","value":"cmVk"}]}`), 200)
			dora = r.Str("id")
			if dora == "" || r.Str("creationDate") == "" || r.Body["emailCode"] != nil {
				t.Fatalf("CreateUser: %s", r.Raw)
			}
			g := wardentest.Must(t, e.Admin(t, "GET", "/v2/users/"+dora, ""), 200)
			if g.Str("user", "username") != "dora" || g.Str("user", "state") != "USER_STATE_ACTIVE" || g.Str("user", "details", "resourceOwner") != home ||
				g.Str("user", "human", "profile", "nickName") != "D" || g.Str("user", "human", "email", "email") != "dora@example.org" ||
				g.Str("user", "human", "phone", "phone") != "+41 79 555 00 11" {
				t.Fatalf("created human: %s", g.Raw)
			}
			md := wardentest.Must(t, e.Admin(t, "POST", "/v2/users/"+dora+"/metadata/search", `{}`), 200)
			if !strings.Contains(md.Raw, `"key":"team"`) || !strings.Contains(md.Raw, `"value":"cmVk"`) {
				t.Fatalf("metadata of the created human: %s", md.Raw)
			}
			if got := eventTypes(t, e.Store, "user", dora); !slices.Equal(got, []string{event.HumanAdded, "user.metadata.set"}) {
				t.Fatalf("events %v", got)
			}
			// The password is the user's: it signs in with it.
			if s := e.signIn("dora"); s.Subject != dora {
				t.Fatalf("signed in as %q, want %q", s.Subject, dora)
			}
			// gRPC, with an id of the caller's choice, a bcrypt hash and the
			// deprecated metadata of the human part.
			hash, err := bcrypt.GenerateFromPassword([]byte("Other-Horse-7"), bcrypt.MinCost)
			if err != nil {
				t.Fatal(err)
			}
			c, err := uc.CreateUser(e.ctx(e.Boot.Token), &userv2.CreateUserRequest{OrganizationId: other, UserId: ptr("erin-1"),
				UserType: &userv2.CreateUserRequest_Human_{Human: &userv2.CreateUserRequest_Human{
					Profile: &userv2.SetHumanProfile{GivenName: "Erin", FamilyName: "E"}, Email: &userv2.SetHumanEmail{Email: "erin@example.org"},
					PasswordType: &userv2.CreateUserRequest_Human_HashedPassword{HashedPassword: &userv2.HashedPassword{Hash: string(hash)}},
					Metadata:     []*userv2.Metadata{{Key: "k", Value: []byte("v")}}}}})
			if err != nil || c.GetId() != "erin-1" {
				t.Fatalf("CreateUser over gRPC: %v %v", c, err)
			}
			g = wardentest.Must(t, e.Admin(t, "GET", "/v2/users/erin-1", ""), 200)
			if g.Str("user", "username") != "erin@example.org" || g.Str("user", "details", "resourceOwner") != other {
				t.Fatalf("user name defaults to the e-mail: %s", g.Raw)
			}
			for name, c := range map[string]struct {
				body, id string
				status   int
			}{
				"no org":               {`{"human":{"profile":{"givenName":"G","familyName":"F"},"email":{"email":"x@example.org"}}}`, "COMMA-095xh8fll1", 400},
				"no type":              {`{"organizationId":"` + home + `","username":"nobody"}`, "WARDEN-USERTYPE", 400},
				"metadata twice":       {`{"organizationId":"` + home + `","human":{"profile":{"givenName":"G","familyName":"F"},"email":{"email":"x@example.org"},"metadata":[{"key":"a","value":"dg=="}]},"metadata":[{"key":"b","value":"dg=="}]}`, "USERv2-j0z7uy", 400},
				"taken name":           {`{"organizationId":"` + home + `","username":"dora","human":{"profile":{"givenName":"G","familyName":"F"},"email":{"email":"x@example.org"}}}`, "", 409},
				"weak password":        {`{"organizationId":"` + home + `","human":{"profile":{"givenName":"G","familyName":"F"},"email":{"email":"y@example.org"},"password":{"password":"short"}}}`, "", 400},
				"unknown org":          {`{"organizationId":"999999999999999999","human":{"profile":{"givenName":"G","familyName":"F"},"email":{"email":"z@example.org"}}}`, "", 404},
				"machine without name": {`{"organizationId":"` + home + `","machine":{}}`, "", 400},
			} {
				r := e.Admin(t, "POST", "/v2/users/new", c.body)
				if r.Status != c.status || (c.id != "" && replyErrID(r) != c.id) {
					t.Fatalf("%s: %d %s, want %d %s", name, r.Status, r.Raw, c.status, c.id)
				}
			}
		})

		t.Run("CreateMachine", func(t *testing.T) {
			r := wardentest.Must(t, e.Admin(t, "POST", "/v2/users/new", `{"organizationId":"`+home+`","machine":{"name":"Robot","description":"beeps","accessTokenType":"ACCESS_TOKEN_TYPE_JWT"},"metadata":[{"key":"k","value":"dg=="}]}`), 200)
			robot = r.Str("id")
			g := wardentest.Must(t, e.Admin(t, "GET", "/management/v1/users/"+robot, ""), 200)
			// Without a user name the id is the name, as in ZITADEL.
			if g.Str("user", "userName") != robot || g.Str("user", "machine", "name") != "Robot" || g.Str("user", "machine", "description") != "beeps" ||
				g.Str("user", "machine", "accessTokenType") != "ACCESS_TOKEN_TYPE_JWT" {
				t.Fatalf("created machine: %s", g.Raw)
			}
			if got := eventTypes(t, e.Store, "user", robot); !slices.Equal(got, []string{event.MachineAdded, "user.metadata.set"}) {
				t.Fatalf("events %v", got)
			}
			c, err := uc.CreateUser(e.ctx(e.Boot.Token), &userv2.CreateUserRequest{OrganizationId: other, Username: ptr("bot-two"),
				UserType: &userv2.CreateUserRequest_Machine_{Machine: &userv2.CreateUserRequest_Machine{Name: "Bot"}}})
			if err != nil || c.GetCreationDate() == nil {
				t.Fatalf("machine over gRPC: %v %v", c, err)
			}
			if g := wardentest.Must(t, e.Admin(t, "GET", "/v2/users/"+c.GetId(), ""), 200); g.Str("user", "username") != "bot-two" || g.Str("user", "details", "resourceOwner") != other {
				t.Fatalf("machine in the other org: %s", g.Raw)
			}
		})

		t.Run("UpdateHuman", func(t *testing.T) {
			before := eventTypes(t, e.Store, "user", dora)
			p := "/v2/users/" + dora
			wardentest.Must(t, e.Admin(t, "PATCH", p, `{"username":"dora2","human":{"profile":{"nickName":"Doro"},"email":{"email":"dora2@example.org","isVerified":true},"phone":{}},`+
				`"metadata":[{"key":"team"},{"key":"floor","value":"Mw=="}]}`), 200)
			g := wardentest.Must(t, e.Admin(t, "GET", p, ""), 200)
			// Only what was named changed: the given name stays.
			if g.Str("user", "username") != "dora2" || g.Str("user", "human", "profile", "givenName") != "Dora" || g.Str("user", "human", "profile", "nickName") != "Doro" ||
				g.Str("user", "human", "email", "email") != "dora2@example.org" || g.Str("user", "human", "phone", "phone") != "" {
				t.Fatalf("after UpdateUser: %s", g.Raw)
			}
			md := wardentest.Must(t, e.Admin(t, "POST", p+"/metadata/search", `{}`), 200)
			if strings.Contains(md.Raw, `"team"`) || !strings.Contains(md.Raw, `"floor"`) {
				t.Fatalf("metadata after UpdateUser: %s", md.Raw)
			}
			want := []string{event.UserNameChanged, event.HumanProfileChanged, event.HumanEmailChanged, event.HumanEmailVerified,
				event.HumanPhoneRemoved, "user.metadata.removed", "user.metadata.set"}
			if got := eventTypes(t, e.Store, "user", dora)[len(before):]; !slices.Equal(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
			// gRPC; the same values again change nothing.
			mid := eventTypes(t, e.Store, "user", dora)
			u, err := uc.UpdateUser(e.ctx(e.Boot.Token), &userv2.UpdateUserRequest{UserId: dora, Username: ptr("dora2"),
				UserType: &userv2.UpdateUserRequest_Human_{Human: &userv2.UpdateUserRequest_Human{Profile: &userv2.UpdateUserRequest_Human_Profile{GivenName: ptr("Dora")}}}})
			if err != nil || u.GetChangeDate() == nil {
				t.Fatalf("UpdateUser over gRPC: %v %v", u, err)
			}
			if got := eventTypes(t, e.Store, "user", dora); len(got) != len(mid) {
				t.Fatalf("an update to the same values wrote %v", got[len(mid):])
			}
			for name, c := range map[string]struct {
				path, body, id string
				status         int
			}{
				"password":                 {p, `{"human":{"password":{"password":{"password":"Another-Horse-2"}}}}`, "WARDEN-UPDPASSWORD", 400},
				"verified phone removal":   {p, `{"human":{"phone":{"isVerified":true}}}`, "USERv2-4f3d6", 400},
				"no type":                  {p, `{"username":"dora3"}`, "WARDEN-UPDUSERTYPE", 400},
				"a machine as a human":     {"/v2/users/" + robot, `{"human":{"profile":{"nickName":"x"}}}`, "WARDEN-NOTHUMAN", 400},
				"missing metadata, rename": {p, `{"username":"dora4","human":{"profile":{"nickName":"Nope"}},"metadata":[{"key":"nothere"}]}`, "META-ncnw3", 404},
				"a key twice":              {p, `{"human":{},"metadata":[{"key":"a","value":"dg=="},{"key":"a"}]}`, "WARDEN-METAKEY2", 400},
				"an empty given name":      {p, `{"human":{"profile":{"givenName":" "}}}`, "WARDEN-REQ", 400},
				"unknown user":             {"/v2/users/nobody", `{"human":{"profile":{"nickName":"x"}}}`, "WARDEN-USERGONE", 404},
			} {
				r := e.Admin(t, "PATCH", c.path, c.body)
				if r.Status != c.status || replyErrID(r) != c.id {
					t.Fatalf("%s: %d %s, want %d %s", name, r.Status, r.Raw, c.status, c.id)
				}
			}
			// The refused updates wrote nothing, not even their valid parts.
			if got := eventTypes(t, e.Store, "user", dora); len(got) != len(mid) {
				t.Fatalf("refused updates wrote %v", got[len(mid):])
			}
		})

		t.Run("UpdateMachine", func(t *testing.T) {
			p := "/v2/users/" + robot
			wardentest.Must(t, e.Admin(t, "PATCH", p, `{"username":"robot-x","machine":{"description":"hums","accessTokenType":"ACCESS_TOKEN_TYPE_BEARER"},"metadata":[{"key":"k"}]}`), 200)
			g := wardentest.Must(t, e.Admin(t, "GET", "/management/v1/users/"+robot, ""), 200)
			if g.Str("user", "userName") != "robot-x" || g.Str("user", "machine", "name") != "Robot" || g.Str("user", "machine", "description") != "hums" ||
				g.Str("user", "machine", "accessTokenType") != "" { // bearer is the default, left out
				t.Fatalf("after UpdateUser: %s", g.Raw)
			}
			if n := storedMetadata(t, e.Store, app.KindUserMetadata, "", robot); n != 0 {
				t.Fatalf("%d metadata entries left", n)
			}
			if r := e.Admin(t, "PATCH", "/v2/users/"+dora, `{"machine":{"name":"x"}}`); r.Status != 400 || replyErrID(r) != "WARDEN-NOTMACHINE" {
				t.Fatalf("a human as a machine: %d %s", r.Status, r.Raw)
			}
			if r := e.Admin(t, "PATCH", p, `{"machine":{"name":""}}`); r.Status != 400 {
				t.Fatalf("an empty name: %d %s", r.Status, r.Raw)
			}
			// A machine's user name must not be another user's id.
			if r := e.Admin(t, "PATCH", p, `{"username":"`+dora+`","machine":{}}`); r.Status == 200 {
				t.Fatalf("renamed onto a user id: %s", r.Raw)
			}
		})

		t.Run("Attackers", func(t *testing.T) {
			locked := e.AddMachine(t, "", "locked-manager")
			e.Grant(t, home, locked, "ORG_USER_MANAGER")
			lockedPAT := e.AddPAT(t, locked)
			wardentest.Must(t, e.Admin(t, "POST", "/v2/users/"+locked+"/lock", `{}`), 200)
			before := eventTypes(t, e.Store, "user", dora)
			for name, c := range map[string]struct {
				tok    string
				status int
			}{
				"another org's user manager": {malloryPAT, 403},
				"a viewer":                   {viewerPAT, 403},
				"a locked user manager":      {lockedPAT, 401},
			} {
				if r := e.Do(t, "PATCH", "/v2/users/"+dora, c.tok, `{"human":{"profile":{"nickName":"Evil"}}}`); r.Status != c.status {
					t.Fatalf("%s updates a human: %d %s", name, r.Status, r.Raw)
				}
				if r := e.Do(t, "PATCH", "/v2/users/"+robot, c.tok, `{"machine":{"name":"Evil"}}`); r.Status != c.status {
					t.Fatalf("%s updates a machine: %d %s", name, r.Status, r.Raw)
				}
				n := fmt.Sprintf("evil-%d", c.status)
				if r := e.Do(t, "POST", "/v2/users/new", c.tok, `{"organizationId":"`+home+`","username":"`+n+`","machine":{"name":"Evil"}}`); r.Status != c.status {
					t.Fatalf("%s creates a user here: %d %s", name, r.Status, r.Raw)
				}
			}
			if got := eventTypes(t, e.Store, "user", dora); len(got) != len(before) {
				t.Fatalf("the attackers wrote %v", got[len(before):])
			}
			// The other org's manager in its own org: allowed.
			wardentest.Must(t, e.Do(t, "POST", "/v2/users/new", malloryPAT, `{"organizationId":"`+other+`","machine":{"name":"Mine"}}`), 200)
		})
	})
}

// TestRemoveMyUser: Auth v1's RemoveMyUser on both engines. The signed-in
// user holding ZITADEL's user.self.delete (ORG_USER_SELF_MANAGER; an OAuth
// access token, or a machine's PAT) removes itself and nobody else:
// user.removed is written, its tokens, refresh token and memberships are dead
// at once, another user's token still works; a user without the role, or with
// it in another org only, is refused, and a locked user's token is refused
// like any call.
func TestRemoveMyUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startAuthEnv(t, open)
		home := e.Boot.Instance.DefaultOrgID
		alice := e.ImportHuman(t, "", "alice", authPassword)
		bob := e.ImportHuman(t, "", "bob", authPassword)
		e.Grant(t, home, alice, "ORG_USER_MANAGER", "ORG_USER_SELF_MANAGER")
		e.Grant(t, home, bob, "ORG_USER_MANAGER")
		wardentest.Must(t, e.Admin(t, "POST", "/management/v1/users/"+alice+"/metadata/k", `{"value":"dg=="}`), 200)
		a := e.signIn("alice")
		bobTok := e.signIn("bob").Token.AccessToken
		if r := e.rest("DELETE", "/users/me", bobTok, ""); r.Status != 403 {
			t.Fatalf("bob without user.self.delete: %d %s", r.Status, r.Raw)
		}
		// The role held in another org does not reach his own.
		other := e.AddOrg(t, "Other")
		e.Grant(t, other, bob, "ORG_USER_SELF_MANAGER")
		if r := e.rest("DELETE", "/users/me", bobTok, "", "x-zitadel-orgid", home); r.Status != 403 {
			t.Fatalf("bob with the role in another org: %d %s", r.Status, r.Raw)
		}
		if s := e.UserState(t, bob); s != "USER_STATE_ACTIVE" {
			t.Fatalf("bob after the refusals: %s", s)
		}

		r := wardentest.Must(t, e.rest("DELETE", "/users/me", a.Token.AccessToken, ""), 200)
		if r.Str("details", "resourceOwner") != home || r.Str("details", "sequence") == "" {
			t.Fatalf("RemoveMyUser: %s", r.Raw)
		}
		if got := eventTypes(t, e.Store, "user", alice); !slices.Contains(got, event.UserRemoved) || !slices.Contains(got, "user.metadata.removed.all") {
			t.Fatalf("events %v", got)
		}
		if r := e.rest("GET", "/users/me", a.Token.AccessToken, ""); r.Status != 401 {
			t.Fatalf("the removed user's token: %d %s", r.Status, r.Raw)
		}
		if _, err := e.rp.Refresh(a.Token.RefreshToken); err == nil {
			t.Fatal("the removed user's refresh token still works")
		}
		if r := e.Admin(t, "GET", "/management/v1/users/"+alice, ""); r.Status != 404 {
			t.Fatalf("the removed user: %d %s", r.Status, r.Raw)
		}
		if r := wardentest.Must(t, e.Admin(t, "POST", "/management/v1/orgs/me/members/_search", `{}`), 200); strings.Contains(r.Raw, alice) {
			t.Fatalf("the removed user is still a member: %s", r.Raw)
		}
		if n := storedMetadata(t, e.Store, app.KindUserMetadata, "", alice); n != 0 {
			t.Fatalf("%d metadata entries left", n)
		}
		// Bob's token removed nothing and still works.
		if r := wardentest.Must(t, e.rest("GET", "/users/me", bobTok, ""), 200); r.Str("user", "id") != bob {
			t.Fatalf("bob: %s", r.Raw)
		}

		// A machine user with a PAT, over gRPC.
		robot := e.AddMachine(t, "", "robot")
		robotPAT := e.AddPAT(t, robot)
		e.Grant(t, home, robot, "ORG_USER_SELF_MANAGER")
		if _, err := e.cli.RemoveMyUser(e.ctx(robotPAT), &auth.RemoveMyUserRequest{}); err != nil {
			t.Fatal(err)
		}
		_, err := e.cli.GetMyUser(e.ctx(robotPAT), &auth.GetMyUserRequest{})
		wantGRPC(t, "the removed machine's PAT", err, codes.Unauthenticated, "AUTH-7fs1e")

		// A locked user's token is refused, and the user stays.
		carol := e.AddMachine(t, "", "carol")
		carolPAT := e.AddPAT(t, carol)
		e.Grant(t, home, carol, "ORG_USER_SELF_MANAGER")
		// A user manager without user.self.delete still locks her: that
		// permission acts on its holder alone, so the escalation rule skips it.
		wardentest.Must(t, e.Do(t, "POST", "/management/v1/users/"+carol+"/_lock", bobTok, `{}`), 200)
		if r := e.rest("DELETE", "/users/me", carolPAT, ""); r.Status != 401 {
			t.Fatalf("a locked user removes itself: %d %s", r.Status, r.Raw)
		}
		if s := e.UserState(t, carol); s != "USER_STATE_LOCKED" {
			t.Fatalf("carol: %s", s)
		}
		if r := e.rest("DELETE", "/users/me", "", ""); r.Status != 401 {
			t.Fatalf("without a token: %d %s", r.Status, r.Raw)
		}
	})
}

func ptr[T any](v T) *T { return &v }
