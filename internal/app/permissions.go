package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

// Who may do what is decided here, once: every use case names itself (a Use)
// and its Rule below says which permission it needs and where. The transports
// (internal/api, internal/console) pick no permission; they name the use case
// and the org context the request asked for. The same table feeds the
// authorization-matrix test (internal/securitytest) and the permission table
// in docs/security.md.

// Use names a use case: one thing a caller asks Warden to do.
type Use string

// The use cases. Most are named after the ZITADEL method that reaches them.
const (
	UseGetUser         Use = "GetUser"
	UseListUsers       Use = "ListUsers"
	UseListUserChanges Use = "ListUserChanges"
	UseAddHuman        Use = "AddHuman"
	UseAddMachine      Use = "AddMachine"
	UseLockUser        Use = "LockUser"
	UseUnlockUser      Use = "UnlockUser"
	UseDeactivateUser  Use = "DeactivateUser"
	UseReactivateUser  Use = "ReactivateUser"
	UseRemoveUser      Use = "RemoveUser"
	UseSetPassword     Use = "SetPassword"
	UseChangePassword  Use = "ChangePassword"

	UseRequestPasswordReset Use = "RequestPasswordReset"
	UseSetPasswordWithCode  Use = "SetPasswordWithCode"
	UseCreateInviteCode     Use = "CreateInviteCode"
	UseResendInviteCode     Use = "ResendInviteCode"
	UseVerifyInviteCode     Use = "VerifyInviteCode"
	UseResendInitialization Use = "ResendInitialization"

	UseAddPAT                Use = "AddPAT"
	UseListPATs              Use = "ListPATs"
	UseRemovePAT             Use = "RemovePAT"
	UseGetPAT                Use = "GetPAT"
	UseGenerateMachineSecret Use = "GenerateMachineSecret"
	UseRemoveMachineSecret   Use = "RemoveMachineSecret"
	UseAddMachineKey         Use = "AddMachineKey"
	UseListMachineKeys       Use = "ListMachineKeys"
	UseGetMachineKey         Use = "GetMachineKey"
	UseRemoveMachineKey      Use = "RemoveMachineKey"

	UseGetOrg       Use = "GetOrg"
	UseAddOrg       Use = "AddOrg"
	UseListMembers  Use = "ListMembers"
	UseAddMember    Use = "AddMember"
	UseUpdateMember Use = "UpdateMember"
	UseRemoveMember Use = "RemoveMember"

	UseGetLockoutPolicy Use = "GetLockoutPolicy"

	// The instance's SMTP configurations (admin v1).
	UseAddSMTPConfig            Use = "AddSMTPConfig"
	UseUpdateSMTPConfig         Use = "UpdateSMTPConfig"
	UseUpdateSMTPConfigPassword Use = "UpdateSMTPConfigPassword"
	UseActivateSMTPConfig       Use = "ActivateSMTPConfig"
	UseDeactivateSMTPConfig     Use = "DeactivateSMTPConfig"
	UseRemoveSMTPConfig         Use = "RemoveSMTPConfig"
	UseGetSMTPConfig            Use = "GetSMTPConfig"
	UseListSMTPConfigs          Use = "ListSMTPConfigs"
	UseTestSMTPConfig           Use = "TestSMTPConfig"
	// The HTTP e-mail providers (admin v1 …EmailProviderHTTP); the SMTP
	// variants of the e-mail provider methods take the SMTP uses above.
	UseAddEmailProviderHTTP    Use = "AddEmailProviderHTTP"
	UseUpdateEmailProviderHTTP Use = "UpdateEmailProviderHTTP"

	// The instance's SMS providers (admin v1).
	UseListSMSProviders             Use = "ListSMSProviders"
	UseGetSMSProvider               Use = "GetSMSProvider"
	UseAddSMSProviderTwilio         Use = "AddSMSProviderTwilio"
	UseUpdateSMSProviderTwilio      Use = "UpdateSMSProviderTwilio"
	UseUpdateSMSProviderTwilioToken Use = "UpdateSMSProviderTwilioToken"
	UseAddSMSProviderHTTP           Use = "AddSMSProviderHTTP"
	UseUpdateSMSProviderHTTP        Use = "UpdateSMSProviderHTTP"
	UseActivateSMSProvider          Use = "ActivateSMSProvider"
	UseDeactivateSMSProvider        Use = "DeactivateSMSProvider"
	UseRemoveSMSProvider            Use = "RemoveSMSProvider"
	UseAddLockoutPolicy             Use = "AddLockoutPolicy"
	UseUpdateLockoutPolicy          Use = "UpdateLockoutPolicy"
	UseResetLockoutPolicy           Use = "ResetLockoutPolicy"

	UseGetComplexityPolicy            Use = "GetPasswordComplexityPolicy"
	UseGetDefaultComplexityPolicy     Use = "GetDefaultPasswordComplexityPolicy"
	UseAddComplexityPolicy            Use = "AddPasswordComplexityPolicy"
	UseUpdateComplexityPolicy         Use = "UpdatePasswordComplexityPolicy"
	UseResetComplexityPolicy          Use = "ResetPasswordComplexityPolicy"
	UseGetAgePolicy                   Use = "GetPasswordAgePolicy"
	UseGetDefaultAgePolicy            Use = "GetDefaultPasswordAgePolicy"
	UseAddAgePolicy                   Use = "AddPasswordAgePolicy"
	UseUpdateAgePolicy                Use = "UpdatePasswordAgePolicy"
	UseResetAgePolicy                 Use = "ResetPasswordAgePolicy"
	UseGetInstanceComplexityPolicy    Use = "GetInstancePasswordComplexityPolicy"
	UseUpdateInstanceComplexityPolicy Use = "UpdateInstancePasswordComplexityPolicy"
	UseGetInstanceAgePolicy           Use = "GetInstancePasswordAgePolicy"
	UseUpdateInstanceAgePolicy        Use = "UpdateInstancePasswordAgePolicy"
	UseGetInstanceLockoutPolicy       Use = "GetInstanceLockoutPolicy"
	UseUpdateInstanceLockoutPolicy    Use = "UpdateInstanceLockoutPolicy"
	UseGetDefaultLockoutPolicy        Use = "GetDefaultLockoutPolicy"
	UseGetMyComplexityPolicy          Use = "GetMyPasswordComplexityPolicy"
	UseUpdateMyPassword               Use = "UpdateMyPassword"

	UseAddProject      Use = "AddProject"
	UseGetProject      Use = "GetProject"
	UseListProjects    Use = "ListProjects"
	UseUpdateProject   Use = "UpdateProject"
	UseRemoveProject   Use = "RemoveProject"
	UseAddOIDCApp      Use = "AddOIDCApp"
	UseAddAPIApp       Use = "AddAPIApp"
	UseGetApp          Use = "GetApp"
	UseListApps        Use = "ListApps"
	UseRenameApp       Use = "RenameApp"
	UseUpdateOIDCApp   Use = "UpdateOIDCApp"
	UseUpdateAPIApp    Use = "UpdateAPIApp"
	UseRegenOIDCSecret Use = "RegenerateOIDCSecret"
	UseRegenAPISecret  Use = "RegenerateAPISecret"
	UseRemoveApp       Use = "RemoveApp"
	UseListOrgOIDCApps Use = "ListOrgOIDCApps"
	UseTrustApp        Use = "TrustApp"

	UseDeactivateProject    Use = "DeactivateProject"
	UseReactivateProject    Use = "ReactivateProject"
	UseAddProjectRole       Use = "AddProjectRole"
	UseBulkAddProjectRoles  Use = "BulkAddProjectRoles"
	UseUpdateProjectRole    Use = "UpdateProjectRole"
	UseRemoveProjectRole    Use = "RemoveProjectRole"
	UseListProjectRoles     Use = "ListProjectRoles"
	UseAddUserGrant         Use = "AddUserGrant"
	UseUpdateUserGrant      Use = "UpdateUserGrant"
	UseDeactivateUserGrant  Use = "DeactivateUserGrant"
	UseReactivateUserGrant  Use = "ReactivateUserGrant"
	UseRemoveUserGrant      Use = "RemoveUserGrant"
	UseBulkRemoveUserGrants Use = "BulkRemoveUserGrant"
	UseGetUserGrant         Use = "GetUserGrant"
	UseListUserGrants       Use = "ListUserGrants"

	UseListProjectMemberRoles Use = "ListProjectMemberRoles"
	UseListProjectMembers     Use = "ListProjectMembers"
	UseAddProjectMember       Use = "AddProjectMember"
	UseUpdateProjectMember    Use = "UpdateProjectMember"
	UseRemoveProjectMember    Use = "RemoveProjectMember"

	UseAddProjectGrant        Use = "AddProjectGrant"
	UseUpdateProjectGrant     Use = "UpdateProjectGrant"
	UseDeactivateProjectGrant Use = "DeactivateProjectGrant"
	UseReactivateProjectGrant Use = "ReactivateProjectGrant"
	UseRemoveProjectGrant     Use = "RemoveProjectGrant"
	UseGetProjectGrant        Use = "GetProjectGrant"
	UseListProjectGrants      Use = "ListProjectGrants"
	UseListAllProjectGrants   Use = "ListAllProjectGrants"

	UseListProjectChanges      Use = "ListProjectChanges"
	UseListProjectGrantChanges Use = "ListProjectGrantChanges"

	UseListGrantedProjects     Use = "ListGrantedProjects"
	UseGetGrantedProject       Use = "GetGrantedProject"
	UseListGrantedProjectRoles Use = "ListGrantedProjectRoles"

	UseListProjectGrantMemberRoles Use = "ListProjectGrantMemberRoles"
	UseListProjectGrantMembers     Use = "ListProjectGrantMembers"
	UseAddProjectGrantMember       Use = "AddProjectGrantMember"
	UseUpdateProjectGrantMember    Use = "UpdateProjectGrantMember"
	UseRemoveProjectGrantMember    Use = "RemoveProjectGrantMember"

	UseAddAppKey    Use = "AddAppKey"
	UseGetAppKey    Use = "GetAppKey"
	UseListAppKeys  Use = "ListAppKeys"
	UseRemoveAppKey Use = "RemoveAppKey"
	// The signed-in caller's own data (Auth API v1, app/me.go).
	UseGetMyUser                Use = "GetMyUser"
	UseListMyMemberships        Use = "ListMyMemberships"
	UseListMyZitadelPermissions Use = "ListMyZitadelPermissions"
	UseListMyUserChanges        Use = "ListMyUserChanges"
	UseListMyUserSessions       Use = "ListMyUserSessions"
	UseListMyRefreshTokens      Use = "ListMyRefreshTokens"
	UseRevokeMyRefreshToken     Use = "RevokeMyRefreshToken"
	UseRevokeAllMyRefreshTokens Use = "RevokeAllMyRefreshTokens"
	UseListMyProjectOrgs        Use = "ListMyProjectOrgs"
	UseListMyUserGrants         Use = "ListMyUserGrants"
	UseListMyProjectPermissions Use = "ListMyProjectPermissions"
	UseGetSupportedLanguages    Use = "GetSupportedLanguages"
)

// Changes of a user's own data (app/profile.go).
const (
	UseUpdateHumanProfile       Use = "UpdateHumanProfile"
	UseUpdateUserName           Use = "UpdateUserName"
	UseUpdateMachine            Use = "UpdateMachine"
	UseUpdateHumanEmail         Use = "UpdateHumanEmail"
	UseUpdateHumanPhone         Use = "UpdateHumanPhone"
	UseRemoveHumanPhone         Use = "RemoveHumanPhone"
	UseIsUserUnique             Use = "IsUserUnique"
	UseListUserMemberships      Use = "ListUserMemberships"
	UseUpdateHumanUser          Use = "UpdateHumanUser"
	UseGetUserByLoginNameGlobal Use = "GetUserByLoginNameGlobal"
	UseUpdateMyProfile          Use = "UpdateMyProfile"
	UseUpdateMyUserName         Use = "UpdateMyUserName"
	UseRemoveMyPhone            Use = "RemoveMyPhone"
	UseRemoveMyUser             Use = "RemoveMyUser"
)

// Verifying e-mail addresses and phone numbers with codes (app/verify.go).
const (
	UseSetEmail                     Use = "SetEmail"
	UseSendEmailCode                Use = "SendEmailCode"
	UseResendEmailCode              Use = "ResendEmailCode"
	UseVerifyEmail                  Use = "VerifyEmail"
	UseSetPhone                     Use = "SetPhone"
	UseResendPhoneCode              Use = "ResendPhoneCode"
	UseVerifyPhone                  Use = "VerifyPhone"
	UseRemovePhone                  Use = "RemovePhone"
	UseResendHumanEmailVerification Use = "ResendHumanEmailVerification"
	UseResendHumanPhoneVerification Use = "ResendHumanPhoneVerification"
	UseSetMyEmail                   Use = "SetMyEmail"
	UseVerifyMyEmail                Use = "VerifyMyEmail"
	UseResendMyEmailVerification    Use = "ResendMyEmailVerification"
	UseSetMyPhone                   Use = "SetMyPhone"
	UseVerifyMyPhone                Use = "VerifyMyPhone"
	UseResendMyPhoneVerification    Use = "ResendMyPhoneVerification"
)

// Metadata of users and orgs (app/metadata.go).
const (
	UseSetUserMetadata    Use = "SetUserMetadata"
	UseRemoveUserMetadata Use = "RemoveUserMetadata"
	UseListUserMetadata   Use = "ListUserMetadata"
	UseGetUserMetadata    Use = "GetUserMetadata"
	UseListMyMetadata     Use = "ListMyMetadata"
	UseGetMyMetadata      Use = "GetMyMetadata"
	UseSetOrgMetadata     Use = "SetOrgMetadata"
	UseRemoveOrgMetadata  Use = "RemoveOrgMetadata"
	UseListOrgMetadata    Use = "ListOrgMetadata"
	UseGetOrgMetadata     Use = "GetOrgMetadata"
)

// The org lifecycle and the instance's administration (Management v1's org
// methods, Admin v1), in a block of their own.
const (
	UseUpdateOrg          Use = "UpdateOrg"
	UseDeactivateOrg      Use = "DeactivateOrg"
	UseReactivateOrg      Use = "ReactivateOrg"
	UseRemoveOrg          Use = "RemoveOrg"
	UseListOrgChanges     Use = "ListOrgChanges"
	UseListOrgMemberRoles Use = "ListOrgMemberRoles"

	// Org domains (orgdomains.go).
	UseAddOrgDomain                Use = "AddOrgDomain"
	UseListOrgDomains              Use = "ListOrgDomains"
	UseRemoveOrgDomain             Use = "RemoveOrgDomain"
	UseSetPrimaryOrgDomain         Use = "SetPrimaryOrgDomain"
	UseGenerateOrgDomainValidation Use = "GenerateOrgDomainValidation"
	UseValidateOrgDomain           Use = "ValidateOrgDomain"
	UseGetOrgByDomainGlobal        Use = "GetOrgByDomainGlobal"

	UseAdminGetOrg        Use = "AdminGetOrg"
	UseAdminListOrgs      Use = "AdminListOrgs"
	UseIsOrgUnique        Use = "IsOrgUnique"
	UseAdminRemoveOrg     Use = "AdminRemoveOrg"
	UseSetUpOrg           Use = "SetUpOrg"
	UseGetDefaultOrg      Use = "GetDefaultOrg"
	UseSetDefaultOrg      Use = "SetDefaultOrg"
	UseListIAMMemberRoles Use = "ListIAMMemberRoles"
	UseListIAMMembers     Use = "ListIAMMembers"
	UseAddIAMMember       Use = "AddIAMMember"
	UseUpdateIAMMember    Use = "UpdateIAMMember"
	UseRemoveIAMMember    Use = "RemoveIAMMember"

	UseGetNotificationPolicy            Use = "GetNotificationPolicy"
	UseGetDefaultNotificationPolicy     Use = "GetDefaultNotificationPolicy"
	UseAddNotificationPolicy            Use = "AddNotificationPolicy"
	UseUpdateNotificationPolicy         Use = "UpdateNotificationPolicy"
	UseResetNotificationPolicy          Use = "ResetNotificationPolicy"
	UseGetInstanceNotificationPolicy    Use = "GetInstanceNotificationPolicy"
	UseUpdateInstanceNotificationPolicy Use = "UpdateInstanceNotificationPolicy"

	UseListSecretGenerators  Use = "ListSecretGenerators"
	UseGetSecretGenerator    Use = "GetSecretGenerator"
	UseUpdateSecretGenerator Use = "UpdateSecretGenerator"

	// Custom message texts (messagetext.go), one use case per kind of call
	// for all ten message types: an org's (management v1), the instance's
	// (admin v1).
	UseGetCustomMessageText     Use = "GetCustomMessageText"
	UseGetDefaultMessageText    Use = "GetDefaultMessageText"
	UseSetCustomMessageText     Use = "SetCustomMessageText"
	UseResetCustomMessageText   Use = "ResetCustomMessageText"
	UseGetInstanceMessageText   Use = "GetInstanceMessageText"
	UseGetBuiltinMessageText    Use = "GetBuiltinMessageText"
	UseSetInstanceMessageText   Use = "SetInstanceMessageText"
	UseResetInstanceMessageText Use = "ResetInstanceMessageText"
)

// Where says in which org a Rule's permission is checked.
type Where int

const (
	// InOrgOrUserOrg: a user use case. With an org context (v1: x-zitadel-orgid,
	// else the caller's org; the console's chosen org) the permission is checked
	// there before anything is loaded, and a user of another org is NotFound;
	// without one (v2) it is checked in the org of the user acted on.
	InOrgOrUserOrg Where = iota
	// InOrg: in the org context, before anything is loaded.
	InOrg
	// InProject: the org context admits callers who may read its projects or
	// create projects there (projectContext); the permission is then
	// checked on the project itself, where a creator still holding
	// project.create acts on the projects it created (ZITADEL makes the creator
	// their PROJECT_OWNER).
	InProject
	// InInstance: instance-wide (IAM roles only).
	InInstance
	// AsCaller: on the caller's own data only, so authentication is all it
	// needs (ZITADEL's "authenticated"); an org context, if asked for, must
	// exist.
	AsCaller
)

func (w Where) String() string {
	return [...]string{"the org context (v1), the user's org (v2)", "the org context", "the org context; a creator with project.create, or a project member: its own projects", "the instance", "the caller's own data"}[w]
}

// Rule is what a use case needs.
type Rule struct {
	Perm  string
	Where Where
	// Self: the user itself may do it too (proving its current password).
	Self bool
	// IAMOwner: besides Perm, only an IAM owner (it decides whom the instance trusts).
	IAMOwner bool
	// Via names how a use case without a ZITADEL method of its own is reached.
	Via string
}

// rules is the table: use case → what it needs.
var rules = map[Use]Rule{
	UseGetUser:         {Perm: org.PermUserRead},
	UseListUsers:       {Perm: org.PermUserRead},
	UseListUserChanges: {Perm: org.PermUserRead},
	UseAddHuman:        {Perm: org.PermUserWrite},
	UseAddMachine:      {Perm: org.PermUserWrite},
	UseLockUser:        {Perm: org.PermUserWrite},
	UseUnlockUser:      {Perm: org.PermUserWrite},
	UseDeactivateUser:  {Perm: org.PermUserWrite},
	UseReactivateUser:  {Perm: org.PermUserWrite},
	UseRemoveUser:      {Perm: org.PermUserDelete},
	UseSetPassword:     {Perm: org.PermUserWrite},
	UseChangePassword:  {Perm: org.PermUserWrite, Self: true, Via: "v2 SetPassword with the current password"},
	// Codes that lead to a password (reset.go). Redeeming one needs no
	// permission: the code is the proof (ZITADEL's "authenticated").
	UseRequestPasswordReset: {Perm: org.PermUserWrite, Self: true},
	UseSetPasswordWithCode:  {Where: AsCaller, Via: "v2 SetPassword with a verification code"},
	UseCreateInviteCode:     {Perm: org.PermUserWrite},
	UseResendInviteCode:     {Perm: org.PermUserWrite},
	UseVerifyInviteCode:     {Where: AsCaller},
	UseResendInitialization: {Perm: org.PermUserWrite},

	UseAddPAT:                {Perm: org.PermUserWrite},
	UseListPATs:              {Perm: org.PermUserRead},
	UseRemovePAT:             {Perm: org.PermUserWrite},
	UseGetPAT:                {Perm: org.PermUserRead},
	UseGenerateMachineSecret: {Perm: org.PermUserWrite},
	UseRemoveMachineSecret:   {Perm: org.PermUserWrite},
	UseAddMachineKey:         {Perm: org.PermUserWrite},
	UseListMachineKeys:       {Perm: org.PermUserRead},
	UseGetMachineKey:         {Perm: org.PermUserRead},
	UseRemoveMachineKey:      {Perm: org.PermUserWrite},

	UseGetOrg:       {Perm: org.PermOrgRead, Where: InOrg},
	UseAddOrg:       {Perm: org.PermOrgCreate, Where: InInstance},
	UseListMembers:  {Perm: org.PermMemberRead, Where: InOrg},
	UseAddMember:    {Perm: org.PermMemberWrite, Where: InOrg},
	UseUpdateMember: {Perm: org.PermMemberWrite, Where: InOrg},
	UseRemoveMember: {Perm: org.PermMemberWrite, Where: InOrg},

	// Reading the policy's numbers gives nothing away: org.read, where
	// ZITADEL asks policy.read.
	UseGetLockoutPolicy:    {Perm: org.PermOrgRead, Where: InOrg},
	UseAddLockoutPolicy:    {Perm: org.PermOrgWrite, Where: InOrg},
	UseUpdateLockoutPolicy: {Perm: org.PermOrgWrite, Where: InOrg},
	UseResetLockoutPolicy:  {Perm: org.PermOrgWrite, Where: InOrg},

	// The password policies, with ZITADEL's permissions: an org's own with
	// policy.* in the org, the instance defaults with iam.policy.*.
	UseGetComplexityPolicy:            {Perm: org.PermPolicyRead, Where: InOrg},
	UseGetDefaultComplexityPolicy:     {Perm: org.PermPolicyRead, Where: InOrg},
	UseAddComplexityPolicy:            {Perm: org.PermPolicyWrite, Where: InOrg},
	UseUpdateComplexityPolicy:         {Perm: org.PermPolicyWrite, Where: InOrg},
	UseResetComplexityPolicy:          {Perm: org.PermPolicyDelete, Where: InOrg},
	UseGetAgePolicy:                   {Perm: org.PermPolicyRead, Where: InOrg},
	UseGetDefaultAgePolicy:            {Perm: org.PermPolicyRead, Where: InOrg},
	UseAddAgePolicy:                   {Perm: org.PermPolicyWrite, Where: InOrg},
	UseUpdateAgePolicy:                {Perm: org.PermPolicyWrite, Where: InOrg},
	UseResetAgePolicy:                 {Perm: org.PermPolicyDelete, Where: InOrg},
	UseGetInstanceComplexityPolicy:    {Perm: org.PermInstancePolicyRead, Where: InInstance},
	UseUpdateInstanceComplexityPolicy: {Perm: org.PermInstancePolicyWrite, Where: InInstance},
	UseGetInstanceAgePolicy:           {Perm: org.PermInstancePolicyRead, Where: InInstance},
	UseUpdateInstanceAgePolicy:        {Perm: org.PermInstancePolicyWrite, Where: InInstance},
	UseGetInstanceLockoutPolicy:       {Perm: org.PermInstancePolicyRead, Where: InInstance},
	UseUpdateInstanceLockoutPolicy:    {Perm: org.PermInstancePolicyWrite, Where: InInstance},
	UseGetDefaultLockoutPolicy:        {Perm: org.PermPolicyRead, Where: InOrg},
	UseGetMyComplexityPolicy:          {Where: AsCaller},
	UseUpdateMyPassword:               {Where: AsCaller},

	UseAddProject:      {Perm: org.PermProjectCreate, Where: InProject},
	UseGetProject:      {Perm: org.PermProjectRead, Where: InProject},
	UseListProjects:    {Perm: org.PermProjectRead, Where: InProject},
	UseUpdateProject:   {Perm: org.PermProjectWrite, Where: InProject},
	UseRemoveProject:   {Perm: org.PermProjectWrite, Where: InProject},
	UseAddOIDCApp:      {Perm: org.PermProjectWrite, Where: InProject},
	UseAddAPIApp:       {Perm: org.PermProjectWrite, Where: InProject},
	UseGetApp:          {Perm: org.PermProjectRead, Where: InProject},
	UseListApps:        {Perm: org.PermProjectRead, Where: InProject},
	UseRenameApp:       {Perm: org.PermProjectWrite, Where: InProject},
	UseUpdateOIDCApp:   {Perm: org.PermProjectWrite, Where: InProject},
	UseUpdateAPIApp:    {Perm: org.PermProjectWrite, Where: InProject},
	UseRegenOIDCSecret: {Perm: org.PermProjectWrite, Where: InProject},
	UseRegenAPISecret:  {Perm: org.PermProjectWrite, Where: InProject},
	UseRemoveApp:       {Perm: org.PermProjectWrite, Where: InProject},
	UseListOrgOIDCApps: {Perm: org.PermProjectRead, Where: InProject, Via: "the console's Apps page"},
	UseTrustApp:        {Perm: org.PermProjectWrite, Where: InProject, IAMOwner: true, Via: "the console's Apps page"},

	UseAddAppKey:    {Perm: org.PermProjectWrite, Where: InProject},
	UseGetAppKey:    {Perm: org.PermProjectRead, Where: InProject},
	UseListAppKeys:  {Perm: org.PermProjectRead, Where: InProject},
	UseRemoveAppKey: {Perm: org.PermProjectWrite, Where: InProject},

	UseUpdateOrg:          {Perm: org.PermOrgWrite, Where: InOrg},
	UseDeactivateOrg:      {Perm: org.PermOrgWrite, Where: InOrg},
	UseReactivateOrg:      {Perm: org.PermOrgWrite, Where: InOrg},
	UseRemoveOrg:          {Perm: org.PermOrgDelete, Where: InOrg},
	UseListOrgChanges:     {Perm: org.PermOrgRead, Where: InOrg},
	UseListOrgMemberRoles: {Perm: org.PermMemberRead, Where: InOrg},

	UseAddOrgDomain:                {Perm: org.PermOrgWrite, Where: InOrg},
	UseListOrgDomains:              {Perm: org.PermOrgRead, Where: InOrg},
	UseRemoveOrgDomain:             {Perm: org.PermOrgWrite, Where: InOrg},
	UseSetPrimaryOrgDomain:         {Perm: org.PermOrgWrite, Where: InOrg},
	UseGenerateOrgDomainValidation: {Perm: org.PermOrgWrite, Where: InOrg},
	UseValidateOrgDomain:           {Perm: org.PermOrgWrite, Where: InOrg},
	// Any org, found by domain: held in the caller's org context (its own by
	// default), as ZITADEL checks org.global.read.
	UseGetOrgByDomainGlobal: {Perm: org.PermOrgGlobalRead, Where: InOrg},

	UseAdminGetOrg:    {Perm: org.PermInstanceRead, Where: InInstance},
	UseAdminListOrgs:  {Perm: org.PermInstanceRead, Where: InInstance},
	UseIsOrgUnique:    {Perm: org.PermInstanceRead, Where: InInstance},
	UseAdminRemoveOrg: {Perm: org.PermInstanceWrite, Where: InInstance},
	UseSetUpOrg:       {Perm: org.PermInstanceWrite, Where: InInstance},
	UseGetDefaultOrg:  {Perm: org.PermInstanceRead, Where: InInstance},
	UseSetDefaultOrg:  {Perm: org.PermInstanceWrite, Where: InInstance},

	UseAddSMTPConfig:            {Perm: org.PermInstanceWrite, Where: InInstance},
	UseUpdateSMTPConfig:         {Perm: org.PermInstanceWrite, Where: InInstance},
	UseUpdateSMTPConfigPassword: {Perm: org.PermInstanceWrite, Where: InInstance},
	UseActivateSMTPConfig:       {Perm: org.PermInstanceWrite, Where: InInstance},
	UseDeactivateSMTPConfig:     {Perm: org.PermInstanceWrite, Where: InInstance},
	UseRemoveSMTPConfig:         {Perm: org.PermInstanceWrite, Where: InInstance},
	UseGetSMTPConfig:            {Perm: org.PermInstanceRead, Where: InInstance},
	UseListSMTPConfigs:          {Perm: org.PermInstanceRead, Where: InInstance},
	UseTestSMTPConfig:           {Perm: org.PermInstanceWrite, Where: InInstance},
	UseAddEmailProviderHTTP:     {Perm: org.PermInstanceWrite, Where: InInstance},
	UseUpdateEmailProviderHTTP:  {Perm: org.PermInstanceWrite, Where: InInstance},

	UseListSMSProviders:             {Perm: org.PermInstanceRead, Where: InInstance},
	UseGetSMSProvider:               {Perm: org.PermInstanceRead, Where: InInstance},
	UseAddSMSProviderTwilio:         {Perm: org.PermInstanceWrite, Where: InInstance},
	UseUpdateSMSProviderTwilio:      {Perm: org.PermInstanceWrite, Where: InInstance},
	UseUpdateSMSProviderTwilioToken: {Perm: org.PermInstanceWrite, Where: InInstance},
	UseAddSMSProviderHTTP:           {Perm: org.PermInstanceWrite, Where: InInstance},
	UseUpdateSMSProviderHTTP:        {Perm: org.PermInstanceWrite, Where: InInstance},
	UseActivateSMSProvider:          {Perm: org.PermInstanceWrite, Where: InInstance},
	UseDeactivateSMSProvider:        {Perm: org.PermInstanceWrite, Where: InInstance},
	UseRemoveSMSProvider:            {Perm: org.PermInstanceWrite, Where: InInstance},
	UseListIAMMemberRoles:           {Perm: org.PermInstanceMemberRead, Where: InInstance},
	UseListIAMMembers:               {Perm: org.PermInstanceMemberRead, Where: InInstance},
	UseAddIAMMember:                 {Perm: org.PermInstanceMemberWrite, Where: InInstance},
	UseUpdateIAMMember:              {Perm: org.PermInstanceMemberWrite, Where: InInstance},
	UseRemoveIAMMember:              {Perm: org.PermInstanceMemberWrite, Where: InInstance},

	// A user's own data: a change of that user (changeUser: the escalation
	// rule holds), or the caller's own.
	UseUpdateHumanProfile:  {Perm: org.PermUserWrite},
	UseUpdateUserName:      {Perm: org.PermUserWrite},
	UseUpdateMachine:       {Perm: org.PermUserWrite},
	UseUpdateHumanEmail:    {Perm: org.PermUserWrite},
	UseUpdateHumanPhone:    {Perm: org.PermUserWrite},
	UseRemoveHumanPhone:    {Perm: org.PermUserWrite},
	UseIsUserUnique:        {Perm: org.PermUserRead, Where: InOrg},
	UseListUserMemberships: {Perm: org.PermUserMembershipRead},
	UseUpdateHumanUser:     {Perm: org.PermUserWrite},
	// Any org's user: held in the caller's org context (its own by default).
	UseGetUserByLoginNameGlobal: {Perm: org.PermUserGlobalRead, Where: InOrg},
	UseUpdateMyProfile:          {Where: AsCaller},
	UseUpdateMyUserName:         {Where: AsCaller},
	UseRemoveMyPhone:            {Where: AsCaller},
	// The signed-in user removes itself, with ZITADEL's user.self.delete in
	// the org context (ORG_USER_SELF_MANAGER's).
	UseRemoveMyUser: {Perm: org.PermUserSelfDelete, Where: InOrg},

	// v2's e-mail and phone methods: user.write in the user's org, or the
	// user itself (ZITADEL's checkPermissionUpdateUser); setting an address
	// verified outright needs user.write (decided in app/verify.go). ZITADEL
	// checks nothing more than the sign-in for VerifyEmail and VerifyPhone;
	// Warden asks the same as for sending the code, so no one can spend
	// another org's users' code attempts (and lock them) through the API.
	UseSetEmail:                     {Perm: org.PermUserWrite, Self: true},
	UseSendEmailCode:                {Perm: org.PermUserWrite, Self: true},
	UseResendEmailCode:              {Perm: org.PermUserWrite, Self: true},
	UseVerifyEmail:                  {Perm: org.PermUserWrite, Self: true},
	UseSetPhone:                     {Perm: org.PermUserWrite, Self: true},
	UseResendPhoneCode:              {Perm: org.PermUserWrite, Self: true},
	UseVerifyPhone:                  {Perm: org.PermUserWrite, Self: true},
	UseRemovePhone:                  {Perm: org.PermUserWrite, Self: true},
	UseResendHumanEmailVerification: {Perm: org.PermUserWrite},
	UseResendHumanPhoneVerification: {Perm: org.PermUserWrite},
	UseSetMyEmail:                   {Where: AsCaller},
	UseVerifyMyEmail:                {Where: AsCaller},
	UseResendMyEmailVerification:    {Where: AsCaller},
	UseSetMyPhone:                   {Where: AsCaller},
	UseVerifyMyPhone:                {Where: AsCaller},
	UseResendMyPhoneVerification:    {Where: AsCaller},
	// The notification policy: ZITADEL's policy.* in the org context, the
	// instance default with iam.policy.*.
	UseGetNotificationPolicy:            {Perm: org.PermPolicyRead, Where: InOrg},
	UseGetDefaultNotificationPolicy:     {Perm: org.PermPolicyRead, Where: InOrg},
	UseAddNotificationPolicy:            {Perm: org.PermPolicyWrite, Where: InOrg},
	UseUpdateNotificationPolicy:         {Perm: org.PermPolicyWrite, Where: InOrg},
	UseResetNotificationPolicy:          {Perm: org.PermPolicyDelete, Where: InOrg},
	UseGetInstanceNotificationPolicy:    {Perm: org.PermInstancePolicyRead, Where: InInstance},
	UseUpdateInstanceNotificationPolicy: {Perm: org.PermInstancePolicyWrite, Where: InInstance},

	// How codes look and how long they live is the instance's (ZITADEL:
	// iam.read, iam.write).
	UseListSecretGenerators:  {Perm: org.PermInstanceRead, Where: InInstance},
	UseGetSecretGenerator:    {Perm: org.PermInstanceRead, Where: InInstance},
	UseUpdateSecretGenerator: {Perm: org.PermInstanceWrite, Where: InInstance},

	// Message texts, with ZITADEL's permissions: an org's with policy.* in
	// the org context, the instance's with iam.policy.*.
	UseGetCustomMessageText:     {Perm: org.PermPolicyRead, Where: InOrg},
	UseGetDefaultMessageText:    {Perm: org.PermPolicyRead, Where: InOrg},
	UseSetCustomMessageText:     {Perm: org.PermPolicyWrite, Where: InOrg},
	UseResetCustomMessageText:   {Perm: org.PermPolicyDelete, Where: InOrg},
	UseGetInstanceMessageText:   {Perm: org.PermInstancePolicyRead, Where: InInstance},
	UseGetBuiltinMessageText:    {Perm: org.PermInstancePolicyRead, Where: InInstance},
	UseSetInstanceMessageText:   {Perm: org.PermInstancePolicyWrite, Where: InInstance},
	UseResetInstanceMessageText: {Perm: org.PermInstancePolicyDelete, Where: InInstance},

	// A user's metadata is a change of that user (changeUser: the escalation
	// rule holds); an org's, of that org.
	UseSetUserMetadata:    {Perm: org.PermUserWrite},
	UseRemoveUserMetadata: {Perm: org.PermUserWrite},
	UseListUserMetadata:   {Perm: org.PermUserRead},
	UseGetUserMetadata:    {Perm: org.PermUserRead},
	UseListMyMetadata:     {Where: AsCaller},
	UseGetMyMetadata:      {Where: AsCaller},
	UseSetOrgMetadata:     {Perm: org.PermOrgWrite, Where: InOrg},
	UseRemoveOrgMetadata:  {Perm: org.PermOrgWrite, Where: InOrg},
	UseListOrgMetadata:    {Perm: org.PermOrgRead, Where: InOrg},
	UseGetOrgMetadata:     {Perm: org.PermOrgRead, Where: InOrg},

	UseGetMyUser:                {Where: AsCaller},
	UseListMyMemberships:        {Where: AsCaller},
	UseListMyZitadelPermissions: {Where: AsCaller},
	UseListMyUserChanges:        {Where: AsCaller},
	UseListMyUserSessions:       {Where: AsCaller},
	UseListMyRefreshTokens:      {Where: AsCaller},
	UseRevokeMyRefreshToken:     {Where: AsCaller},
	UseRevokeAllMyRefreshTokens: {Where: AsCaller},
	UseListMyProjectOrgs:        {Where: AsCaller},
	UseListMyUserGrants:         {Where: AsCaller},
	UseListMyProjectPermissions: {Where: AsCaller},
	UseGetSupportedLanguages:    {Where: AsCaller},
	// Roles and grants are decided on their project, as the project use
	// cases are: a creator still holding project.create acts on the roles and
	// grants of its own projects (ZITADEL's PROJECT_OWNER has both).
	UseDeactivateProject:    {Perm: org.PermProjectWrite, Where: InProject},
	UseReactivateProject:    {Perm: org.PermProjectWrite, Where: InProject},
	UseAddProjectRole:       {Perm: org.PermProjectRoleWrite, Where: InProject},
	UseBulkAddProjectRoles:  {Perm: org.PermProjectRoleWrite, Where: InProject},
	UseUpdateProjectRole:    {Perm: org.PermProjectRoleWrite, Where: InProject},
	UseRemoveProjectRole:    {Perm: org.PermProjectRoleDelete, Where: InProject},
	UseListProjectRoles:     {Perm: org.PermProjectRoleRead, Where: InProject},
	UseAddUserGrant:         {Perm: org.PermUserGrantWrite, Where: InProject},
	UseUpdateUserGrant:      {Perm: org.PermUserGrantWrite, Where: InProject},
	UseDeactivateUserGrant:  {Perm: org.PermUserGrantWrite, Where: InProject},
	UseReactivateUserGrant:  {Perm: org.PermUserGrantWrite, Where: InProject},
	UseRemoveUserGrant:      {Perm: org.PermUserGrantDelete, Where: InProject},
	UseBulkRemoveUserGrants: {Perm: org.PermUserGrantDelete, Where: InProject},
	UseGetUserGrant:         {Perm: org.PermUserGrantRead, Where: InProject},
	UseListUserGrants:       {Perm: org.PermUserGrantRead, Where: InProject},
	// Project members likewise; a project member acts on its own project only
	// (Caller.Can on the project's scope).
	UseListProjectMemberRoles: {Perm: org.PermProjectMemberRead, Where: InProject},
	UseListProjectMembers:     {Perm: org.PermProjectMemberRead, Where: InProject},
	UseAddProjectMember:       {Perm: org.PermProjectMemberWrite, Where: InProject},
	UseUpdateProjectMember:    {Perm: org.PermProjectMemberWrite, Where: InProject},
	UseRemoveProjectMember:    {Perm: org.PermProjectMemberDelete, Where: InProject},
	// Project grants, decided on their project (the granting side).
	UseAddProjectGrant:        {Perm: org.PermProjectGrantWrite, Where: InProject},
	UseUpdateProjectGrant:     {Perm: org.PermProjectGrantWrite, Where: InProject},
	UseDeactivateProjectGrant: {Perm: org.PermProjectGrantWrite, Where: InProject},
	UseReactivateProjectGrant: {Perm: org.PermProjectGrantWrite, Where: InProject},
	UseRemoveProjectGrant:     {Perm: org.PermProjectGrantDelete, Where: InProject},
	UseGetProjectGrant:        {Perm: org.PermProjectGrantRead, Where: InProject},
	UseListProjectGrants:      {Perm: org.PermProjectGrantRead, Where: InProject},
	UseListAllProjectGrants:   {Perm: org.PermProjectGrantRead, Where: InProject},
	// Histories, from the org's event log.
	UseListProjectChanges:      {Perm: org.PermProjectRead, Where: InProject},
	UseListProjectGrantChanges: {Perm: org.PermProjectGrantRead, Where: InProject},
	// The granted side: in the org the project is granted to.
	UseListGrantedProjects:     {Perm: org.PermProjectRead, Where: InOrg},
	UseGetGrantedProject:       {Perm: org.PermProjectRead, Where: InOrg},
	UseListGrantedProjectRoles: {Perm: org.PermProjectRoleRead, Where: InOrg},
	// Project grant members, managed from the granting side.
	UseListProjectGrantMemberRoles: {Perm: org.PermProjectGrantMemberRead, Where: InProject},
	UseListProjectGrantMembers:     {Perm: org.PermProjectGrantMemberRead, Where: InProject},
	UseAddProjectGrantMember:       {Perm: org.PermProjectGrantMemberWrite, Where: InProject},
	UseUpdateProjectGrantMember:    {Perm: org.PermProjectGrantMemberWrite, Where: InProject},
	UseRemoveProjectGrantMember:    {Perm: org.PermProjectGrantMemberDelete, Where: InProject},
}

// RuleOf returns what use needs; ok is false for a use case with no rule.
func RuleOf(use Use) (Rule, bool) { r, ok := rules[use]; return r, ok }

// Uses lists every use case of the table, sorted.
func Uses() []Use {
	out := make([]Use, 0, len(rules))
	for u := range rules {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// Scope is who asks, and in which org context.
type Scope struct {
	Caller *Caller
	// OrgID is the org context the request asked for: v1's x-zitadel-orgid or
	// the caller's own org, the console's chosen org. Empty: none (v2, whose
	// permissions are checked in each user's own org).
	OrgID string

	orgContext bool // made by OrgScope: an org context even if OrgID is empty
	checked    checked
}

// checked records what Authorize already decided for this scope, so that the
// use case does not decide it again (and read the org again).
type checked struct {
	use    Use
	orgID  string
	caller *Caller
}

// OrgScope is the scope of a request with an org context: orgID as asked for
// (x-zitadel-orgid, the console's org), else the caller's own org.
func OrgScope(c *Caller, orgID string) Scope {
	if orgID == "" && c != nil {
		orgID = c.OrgID
	}
	return Scope{Caller: c, OrgID: orgID, orgContext: true}
}

func (s Scope) inOrgContext() bool { return s.orgContext || s.OrgID != "" }

// Authorize decides, before the request is read further, what use needs in
// the scope's org context (a missing permission is PermissionDenied, an
// unknown org NotFound), and returns the scope with the context resolved. What
// can only be decided on the object (v2's user's org, a project's creator) or
// after the input is checked (instance-wide use cases) is left to the use case,
// which calls the same check and finds this part done.
func (a *App) Authorize(ctx context.Context, s Scope, use Use) (Scope, error) {
	r, ok := rules[use]
	// Without an org context (v2) the org is the request's or the object's,
	// which only the use case knows.
	if !ok || r.Where == InInstance || (r.Where != AsCaller && !s.inOrgContext()) {
		return s, nil
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return s, err
	}
	g.Scope.checked = checked{use: use, orgID: g.OrgID, caller: g.Caller}
	return g.Scope, nil
}

// May tells whether the caller would pass what Authorize checks for use in the
// scope's org (its org context already resolved): the console shows only the
// actions that would.
func (s Scope) May(use Use) bool {
	r, ok := rules[use]
	switch {
	case !ok || s.Caller == nil:
		return false
	case r.IAMOwner && !s.Caller.IsIAMOwner():
		return false
	case r.Where == AsCaller:
		return true
	case r.Where == InInstance:
		return s.Caller.Can(r.Perm, org.InstanceScope)
	case r.Where == InProject:
		return s.Caller.projectContext(s.OrgID) || s.Caller.Can(r.Perm, s.OrgID)
	}
	return s.Caller.Can(r.Perm, s.OrgID)
}

// granted is a scope authorized for one use case: only authorize makes one,
// and the command helpers take nothing else.
type granted struct {
	Scope
	use  Use
	rule Rule
}

// perm is the permission the use case needs.
func (g granted) perm() string { return g.rule.Perm }

var errNoRule = errors.New("use case without a rule")

// authorize checks what use needs in s that can be checked before anything is
// loaded: the org context (for InOrg and InProject use cases also when the
// scope has none: the caller's own org), or the instance. A scope without an
// org context passes for user use cases: they check each user in its own org.
func (a *App) authorize(ctx context.Context, s Scope, use Use) (granted, error) {
	r, ok := rules[use]
	if !ok {
		return granted{}, fail.Internal.Wrap(fmt.Errorf("%w: %q", errNoRule, use))
	}
	g := granted{Scope: s, use: use, rule: r}
	switch {
	case r.Where == InInstance:
		if !s.Caller.Can(r.Perm, org.InstanceScope) {
			return g, fail.PermissionDenied
		}
	case r.Where == InOrgOrUserOrg && !s.inOrgContext():
	case s.checked == checked{use: use, orgID: s.OrgID, caller: s.Caller}:
	case r.Where == AsCaller:
		if s.Caller == nil {
			return g, fail.Unauthenticated
		}
		orgID, err := a.orgContext(ctx, s.Caller, s.OrgID, func(string) bool { return true })
		if err != nil {
			return g, err
		}
		g.OrgID = orgID
	default:
		may := func(orgID string) bool { return s.Caller.Can(r.Perm, orgID) }
		if r.Where == InProject {
			// Who holds the use case's own permission in the org (a user
			// manager granting roles) passes too.
			may = func(orgID string) bool { return s.Caller.projectContext(orgID) || s.Caller.Can(r.Perm, orgID) }
		}
		orgID, err := a.orgContext(ctx, s.Caller, s.OrgID, may)
		if err != nil {
			return g, err
		}
		g.OrgID = orgID
	}
	if r.IAMOwner && !s.Caller.IsIAMOwner() {
		return g, errNotIAMOwner
	}
	return g, nil
}

// projectContext is the project use cases' org-context rule: an org where the
// caller may read projects or create them (and then acts on those it created
// only, which the use cases decide on each project), or holds a role on one of
// its projects (and acts on that project only).
func (c *Caller) projectContext(orgID string) bool {
	return c.Can(org.PermProjectRead, orgID) || c.Can(org.PermProjectCreate, orgID) || c.inProjectOf(orgID)
}

// orgContext resolves an org context: orgID, else the caller's org. may is
// checked there before anything is loaded, so a caller without it learns
// nothing about that org; another org than the caller's must exist.
func (a *App) orgContext(ctx context.Context, c *Caller, orgID string, may func(orgID string) bool) (string, error) {
	if orgID == "" {
		orgID = c.OrgID
	}
	if err := checkID(orgID, errOrgIDMissing); err != nil {
		return "", err
	}
	if !may(orgID) {
		return "", fail.PermissionDenied
	}
	if orgID != c.OrgID {
		// Only instance roles reach other orgs; make sure the org is real.
		if _, err := a.store.Org(ctx, orgID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return "", fail.OrgNotFound
			}
			return "", storeErr(err)
		}
	}
	return orgID, nil
}
