package app

import (
	"context"
	"errors"
	"testing"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// TestInvisibleCharactersRefusedInNames: every name and free-text field
// refuses control, invisible formatting and bidi characters.
func TestInvisibleCharactersRefusedInNames(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		proj, err := a.AddProject(ctx, Scope{Caller: admin.Caller, OrgID: admin.OrgID}, ProjectInput{Name: "P"})
		if err != nil {
			t.Fatal(err)
		}
		api, _, err := a.AddAPIApp(ctx, Scope{Caller: admin.Caller, OrgID: admin.OrgID}, proj.ID, "api", 0)
		if err != nil {
			t.Fatal(err)
		}
		oidcCfg := func(uri string) OIDCConfig {
			return OIDCConfig{RedirectURIs: []string{uri}, GrantTypes: []int{0}}
		}
		for _, r := range []rune{0, 0x01, '\t', '\n', '\r', 0x1b, 0x7f, 0x85, 0x9f, 0xad, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f,
			0x202a, 0x202e, 0x2060, 0x2064, 0x2066, 0x2069, 0xfeff} {
			bad := "ev" + string(r) + "il"
			calls := map[string]func() error{
				"user name": func() error {
					_, err := a.AddHuman(ctx, admin, NewHuman{UserName: bad, Profile: user.Human{Email: "e@example.com"}})
					return err
				},
				"first name": func() error {
					_, err := a.AddHuman(ctx, admin, NewHuman{UserName: "h", Profile: user.Human{FirstName: bad, Email: "e@example.com"}})
					return err
				},
				"display name": func() error {
					_, err := a.AddHuman(ctx, admin, NewHuman{UserName: "h", Profile: user.Human{DisplayName: bad, Email: "e@example.com"}})
					return err
				},
				"email": func() error {
					_, err := a.AddHuman(ctx, admin, NewHuman{UserName: "h", Profile: user.Human{Email: "e" + bad + "@example.com"}})
					return err
				},
				"machine user name": func() error {
					_, err := a.AddMachine(ctx, admin, NewMachine{UserName: bad, Name: "m"})
					return err
				},
				"machine name": func() error {
					_, err := a.AddMachine(ctx, admin, NewMachine{UserName: "m", Name: bad})
					return err
				},
				"machine description": func() error {
					_, err := a.AddMachine(ctx, admin, NewMachine{UserName: "m", Name: "m", Description: bad})
					return err
				},
				"org name": func() error { _, err := a.AddOrg(ctx, admin.Caller, bad); return err },
				"project name": func() error {
					_, err := a.AddProject(ctx, Scope{Caller: admin.Caller, OrgID: admin.OrgID}, ProjectInput{Name: bad})
					return err
				},
				"project rename": func() error {
					_, err := a.UpdateProject(ctx, Scope{Caller: admin.Caller, OrgID: admin.OrgID}, proj.ID, ProjectInput{Name: bad})
					return err
				},
				"app name": func() error {
					_, _, err := a.AddAPIApp(ctx, Scope{Caller: admin.Caller, OrgID: admin.OrgID}, proj.ID, bad, 0)
					return err
				},
				"app rename": func() error {
					_, err := a.RenameApp(ctx, Scope{Caller: admin.Caller, OrgID: admin.OrgID}, proj.ID, api.ID, bad)
					return err
				},
				"redirect URI": func() error {
					_, _, err := a.AddOIDCApp(ctx, Scope{Caller: admin.Caller, OrgID: admin.OrgID}, proj.ID, "web", oidcCfg("https://app.example.com/"+bad))
					return err
				},
			}
			for field, call := range calls {
				if (r == 0x200c || r == 0x200d) && (field == "first name" || field == "display name") {
					continue // the joiners person names need: below
				}
				err := call()
				if fe, ok := failOf(err); !ok || fe != codes.InvalidArgument {
					t.Errorf("%s with %U: %v, want InvalidArgument", field, r, err)
				}
			}
		}
		// Ordinary non-ASCII text stays welcome.
		if _, err := a.AddHuman(ctx, admin, NewHuman{UserName: "zoë", Profile: user.Human{FirstName: "Zoë", LastName: "Ünal-Øster 李", DisplayName: "Zoë 🎉", Email: "zoe@example.com"}}); err != nil {
			t.Fatal(err)
		}
		// Persian names and emoji sequences need the zero-width (non-)joiner; a
		// person's name may hold them, an identifier may not.
		if _, err := a.AddHuman(ctx, admin, NewHuman{UserName: "mehr", Profile: user.Human{FirstName: "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
			LastName: "L", DisplayName: "\U0001F468\u200d\U0001F469\u200d\U0001F467", Email: "mehr@example.com"}}); err != nil {
			t.Fatalf("a name with joiners: %v", err)
		}
		if _, err := a.AddOrg(ctx, admin.Caller, "Société Générale"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.GetUser(ctx, admin, "a\x00b"); err == nil {
			t.Fatal("a NUL id was looked up")
		}
		if _, err := a.FindLoginUser(ctx, "zo\x00ë"); !errors.Is(err, user.ErrGetNotFound) {
			t.Fatalf("login name with NUL: %v", err)
		}
	})
}

func failOf(err error) (codes.Code, bool) {
	fe, ok := fail.As(err)
	if !ok {
		return codes.Unknown, false
	}
	return fe.Code, true
}
