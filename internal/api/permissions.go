package api

import (
	"context"
	"slices"
	"strings"

	"github.com/warden-id/warden/internal/app"
)

// The API picks no permission: each served method names its use case here, and
// app's table (app.RuleOf) says what that needs. The interceptor has app decide
// the org-context part before the handler runs, as ZITADEL decides before its
// handlers; the use case decides the rest (and the whole, for a method missing
// here). The authorization-matrix test and docs/security.md read this table.

const (
	mgmtService       = "/zitadel.management.v1.ManagementService/"
	userService       = "/zitadel.user.v2.UserService/"
	userServiceV2beta = "/zitadel.user.v2beta.UserService/"
	adminService      = "/zitadel.admin.v1.AdminService/"
	authService       = "/zitadel.auth.v1.AuthService/"
	authzService      = "/zitadel.authorization.v2.AuthorizationService/"
	projectService    = "/zitadel.project.v2.ProjectService/"

	authzServiceV2beta   = "/zitadel.authorization.v2beta.AuthorizationService/"
	projectServiceV2beta = "/zitadel.project.v2beta.ProjectService/"
	orgServiceV2         = "/zitadel.org.v2.OrganizationService/"

	ipermService       = "/zitadel.internal_permission.v2.InternalPermissionService/"
	ipermServiceV2beta = "/zitadel.internal_permission.v2beta.InternalPermissionService/"
)

// resourceUses: the administrator methods (internal_permission v2, v2beta)
// reach the use case of the membership their request's resource names, so
// they have a use case per resource rather than one; app.ChangeAdministrator
// and app.ListAdministrators call it, which decides.
var resourceUses = func() map[string]map[string]app.Use {
	uses := map[string]map[string]app.Use{
		"CreateAdministrator": {"instance": app.UseAddIAMMember, "organization": app.UseAddMember, "project": app.UseAddProjectMember, "project grant": app.UseAddProjectGrantMember},
		"UpdateAdministrator": {"instance": app.UseUpdateIAMMember, "organization": app.UseUpdateMember, "project": app.UseUpdateProjectMember, "project grant": app.UseUpdateProjectGrantMember},
		"DeleteAdministrator": {"instance": app.UseRemoveIAMMember, "organization": app.UseRemoveMember, "project": app.UseRemoveProjectMember, "project grant": app.UseRemoveProjectGrantMember},
		"ListAdministrators":  {"instance": app.UseListIAMMembers, "organization": app.UseListMembers, "project": app.UseListProjectMembers, "project grant": app.UseListProjectGrantMembers},
	}
	out := map[string]map[string]app.Use{}
	for m, u := range uses {
		out[ipermService+m], out[ipermServiceV2beta+m] = u, u
	}
	return out
}()

// ResourceUses returns the use case per resource of an administrator method.
func ResourceUses(fullMethod string) (map[string]app.Use, bool) {
	u, ok := resourceUses[fullMethod]
	return u, ok
}

var methodUses = map[string]app.Use{
	mgmtService + "GetUserByID":     app.UseGetUser,
	mgmtService + "ListUsers":       app.UseListUsers,
	mgmtService + "ListUserChanges": app.UseListUserChanges,

	mgmtService + "GetHumanProfile":              app.UseGetUser,
	mgmtService + "GetHumanEmail":                app.UseGetUser,
	mgmtService + "GetHumanPhone":                app.UseGetUser,
	mgmtService + "UpdateHumanProfile":           app.UseUpdateHumanProfile,
	mgmtService + "UpdateUserName":               app.UseUpdateUserName,
	mgmtService + "UpdateMachine":                app.UseUpdateMachine,
	mgmtService + "UpdateHumanEmail":             app.UseUpdateHumanEmail,
	mgmtService + "UpdateHumanPhone":             app.UseUpdateHumanPhone,
	mgmtService + "RemoveHumanPhone":             app.UseRemoveHumanPhone,
	mgmtService + "IsUserUnique":                 app.UseIsUserUnique,
	mgmtService + "ListUserMemberships":          app.UseListUserMemberships,
	mgmtService + "GetUserByLoginNameGlobal":     app.UseGetUserByLoginNameGlobal,
	authService + "GetMyProfile":                 app.UseGetMyUser,
	authService + "GetMyEmail":                   app.UseGetMyUser,
	authService + "GetMyPhone":                   app.UseGetMyUser,
	authService + "UpdateMyProfile":              app.UseUpdateMyProfile,
	authService + "UpdateMyUserName":             app.UseUpdateMyUserName,
	authService + "RemoveMyPhone":                app.UseRemoveMyPhone,
	authService + "RemoveMyUser":                 app.UseRemoveMyUser,
	authService + "SetMyEmail":                   app.UseSetMyEmail,
	authService + "VerifyMyEmail":                app.UseVerifyMyEmail,
	authService + "ResendMyEmailVerification":    app.UseResendMyEmailVerification,
	authService + "SetMyPhone":                   app.UseSetMyPhone,
	authService + "VerifyMyPhone":                app.UseVerifyMyPhone,
	authService + "ResendMyPhoneVerification":    app.UseResendMyPhoneVerification,
	mgmtService + "ResendHumanEmailVerification": app.UseResendHumanEmailVerification,
	mgmtService + "ResendHumanPhoneVerification": app.UseResendHumanPhoneVerification,
	mgmtService + "AddHumanUser":                 app.UseAddHuman,
	mgmtService + "ImportHumanUser":              app.UseAddHuman,
	mgmtService + "AddMachineUser":               app.UseAddMachine,
	mgmtService + "LockUser":                     app.UseLockUser,
	mgmtService + "UnlockUser":                   app.UseUnlockUser,
	mgmtService + "DeactivateUser":               app.UseDeactivateUser,
	mgmtService + "ReactivateUser":               app.UseReactivateUser,
	mgmtService + "RemoveUser":                   app.UseRemoveUser,

	mgmtService + "SetHumanPassword":                   app.UseSetPassword,
	mgmtService + "SetHumanInitialPassword":            app.UseSetPassword,
	mgmtService + "SendHumanResetPasswordNotification": app.UseRequestPasswordReset,
	mgmtService + "ResendHumanInitialization":          app.UseResendInitialization,
	mgmtService + "AddPersonalAccessToken":             app.UseAddPAT,
	mgmtService + "ListPersonalAccessTokens":           app.UseListPATs,
	mgmtService + "RemovePersonalAccessToken":          app.UseRemovePAT,
	mgmtService + "GetPersonalAccessTokenByIDs":        app.UseGetPAT,
	mgmtService + "GenerateMachineSecret":              app.UseGenerateMachineSecret,
	mgmtService + "RemoveMachineSecret":                app.UseRemoveMachineSecret,
	mgmtService + "AddMachineKey":                      app.UseAddMachineKey,
	mgmtService + "ListMachineKeys":                    app.UseListMachineKeys,
	mgmtService + "GetMachineKeyByIDs":                 app.UseGetMachineKey,
	mgmtService + "RemoveMachineKey":                   app.UseRemoveMachineKey,

	mgmtService + "GetMyOrg":        app.UseGetOrg,
	mgmtService + "AddOrg":          app.UseAddOrg,
	mgmtService + "ListOrgMembers":  app.UseListMembers,
	mgmtService + "AddOrgMember":    app.UseAddMember,
	mgmtService + "UpdateOrgMember": app.UseUpdateMember,
	mgmtService + "RemoveOrgMember": app.UseRemoveMember,

	mgmtService + "GetLockoutPolicy":                 app.UseGetLockoutPolicy,
	mgmtService + "AddCustomLockoutPolicy":           app.UseAddLockoutPolicy,
	mgmtService + "UpdateCustomLockoutPolicy":        app.UseUpdateLockoutPolicy,
	mgmtService + "ResetLockoutPolicyToDefault":      app.UseResetLockoutPolicy,
	mgmtService + "GetNotificationPolicy":            app.UseGetNotificationPolicy,
	mgmtService + "GetDefaultNotificationPolicy":     app.UseGetDefaultNotificationPolicy,
	mgmtService + "AddCustomNotificationPolicy":      app.UseAddNotificationPolicy,
	mgmtService + "UpdateCustomNotificationPolicy":   app.UseUpdateNotificationPolicy,
	mgmtService + "ResetNotificationPolicyToDefault": app.UseResetNotificationPolicy,

	mgmtService + "GetPasswordComplexityPolicy":            app.UseGetComplexityPolicy,
	mgmtService + "GetDefaultPasswordComplexityPolicy":     app.UseGetDefaultComplexityPolicy,
	mgmtService + "AddCustomPasswordComplexityPolicy":      app.UseAddComplexityPolicy,
	mgmtService + "UpdateCustomPasswordComplexityPolicy":   app.UseUpdateComplexityPolicy,
	mgmtService + "ResetPasswordComplexityPolicyToDefault": app.UseResetComplexityPolicy,
	mgmtService + "GetPasswordAgePolicy":                   app.UseGetAgePolicy,
	mgmtService + "GetDefaultPasswordAgePolicy":            app.UseGetDefaultAgePolicy,
	mgmtService + "AddCustomPasswordAgePolicy":             app.UseAddAgePolicy,
	mgmtService + "UpdateCustomPasswordAgePolicy":          app.UseUpdateAgePolicy,
	mgmtService + "ResetPasswordAgePolicyToDefault":        app.UseResetAgePolicy,
	adminService + "GetPasswordComplexityPolicy":           app.UseGetInstanceComplexityPolicy,
	adminService + "UpdatePasswordComplexityPolicy":        app.UseUpdateInstanceComplexityPolicy,
	adminService + "GetPasswordAgePolicy":                  app.UseGetInstanceAgePolicy,
	adminService + "UpdatePasswordAgePolicy":               app.UseUpdateInstanceAgePolicy,
	adminService + "GetLockoutPolicy":                      app.UseGetInstanceLockoutPolicy,
	adminService + "UpdateLockoutPolicy":                   app.UseUpdateInstanceLockoutPolicy,
	mgmtService + "GetDefaultLockoutPolicy":                app.UseGetDefaultLockoutPolicy,
	authService + "GetMyPasswordComplexityPolicy":          app.UseGetMyComplexityPolicy,
	authService + "UpdateMyPassword":                       app.UseUpdateMyPassword,

	mgmtService + "AddProject":                 app.UseAddProject,
	mgmtService + "GetProjectByID":             app.UseGetProject,
	mgmtService + "ListProjects":               app.UseListProjects,
	mgmtService + "UpdateProject":              app.UseUpdateProject,
	mgmtService + "RemoveProject":              app.UseRemoveProject,
	mgmtService + "AddOIDCApp":                 app.UseAddOIDCApp,
	mgmtService + "AddAPIApp":                  app.UseAddAPIApp,
	mgmtService + "GetAppByID":                 app.UseGetApp,
	mgmtService + "ListApps":                   app.UseListApps,
	mgmtService + "UpdateApp":                  app.UseRenameApp,
	mgmtService + "UpdateOIDCAppConfig":        app.UseUpdateOIDCApp,
	mgmtService + "UpdateAPIAppConfig":         app.UseUpdateAPIApp,
	mgmtService + "RegenerateOIDCClientSecret": app.UseRegenOIDCSecret,
	mgmtService + "RegenerateAPIClientSecret":  app.UseRegenAPISecret,
	mgmtService + "RemoveApp":                  app.UseRemoveApp,
	mgmtService + "AddAppKey":                  app.UseAddAppKey,
	mgmtService + "GetAppKey":                  app.UseGetAppKey,
	mgmtService + "ListAppKeys":                app.UseListAppKeys,
	mgmtService + "RemoveAppKey":               app.UseRemoveAppKey,

	// The org lifecycle (orgs.go) and Admin v1 (admin.go).
	mgmtService + "UpdateOrg":          app.UseUpdateOrg,
	mgmtService + "DeactivateOrg":      app.UseDeactivateOrg,
	mgmtService + "ReactivateOrg":      app.UseReactivateOrg,
	mgmtService + "RemoveOrg":          app.UseRemoveOrg,
	mgmtService + "ListOrgChanges":     app.UseListOrgChanges,
	mgmtService + "ListOrgMemberRoles": app.UseListOrgMemberRoles,
	// Org domains (orgdomains.go).
	mgmtService + "AddOrgDomain":                     app.UseAddOrgDomain,
	mgmtService + "ListOrgDomains":                   app.UseListOrgDomains,
	mgmtService + "RemoveOrgDomain":                  app.UseRemoveOrgDomain,
	mgmtService + "SetPrimaryOrgDomain":              app.UseSetPrimaryOrgDomain,
	mgmtService + "GenerateOrgDomainValidation":      app.UseGenerateOrgDomainValidation,
	mgmtService + "ValidateOrgDomain":                app.UseValidateOrgDomain,
	mgmtService + "GetOrgByDomainGlobal":             app.UseGetOrgByDomainGlobal,
	adminService + "GetOrgByID":                      app.UseAdminGetOrg,
	adminService + "ListOrgs":                        app.UseAdminListOrgs,
	adminService + "IsOrgUnique":                     app.UseIsOrgUnique,
	adminService + "RemoveOrg":                       app.UseAdminRemoveOrg,
	adminService + "SetUpOrg":                        app.UseSetUpOrg,
	adminService + "GetDefaultOrg":                   app.UseGetDefaultOrg,
	adminService + "SetDefaultOrg":                   app.UseSetDefaultOrg,
	adminService + "ListIAMMemberRoles":              app.UseListIAMMemberRoles,
	adminService + "ListIAMMembers":                  app.UseListIAMMembers,
	adminService + "AddIAMMember":                    app.UseAddIAMMember,
	adminService + "UpdateIAMMember":                 app.UseUpdateIAMMember,
	adminService + "RemoveIAMMember":                 app.UseRemoveIAMMember,
	adminService + "ListSecretGenerators":            app.UseListSecretGenerators,
	adminService + "GetNotificationPolicy":           app.UseGetInstanceNotificationPolicy,
	adminService + "UpdateNotificationPolicy":        app.UseUpdateInstanceNotificationPolicy,
	adminService + "GetSecretGenerator":              app.UseGetSecretGenerator,
	adminService + "UpdateSecretGenerator":           app.UseUpdateSecretGenerator,
	adminService + "AddSMTPConfig":                   app.UseAddSMTPConfig,
	adminService + "UpdateSMTPConfig":                app.UseUpdateSMTPConfig,
	adminService + "UpdateSMTPConfigPassword":        app.UseUpdateSMTPConfigPassword,
	adminService + "ActivateSMTPConfig":              app.UseActivateSMTPConfig,
	adminService + "DeactivateSMTPConfig":            app.UseDeactivateSMTPConfig,
	adminService + "RemoveSMTPConfig":                app.UseRemoveSMTPConfig,
	adminService + "GetSMTPConfig":                   app.UseGetSMTPConfig,
	adminService + "GetSMTPConfigById":               app.UseGetSMTPConfig,
	adminService + "ListSMTPConfigs":                 app.UseListSMTPConfigs,
	adminService + "TestSMTPConfig":                  app.UseTestSMTPConfig,
	adminService + "TestSMTPConfigById":              app.UseTestSMTPConfig,
	adminService + "ListEmailProviders":              app.UseListSMTPConfigs,
	adminService + "GetEmailProvider":                app.UseGetSMTPConfig,
	adminService + "GetEmailProviderById":            app.UseGetSMTPConfig,
	adminService + "AddEmailProviderSMTP":            app.UseAddSMTPConfig,
	adminService + "UpdateEmailProviderSMTP":         app.UseUpdateSMTPConfig,
	adminService + "UpdateEmailProviderSMTPPassword": app.UseUpdateSMTPConfigPassword,
	adminService + "AddEmailProviderHTTP":            app.UseAddEmailProviderHTTP,
	adminService + "UpdateEmailProviderHTTP":         app.UseUpdateEmailProviderHTTP,
	adminService + "ActivateEmailProvider":           app.UseActivateSMTPConfig,
	adminService + "DeactivateEmailProvider":         app.UseDeactivateSMTPConfig,
	adminService + "RemoveEmailProvider":             app.UseRemoveSMTPConfig,
	adminService + "TestEmailProviderSMTPById":       app.UseTestSMTPConfig,
	adminService + "TestEmailProviderSMTP":           app.UseTestSMTPConfig,
	adminService + "ListSMSProviders":                app.UseListSMSProviders,
	adminService + "GetSMSProvider":                  app.UseGetSMSProvider,
	adminService + "AddSMSProviderTwilio":            app.UseAddSMSProviderTwilio,
	adminService + "UpdateSMSProviderTwilio":         app.UseUpdateSMSProviderTwilio,
	adminService + "UpdateSMSProviderTwilioToken":    app.UseUpdateSMSProviderTwilioToken,
	adminService + "AddSMSProviderHTTP":              app.UseAddSMSProviderHTTP,
	adminService + "UpdateSMSProviderHTTP":           app.UseUpdateSMSProviderHTTP,
	adminService + "ActivateSMSProvider":             app.UseActivateSMSProvider,
	adminService + "DeactivateSMSProvider":           app.UseDeactivateSMSProvider,
	adminService + "RemoveSMSProvider":               app.UseRemoveSMSProvider,
	mgmtService + "DeactivateProject":                app.UseDeactivateProject,
	mgmtService + "ReactivateProject":                app.UseReactivateProject,
	mgmtService + "AddProjectRole":                   app.UseAddProjectRole,
	mgmtService + "BulkAddProjectRoles":              app.UseBulkAddProjectRoles,
	mgmtService + "UpdateProjectRole":                app.UseUpdateProjectRole,
	mgmtService + "RemoveProjectRole":                app.UseRemoveProjectRole,
	mgmtService + "ListProjectRoles":                 app.UseListProjectRoles,

	mgmtService + "ListProjectMemberRoles": app.UseListProjectMemberRoles,
	mgmtService + "ListProjectMembers":     app.UseListProjectMembers,
	mgmtService + "AddProjectMember":       app.UseAddProjectMember,
	mgmtService + "UpdateProjectMember":    app.UseUpdateProjectMember,
	mgmtService + "RemoveProjectMember":    app.UseRemoveProjectMember,

	mgmtService + "AddProjectGrant":        app.UseAddProjectGrant,
	mgmtService + "UpdateProjectGrant":     app.UseUpdateProjectGrant,
	mgmtService + "DeactivateProjectGrant": app.UseDeactivateProjectGrant,
	mgmtService + "ReactivateProjectGrant": app.UseReactivateProjectGrant,
	mgmtService + "RemoveProjectGrant":     app.UseRemoveProjectGrant,
	mgmtService + "GetProjectGrantByID":    app.UseGetProjectGrant,
	mgmtService + "ListProjectGrants":      app.UseListProjectGrants,
	mgmtService + "ListAllProjectGrants":   app.UseListAllProjectGrants,

	mgmtService + "ListProjectChanges":      app.UseListProjectChanges,
	mgmtService + "ListProjectGrantChanges": app.UseListProjectGrantChanges,

	mgmtService + "ListGrantedProjects":     app.UseListGrantedProjects,
	mgmtService + "GetGrantedProjectByID":   app.UseGetGrantedProject,
	mgmtService + "ListGrantedProjectRoles": app.UseListGrantedProjectRoles,

	mgmtService + "ListProjectGrantMemberRoles": app.UseListProjectGrantMemberRoles,
	mgmtService + "ListProjectGrantMembers":     app.UseListProjectGrantMembers,
	mgmtService + "AddProjectGrantMember":       app.UseAddProjectGrantMember,
	mgmtService + "UpdateProjectGrantMember":    app.UseUpdateProjectGrantMember,
	mgmtService + "RemoveProjectGrantMember":    app.UseRemoveProjectGrantMember,
	mgmtService + "AddUserGrant":                app.UseAddUserGrant,
	mgmtService + "UpdateUserGrant":             app.UseUpdateUserGrant,
	mgmtService + "DeactivateUserGrant":         app.UseDeactivateUserGrant,
	mgmtService + "ReactivateUserGrant":         app.UseReactivateUserGrant,
	mgmtService + "RemoveUserGrant":             app.UseRemoveUserGrant,
	mgmtService + "BulkRemoveUserGrant":         app.UseBulkRemoveUserGrants,
	mgmtService + "GetUserGrantByID":            app.UseGetUserGrant,
	mgmtService + "ListUserGrants":              app.UseListUserGrants,

	userService + "AddHumanUser":    app.UseAddHuman,
	userService + "GetUserByID":     app.UseGetUser,
	userService + "ListUsers":       app.UseListUsers,
	userService + "LockUser":        app.UseLockUser,
	userService + "UpdateHumanUser": app.UseUpdateHumanUser,
	// CreateUser and UpdateUser reach AddHuman and UpdateHumanUser, or for a
	// machine AddMachine and UpdateMachine: the same rule (user.write in the
	// user's org), decided by the use case.
	userService + "CreateUser":     app.UseAddHuman,
	userService + "UpdateUser":     app.UseUpdateHumanUser,
	userService + "UnlockUser":     app.UseUnlockUser,
	userService + "DeactivateUser": app.UseDeactivateUser,
	userService + "ReactivateUser": app.UseReactivateUser,
	userService + "DeleteUser":     app.UseRemoveUser,
	// With the current password it is app.UseChangePassword (the user itself
	// may too), decided in the use case.
	userService + "SetPassword": app.UseSetPassword,
	// Codes (reset.go): redeeming one is the code's proof.
	userService + "PasswordReset":    app.UseRequestPasswordReset,
	userService + "CreateInviteCode": app.UseCreateInviteCode,
	userService + "ResendInviteCode": app.UseResendInviteCode,
	userService + "VerifyInviteCode": app.UseVerifyInviteCode,
	// Machine credentials: v1's use cases (api/machinecredsv2.go).
	userService + "AddSecret":                 app.UseGenerateMachineSecret,
	userService + "RemoveSecret":              app.UseRemoveMachineSecret,
	userService + "AddKey":                    app.UseAddMachineKey,
	userService + "RemoveKey":                 app.UseRemoveMachineKey,
	userService + "ListKeys":                  app.UseListMachineKeys,
	userService + "AddPersonalAccessToken":    app.UseAddPAT,
	userService + "RemovePersonalAccessToken": app.UseRemovePAT,
	userService + "ListPersonalAccessTokens":  app.UseListPATs,
	// E-mail and phone verification (api/verify.go).
	userService + "SetEmail":        app.UseSetEmail,
	userService + "SendEmailCode":   app.UseSendEmailCode,
	userService + "ResendEmailCode": app.UseResendEmailCode,
	userService + "VerifyEmail":     app.UseVerifyEmail,
	userService + "SetPhone":        app.UseSetPhone,
	userService + "ResendPhoneCode": app.UseResendPhoneCode,
	userService + "VerifyPhone":     app.UseVerifyPhone,
	userService + "RemovePhone":     app.UseRemovePhone,

	// v2beta relays these to v2 (userv2beta.go): the same use cases.
	userServiceV2beta + "AddHumanUser":    app.UseAddHuman,
	userServiceV2beta + "GetUserByID":     app.UseGetUser,
	userServiceV2beta + "ListUsers":       app.UseListUsers,
	userServiceV2beta + "LockUser":        app.UseLockUser,
	userServiceV2beta + "UpdateHumanUser": app.UseUpdateHumanUser,
	userServiceV2beta + "UnlockUser":      app.UseUnlockUser,
	userServiceV2beta + "DeactivateUser":  app.UseDeactivateUser,
	userServiceV2beta + "ReactivateUser":  app.UseReactivateUser,
	userServiceV2beta + "DeleteUser":      app.UseRemoveUser,
	userServiceV2beta + "SetPassword":     app.UseSetPassword,
	userServiceV2beta + "PasswordReset":   app.UseRequestPasswordReset,
	userServiceV2beta + "SetEmail":        app.UseSetEmail,
	userServiceV2beta + "ResendEmailCode": app.UseResendEmailCode,
	userServiceV2beta + "VerifyEmail":     app.UseVerifyEmail,
	userServiceV2beta + "SetPhone":        app.UseSetPhone,
	userServiceV2beta + "ResendPhoneCode": app.UseResendPhoneCode,
	userServiceV2beta + "VerifyPhone":     app.UseVerifyPhone,
	userServiceV2beta + "RemovePhone":     app.UseRemovePhone,

	// Authorization v2: v1's user grants; the org is the request's
	// (CreateAuthorization) or the grant's, never a header.
	authzService + "CreateAuthorization":     app.UseAddUserGrant,
	authzService + "UpdateAuthorization":     app.UseUpdateUserGrant,
	authzService + "ActivateAuthorization":   app.UseReactivateUserGrant,
	authzService + "DeactivateAuthorization": app.UseDeactivateUserGrant,
	authzService + "DeleteAuthorization":     app.UseRemoveUserGrant,
	authzService + "ListAuthorizations":      app.UseListUserGrants,

	// Project v2: v1's projects and roles; the org is the request's
	// (CreateProject) or the project's, never a header.
	projectService + "CreateProject":     app.UseAddProject,
	projectService + "UpdateProject":     app.UseUpdateProject,
	projectService + "DeleteProject":     app.UseRemoveProject,
	projectService + "GetProject":        app.UseGetProject,
	projectService + "ListProjects":      app.UseListProjects,
	projectService + "DeactivateProject": app.UseDeactivateProject,
	projectService + "ActivateProject":   app.UseReactivateProject,
	projectService + "AddProjectRole":    app.UseAddProjectRole,
	projectService + "UpdateProjectRole": app.UseUpdateProjectRole,
	projectService + "RemoveProjectRole": app.UseRemoveProjectRole,
	projectService + "ListProjectRoles":  app.UseListProjectRoles,
	// Project grants: v1's, named by project and granted org; the list is
	// ListAllProjectGrants in each org.
	projectService + "CreateProjectGrant":     app.UseAddProjectGrant,
	projectService + "UpdateProjectGrant":     app.UseUpdateProjectGrant,
	projectService + "DeactivateProjectGrant": app.UseDeactivateProjectGrant,
	projectService + "ActivateProjectGrant":   app.UseReactivateProjectGrant,
	projectService + "DeleteProjectGrant":     app.UseRemoveProjectGrant,
	projectService + "ListProjectGrants":      app.UseListAllProjectGrants,

	// The v2beta twins convert to v2 (authorizationv2beta.go,
	// projectv2beta.go): the same use cases.
	authzServiceV2beta + "CreateAuthorization":      app.UseAddUserGrant,
	authzServiceV2beta + "UpdateAuthorization":      app.UseUpdateUserGrant,
	authzServiceV2beta + "ActivateAuthorization":    app.UseReactivateUserGrant,
	authzServiceV2beta + "DeactivateAuthorization":  app.UseDeactivateUserGrant,
	authzServiceV2beta + "DeleteAuthorization":      app.UseRemoveUserGrant,
	authzServiceV2beta + "ListAuthorizations":       app.UseListUserGrants,
	projectServiceV2beta + "CreateProject":          app.UseAddProject,
	projectServiceV2beta + "UpdateProject":          app.UseUpdateProject,
	projectServiceV2beta + "DeleteProject":          app.UseRemoveProject,
	projectServiceV2beta + "GetProject":             app.UseGetProject,
	projectServiceV2beta + "ListProjects":           app.UseListProjects,
	projectServiceV2beta + "DeactivateProject":      app.UseDeactivateProject,
	projectServiceV2beta + "ActivateProject":        app.UseReactivateProject,
	projectServiceV2beta + "AddProjectRole":         app.UseAddProjectRole,
	projectServiceV2beta + "UpdateProjectRole":      app.UseUpdateProjectRole,
	projectServiceV2beta + "RemoveProjectRole":      app.UseRemoveProjectRole,
	projectServiceV2beta + "ListProjectRoles":       app.UseListProjectRoles,
	projectServiceV2beta + "CreateProjectGrant":     app.UseAddProjectGrant,
	projectServiceV2beta + "UpdateProjectGrant":     app.UseUpdateProjectGrant,
	projectServiceV2beta + "DeactivateProjectGrant": app.UseDeactivateProjectGrant,
	projectServiceV2beta + "ActivateProjectGrant":   app.UseReactivateProjectGrant,
	projectServiceV2beta + "DeleteProjectGrant":     app.UseRemoveProjectGrant,
	projectServiceV2beta + "ListProjectGrants":      app.UseListAllProjectGrants,

	// Org v2: v1's org lifecycle; the org is the request's, never a header.
	// AddOrganization is AddOrg's org.create in the instance; ListOrganizations
	// lists the orgs where the caller holds GetOrg's org.read.
	orgServiceV2 + "AddOrganization":                      app.UseAddOrg,
	orgServiceV2 + "UpdateOrganization":                   app.UseUpdateOrg,
	orgServiceV2 + "DeleteOrganization":                   app.UseRemoveOrg,
	orgServiceV2 + "DeactivateOrganization":               app.UseDeactivateOrg,
	orgServiceV2 + "ActivateOrganization":                 app.UseReactivateOrg,
	orgServiceV2 + "ListOrganizations":                    app.UseGetOrg,
	orgServiceV2 + "AddOrganizationDomain":                app.UseAddOrgDomain,
	orgServiceV2 + "ListOrganizationDomains":              app.UseListOrgDomains,
	orgServiceV2 + "DeleteOrganizationDomain":             app.UseRemoveOrgDomain,
	orgServiceV2 + "GenerateOrganizationDomainValidation": app.UseGenerateOrgDomainValidation,
	orgServiceV2 + "VerifyOrganizationDomain":             app.UseValidateOrgDomain,

	// Auth v1: the caller's own data; authentication is all ZITADEL asks.
	authService + "GetMyUser":                app.UseGetMyUser,
	authService + "ListMyMemberships":        app.UseListMyMemberships,
	authService + "ListMyZitadelPermissions": app.UseListMyZitadelPermissions,
	authService + "ListMyUserChanges":        app.UseListMyUserChanges,
	authService + "ListMyUserSessions":       app.UseListMyUserSessions,
	authService + "ListMyRefreshTokens":      app.UseListMyRefreshTokens,
	authService + "RevokeMyRefreshToken":     app.UseRevokeMyRefreshToken,
	authService + "RevokeAllMyRefreshTokens": app.UseRevokeAllMyRefreshTokens,
	authService + "ListMyProjectOrgs":        app.UseListMyProjectOrgs,
	authService + "ListMyUserGrants":         app.UseListMyUserGrants,
	authService + "ListMyProjectPermissions": app.UseListMyProjectPermissions,
	authService + "GetSupportedLanguages":    app.UseGetSupportedLanguages,

	// Metadata (api/metadata.go, api/orgv2metadata.go).
	mgmtService + "SetUserMetadata":             app.UseSetUserMetadata,
	mgmtService + "BulkSetUserMetadata":         app.UseSetUserMetadata,
	mgmtService + "RemoveUserMetadata":          app.UseRemoveUserMetadata,
	mgmtService + "BulkRemoveUserMetadata":      app.UseRemoveUserMetadata,
	mgmtService + "GetUserMetadata":             app.UseGetUserMetadata,
	mgmtService + "ListUserMetadata":            app.UseListUserMetadata,
	mgmtService + "SetOrgMetadata":              app.UseSetOrgMetadata,
	mgmtService + "BulkSetOrgMetadata":          app.UseSetOrgMetadata,
	mgmtService + "RemoveOrgMetadata":           app.UseRemoveOrgMetadata,
	mgmtService + "BulkRemoveOrgMetadata":       app.UseRemoveOrgMetadata,
	mgmtService + "GetOrgMetadata":              app.UseGetOrgMetadata,
	mgmtService + "ListOrgMetadata":             app.UseListOrgMetadata,
	authService + "ListMyMetadata":              app.UseListMyMetadata,
	authService + "GetMyMetadata":               app.UseGetMyMetadata,
	userService + "SetUserMetadata":             app.UseSetUserMetadata,
	userService + "DeleteUserMetadata":          app.UseRemoveUserMetadata,
	userService + "ListUserMetadata":            app.UseListUserMetadata,
	orgServiceV2 + "SetOrganizationMetadata":    app.UseSetOrgMetadata,
	orgServiceV2 + "DeleteOrganizationMetadata": app.UseRemoveOrgMetadata,
	orgServiceV2 + "ListOrganizationMetadata":   app.UseListOrgMetadata,
}

// MethodUse returns the use case a served method (its full gRPC name, e.g.
// "/zitadel.user.v2.UserService/LockUser") reaches.
func MethodUse(fullMethod string) (app.Use, bool) {
	u, ok := methodUses[fullMethod]
	return u, ok
}

// Methods lists the full names of the methods with a use case, and of the
// public ones, sorted.
func Methods() []string {
	out := make([]string, 0, len(methodUses)+len(publicMethods)+len(resourceUses))
	for m := range methodUses {
		out = append(out, m)
	}
	for m := range resourceUses {
		out = append(out, m)
	}
	for m := range publicMethods {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// IsPublic tells whether a method needs no token.
func IsPublic(fullMethod string) bool { return publicMethods[fullMethod] }

type scopeKey struct{}

// authorize puts the request's scope into ctx — v1's org context from
// x-zitadel-orgid, none for v2 — after app decided what the method's use case
// needs there.
func authorize(ctx context.Context, a *app.App, fullMethod string, c *app.Caller) (context.Context, error) {
	s := app.Scope{Caller: c}
	if hasOrgContext(fullMethod) {
		s = app.OrgScope(c, orgHeader(ctx))
	}
	if use, ok := methodUses[fullMethod]; ok {
		var err error
		if s, err = a.Authorize(ctx, s, use); err != nil {
			return ctx, err
		}
	}
	return context.WithValue(context.WithValue(ctx, callerKey{}, c), scopeKey{}, s), nil
}

// hasOrgContext tells whether a method has an org context (x-zitadel-orgid,
// else the caller's org): the v1 services do; v2 and v2beta take the org from
// the request or the object.
func hasOrgContext(fullMethod string) bool { return strings.Contains(fullMethod, ".v1.") }

// scope is the request's scope (see authorize).
func scope(ctx context.Context) app.Scope {
	s, _ := ctx.Value(scopeKey{}).(app.Scope)
	return s
}
