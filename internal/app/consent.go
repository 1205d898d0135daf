package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// Warden's own API audience (the scope oauth.APIAudienceScope) lets a token act
// as its user on the management API — with every role the user holds. So only
// clients the instance trusts receive it without asking: the built-in console,
// and apps an IAM owner created or approved. Any other client gets it only after
// the user consented, once per user and client, on a page that names the app
// and its organisation. The token path enforces this, not the page: a request
// without trust or consent simply gets no API audience.

// IsIAMOwner tells whether the caller holds the instance owner's permission
// (IAM_OWNER's alone): it may act on anyone and decides which apps the instance
// trusts.
func (c *Caller) IsIAMOwner() bool {
	return org.Grants(c.roles[org.InstanceScope], org.PermInstanceOwner)
}

// ClientFacts is what a consent page shows about a client.
type ClientFacts struct {
	ClientID string
	AppName  string
	OrgName  string // "" for Warden's built-in clients
	Trusted  bool
}

// Client describes a client for the consent page.
func (a *App) Client(ctx context.Context, clientID string) (*ClientFacts, error) {
	ap, err := appByClientID(ctx, a.store, clientID)
	if err != nil {
		return nil, err
	}
	f := &ClientFacts{ClientID: clientID, AppName: ap.Name, Trusted: ap.Trusted}
	if ap.OrgID != "" {
		if o, err := a.store.Org(ctx, ap.OrgID); err == nil {
			f.OrgName = o.Name
		}
	}
	return f, nil
}

func appByClientID(ctx context.Context, r store.Reader, clientID string) (*project.App, error) {
	art, err := r.ArtifactByKey(ctx, project.KindApp, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errAppNotFound
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return decodeApp(art)
}

// APIConsentNeeded tells whether userID must consent before clientID's tokens
// for that user may carry Warden's API audience.
func (a *App) APIConsentNeeded(ctx context.Context, userID, clientID string) (bool, error) {
	return apiConsentNeeded(ctx, a.store, userID, clientID)
}

func apiConsentNeeded(ctx context.Context, r store.Reader, userID, clientID string) (bool, error) {
	ap, err := appByClientID(ctx, r, clientID)
	if err != nil {
		return true, err
	}
	if ap.Trusted {
		return false, nil
	}
	_, err = r.Artifact(ctx, oauth.KindConsent, oauth.ConsentID(userID, clientID))
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	return err != nil, storeErr(err)
}

// consentRecord is the data of a KindConsent artifact.
type consentRecord struct {
	UserID   string   `json:"userId"`
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes"`
}

// GrantAPIConsent records that userID let clientID use Warden's API for it. Only
// the login page calls it, for the user that browser just authenticated.
func (a *App) GrantAPIConsent(ctx context.Context, userID, clientID string) error {
	data, err := json.Marshal(consentRecord{UserID: userID, ClientID: clientID, Scopes: []string{oauth.APIAudienceScope}})
	if err != nil {
		return fail.Internal.Wrap(err)
	}
	now := store.Now()
	return storeErr(a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutArtifact(ctx, &store.Artifact{Kind: oauth.KindConsent, ID: oauth.ConsentID(userID, clientID),
			UserID: userID, CreatedAt: now, Data: data})
	}))
}

// TrustApp marks an app as trusted with Warden's API (or withdraws that), which
// only an IAM owner may do. Tokens it issued before keep the audience they got.
func (a *App) TrustApp(ctx context.Context, s Scope, projectID, appID string, trusted bool) (*project.App, error) {
	g, err := a.authorize(ctx, s, UseTrustApp) // IAM owners only (the rule's IAMOwner)
	if err != nil {
		return nil, err
	}
	return a.changeApp(ctx, g, projectID, appID, func(ap *project.App) (string, error) {
		if ap.Kind != project.AppOIDC {
			return "", errAppNotOIDC
		}
		if ap.Trusted == trusted {
			return "", errNoChanges
		}
		ap.Trusted = trusted
		return event.AppTrustChanged, nil
	})
}

// OrgApp is an OIDC app with its project's name, for the console.
type OrgApp struct {
	App         *project.App
	ProjectName string
}

// ListOrgOIDCApps lists the OIDC apps of every project of the org context
// that the caller may read, by project and app name.
func (a *App) ListOrgOIDCApps(ctx context.Context, s Scope) ([]OrgApp, error) {
	g, err := a.authorize(ctx, s, UseListOrgOIDCApps)
	if err != nil {
		return nil, err
	}
	orgID := g.OrgID
	projects := map[string]string{}
	parts, err := allArtifacts(ctx, a.store, project.KindProject, orgID, "")
	if err != nil {
		return nil, storeErr(err)
	}
	for _, art := range parts {
		var p project.Project
		if err := json.Unmarshal(art.Data, &p); err != nil {
			return nil, fail.Internal.Wrap(err)
		}
		if g.mayProject(&p) {
			projects[p.ID] = p.Name
		}
	}
	arts, err := allArtifacts(ctx, a.store, project.KindApp, orgID, "")
	if err != nil {
		return nil, storeErr(err)
	}
	var out []OrgApp
	for _, art := range arts {
		ap, err := decodeApp(art)
		if err != nil {
			return nil, storeErr(err)
		}
		if _, ok := projects[ap.ProjectID]; ok && ap.Kind == project.AppOIDC {
			out = append(out, OrgApp{App: ap, ProjectName: projects[ap.ProjectID]})
		}
	}
	slices.SortFunc(out, func(x, y OrgApp) int {
		return cmp.Or(strings.Compare(x.ProjectName, y.ProjectName), strings.Compare(x.App.Name, y.App.Name), strings.Compare(x.App.ID, y.App.ID))
	})
	return out, nil
}
