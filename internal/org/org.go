// Package org holds organisations, memberships and the role → permission rules.
package org

import (
	"slices"
	"strings"
	"time"
)

// InstanceScope is the Member.OrgID of instance-level memberships (IAM_* roles).
const InstanceScope = ""

// State of an organisation (zitadel.org.v1.OrgState numbers).
type State int

const (
	StateActive   State = 1
	StateInactive State = 2
	StateRemoved  State = 3
)

// Org is an organisation.
type Org struct {
	ID        string
	Name      string
	State     State
	Sequence  uint64
	CreatedAt time.Time
	ChangedAt time.Time
	// PrimaryDomain is the org's primary domain as stored (KindPrimaryDomain),
	// read with the org; "" for an org written before org domains, whose
	// primary domain is the generated one (app.OrgDomain).
	PrimaryDomain string
}

// Member gives a user roles in an org, or in the whole instance (OrgID == InstanceScope).
type Member struct {
	OrgID     string
	UserID    string
	Roles     []string
	CreatedAt time.Time
	ChangedAt time.Time
	Sequence  uint64 // the scope aggregate's sequence at the member's last change
}

// Instance is the single tenant this Warden serves.
type Instance struct {
	ID           string
	DefaultOrgID string
	Sequence     uint64
	CreatedAt    time.Time
}

// Permissions.
const (
	PermUserRead    = "user.read"
	PermUserWrite   = "user.write"
	PermUserDelete  = "user.delete"
	PermOrgRead     = "org.read"
	PermOrgWrite    = "org.write"
	PermOrgCreate   = "org.create"
	PermMemberRead  = "org.member.read"
	PermMemberWrite = "org.member.write"
	// Projects and their applications (OIDC and API clients).
	PermProjectRead  = "project.read"
	PermProjectWrite = "project.write"
	// PermProjectCreate creates projects; its holder may read and change the
	// projects it created (ZITADEL makes the creator their PROJECT_OWNER).
	PermProjectCreate = "project.create"
	// Project roles and the user grants that hand them out (ZITADEL's names).
	PermProjectRoleRead   = "project.role.read"
	PermProjectRoleWrite  = "project.role.write"
	PermProjectRoleDelete = "project.role.delete"
	PermUserGrantRead     = "user.grant.read"
	PermUserGrantWrite    = "user.grant.write"
	PermUserGrantDelete   = "user.grant.delete"
	// Project members (ZITADEL's names): who holds PROJECT_OWNER and the like.
	PermProjectMemberRead   = "project.member.read"
	PermProjectMemberWrite  = "project.member.write"
	PermProjectMemberDelete = "project.member.delete"
	// Project grants: a project's roles delegated to another org.
	PermProjectGrantRead   = "project.grant.read"
	PermProjectGrantWrite  = "project.grant.write"
	PermProjectGrantDelete = "project.grant.delete"
	// Project grant members: who holds PROJECT_GRANT_OWNER on a grant.
	PermProjectGrantMemberRead   = "project.grant.member.read"
	PermProjectGrantMemberWrite  = "project.grant.member.write"
	PermProjectGrantMemberDelete = "project.grant.member.delete"
	// PermInstanceOwner is what only IAM_OWNER carries: trusting apps with
	// Warden's own API and acting on anyone. As a permission it is part of what
	// the escalation rule compares, so no role that lacks it (IAM_ORG_MANAGER
	// has every other one) may act on an IAM owner and so become one.
	PermInstanceOwner = "iam.owner"

	// Organisation removal and the instance's own administration (admin v1).
	PermOrgDelete           = "org.delete"
	PermInstanceRead        = "iam.read"
	PermInstanceWrite       = "iam.write"
	PermInstanceMemberRead  = "iam.member.read"
	PermInstanceMemberWrite = "iam.member.write"
	// The policies (ZITADEL's names): an org's own (policy.*) and the
	// instance defaults (iam.policy.*).
	PermPolicyRead          = "policy.read"
	PermPolicyWrite         = "policy.write"
	PermPolicyDelete        = "policy.delete"
	PermInstancePolicyRead  = "iam.policy.read"
	PermInstancePolicyWrite = "iam.policy.write"
	// PermInstancePolicyDelete resets an instance default to the built-in one
	// (the custom message texts), ZITADEL's name and holder.
	PermInstancePolicyDelete = "iam.policy.delete"
	// PermOrgGlobalRead finds any org by one of its verified domains
	// (GetOrgByDomainGlobal), ZITADEL's name and holders.
	PermOrgGlobalRead = "org.global.read"
	// PermUserMembershipRead lists a user's memberships (ListUserMemberships),
	// ZITADEL's name and holders.
	PermUserMembershipRead = "user.membership.read"
	// PermUserGlobalRead finds a user of any org by login name
	// (GetUserByLoginNameGlobal), ZITADEL's name and holders.
	PermUserGlobalRead = "user.global.read"
	// PermUserSelfDelete lets a user remove itself (Auth v1 RemoveMyUser),
	// ZITADEL's name and holder (ORG_USER_SELF_MANAGER; its
	// SELF_MANAGEMENT_GLOBAL is not a Warden role).
	PermUserSelfDelete = "user.self.delete"
)

// SelfOnly tells whether a permission acts on its holder alone: holding it
// gives nothing over other users, so whoever acts on its holder need not
// hold it too (the escalation rule skips it).
func SelfOnly(perm string) bool { return perm == PermUserSelfDelete }

// rolePermissions is the one place that says what each role may do.
var rolePermissions = map[string][]string{
	"IAM_OWNER":             append(slices.Clone(allRoleGrant), PermProjectGrantMemberRead, PermProjectGrantMemberWrite, PermProjectGrantMemberDelete, PermProjectGrantRead, PermProjectGrantWrite, PermProjectGrantDelete, PermUserRead, PermUserWrite, PermUserDelete, PermOrgRead, PermOrgWrite, PermOrgCreate, PermMemberRead, PermMemberWrite, PermProjectRead, PermProjectWrite, PermProjectCreate, PermProjectMemberRead, PermProjectMemberWrite, PermProjectMemberDelete, PermInstanceOwner),
	"IAM_ORG_MANAGER":       append(slices.Clone(allRoleGrant), PermProjectGrantMemberRead, PermProjectGrantMemberWrite, PermProjectGrantMemberDelete, PermProjectGrantRead, PermProjectGrantWrite, PermProjectGrantDelete, PermUserRead, PermUserWrite, PermUserDelete, PermOrgRead, PermOrgWrite, PermOrgCreate, PermMemberRead, PermMemberWrite, PermProjectRead, PermProjectWrite, PermProjectCreate, PermProjectMemberRead, PermProjectMemberWrite, PermProjectMemberDelete),
	"IAM_USER_MANAGER":      append(slices.Clone(grantWrite), PermProjectGrantMemberRead, PermProjectGrantRead, PermProjectGrantWrite, PermProjectGrantDelete, PermUserRead, PermUserWrite, PermUserDelete, PermOrgRead, PermMemberRead, PermProjectRead, PermProjectMemberRead),
	"IAM_OWNER_VIEWER":      append(slices.Clone(readRoleGrant), PermProjectGrantMemberRead, PermProjectGrantRead, PermUserRead, PermOrgRead, PermMemberRead, PermProjectRead, PermProjectMemberRead),
	"ORG_OWNER":             append(slices.Clone(allRoleGrant), PermProjectGrantMemberRead, PermProjectGrantMemberWrite, PermProjectGrantMemberDelete, PermProjectGrantRead, PermProjectGrantWrite, PermProjectGrantDelete, PermUserRead, PermUserWrite, PermUserDelete, PermOrgRead, PermOrgWrite, PermMemberRead, PermMemberWrite, PermProjectRead, PermProjectWrite, PermProjectCreate, PermProjectMemberRead, PermProjectMemberWrite, PermProjectMemberDelete),
	"ORG_USER_MANAGER":      append(slices.Clone(grantWrite), PermUserRead, PermUserWrite, PermUserDelete, PermOrgRead),
	"ORG_OWNER_VIEWER":      append(slices.Clone(readRoleGrant), PermProjectGrantMemberRead, PermProjectGrantRead, PermUserRead, PermOrgRead, PermMemberRead, PermProjectRead, PermProjectMemberRead),
	"ORG_USER_READ":         {PermUserRead, PermOrgRead},
	"ORG_USER_SELF_MANAGER": {PermUserSelfDelete},
	// A project creator reaches only the projects it created (see
	// PermProjectCreate), as ZITADEL's creator-made PROJECT_OWNER would.
	"ORG_PROJECT_CREATOR":           {PermProjectCreate},
	"ORG_PROJECT_PERMISSION_EDITOR": append(slices.Clone(grantWrite), PermProjectGrantMemberRead, PermProjectGrantRead, PermProjectGrantWrite, PermProjectGrantDelete, PermOrgRead, PermMemberRead, PermUserRead, PermProjectRead, PermProjectMemberRead),
	// Project roles: held on one project (a ProjectScope), they act on that
	// project only.
	"PROJECT_OWNER": append(slices.Clone(allRoleGrant), PermProjectRead, PermProjectWrite,
		PermProjectMemberRead, PermProjectMemberWrite, PermProjectMemberDelete,
		PermProjectGrantRead, PermProjectGrantWrite, PermProjectGrantDelete,
		PermProjectGrantMemberRead, PermProjectGrantMemberWrite, PermProjectGrantMemberDelete),
	"PROJECT_OWNER_VIEWER": append(slices.Clone(readRoleGrant), PermProjectRead, PermProjectMemberRead, PermProjectGrantRead, PermProjectGrantMemberRead),
	// Project grant roles: held on one project grant (a GrantScope in the
	// granted org), they manage that grant's members and the user grants
	// given through it.
	"PROJECT_GRANT_OWNER": {PermProjectGrantMemberRead, PermProjectGrantMemberWrite, PermProjectGrantMemberDelete,
		PermUserGrantRead, PermUserGrantWrite, PermUserGrantDelete},
	"PROJECT_GRANT_OWNER_VIEWER": {PermProjectGrantMemberRead, PermUserGrantRead},
}

// adminRolePermissions adds the org-removal and instance-administration
// permissions to rolePermissions (ZITADEL's cmd/defaults.yaml); a block of its
// own so that the table's other rows change in one place each.
var adminRolePermissions = map[string][]string{
	"IAM_OWNER":        {PermOrgDelete, PermInstanceRead, PermInstanceWrite, PermInstanceMemberRead, PermInstanceMemberWrite},
	"IAM_ORG_MANAGER":  {PermOrgDelete},
	"IAM_OWNER_VIEWER": {PermInstanceRead, PermInstanceMemberRead},
	"ORG_OWNER":        {PermOrgDelete},
}

// policyRolePermissions are the policy permissions of ZITADEL's roles
// (cmd/defaults.yaml), in a block of their own like adminRolePermissions.
// IAM_USER_MANAGER reads policies too, which ZITADEL's does not: without it,
// the escalation rule would keep it from the users of every role that reads
// them, which ORG_USER_MANAGER (a subset of it) may act on.
var policyRolePermissions = map[string][]string{
	"IAM_OWNER":                     {PermPolicyRead, PermPolicyWrite, PermPolicyDelete, PermInstancePolicyRead, PermInstancePolicyWrite, PermInstancePolicyDelete},
	"IAM_ORG_MANAGER":               {PermPolicyRead, PermPolicyWrite, PermPolicyDelete},
	"IAM_USER_MANAGER":              {PermPolicyRead},
	"IAM_OWNER_VIEWER":              {PermPolicyRead, PermInstancePolicyRead},
	"ORG_OWNER":                     {PermPolicyRead, PermPolicyWrite, PermPolicyDelete},
	"ORG_USER_MANAGER":              {PermPolicyRead},
	"ORG_OWNER_VIEWER":              {PermPolicyRead},
	"ORG_PROJECT_PERMISSION_EDITOR": {PermPolicyRead},
	"ORG_PROJECT_CREATOR":           {PermPolicyRead},
	"ORG_USER_SELF_MANAGER":         {PermPolicyRead},
}

// globalReadRoles hold PermOrgGlobalRead (ZITADEL's cmd/defaults.yaml; its
// project roles hold it too, but theirs reach no org-wide method in Warden).
var globalReadRoles = []string{"IAM_OWNER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER", "ORG_OWNER"}

// membershipReadRoles hold PermUserMembershipRead, globalUserReadRoles
// PermUserGlobalRead (ZITADEL's cmd/defaults.yaml; its project roles hold them
// too, but theirs reach no org-wide method in Warden).
var (
	membershipReadRoles = []string{"IAM_OWNER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER", "IAM_OWNER_VIEWER",
		"ORG_OWNER", "ORG_USER_MANAGER", "ORG_OWNER_VIEWER"}
	globalUserReadRoles = []string{"IAM_OWNER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER", "IAM_OWNER_VIEWER",
		"ORG_OWNER", "ORG_USER_MANAGER", "ORG_OWNER_VIEWER", "ORG_PROJECT_PERMISSION_EDITOR", "ORG_PROJECT_CREATOR"}
)

func init() {
	for _, r := range membershipReadRoles {
		rolePermissions[r] = append(rolePermissions[r], PermUserMembershipRead)
	}
	for _, r := range globalUserReadRoles {
		rolePermissions[r] = append(rolePermissions[r], PermUserGlobalRead)
	}
	for r, ps := range adminRolePermissions {
		rolePermissions[r] = append(rolePermissions[r], ps...)
	}
	for r, ps := range policyRolePermissions {
		rolePermissions[r] = append(rolePermissions[r], ps...)
	}
	for _, r := range globalReadRoles {
		rolePermissions[r] = append(rolePermissions[r], PermOrgGlobalRead)
	}
}

// InstanceRoles lists the roles an instance membership may carry, sorted.
func InstanceRoles() []string {
	var r []string
	for k := range rolePermissions {
		if IsInstanceRole(k) {
			r = append(r, k)
		}
	}
	slices.Sort(r)
	return r
}

// What ZITADEL's roles carry of project roles and user grants: the owners all
// of it; the user managers and the project permission editor read roles and
// manage grants; the viewers read both.
var (
	allRoleGrant  = []string{PermProjectRoleRead, PermProjectRoleWrite, PermProjectRoleDelete, PermUserGrantRead, PermUserGrantWrite, PermUserGrantDelete}
	grantWrite    = []string{PermProjectRoleRead, PermUserGrantRead, PermUserGrantWrite, PermUserGrantDelete}
	readRoleGrant = []string{PermProjectRoleRead, PermUserGrantRead}
)

// IsInstanceRole tells whether role belongs on an instance membership.
func IsInstanceRole(role string) bool { return len(role) > 4 && role[:4] == "IAM_" }

// IsProjectRole tells whether role belongs on a project membership.
func IsProjectRole(role string) bool {
	return strings.HasPrefix(role, "PROJECT_") && !IsProjectGrantRole(role)
}

// IsProjectGrantRole tells whether role belongs on a project grant
// membership.
func IsProjectGrantRole(role string) bool { return strings.HasPrefix(role, "PROJECT_GRANT_") }

// ProjectGrantRoles lists the roles a project grant membership may carry,
// sorted (ListProjectGrantMemberRoles).
func ProjectGrantRoles() []string {
	var r []string
	for k := range rolePermissions {
		if IsProjectGrantRole(k) {
			r = append(r, k)
		}
	}
	slices.Sort(r)
	return r
}

// GrantScope is the Member.OrgID of a membership on one project grant: the
// granted org, a slash, "grant:" and the grant's id. SplitScope reads it as
// a scope inside the granted org, whose roles count there too.
func GrantScope(grantedOrgID, grantID string) string { return grantedOrgID + "/grant:" + grantID }

// ProjectRoles lists the roles a project membership may carry, sorted
// (ListProjectMemberRoles).
func ProjectRoles() []string {
	var r []string
	for k := range rolePermissions {
		if IsProjectRole(k) {
			r = append(r, k)
		}
	}
	slices.Sort(r)
	return r
}

// ProjectScope is the Member.OrgID of a membership on one project: the
// project's org, a slash, the project's id. Ids never hold a slash, so the
// org and the project are read back unambiguously, and the members table
// holds project memberships beside org ones (one read gives a caller both).
func ProjectScope(orgID, projectID string) string { return orgID + "/" + projectID }

// SplitScope reads a membership scope back: a project scope gives its org
// and project, an org or the instance scope itself and "".
func SplitScope(scope string) (orgID, projectID string) {
	if o, p, ok := strings.Cut(scope, "/"); ok {
		return o, p
	}
	return scope, ""
}

// KnownRole tells whether role is one Warden grants permissions for.
func KnownRole(role string) bool { _, ok := rolePermissions[role]; return ok }

// OrgRoles lists the roles an org membership may carry, sorted.
func OrgRoles() []string {
	var r []string
	for k := range rolePermissions {
		if !IsInstanceRole(k) && !IsProjectRole(k) && !IsProjectGrantRole(k) {
			r = append(r, k)
		}
	}
	slices.Sort(r)
	return r
}

// Permissions lists, without repeats, what roles carry together.
func Permissions(roles []string) []string {
	var out []string
	for _, r := range roles {
		for _, p := range rolePermissions[r] {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// Grants tells whether any of roles carries perm.
func Grants(roles []string, perm string) bool {
	for _, r := range roles {
		if slices.Contains(rolePermissions[r], perm) {
			return true
		}
	}
	return false
}
