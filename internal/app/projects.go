package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// Projects and their applications live as artifacts of their org; every change
// is an event on the org aggregate, so the details carry the org's sequence.

// MaxClockSkew is the largest clock skew an OIDC app may allow.
const MaxClockSkew = 5 * time.Second

// maxURIs bounds the redirect URIs of one app.
const maxURIs = 50

// ProjectInput is the content of AddProject and UpdateProject.
type ProjectInput struct {
	Name            string
	RoleAssertion   bool
	RoleCheck       bool // sign-in needs a grant on the project
	HasProjectCheck bool // sign-in needs a grant of the user's org on the project
	PrivateLabeling int
}

func (in ProjectInput) check() error {
	if err := checkText("name", in.Name, true); err != nil {
		return err
	}
	if in.PrivateLabeling < 0 || in.PrivateLabeling > 2 {
		return errPrivateLabeling
	}
	return nil
}

func putProject(ctx context.Context, tx store.Tx, p *project.Project) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return tx.PutArtifact(ctx, &store.Artifact{Kind: project.KindProject, ID: p.ID, OrgID: p.OrgID, CreatedAt: p.CreatedAt, Data: data})
}

func putApp(ctx context.Context, tx store.Tx, ap *project.App) error {
	data, err := json.Marshal(ap)
	if err != nil {
		return err
	}
	return tx.PutArtifact(ctx, &store.Artifact{Kind: project.KindApp, ID: ap.ID, Key: ap.ClientID, OrgID: ap.OrgID, CreatedAt: ap.CreatedAt, Data: data})
}

// loadProject reads a project of orgID; one of another org is NotFound.
func loadProject(ctx context.Context, r store.Reader, orgID, projectID string) (*project.Project, error) {
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return nil, err
	}
	art, err := r.Artifact(ctx, project.KindProject, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errProjectNotFound
	} else if err != nil {
		return nil, err
	}
	if art.OrgID != orgID {
		return nil, errProjectNotFound
	}
	var p project.Project
	if err := json.Unmarshal(art.Data, &p); err != nil {
		return nil, fmt.Errorf("project %s: %w", projectID, err)
	}
	return &p, nil
}

// mayProject tells whether g's caller may do the use case's permission on p
// (nil: a project yet to be made) in the org context: through a role in the
// org, or as p's creator still holding project.create (ZITADEL's creator is
// the project's PROJECT_OWNER), or through a role on p itself (a project
// member: app/projectmembers.go).
func (g granted) mayProject(p *project.Project) bool {
	c := g.Caller
	if c.Can(g.perm(), g.OrgID) {
		return true
	}
	if p != nil && c.Can(g.perm(), org.ProjectScope(g.OrgID, p.ID)) {
		return true
	}
	return p != nil && p.CreatorID != "" && p.CreatorID == c.UserID && c.Can(org.PermProjectCreate, g.OrgID)
}

// MayOnProject tells whether the caller would pass use on p (nil: a project
// yet to be made) in the scope's org: what May says, and the project's own
// check the use case makes after loading it (mayProject). May alone admits
// everyone who may work with projects at all (a viewer, a creator), so the
// console asks this before it offers an action on a project.
func (s Scope) MayOnProject(use Use, p *project.Project) bool {
	r, ok := rules[use]
	if !ok || !s.May(use) {
		return false
	}
	if r.Where != InProject {
		return true
	}
	return granted{Scope: s, use: use, rule: r}.mayProject(p)
}

// projectFor loads a project of the org context for the use case g was
// granted: NotFound as loadProject, PermissionDenied when the caller may not.
func projectFor(ctx context.Context, r store.Reader, g granted, projectID string) (*project.Project, error) {
	p, err := loadProject(ctx, r, g.OrgID, projectID)
	if err != nil {
		return nil, err
	}
	if !g.mayProject(p) {
		return nil, fail.PermissionDenied
	}
	return p, nil
}

// loadApp reads an app of a project of orgID.
func loadApp(ctx context.Context, r store.Reader, orgID, projectID, appID string) (*project.App, error) {
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(appID, errAppIDMissing); err != nil {
		return nil, err
	}
	art, err := r.Artifact(ctx, project.KindApp, appID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errAppNotFound
	} else if err != nil {
		return nil, err
	}
	ap, err := decodeApp(art)
	if err != nil {
		return nil, err
	}
	if art.OrgID != orgID || ap.ProjectID != projectID {
		return nil, errAppNotFound
	}
	return ap, nil
}

func decodeApp(art *store.Artifact) (*project.App, error) {
	var ap project.App
	if err := json.Unmarshal(art.Data, &ap); err != nil {
		return nil, fmt.Errorf("app %s: %w", art.ID, err)
	}
	return &ap, nil
}

// allArtifacts reads every artifact of a kind in an org, in id order.
func allArtifacts(ctx context.Context, r store.Reader, kind, orgID, userID string) ([]*store.Artifact, error) {
	var out []*store.Artifact
	for {
		page, total, err := r.ListArtifacts(ctx, store.ArtifactQuery{Kind: kind, OrgID: orgID, UserID: userID,
			Page: store.Page{Offset: len(out), Limit: 1000, Asc: true}})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || uint64(len(out)) >= total {
			return out, nil
		}
	}
}

// pageOf applies offset, limit and direction to a list in ascending id order.
func pageOf[T any](all []T, p store.Page) []T {
	if !p.Asc {
		all = slices.Clone(all)
		slices.Reverse(all)
	}
	off := max(p.Offset, 0)
	if off >= len(all) {
		return nil
	}
	end := min(off+store.ClampLimit(p.Limit), len(all))
	return all[off:end]
}

// MatchText applies a text filter in memory (the same methods the store has).
func MatchText(m store.TextMatch, v string) bool {
	want := m.Value
	switch m.Method {
	case store.TextEqualsIgnoreCase, store.TextStartsWithIgnoreCase, store.TextContainsIgnoreCase, store.TextEndsWithIgnoreCase:
		want, v = strings.ToLower(want), strings.ToLower(v)
	}
	switch m.Method {
	case store.TextEquals, store.TextEqualsIgnoreCase:
		return v == want
	case store.TextStartsWith, store.TextStartsWithIgnoreCase:
		return strings.HasPrefix(v, want)
	case store.TextContains, store.TextContainsIgnoreCase:
		return strings.Contains(v, want)
	case store.TextEndsWith, store.TextEndsWithIgnoreCase:
		return strings.HasSuffix(v, want)
	}
	return false
}

func matchAll(ms []store.TextMatch, v string) bool {
	for _, m := range ms {
		if !MatchText(m, v) {
			return false
		}
	}
	return true
}

// AddProject creates a project in the org context.
func (a *App) AddProject(ctx context.Context, s Scope, in ProjectInput) (*project.Project, error) {
	g, err := a.authorize(ctx, s, UseAddProject)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if !g.mayProject(nil) {
		return nil, fail.PermissionDenied
	}
	pid := a.ids.Next()
	var out project.Project
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		out = project.Project{ID: pid, OrgID: g.OrgID, Name: in.Name, CreatorID: g.Caller.UserID, RoleAssertion: in.RoleAssertion, PrivateLabeling: in.PrivateLabeling,
			RoleCheck: in.RoleCheck, HasProjectCheck: in.HasProjectCheck, State: project.StateActive,
			Sequence: ch.o.Sequence, CreatedAt: ch.by.At, ChangedAt: ch.by.At}
		return event.ProjectAdded, map[string]any{"projectId": pid, "name": in.Name}, putProject(ctx, tx, &out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetProject returns a project of the org context.
func (a *App) GetProject(ctx context.Context, s Scope, projectID string) (*project.Project, error) {
	g, err := a.authorize(ctx, s, UseGetProject)
	if err != nil {
		return nil, err
	}
	p, err := projectFor(ctx, a.store, g, projectID)
	return p, storeErr(err)
}

// ListProjects lists the projects of the org context whose names match every filter.
func (a *App) ListProjects(ctx context.Context, s Scope, names []store.TextMatch, pg store.Page) ([]*project.Project, uint64, error) {
	g, err := a.authorize(ctx, s, UseListProjects)
	if err != nil {
		return nil, 0, err
	}
	arts, err := allArtifacts(ctx, a.store, project.KindProject, g.OrgID, "")
	if err != nil {
		return nil, 0, storeErr(err)
	}
	var all []*project.Project
	for _, art := range arts {
		var p project.Project
		if err := json.Unmarshal(art.Data, &p); err != nil {
			return nil, 0, storeErr(fmt.Errorf("project %s: %w", art.ID, err))
		}
		if matchAll(names, p.Name) && g.mayProject(&p) {
			all = append(all, &p)
		}
	}
	return pageOf(all, pg), uint64(len(all)), nil
}

// UpdateProject changes a project; nothing to change is FailedPrecondition, as in ZITADEL.
func (a *App) UpdateProject(ctx context.Context, s Scope, projectID string, in ProjectInput) (*project.Project, error) {
	g, err := a.authorize(ctx, s, UseUpdateProject)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	var out project.Project
	_, err = a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if err != nil {
			return "", nil, err
		}
		if p.Name == in.Name && p.RoleAssertion == in.RoleAssertion && p.PrivateLabeling == in.PrivateLabeling &&
			p.RoleCheck == in.RoleCheck && p.HasProjectCheck == in.HasProjectCheck {
			return "", nil, errNoChanges
		}
		p.Name, p.RoleAssertion, p.PrivateLabeling = in.Name, in.RoleAssertion, in.PrivateLabeling
		p.RoleCheck, p.HasProjectCheck = in.RoleCheck, in.HasProjectCheck
		p.Sequence, p.ChangedAt = ch.o.Sequence, ch.by.At
		out = *p
		return event.ProjectChanged, map[string]any{"projectId": p.ID, "name": p.Name}, putProject(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveProject deletes a project and all its apps; it returns the org as committed.
func (a *App) RemoveProject(ctx context.Context, s Scope, projectID string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseRemoveProject)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return nil, err
	}
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if err != nil {
			return "", nil, err
		}
		apps, err := allArtifacts(ctx, tx, project.KindApp, g.OrgID, "")
		if err != nil {
			return "", nil, err
		}
		var removed []string
		appIDs := map[string]bool{}
		for _, art := range apps {
			ap, err := decodeApp(art)
			if err != nil {
				return "", nil, err
			}
			if ap.ProjectID != p.ID {
				continue
			}
			if err := tx.DeleteArtifact(ctx, project.KindApp, ap.ID); err != nil {
				return "", nil, err
			}
			removed = append(removed, ap.ClientID)
			appIDs[ap.ID] = true
		}
		if err := deleteAppKeys(ctx, tx, g.OrgID, appIDs); err != nil {
			return "", nil, err
		}
		// Its roles and the grants of them go in the same transaction.
		if err := deleteProjectAuthz(ctx, tx, g.OrgID, p.ID); err != nil {
			return "", nil, err
		}
		return event.ProjectRemoved, map[string]any{"projectId": p.ID, "name": p.Name, "clientIds": removed},
			tx.DeleteArtifact(ctx, project.KindProject, p.ID)
	})
}

// OIDCConfig is the configuration of an OIDC app (numbers as in project's constants).
type OIDCConfig struct {
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	ResponseTypes          []int
	GrantTypes             []int
	AppType                int
	AuthMethod             int
	AccessTokenType        int
	DevMode                bool
	IDTokenUserinfo        bool
	// The project roles in ID tokens and JWT access tokens.
	IDTokenRoleAssertion     bool
	AccessTokenRoleAssertion bool
	ClockSkew                time.Duration
}

// normalize applies the defaults and validates the configuration.
func (cfg *OIDCConfig) normalize() error {
	if len(cfg.ResponseTypes) == 0 {
		cfg.ResponseTypes = []int{0}
	}
	if len(cfg.GrantTypes) == 0 {
		cfg.GrantTypes = []int{project.GrantAuthorizationCode}
	}
	cfg.ResponseTypes = slices.Compact(slices.Sorted(slices.Values(cfg.ResponseTypes)))
	cfg.GrantTypes = slices.Compact(slices.Sorted(slices.Values(cfg.GrantTypes)))
	for _, r := range cfg.ResponseTypes {
		if r < 0 || r > 2 {
			return errResponseType
		}
	}
	for _, g := range cfg.GrantTypes {
		if g < project.GrantAuthorizationCode || g > project.GrantTokenExchange {
			return errGrantType
		}
	}
	// Each response type needs the grant of its flow (ZITADEL's OIDCApp.IsValid);
	// the code response type is also satisfied by the device grant, so a
	// device-only app needs no authorization code grant (ZITADEL #5684).
	for _, r := range cfg.ResponseTypes {
		need := project.GrantImplicit
		if r == 0 {
			need = project.GrantAuthorizationCode
			if slices.Contains(cfg.GrantTypes, project.GrantDeviceCode) {
				need = project.GrantDeviceCode
			}
		}
		if !slices.Contains(cfg.GrantTypes, need) {
			return errAppConfigInvalid
		}
	}
	if cfg.AppType < project.TypeWeb || cfg.AppType > project.TypeNative {
		return errAppType
	}
	if cfg.AuthMethod < project.AuthBasic || cfg.AuthMethod > project.AuthPrivateKeyJWT {
		return errAuthMethod
	}
	if cfg.AccessTokenType < project.TokenBearer || cfg.AccessTokenType > project.TokenJWT {
		return errAccessTokenType
	}
	if cfg.ClockSkew < 0 || cfg.ClockSkew > MaxClockSkew {
		return errClockSkew
	}
	if err := CheckRedirectURIs(cfg.RedirectURIs, cfg.DevMode); err != nil {
		return err
	}
	if err := CheckRedirectURIs(cfg.PostLogoutRedirectURIs, cfg.DevMode); err != nil {
		return err
	}
	if len(cfg.RedirectURIs) == 0 &&
		(slices.Contains(cfg.GrantTypes, project.GrantAuthorizationCode) || slices.Contains(cfg.GrantTypes, project.GrantImplicit)) {
		return errRedirectMissing
	}
	return nil
}

// CheckRedirectURIs validates redirect (or post-logout) URIs: absolute, no
// fragment, http only to a loopback host unless devMode, and no script schemes.
func CheckRedirectURIs(uris []string, devMode bool) error {
	if len(uris) > maxURIs {
		return errRedirectCount.Msgf("at most %d redirect URIs", maxURIs)
	}
	for _, raw := range uris {
		bad := func(why string) error {
			return errRedirectURI.Msgf("invalid redirect URI %q: %s", raw, why)
		}
		if len(raw) > 2048 {
			return bad("too long")
		}
		if strings.TrimSpace(raw) != raw || strings.ContainsAny(raw, " \t\r\n") {
			return bad("contains white space")
		}
		if err := checkChars("redirect URI", raw); err != nil {
			return err
		}
		u, err := url.Parse(raw)
		if err != nil {
			return bad("not a URL")
		}
		if !u.IsAbs() {
			return bad("not absolute")
		}
		if u.Fragment != "" || strings.Contains(raw, "#") {
			return bad("contains a fragment")
		}
		switch strings.ToLower(u.Scheme) {
		case "https":
			if u.Host == "" {
				return bad("no host")
			}
		case "http":
			if u.Host == "" {
				return bad("no host")
			}
			if !devMode && !isLoopback(u.Hostname()) {
				return bad("http is only allowed for loopback hosts (or in dev mode)")
			}
		case "javascript", "data", "vbscript", "file":
			return bad("scheme not allowed")
		default:
			// Private-use schemes of native apps (com.example.app:/callback).
		}
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// needsSecret tells whether an app's auth method uses a generated client secret.
func needsSecret(kind project.AppKind, method int) bool {
	if kind == project.AppAPI {
		return method == 0 // basic; 1 is private_key_jwt
	}
	return method == project.AuthBasic || method == project.AuthPost
}

// newSecret returns a client secret (256 random bits, base64url) and its stored hash.
func newSecret() (string, string) {
	secret, _ := credential.NewToken()
	return secret, credential.SecretHash(secret)
}

func checkAppName(name string) error { return checkText("name", name, true) }

// clientID is <app id>@<project slug>, as ZITADEL forms it.
func clientID(appID string, p *project.Project) string {
	s := Slug(p.Name)
	if s == "" {
		s = p.ID
	}
	return appID + "@" + s
}

// AddOIDCApp creates an OIDC app in a project and returns it with its client
// secret (shown once; empty for auth methods without one).
func (a *App) AddOIDCApp(ctx context.Context, s Scope, projectID, name string, cfg OIDCConfig) (*project.App, string, error) {
	g, err := a.authorize(ctx, s, UseAddOIDCApp)
	if err != nil {
		return nil, "", err
	}
	if err := checkAppName(name); err != nil {
		return nil, "", err
	}
	if err := cfg.normalize(); err != nil {
		return nil, "", err
	}
	ap := &project.App{Name: name, Kind: project.AppOIDC}
	setOIDC(ap, cfg)
	return a.addApp(ctx, g, projectID, ap)
}

// AddAPIApp creates an API app (a resource server) in a project.
func (a *App) AddAPIApp(ctx context.Context, s Scope, projectID, name string, authMethod int) (*project.App, string, error) {
	g, err := a.authorize(ctx, s, UseAddAPIApp)
	if err != nil {
		return nil, "", err
	}
	if err := checkAppName(name); err != nil {
		return nil, "", err
	}
	if authMethod < 0 || authMethod > 1 {
		return nil, "", errAuthMethod
	}
	return a.addApp(ctx, g, projectID, &project.App{Name: name, Kind: project.AppAPI, AuthMethod: authMethod})
}

func setOIDC(ap *project.App, cfg OIDCConfig) {
	ap.RedirectURIs, ap.PostLogoutRedirectURIs = cfg.RedirectURIs, cfg.PostLogoutRedirectURIs
	ap.ResponseTypes, ap.GrantTypes = cfg.ResponseTypes, cfg.GrantTypes
	ap.AppType, ap.AuthMethod, ap.AccessTokenType = cfg.AppType, cfg.AuthMethod, cfg.AccessTokenType
	ap.DevMode, ap.IDTokenUserinfo, ap.ClockSkew = cfg.DevMode, cfg.IDTokenUserinfo, cfg.ClockSkew
	ap.IDTokenRoleAssertion, ap.AccessTokenRoleAssertion = cfg.IDTokenRoleAssertion, cfg.AccessTokenRoleAssertion
}

func (a *App) addApp(ctx context.Context, g granted, projectID string, ap *project.App) (*project.App, string, error) {
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return nil, "", err
	}
	ap.ID, ap.ProjectID, ap.OrgID = a.ids.Next(), projectID, g.OrgID
	ap.Trusted = ap.Kind == project.AppOIDC && g.Caller.IsIAMOwner()
	var secret string
	if needsSecret(ap.Kind, ap.AuthMethod) {
		secret, ap.SecretHash = newSecret()
	}
	var out project.App
	_, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if err != nil {
			return "", nil, err
		}
		out = *ap
		out.ClientID = clientID(out.ID, p)
		out.Sequence, out.CreatedAt, out.ChangedAt = ch.o.Sequence, ch.by.At, ch.by.At
		return event.AppAdded, map[string]any{"projectId": p.ID, "appId": out.ID, "name": out.Name, "kind": out.Kind, "clientId": out.ClientID},
			putApp(ctx, tx, &out)
	})
	if err != nil {
		return nil, "", err
	}
	return &out, secret, nil
}

// GetApp returns an app of a project of the org context.
func (a *App) GetApp(ctx context.Context, s Scope, projectID, appID string) (*project.App, error) {
	g, err := a.authorize(ctx, s, UseGetApp)
	if err != nil {
		return nil, err
	}
	if _, err := projectFor(ctx, a.store, g, projectID); err != nil {
		return nil, storeErr(err)
	}
	ap, err := loadApp(ctx, a.store, g.OrgID, projectID, appID)
	return ap, storeErr(err)
}

// ListApps lists the apps of a project whose names match every filter.
func (a *App) ListApps(ctx context.Context, s Scope, projectID string, names []store.TextMatch, pg store.Page) ([]*project.App, uint64, error) {
	g, err := a.authorize(ctx, s, UseListApps)
	if err != nil {
		return nil, 0, err
	}
	if _, err := projectFor(ctx, a.store, g, projectID); err != nil {
		return nil, 0, storeErr(err)
	}
	arts, err := allArtifacts(ctx, a.store, project.KindApp, g.OrgID, "")
	if err != nil {
		return nil, 0, storeErr(err)
	}
	var all []*project.App
	for _, art := range arts {
		ap, err := decodeApp(art)
		if err != nil {
			return nil, 0, storeErr(err)
		}
		if ap.ProjectID == projectID && matchAll(names, ap.Name) {
			all = append(all, ap)
		}
	}
	return pageOf(all, pg), uint64(len(all)), nil
}

// changeApp loads an app of a project the caller may change in the write, lets
// change modify it (returning the event type, or errNoChanges) and commits it
// with an org event.
func (a *App) changeApp(ctx context.Context, g granted, projectID, appID string, change func(ap *project.App) (string, error)) (*project.App, error) {
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(appID, errAppIDMissing); err != nil {
		return nil, err
	}
	var out project.App
	_, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		if _, err := projectFor(ctx, tx, g, projectID); err != nil {
			return "", nil, err
		}
		ap, err := loadApp(ctx, tx, g.OrgID, projectID, appID)
		if err != nil {
			return "", nil, err
		}
		typ, err := change(ap)
		if err != nil {
			return "", nil, err
		}
		ap.Sequence, ap.ChangedAt = ch.o.Sequence, ch.by.At
		out = *ap
		return typ, map[string]any{"projectId": ap.ProjectID, "appId": ap.ID, "name": ap.Name}, putApp(ctx, tx, ap)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RenameApp changes an app's name (UpdateApp).
func (a *App) RenameApp(ctx context.Context, s Scope, projectID, appID, name string) (*project.App, error) {
	g, err := a.authorize(ctx, s, UseRenameApp)
	if err != nil {
		return nil, err
	}
	if err := checkAppName(name); err != nil {
		return nil, err
	}
	return a.changeApp(ctx, g, projectID, appID, func(ap *project.App) (string, error) {
		if ap.Name == name {
			return "", errNoChanges
		}
		ap.Name = name
		return event.AppChanged, nil
	})
}

// UpdateOIDCApp replaces an OIDC app's configuration. A change to an auth method
// without a secret drops the stored secret; a change to one with a secret keeps
// the current secret, or leaves none until RegenerateAppSecret.
func (a *App) UpdateOIDCApp(ctx context.Context, s Scope, projectID, appID string, cfg OIDCConfig) (*project.App, error) {
	g, err := a.authorize(ctx, s, UseUpdateOIDCApp)
	if err != nil {
		return nil, err
	}
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	return a.changeApp(ctx, g, projectID, appID, func(ap *project.App) (string, error) {
		if ap.Kind != project.AppOIDC {
			return "", errAppNotOIDC
		}
		before, _ := json.Marshal(ap)
		setOIDC(ap, cfg)
		if !g.Caller.IsIAMOwner() {
			// New redirect URIs from someone the instance does not trust could
			// send a trusted app's codes elsewhere.
			ap.Trusted = false
		}
		if !needsSecret(ap.Kind, ap.AuthMethod) {
			ap.SecretHash = ""
		}
		if after, _ := json.Marshal(ap); string(before) == string(after) {
			return "", errNoChanges
		}
		return event.OIDCConfigChanged, nil
	})
}

// UpdateAPIApp changes an API app's auth method.
func (a *App) UpdateAPIApp(ctx context.Context, s Scope, projectID, appID string, authMethod int) (*project.App, error) {
	g, err := a.authorize(ctx, s, UseUpdateAPIApp)
	if err != nil {
		return nil, err
	}
	if authMethod < 0 || authMethod > 1 {
		return nil, errAuthMethod
	}
	return a.changeApp(ctx, g, projectID, appID, func(ap *project.App) (string, error) {
		if ap.Kind != project.AppAPI {
			return "", errAppNotAPI
		}
		if ap.AuthMethod == authMethod {
			return "", errNoChanges
		}
		ap.AuthMethod = authMethod
		if !needsSecret(ap.Kind, ap.AuthMethod) {
			ap.SecretHash = ""
		}
		return event.APIConfigChanged, nil
	})
}

// RegenerateAppSecret replaces the client secret of an app of the given kind;
// the old secret stops working when this commits.
func (a *App) RegenerateAppSecret(ctx context.Context, s Scope, projectID, appID string, kind project.AppKind) (*project.App, string, error) {
	use := UseRegenAPISecret
	if kind == project.AppOIDC {
		use = UseRegenOIDCSecret
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, "", err
	}
	secret, hash := newSecret()
	ap, err := a.changeApp(ctx, g, projectID, appID, func(ap *project.App) (string, error) {
		if ap.Kind != kind {
			if kind == project.AppOIDC {
				return "", errAppNotOIDC
			}
			return "", errAppNotAPI
		}
		if !needsSecret(ap.Kind, ap.AuthMethod) {
			return "", errAppNoSecret
		}
		ap.SecretHash = hash
		if kind == project.AppOIDC {
			return event.OIDCSecretChanged, nil
		}
		return event.APISecretChanged, nil
	})
	if err != nil {
		return nil, "", err
	}
	return ap, secret, nil
}

// RemoveApp deletes an app; it returns the org as committed.
func (a *App) RemoveApp(ctx context.Context, s Scope, projectID, appID string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseRemoveApp)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, errProjectIDMissing); err != nil {
		return nil, err
	}
	if err := checkID(appID, errAppIDMissing); err != nil {
		return nil, err
	}
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		if _, err := projectFor(ctx, tx, g, projectID); err != nil {
			return "", nil, err
		}
		ap, err := loadApp(ctx, tx, g.OrgID, projectID, appID)
		if err != nil {
			return "", nil, err
		}
		if err := deleteAppKeys(ctx, tx, g.OrgID, map[string]bool{ap.ID: true}); err != nil {
			return "", nil, err
		}
		return event.AppRemoved, map[string]any{"projectId": ap.ProjectID, "appId": ap.ID, "clientId": ap.ClientID},
			tx.DeleteArtifact(ctx, project.KindApp, ap.ID)
	})
}
