package oauth

import (
	"slices"
	"strings"
)

// ZITADEL's reserved scopes and the claims they add, as its clients
// (zitadel-go's authorization.OrganizationID, for one) read them.
const (
	// ScopeZitadelPrefix starts every reserved scope. One Warden does not
	// serve is dropped from the grant, never refused.
	ScopeZitadelPrefix = "urn:zitadel:"
	// ScopeResourceOwner asks for the user's organisation: ClaimResourceOwnerID,
	// ClaimResourceOwnerName and ClaimResourceOwnerPrimaryDomain.
	ScopeResourceOwner              = "urn:zitadel:iam:user:resourceowner"
	ClaimResourceOwnerID            = ScopeResourceOwner + ":id"
	ClaimResourceOwnerName          = ScopeResourceOwner + ":name"
	ClaimResourceOwnerPrimaryDomain = ScopeResourceOwner + ":primary_domain"
	// ScopeUserMetadata asks for the user's metadata in ClaimUserMetadata
	// (key → unpadded base64url of the value), as ZITADEL names and encodes both.
	ScopeUserMetadata = "urn:zitadel:iam:user:metadata"
	ClaimUserMetadata = ScopeUserMetadata
	// ScopeOrgIDPrefix + an org id restricts a sign-in to that organisation and
	// names it in ClaimOrgID (beside the resource-owner claims).
	ScopeOrgIDPrefix = "urn:zitadel:iam:org:id:"
	ClaimOrgID       = "urn:zitadel:iam:org:id"
	// ScopeOrgDomainPrefix + an org's primary domain restricts a sign-in to that
	// organisation and names the domain in ClaimOrgDomain.
	ScopeOrgDomainPrefix = "urn:zitadel:iam:org:domain:primary:"
	ClaimOrgDomain       = "urn:zitadel:iam:org:domain:primary"

	// ScopeProjectRolePrefix + a role key asks for that role (of the projects
	// in the audience); ScopeProjectsRoles for every role of the audience's
	// projects. ScopeProjectRoles (Warden's reading) asks for the roles of the
	// client's own project. The roles come in ClaimProjectRoles (the client's
	// project) and ProjectRolesClaim(id) (each project).
	ScopeProjectRolePrefix = "urn:zitadel:iam:org:project:role:"
	ScopeProjectsRoles     = "urn:zitadel:iam:org:projects:roles"
	ScopeProjectRoles      = "urn:zitadel:iam:org:project:roles"
	ClaimProjectRoles      = "urn:zitadel:iam:org:project:roles"

	projectAudPrefix, projectAudSuffix = "urn:zitadel:iam:org:project:id:", ":aud"
	// APIProjectID is what ZITADEL's audience scope says for the server's own API.
	APIProjectID = "zitadel"
)

// ProjectRolesClaim is the claim with the roles of one project.
func ProjectRolesClaim(projectID string) string {
	return "urn:zitadel:iam:org:project:" + projectID + ":roles"
}

// maxScopeValue bounds the id or domain inside a reserved scope.
const maxScopeValue = 200

// ProjectAudience parses ZITADEL's audience scope
// urn:zitadel:iam:org:project:id:{id}:aud ("zitadel" = Warden's own API).
func ProjectAudience(scope string) (string, bool) {
	id, ok := strings.CutPrefix(scope, projectAudPrefix)
	if !ok {
		return "", false
	}
	id, ok = strings.CutSuffix(id, projectAudSuffix)
	return id, ok && validScopeValue(id)
}

// OrgIDScope parses urn:zitadel:iam:org:id:{id}.
func OrgIDScope(scope string) (string, bool) {
	id, ok := strings.CutPrefix(scope, ScopeOrgIDPrefix)
	return id, ok && validScopeValue(id)
}

// OrgDomainScope parses urn:zitadel:iam:org:domain:primary:{domain}.
func OrgDomainScope(scope string) (string, bool) {
	d, ok := strings.CutPrefix(scope, ScopeOrgDomainPrefix)
	return d, ok && validScopeValue(d)
}

func validScopeValue(v string) bool {
	return v != "" && len(v) <= maxScopeValue && !strings.ContainsAny(v, ": \x00")
}

// ServedScope tells whether Warden grants a scope: the standard OpenID ones and
// the reserved ones it serves (audience, resource owner, metadata, org restriction).
// Anything else, another urn:zitadel: scope included, is left out of a grant.
func ServedScope(scope string) bool {
	switch scope {
	case "openid", "profile", "email", "phone", "address", "offline_access", ScopeResourceOwner, ScopeUserMetadata, ScopeProjectsRoles, ScopeProjectRoles:
		return true
	}
	if key, ok := strings.CutPrefix(scope, ScopeProjectRolePrefix); ok {
		return validScopeValue(key)
	}
	_, aud := ProjectAudience(scope)
	_, id := OrgIDScope(scope)
	_, dom := OrgDomainScope(scope)
	return aud || id || dom
}

// ReservedUnserved tells whether scope is a reserved urn:zitadel: scope that
// Warden does not serve (yet): such a scope is ignored, so a refresh that
// repeats one the sign-in asked for still succeeds.
func ReservedUnserved(scope string) bool {
	return strings.HasPrefix(scope, ScopeZitadelPrefix) && !ServedScope(scope)
}

// WithoutUnserved returns scopes without the reserved ones Warden does not serve.
func WithoutUnserved(scopes []string) []string {
	if !slices.ContainsFunc(scopes, ReservedUnserved) {
		return scopes
	}
	return slices.DeleteFunc(slices.Clone(scopes), ReservedUnserved)
}
