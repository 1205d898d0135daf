package oidc

import (
	"context"
	"errors"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/user"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// The claims of a user, by scope, as ZITADEL gives them: the standard profile,
// email and phone claims in userinfo, introspection and (when the client asks
// for it, or no access token is issued) the ID token; the reserved metadata,
// resource-owner and org claims in all of those and in JWT access tokens (as
// of their issuance; ZITADEL's JWT carries its userinfo's claims).

func (s *storage) SetUserinfoFromScopes(context.Context, *zoidc.UserInfo, string, string, []string) error {
	return nil // deprecated by the library; SetUserinfoFromRequest does the work
}

func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	u, err := s.store.User(ctx, req.GetSubject())
	if err != nil {
		return err
	}
	s.fillUserinfo(ctx, info, u, scopes)
	return s.roleClaims(ctx, info.AppendClaims, u.ID, scopes, req.GetClientID(), app.ClaimsIDToken)
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, info *zoidc.UserInfo, tokenID, subject, _ string) error {
	at, u, err := s.app.ValidAccessToken(ctx, tokenID, subject)
	if err != nil {
		return errDead
	}
	s.fillUserinfo(ctx, info, u, at.Scopes)
	return s.roleClaims(ctx, info.AppendClaims, u.ID, at.Scopes, at.ClientID, app.ClaimsUserinfo)
}

// SetIntrospectionFromToken is the library's introspection, which Warden does
// not use: Provider.introspect answers /oauth/v2/introspect (PATs included).
func (s *storage) SetIntrospectionFromToken(context.Context, *zoidc.IntrospectionResponse, string, string, string) error {
	return errors.New("oidc: introspection is served by Provider.introspect")
}

// GetPrivateClaimsFromRequest gives a JWT access token the reserved claims its
// scopes ask for.
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, scopes []string) (map[string]any, error) {
	clientID := ""
	if c, ok := req.(interface{ GetClientID() string }); ok {
		clientID = c.GetClientID()
	}
	return s.GetPrivateClaimsFromScopes(ctx, req.GetSubject(), clientID, scopes)
}

func (s *storage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	info := new(zoidc.UserInfo)
	s.reservedClaims(ctx, info, u, scopes)
	if err := s.roleClaims(ctx, info.AppendClaims, u.ID, scopes, clientID, app.ClaimsAccessToken); err != nil {
		return nil, err
	}
	return info.Claims, nil
}

// roleClaims adds the project role claims ZITADEL gives for scopes, as
// clientID sees them (app.RoleClaims), through add.
func (s *storage) roleClaims(ctx context.Context, add func(string, any), userID string, scopes []string, clientID string, target app.ClaimsFor) error {
	claims, err := s.app.RoleClaims(ctx, userID, scopes, clientID, target)
	if err != nil {
		return err
	}
	for k, v := range claims {
		add(k, v)
	}
	return nil
}

func (s *storage) fillUserinfo(ctx context.Context, info *zoidc.UserInfo, u *user.User, scopes []string) {
	info.Subject = u.ID
	for _, sc := range scopes {
		switch sc {
		case zoidc.ScopeProfile:
			info.PreferredUsername = u.UserName
			if o, err := s.store.Org(ctx, u.OrgID); err == nil {
				info.PreferredUsername = s.app.LoginName(u, o)
			}
			if h := u.Human; h != nil {
				info.Name = h.DisplayName
				if info.Name == "" {
					info.Name = h.FirstName + " " + h.LastName
				}
				info.GivenName, info.FamilyName, info.Nickname = h.FirstName, h.LastName, h.NickName
				if h.PreferredLanguage != "" {
					info.Locale = zoidc.NewLocale(language.Make(h.PreferredLanguage))
				}
			} else if u.Machine != nil {
				info.Name = u.Machine.Name
			}
		case zoidc.ScopeEmail:
			if h := u.Human; h != nil {
				info.Email, info.EmailVerified = h.Email, zoidc.Bool(h.EmailVerified)
			}
		case zoidc.ScopePhone:
			if h := u.Human; h != nil && h.Phone != "" {
				info.PhoneNumber, info.PhoneNumberVerified = h.Phone, zoidc.Bool(h.PhoneVerified)
			}
		}
	}
	s.reservedClaims(ctx, info, u, scopes)
}

// reservedClaims adds the claims of ZITADEL's reserved scopes:
// urn:zitadel:iam:user:resourceowner gives the user's organisation (id, name,
// primary domain); urn:zitadel:iam:org:id:{id} names that id and the
// organisation too; urn:zitadel:iam:org:domain:primary:{domain} names the
// domain; urn:zitadel:iam:user:metadata gives the user's metadata. A sign-in
// with an org scope only completes for a user of that org.
func (s *storage) reservedClaims(ctx context.Context, info *zoidc.UserInfo, u *user.User, scopes []string) {
	owner := false
	for _, sc := range scopes {
		if sc == oauth.ScopeUserMetadata {
			s.metadataClaim(ctx, info, u)
		} else if sc == oauth.ScopeResourceOwner {
			owner = true
		} else if id, ok := oauth.OrgIDScope(sc); ok {
			info.AppendClaims(oauth.ClaimOrgID, id)
			owner = true
		} else if d, ok := oauth.OrgDomainScope(sc); ok {
			info.AppendClaims(oauth.ClaimOrgDomain, d)
		}
	}
	if !owner {
		return
	}
	o, err := s.store.Org(ctx, u.OrgID)
	if err != nil {
		s.log.WarnContext(ctx, "oidc: the resource owner claims name no organisation", "user", u.ID, "org", u.OrgID, "err", err)
		return
	}
	info.AppendClaims(oauth.ClaimResourceOwnerID, o.ID)
	info.AppendClaims(oauth.ClaimResourceOwnerName, o.Name)
	info.AppendClaims(oauth.ClaimResourceOwnerPrimaryDomain, s.app.OrgDomain(o))
}

// metadataClaim adds the user's metadata, read now (a change is seen by the
// next token, userinfo or introspection), key → unpadded base64url of the
// value; no claim when the user has none, as in ZITADEL.
func (s *storage) metadataClaim(ctx context.Context, info *zoidc.UserInfo, u *user.User) {
	md, err := s.app.UserMetadataClaim(ctx, u.ID)
	if err != nil {
		s.log.WarnContext(ctx, "oidc: the metadata claim could not be read", "user", u.ID, "err", err)
		return
	}
	if len(md) > 0 {
		info.AppendClaims(oauth.ClaimUserMetadata, md)
	}
}
