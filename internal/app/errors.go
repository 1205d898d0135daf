package app

import (
	"fmt"

	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// The use cases' error catalogue. ZITADEL's id where ZITADEL refuses the same thing
// with the same code (checked against its command and query side); WARDEN- where
// ZITADEL has no such error or answers it differently.
var (
	// Request input, every use case.
	errCanceled        = fail.New(codes.Canceled, "WARDEN-CANCEL", "Request canceled")
	errDeadline        = fail.New(codes.DeadlineExceeded, "WARDEN-DEADLINE", "Deadline exceeded")
	errIDLength        = fail.Invalid("WARDEN-IDLEN", fmt.Sprintf("id longer than %d characters", MaxIDLen))
	errIDChars         = fail.Invalid("WARDEN-IDCHR", "id contains a NUL or is not valid UTF-8")
	errSearchTextChars = fail.Invalid("WARDEN-QCHR", "search text contains a NUL or is not valid UTF-8")
	// The four below carry the field's name in their message (Msgf).
	errRequired      = fail.Invalid("WARDEN-REQ", "a required field is missing")
	errTooLong       = fail.Invalid("WARDEN-LEN", "a field is too long")
	errNotUTF8       = fail.Invalid("WARDEN-UTF8", "a field is not valid UTF-8")
	errInvisibleChar = fail.Invalid("WARDEN-CHARS", "a field contains a control or invisible character")
	errUserIDMissing = fail.Invalid("WARDEN-USERID", "User id is missing")

	// A URL template Warden would not render (urltemplate.go), ZITADEL's ids.
	errURLTemplateParse = fail.New(codes.InvalidArgument, "DOMAIN-oGh5e", "Errors.User.InvalidURLTemplate")
	errURLTemplateField = fail.New(codes.InvalidArgument, "DOMAIN-ieYa7", "Errors.User.InvalidURLTemplate")
	errOrgIDMissing     = fail.Invalid("WARDEN-ORGID", "organisation id is missing")
	// The expiration of a PAT or machine key.
	errExpiryPast = fail.Invalid("WARDEN-EXPIRY", "Expiration date must be in the future")

	// SMTP configurations (ZITADEL's ids: command/smtp.go).
	errSMTPNotFound         = fail.New(codes.NotFound, "COMMAND-j5IDFtt3T1", "Errors.SMTPConfig.NotFound")
	errSMTPIDMissing        = fail.Invalid("COMMAND-2JPlSRzuHy", "Errors.IDMissing")
	errSMTPSenderMissing    = fail.Invalid("COMMAND-SAAFpV8VKV", "Errors.Invalid.Argument: sender address is required")
	errSMTPHostInvalid      = fail.Invalid("COMMAND-EvAtufIinh", "Errors.Invalid.Argument: host must be host:port")
	errSMTPAlreadyActive    = fail.New(codes.FailedPrecondition, "COMMAND-vUHBSmBzaw", "Errors.SMTPConfig.AlreadyActive")
	errSMTPAlreadyInactive  = fail.New(codes.FailedPrecondition, "COMMAND-km8g3", "Errors.SMTPConfig.AlreadyDeactivated")
	errSMTPTestEmailMissing = fail.Invalid("SMTP-p9uy", "Errors.SMTPConfig.TestEmailNotFound")
	errSMTPTestFailed       = fail.New(codes.FailedPrecondition, "WARDEN-SMTPTEST", "The test mail could not be sent")
	errSMTPSenderInvalid    = fail.Invalid("WARDEN-SMTPFROM", "sender or reply-to address is not an e-mail address")

	// SMS providers (ZITADEL's ids: command/sms_config.go, ActivateSMSConfig's
	// and DeactivateSMSConfig's).
	errSMSNotFound        = fail.New(codes.NotFound, "COMMAND-9ULtp9PH5E", "Errors.SMSConfig.NotFound")
	errSMSIDMissing       = fail.Invalid("COMMAND-jJ6TVqzvjp", "Errors.IDMissing")
	errSMSAlreadyActive   = fail.New(codes.FailedPrecondition, "COMMAND-B25GFeIvRi", "Errors.SMSConfig.AlreadyActive")
	errSMSAlreadyInactive = fail.New(codes.FailedPrecondition, "COMMAND-OSZAEkYvk7", "Errors.SMSConfig.AlreadyDeactivated")
	// errEndpointInvalid: an HTTP provider's endpoint (SMS or e-mail) that is
	// no absolute http(s) URL. ZITADEL checks only that it parses.
	errEndpointInvalid = fail.Invalid("WARDEN-ENDPOINT", "endpoint must be an absolute http or https URL")

	// Authorization.
	// errOutranked: the target user holds roles (permissions) the caller lacks; see
	// Caller.Covers. Without this, a user manager could mint a PAT for, set the
	// password of, or lock out an IAM owner.
	errOutranked   = fail.New(codes.PermissionDenied, "WARDEN-RANK1", "The user holds roles the caller does not hold")
	errNotIAMOwner = fail.New(codes.PermissionDenied, "WARDEN-TRUST1", "Only an IAM owner may trust an app with Warden's API")

	// Users.
	// errUserHandleTaken: a caller-chosen user id that is a machine user's name,
	// or a machine user name that is a user's id. Both name a machine user as an
	// OAuth2 client id, so each must name one user only.
	errUserHandleTaken = fail.New(codes.AlreadyExists, "WARDEN-UIDNAME", "A user id or machine user name with this value already exists")
	// errBadUserID: a caller-chosen user id outside the safe alphabet. Ids appear
	// in URL paths (the API's, the console's) and as client ids.
	errBadUserID       = fail.Invalid("WARDEN-UIDCHR", fmt.Sprintf("user id must be 1 to %d letters, digits, '_', '-' or '.', and not \".\" or \"..\"", MaxIDLen))
	errGenderInvalid   = fail.Invalid("WARDEN-GENDER", "Gender is invalid")
	errPhoneInvalid    = fail.Invalid("PHONE-so0wa", "Phone number is invalid")
	errUserNameMissing = fail.Invalid("COMMAND-2N9fs", "Errors.IDMissing")
	errEmailInvalid    = fail.Invalid("EMAIL-599BI", "Email is invalid")
	// A verification code left empty (v1: its phone id; v2: its one id).
	errCodeEmpty       = fail.New2(codes.InvalidArgument, "COMMAND-wMe9f", "COMMAND-Fia4a", "Errors.User.Code.Empty")
	errPasswordAndHash = fail.Invalid("WARDEN-PWBOTH", "give either a password or a hashed password")
	errHashedPassword  = fail.Invalid("WARDEN-HASH", "Hashed password is invalid")               // Msgf: the format's fault
	errPasswordLength  = fail.Invalid("WARDEN-PWLEN", "Password must be at most 256 characters") // the rest is the complexity policy's
	// The access token type of a machine user or an OIDC app.
	errAccessTokenType = fail.Invalid("WARDEN-TOKENTYPE", "unknown access token type")

	// Metadata of users and orgs (ZITADEL's ids; its empty-bulk id META-9mm2d
	// is one error here, for the user's bulk calls and the org's bulk set).
	errMetadataNoData           = fail.New(codes.FailedPrecondition, "META-9mm2d", "Errors.Metadata.NoData")
	errOrgMetadataNoData        = fail.New(codes.FailedPrecondition, "META-9mw2d", "Errors.Metadata.NoData")
	errUserMetadataInvalid      = fail.Invalid("META-2m00f", "Errors.Metadata.Invalid")
	errOrgMetadataInvalid       = fail.Invalid("META-2ml0f", "Errors.Metadata.Invalid")
	errUserMetadataKeyEmpty     = fail.Invalid("META-2n0fs", "Errors.Metadata.Invalid")
	errUserMetadataKeyEmptyBulk = fail.Invalid("COMMAND-m29ds", "Errors.Metadata.Invalid")
	errOrgMetadataKeyEmpty      = fail.Invalid("META-2n0f1", "Errors.Metadata.Invalid")
	errOrgMetadataKeyEmptyBulk  = fail.Invalid("COMMAND-m19ds", "Errors.Metadata.Invalid")
	errUserMetadataNotFound     = fail.New(codes.NotFound, "META-ncnw3", "Errors.Metadata.NotFound")
	errUserMetadataKeyMissing   = fail.New(codes.NotFound, "META-2nnds", "Errors.Metadata.KeyNotExisting")
	errOrgMetadataNotFound      = fail.New(codes.NotFound, "META-mcnw3", "Errors.Metadata.NotFound")
	errOrgMetadataKeyMissing    = fail.New(codes.NotFound, "META-2npds", "Errors.Metadata.KeyNotExisting")
	errUserMetadataGetNotFound  = fail.New(codes.NotFound, "QUERY-Rgh32", "Errors.Metadata.NotFound")
	errOrgMetadataGetNotFound   = fail.New(codes.NotFound, "QUERY-Rph32", "Errors.Metadata.NotFound")
	errMetadataTooMany          = fail.Invalid("WARDEN-METAMANY", fmt.Sprintf("a user or org holds at most %d metadata entries", MaxMetadataEntries))
	errMetadataKeyTwice         = fail.Invalid("WARDEN-METAKEY2", "a metadata key is named twice")
	// ZITADEL's COMMAND-uXHNj is a FailedPrecondition; Warden answers NotFound.
	errMetadataUserMissing = fail.New(codes.NotFound, "WARDEN-METAUSER", "User could not be found")

	// Machine users' secrets and keys. COMMAND-4m77G is ZITADEL's NotFound for a
	// machine key and for a PAT alike.
	errMachineUserMissing = fail.New(codes.NotFound, "WARDEN-MACHINENOTFOUND", "User could not be found")
	errSecretMissing      = fail.New(codes.FailedPrecondition, "COMMAND-coi82n", "Errors.User.Machine.Secret.NotExisting")
	errKeyIDMissing       = fail.Invalid("WARDEN-KEYID", "Key id is missing")
	errKeyNotFound        = fail.New(codes.NotFound, "COMMAND-4m77G", "Errors.User.Machine.Key.NotFound")
	errKeyType            = fail.Invalid("WARDEN-KEYTYPE", "key type must be KEY_TYPE_JSON")
	errPublicKey          = fail.Invalid("WARDEN-PUBKEY", "public key must be a PEM encoded RSA public key of at least 2048 bits")

	// Personal access tokens. ZITADEL's COMMAND-Dggw2 (user missing) is a
	// FailedPrecondition; Warden's NotFound is its own.
	errPATUserMissing = fail.New(codes.NotFound, "WARDEN-PATUSER", "User could not be found")
	errPATNotMachine  = fail.New(codes.FailedPrecondition, "WARDEN-PATMACHINE", "Personal access tokens are only for machine users")
	errPATNotFound    = fail.New(codes.NotFound, "COMMAND-4m77G", "Personal access token not found")
	errPATIDMissing   = fail.Invalid("WARDEN-TOKENID", "Token id is missing")
	// GetPersonalAccessTokenByIDs: ZITADEL's query answers this for a token
	// of no such user too.
	errPATGetNotFound = fail.New(codes.NotFound, "QUERY-fRunu", "Errors.PersonalAccessToken.NotFound")
	// v2's credential lists: each filter is a clause of the statement.
	errTooManyCredentialFilters = fail.Invalid("WARDEN-CREDFILTERS", "too many filters")

	// Organisations and their members (ZITADEL's AddOrgMember, ChangeOrgMember).
	// ZITADEL's unique-constraint error (its eventstore's), with the org
	// name constraint's message.
	errOrgNameTaken        = fail.New(codes.AlreadyExists, "V3-DKcYh", "Errors.Org.AlreadyExists")
	errMemberUserIDMissing = fail.Invalid("ORG-4Mlfs", "User id is missing")
	errRolesMissing        = fail.Invalid("V2-PfYhb", "Roles are missing")
	errUnknownRole         = fail.Invalid("Org-4N8es", "Unknown or instance-level role")
	errMemberExists        = fail.New(codes.AlreadyExists, "ORG-poWwe", "Member already exists")
	errMemberNotFound      = fail.New(codes.NotFound, "Org-D8JxR", "Member not found")
	// ZITADEL's ORG-GoXOn is a FailedPrecondition; Warden answers NotFound.
	errMemberUser = fail.New(codes.NotFound, "WARDEN-MEMBERUSER", "User could not be found")

	// The lockout policy.
	errPolicyExists  = fail.New(codes.AlreadyExists, "ORG-0olDf", "Lockout policy already exists")
	errPolicyMissing = fail.New(codes.NotFound, "ORG-ADfs1", "Lockout policy not found")
	// The instance's default lockout policy (admin v1).
	errInstanceLockoutNotChanged = fail.New(codes.FailedPrecondition, "INSTANCE-0psjF", "Lockout policy has not been changed")

	// The password complexity policy: an org's own, and the instance default.
	errComplexityExists             = fail.New(codes.AlreadyExists, "Org-LdhbS", "Password complexity policy already exists")
	errComplexityMissing            = fail.New(codes.NotFound, "ORG-Dgs3g", "Password complexity policy not found")
	errComplexityResetMissing       = fail.New(codes.NotFound, "ORG-ADgs2", "Password complexity policy not found")
	errComplexityNotChanged         = fail.New(codes.FailedPrecondition, "Org-DAs21", "Password complexity policy has not been changed")
	errInstanceComplexityNotChanged = fail.New(codes.FailedPrecondition, "INSTANCE-9jlsf", "Password complexity policy has not been changed")
	errInstanceComplexityMinLength  = fail.Invalid("INSTANCE-Lsp0e", "Minimum length must be 1 to 72")

	// The password age policy.
	errAgeExists             = fail.New(codes.AlreadyExists, "ORG-Lk0dS", "Password age policy already exists")
	errAgeMissing            = fail.New(codes.NotFound, "ORG-0oPew", "Password age policy not found")
	errAgeResetMissing       = fail.New(codes.NotFound, "ORG-Dgs1g", "Password age policy not found")
	errAgeNotChanged         = fail.New(codes.FailedPrecondition, "Org-dsgjR", "Password age policy has not been changed")
	errInstanceAgeNotChanged = fail.New(codes.FailedPrecondition, "INSTANCE-180sf", "Password age policy has not been changed")

	// The notification policy: an org's own (add, update, reset), the
	// instance's (update).
	errNotificationPolicyExists      = fail.New(codes.AlreadyExists, "Org-xa08n2", "Errors.Org.NotificationPolicy.AlreadyExists")
	errNotificationPolicyMissing     = fail.New(codes.NotFound, "ORG-x029n3", "Errors.Org.NotificationPolicy.NotFound")
	errNotificationPolicyResetNone   = fail.New(codes.NotFound, "ORG-x029n1s", "Errors.Org.NotificationPolicy.NotFound")
	errNotificationPolicyUnchanged   = fail.New(codes.FailedPrecondition, "Org-ioqnxz", "Errors.Org.NotificationPolicy.NotChanged")
	errInstanceNotificationUnchanged = fail.New(codes.FailedPrecondition, "INSTANCE-29x02n", "Errors.IAM.NotificationPolicy.NotChanged")

	// Custom message texts (ZITADEL's ids: domain/language.go,
	// command/*_custom_message_text.go). A text with template syntax beyond a
	// placeholder is Warden's own refusal (ZITADEL executes the template).
	errLanguageUndefined     = fail.Invalid("LANG-3M9f2", "Errors.Language.Undefined")
	errLanguageUnsupported   = fail.Invalid("LANG-lg4DP", "Errors.Language.NotSupported")
	errMessageTextTemplate   = fail.Invalid("WARDEN-MSGTEXT", "message text may hold only placeholders such as {{.UserName}}")
	errOrgMessageTextReset   = fail.Invalid("Org-j59f", "Errors.CustomMessageText.Invalid")
	errOrgMessageTextMissing = fail.New(codes.NotFound, "Org-3b8Jf", "Errors.CustomMessageText.NotFound")
	errInstanceTextReset     = fail.Invalid("INSTANCE-fjw9b", "Errors.CustomMessageText.Invalid")
	errInstanceTextMissing   = fail.New(codes.NotFound, "INSTANCE-fju90", "Errors.CustomMessageText.NotFound")

	// The secret generators.
	errGeneratorType = fail.Invalid("COMMAND-33k9f", "Errors.SecretGenerator.TypeMissing")
	// ZITADEL's id for a length below 1; Warden's message names the limit
	// (Msgf), and an empty alphabet or a negative expiry is refused the same way.
	errGeneratorConfig    = fail.Invalid("V2-jEqCt", "Errors.InvalidArgument")
	errGeneratorUnchanged = fail.New(codes.FailedPrecondition, "COMMAND-m0o3f", "Errors.NoChangesFound")

	// Projects and apps.
	errProjectIDMissing = fail.Invalid("WARDEN-PROJECTID", "Project id is missing")
	// ZITADEL's id when GetProjectByID finds nothing.
	errProjectNotFound  = fail.New(codes.NotFound, "QUERY-fk2fs", "Errors.Project.NotFound")
	errPrivateLabeling  = fail.Invalid("WARDEN-PRIVLABEL", "unknown private labeling setting")
	errAppIDMissing     = fail.Invalid("WARDEN-APPID", "App id is missing")
	errAppNotFound      = fail.New(codes.NotFound, "COMMAND-2n8uU", "Errors.Project.App.NotExisting")
	errAppNotOIDC       = fail.Invalid("COMMAND-GBr34", "Errors.Project.App.IsNotOIDC")
	errAppNotAPI        = fail.Invalid("COMMAND-Gnwt3", "Errors.Project.App.IsNotAPI")
	errAppNoSecret      = fail.New(codes.FailedPrecondition, "WARDEN-APPNOSECRET", "Errors.Project.App.AuthMethodNoSecret")
	errAppConfigInvalid = fail.Invalid("WARDEN-OIDCCONFIG", "Errors.Project.App.OIDCConfigInvalid")
	errNoChanges        = fail.New(codes.FailedPrecondition, "COMMAND-1m88i", "Errors.NoChangesFound")
	errRedirectMissing  = fail.Invalid("WARDEN-REDIRECTS", "at least one redirect URI is required for the authorization code and implicit flows")
	errRedirectCount    = fail.Invalid("WARDEN-REDIRECTN", "too many redirect URIs") // Msgf: the limit
	errRedirectURI      = fail.Invalid("WARDEN-REDIRECTURI", "invalid redirect URI") // Msgf: which and why
	errClockSkew        = fail.Invalid("WARDEN-CLOCKSKEW", "clock skew must be between 0s and 5s")
	errResponseType     = fail.Invalid("WARDEN-RESPTYPE", "unknown response type")
	errGrantType        = fail.Invalid("WARDEN-GRANTTYPE", "unknown grant type")
	errAppType          = fail.Invalid("WARDEN-APPTYPE", "unknown app type")
	errAuthMethod       = fail.Invalid("WARDEN-AUTHMETHOD", "unknown auth method")

	// The sign-in flow.
	// ErrAuthRequestNotFound: no such request, or it expired or was spent.
	ErrAuthRequestNotFound = fail.New(codes.NotFound, "WARDEN-AUTHREQ0", "The sign-in request is unknown or expired")
	// ErrFlowState: the request is not at a step where this is allowed (it was
	// completed, or is not yet authenticated).
	ErrFlowState = fail.New(codes.FailedPrecondition, "WARDEN-AUTHREQ1", "The sign-in request is not at this step")
	// ErrOtherBrowser: the request was started by another browser.
	ErrOtherBrowser = fail.New(codes.PermissionDenied, "WARDEN-AUTHREQ2", "The sign-in request was started in another browser")
	// ErrNoBrowserBinding: /authorize gave no binding cookie (a wiring fault).
	ErrNoBrowserBinding = fail.New(codes.Internal, "WARDEN-AUTHREQ3", "The sign-in request has no browser binding")
	// ErrPKCEPlain: a code challenge other than S256. plain (also the default of
	// an absent method) sends the verifier itself through the browser; RFC 9700
	// 2.1.1 asks for S256.
	ErrPKCEPlain = fail.Invalid("WARDEN-PKCE1", "code_challenge_method must be S256")
	// ErrOrgScope: the org scopes of a request name no organisation, or two.
	ErrOrgScope = fail.Invalid("WARDEN-ORGSCOPE", "The organization scopes do not name one existing organization")
	// ErrNotAllowedOrg: the user is not of the organisation the request is
	// restricted to (ZITADEL's id and key).
	ErrNotAllowedOrg = fail.New(codes.FailedPrecondition, "EVENT-fJe2a", "Errors.User.NotAllowedOrg")
	// ErrLoginNameAmbiguous: a plain user name names users in several orgs.
	ErrLoginNameAmbiguous = fail.New(codes.FailedPrecondition, "WARDEN-LOGINAMBIG", "Errors.User.LoginName.Ambiguous")
	// ErrSessionEnded: no such browser session, or it expired or was revoked.
	ErrSessionEnded = fail.New(codes.Unauthenticated, "WARDEN-SESSIONENDED", "Errors.Session.Ended")
	// ErrPasswordChangeExpired: the forced change was not started here or took too long.
	ErrPasswordChangeExpired = fail.New(codes.FailedPrecondition, "WARDEN-PWCHANGEEXP", "Errors.User.Password.ChangeExpired")
	// ErrPasswordBusy: every hash slot stayed taken for as long as the request
	// could wait. The API answers Unavailable (503); the login page asks the
	// person to try again.
	ErrPasswordBusy = fail.New(codes.Unavailable, "WARDEN-HASHBUSY", "Too many password checks at once; try again in a moment")

	// Tokens.
	// ErrCodeRedeemed: the code's auth request is gone — redeemed by another
	// token request (or it expired).
	ErrCodeRedeemed = fail.New(codes.FailedPrecondition, "WARDEN-CODE1", "The authorization code was already redeemed")
	// ErrRefreshUnknown: no such refresh token, or it expired or was revoked.
	ErrRefreshUnknown = fail.New(codes.NotFound, "WARDEN-REFRESH0", "The refresh token is unknown or expired")
	// ErrRefreshReplayed: a spent refresh token was presented again; it leaked,
	// and its whole family is revoked.
	ErrRefreshReplayed = fail.New(codes.FailedPrecondition, "WARDEN-REFRESH1", "The refresh token was already used: its family is revoked")
	// ErrTokenOtherClient: a client presented a token issued to another.
	ErrTokenOtherClient = fail.New(codes.PermissionDenied, "WARDEN-TOKCLI", "The token was not issued for this client")

	// ErrMasterKeyMismatch: the master key cannot open the check value, so it is
	// not the key the store's secrets are sealed with. Starting anyway would make
	// every sealed key unreadable, or worse, tempt code into making new ones.
	ErrMasterKeyMismatch = fail.New(codes.FailedPrecondition, "WARDEN-MKEY",
		"the master key does not match the one this database was set up with")

	// Application keys. COMMAND-4m77G is also ZITADEL's NotFound for an app key.
	errAppKeyIDsMissing   = fail.Invalid("COMMAND-55m9fs", "Errors.IDMissing")
	errAppKeyAppMissing   = fail.New(codes.FailedPrecondition, "COMMAND-sak25", "Errors.Application.NotFound")
	errAppKeysNotAllowed  = fail.New(codes.FailedPrecondition, "COMMAND-Dff54", "Errors.Project.App.AuthMethodNoPrivateKeyJWT")
	errAppKeyExpired      = fail.Invalid("DOMAIN-dv3t5", "Errors.AuthNKey.ExpireBeforeNow")
	errAppKeyNotFound     = fail.New(codes.NotFound, "COMMAND-4m77G", "Errors.Application.Key.NotFound")
	errAppKeyReadNotFound = fail.New(codes.NotFound, "QUERY-Dgr3g", "Errors.AuthNKey.NotFound")
)

// Organisations' lifecycle and the admin service (orgs_admin.go), and org v2
// (orgv2.go).
var (
	// ZITADEL's SetUpOrg with an org id already in use.
	errOrgIDTaken = fail.New(codes.FailedPrecondition, "COMMAND-poaj2", "Errors.Org.AlreadyExisting")
	errBadOrgID   = fail.Invalid("WARDEN-ORGID2", "organisation id may hold only letters, digits, '_', '-' and '.'")
	// ZITADEL's ORGv2-SD2r1 is Unimplemented for an unknown admin type.
	errAdminType = fail.Invalid("WARDEN-ORGADMIN", "an admin is either an existing user id or a new human")
	errOrgQuery  = fail.Invalid("WARDEN-ORGQ1", "Unsupported organisation search query")
	// The default org cannot be deactivated; nor may an inactive one become it.
	errDefaultOrgInactive = fail.New(codes.FailedPrecondition, "WARDEN-ORGDEF2", "Only an active organisation can be the default")
)

// Instance members (Admin v1's IAM members): memberships of the instance
// scope, written through the instance aggregate (changeInstance), whose
// sequence orders them. ZITADEL's ids (internal/command/instance_member.go).
var (
	errIAMMemberUserID  = fail.Invalid("INSTA-SDSfs", "Errors.Invalid.Argument")
	errIAMMemberRoles   = fail.Invalid("INSTANCE-4m0fS", "Errors.Instance.MemberInvalid")
	errIAMMemberUser    = fail.New(codes.FailedPrecondition, "INSTA-GSXOn", "Errors.User.NotFound")
	errIAMMemberExists  = fail.New(codes.AlreadyExists, "INSTA-pFDwe", "Errors.Instance.Member.AlreadyExists")
	errIAMMemberInvalid = fail.Invalid("INSTANCE-LiaZi", "Errors.Instance.MemberInvalid")
	errIAMMemberRole    = fail.Invalid("INSTANCE-3m9fs", "Errors.Instance.MemberInvalid")
	errIAMMemberMissing = fail.New(codes.NotFound, "INSTANCE-D8JxR", "Errors.NotFound")
	// errLastIAMOwner keeps an instance from losing its last owner by the
	// owner's own hand: nobody could then administer it through the API.
	errLastIAMOwner = fail.New(codes.FailedPrecondition, "WARDEN-IAMOWN1", "The last IAM owner cannot remove itself")
)

var (
	// ErrDeviceGrantMissing: the client may not use the device flow
	// (unauthorized_client).
	ErrDeviceGrantMissing = fail.New(codes.PermissionDenied, "WARDEN-DEVICE5", "The client may not use the device authorization grant")
	// ErrDeviceOtherClient: a device code presented by another client than
	// the one it was issued to.
	ErrDeviceOtherClient = fail.New(codes.PermissionDenied, "WARDEN-DEVICE6", "The device code was not issued for this client")
	// ErrUserCodeCollision: a freshly made user code equals a pending one;
	// the device asks again.
	ErrUserCodeCollision = fail.New(codes.Unavailable, "WARDEN-DEVICE7", "The user code is in use; try again")
)

var (
	// ZITADEL's ids (command/user_human_refresh_token.go).
	errRefreshIDMissing = fail.Invalid("COMMAND-GVDgf", "ID missing")
	// Another user's token is not found either: the answer says nothing
	// about whether it exists.
	errMyRefreshNotFound = fail.New(codes.NotFound, "COMMAND-BHt2w", "Refresh Token not found")
)

// Project roles, project states and user grants (roles.go, grants.go): ZITADEL's
// command ids; V3-DKcYh is its eventstore's answer to a unique constraint.
var (
	errRoleInvalid         = fail.Invalid("COMMAND-4m9vS", "Errors.Project.Role.Invalid")
	errRoleChangeInvalid   = fail.Invalid("COMMAND-2ilfW", "Errors.Project.Invalid")
	errRoleRemoveInvalid   = fail.Invalid("COMMAND-fl9eF", "Errors.Project.Role.Invalid")
	errRoleExists          = fail.New(codes.AlreadyExists, "V3-DKcYh", "Errors.Project.Role.AlreadyExists")
	errRoleChangeNotFound  = fail.New(codes.NotFound, "COMMAND-vv8M9", "Errors.Project.Role.NotExisting")
	errRoleRemoveNotFound  = fail.New(codes.NotFound, "COMMAND-m9vMf", "Errors.Project.Role.NotExisting")
	errRoleNoChanges       = fail.New(codes.FailedPrecondition, "COMMAND-5M0cs", "Errors.NoChangesFound")
	errProjectRolesMissing = fail.Invalid("WARDEN-ROLES0", "at least one role is required")
	errRolesTooMany        = fail.Invalid("WARDEN-ROLESN", fmt.Sprintf("at most %d roles at once", maxBulk))
	errDeactivateIDMiss    = fail.Invalid("COMMAND-88iF0", "Errors.Project.ProjectIDMissing")
	errReactivateIDMiss    = fail.Invalid("COMMAND-3ihsF", "Errors.Project.ProjectIDMissing")

	errGrantInvalid         = fail.Invalid("COMMAND-kVfMa", "Errors.UserGrant.Invalid")
	errGrantUpdateIDMissing = fail.Invalid("COMMAND-3M0sd", "Errors.UserGrant.Invalid")
	errGrantDeactIDMissing  = fail.Invalid("COMMAND-N2OhG", "Errors.UserGrant.IDMissing")
	errGrantReactIDMissing  = fail.Invalid("COMMAND-Qxy8v", "Errors.UserGrant.IDMissing")
	errGrantRemoveIDMissing = fail.Invalid("COMMAND-J9sc5", "Errors.UserGrant.IDMissing")
	errGrantBulkIDMissing   = fail.Invalid("COMMAND-5M0sd", "Errors.UserGrant.IDMissing")
	errGrantUserIDMissing   = fail.Invalid("WARDEN-GRUSER", "user id is missing")
	errGrantsTooMany        = fail.Invalid("WARDEN-GRANTN", fmt.Sprintf("at most %d grants at once", maxBulk))
	errGrantUserNotFound    = fail.New(codes.FailedPrecondition, "COMMAND-4f8sg", "Errors.User.NotFound")
	errGrantProjectNotFound = fail.New(codes.FailedPrecondition, "COMMAND-3n77S", "Errors.Project.NotFound")
	errGrantRoleNotFound    = fail.New(codes.FailedPrecondition, "COMMAND-mm9F4", "Errors.Project.Role.NotFound")
	errGrantExists          = fail.New(codes.AlreadyExists, "V3-DKcYh", "Errors.UserGrant.AlreadyExists")
	errGrantNotFound        = fail.New(codes.NotFound, "COMMAND-3M9sd", "Errors.UserGrant.NotFound")
	errGrantReactNotFound   = fail.New(codes.NotFound, "COMMAND-Lp0gs", "Errors.UserGrant.NotFound")
	errGrantRemoveNotFound  = fail.New(codes.NotFound, "COMMAND-1My0t", "Errors.UserGrant.NotFound")
	errGrantGetNotFound     = fail.New(codes.NotFound, "QUERY-wIPkA", "Errors.UserGrant.NotFound")
	errGrantNotChanged      = fail.New(codes.FailedPrecondition, "COMMAND-Rs8fy", "Errors.UserGrant.NotChanged")
)

// The project checks at sign-in and at every use of a token (access.go).
var (
	// ErrGrantRequired: the project checks roles and the user has no active
	// grant on it (ZITADEL's login answer).
	ErrGrantRequired = fail.New(codes.FailedPrecondition, "APP-asb43", "Errors.User.GrantRequired")
	// ErrProjectRequired: the project checks that the user's organisation has
	// it (owns it, or holds an active project grant of it).
	ErrProjectRequired = fail.New(codes.FailedPrecondition, "APP-m92d", "Errors.User.ProjectRequired")
	// ErrProjectInactive: the app's project is deactivated; ZITADEL treats its
	// apps as inactive clients.
	ErrProjectInactive = fail.New(codes.FailedPrecondition, "OIDC-sdaGg", "client is not active")

	// Project members (ZITADEL's AddProjectMember, ChangeProjectMember,
	// RemoveProjectMember; its change answers PROJECT-LiaZi for both a bad
	// input and no change, with different codes).
	errPMemberInvalid       = fail.Invalid("PROJECT-W8m4l", "Errors.Project.Member.Invalid")
	errPMemberRoles         = fail.Invalid("PROJECT-3m9ds", "Errors.Project.Member.Invalid")
	errPMemberExists        = fail.New(codes.AlreadyExists, "PROJECT-PtXi1", "Errors.Project.Member.AlreadyExists")
	errPMemberChangeInvalid = fail.Invalid("PROJECT-LiaZi", "Errors.Project.Member.Invalid")
	errPMemberChangeRoles   = fail.Invalid("PROJECT-3m9d", "Errors.Project.Member.Invalid")
	errPMemberNotChanged    = fail.New(codes.FailedPrecondition, "PROJECT-LiaZi", "Errors.Project.Member.RolesNotChanged")
	errPMemberRemoveInvalid = fail.Invalid("PROJECT-66mHd", "Errors.Project.Member.Invalid")
	errPMemberNotFound      = fail.New(codes.NotFound, "PROJECT-D8JxR", "Errors.NotFound")

	// Project grants (ZITADEL's AddProjectGrant, ChangeProjectGrant,
	// (De|Re)activateProjectGrant, RemoveProjectGrant, ProjectGrantByID).
	errPGrantInvalid         = fail.Invalid("PROJECT-3b8fs", "Errors.Project.Grant.Invalid")
	errPGrantProjectNotFound = fail.New(codes.FailedPrecondition, "COMMAND-m9gsd", "Errors.Project.NotFound")
	errPGrantOrgNotFound     = fail.New(codes.FailedPrecondition, "COMMAND-3m9gg", "Errors.Org.NotFound")
	errPGrantRoleNotFound    = fail.New(codes.FailedPrecondition, "COMMAND-6m9gd", "Errors.Project.Role.NotFound")
	errPGrantExists          = fail.New(codes.AlreadyExists, "V3-DKcYh", "Errors.Project.Grant.AlreadyExists")
	errPGrantOwnOrg          = fail.Invalid("WARDEN-PGRANTSELF", "a project cannot be granted to its own organisation")
	errPGrantUpdateIDMissing = fail.Invalid("PROJECT-1j83s", "Errors.IDMissing")
	errPGrantNotChanged      = fail.New(codes.FailedPrecondition, "PROJECT-0o0pL", "Errors.NoChangesFound")
	errPGrantNotFound        = fail.New(codes.NotFound, "PROJECT-D8JxR", "Errors.Project.Grant.NotFound")
	errPGrantStateIDMissing  = fail.Invalid("PROJECT-p0s4V", "Errors.IDMissing")
	errPGrantRemoveIDMissing = fail.Invalid("PROJECT-1m9fJ", "Errors.IDMissing")
	errPGrantGetNotFound     = fail.New(codes.NotFound, "QUERY-n98GGs", "Errors.ProjectGrant.NotFound")
	// An administrator (internal_permission v2) naming no resource; the API
	// answers ZITADEL's id per method before this is reached.
	errAdminResource = fail.Invalid("WARDEN-ADMRES", "the administrator's resource is missing")
	// Where ZITADEL's v2 (its newer grant commands) refuses otherwise than v1.
	errPGrantV2ProjectIDMissing = fail.Invalid("COMMAND-FYRnWEzBzV", "Errors.Project.Grant.Invalid")
	errPGrantV2OrgIDMissing     = fail.Invalid("COMMAND-PPhHpWGRAE", "Errors.Project.Grant.Invalid")
	errPGrantV2OwnOrg           = fail.New(codes.FailedPrecondition, "PROJECT-ckUpbvboAH", "Errors.Project.Grant.Invalid")
	errPGrantV2ProjectNotFound  = fail.New(codes.FailedPrecondition, "COMMAND-EbFMN", "Errors.Project.NotFound")
	// A user grant naming a project grant that is not the org context's for
	// that project (ZITADEL's AddUserGrant precondition).
	errGrantProjectGrantNotFound = fail.New(codes.FailedPrecondition, "COMMAND-4m9ff", "Errors.Project.Grant.NotFound")

	// Project grant members (ZITADEL's AddProjectGrantMember,
	// ChangeProjectGrantMember, RemoveProjectGrantMember).
	errPGMemberInvalid       = fail.Invalid("PROJECT-8fi7G", "Errors.Project.Grant.Member.Invalid")
	errPGMemberRoles         = fail.Invalid("PROJECT-m9gKK", "Errors.Project.Grant.Member.Invalid")
	errPGMemberExists        = fail.New(codes.AlreadyExists, "PROJECT-16dVN", "Errors.Project.Member.AlreadyExists")
	errPGMemberChangeInvalid = fail.Invalid("PROJECT-109fs", "Errors.Project.Member.Invalid")
	errPGMemberChangeRoles   = fail.Invalid("PROJECT-m0sDf", "Errors.Project.Member.Invalid")
	errPGMemberNotChanged    = fail.New(codes.FailedPrecondition, "PROJECT-2n8vx", "Errors.Project.Member.RolesNotChanged")
	errPGMemberNotFound      = fail.New(codes.NotFound, "PROJECT-37fug", "Errors.NotFound")
)

// Org domains (ZITADEL's command/org_domain.go; V3-DKcYh is its eventstore's
// answer to the unique constraint on a verified domain). The checks' own
// failures are Warden's: ZITADEL answers an unreachable host as Internal, which
// says "our fault" about what is the domain's.
var (
	errDomainInvalid             = fail.Invalid("ORG-r3h4J", "Errors.Invalid.Argument")
	errDomainExists              = fail.New(codes.AlreadyExists, "V2-e1wse", "Errors.Already.Exists")
	errDomainTaken               = fail.New(codes.AlreadyExists, "V3-DKcYh", "Errors.Org.Domain.AlreadyExists")
	errDomainRemoveInvalid       = fail.Invalid("ORG-SJsK3", "Errors.Org.InvalidDomain")
	errDomainPrimaryInvalid      = fail.Invalid("ORG-SsDG2", "Errors.Org.InvalidDomain")
	errDomainValidateInvalid     = fail.Invalid("ORG-R24hb", "Errors.Org.InvalidDomain")
	errDomainValidationType      = fail.Invalid("ORG-Gsw31", "Errors.Org.DomainVerificationTypeInvalid")
	errDomainNotOnOrg            = fail.New(codes.NotFound, "ORG-GDfA3", "Errors.Org.DomainNotOnOrg")
	errDomainGenerateNotOnOrg    = fail.New(codes.NotFound, "ORG-AGD31", "Errors.Org.DomainNotOnOrg")
	errDomainValidateNotOnOrg    = fail.New(codes.NotFound, "ORG-Sjdi3", "Errors.Org.DomainNotOnOrg")
	errDomainPrimaryNotDeletable = fail.New(codes.FailedPrecondition, "ORG-Sjdi3", "Errors.Org.PrimaryDomainNotDeletable")
	errDomainNotVerified         = fail.New(codes.FailedPrecondition, "ORG-Ggd32", "Errors.Org.DomainNotVerified")
	errDomainAlreadyVerified     = fail.New(codes.FailedPrecondition, "ORG-HGw21", "Errors.Org.DomainAlreadyVerified")
	errDomainValidationMissing   = fail.New(codes.FailedPrecondition, "ORG-SFBB3", "Errors.Org.DomainVerificationMissing")
	errDomainHTTPMismatch        = fail.Invalid("HTTP-GH422", "the challenge URL does not answer the validation token")
	errDomainDNSMismatch         = fail.Invalid("HTTP-G241f", "no TXT record of the challenge name holds the validation token")
	// A subdomain of the instance domain, which only orgs' generated domains are.
	errDomainUnderInstance = fail.Invalid("WARDEN-DOMINST", "a subdomain of the instance domain is an organisation's generated domain; it cannot be added")
	// A new token was generated while this one was being checked.
	errDomainValidationChanged = fail.New(codes.FailedPrecondition, "WARDEN-DOMTOKEN", "the domain's validation token changed during the check; validate again")
	errDomainHTTPUnreachable   = fail.New(codes.FailedPrecondition, "WARDEN-DOMHTTP", "the challenge URL could not be fetched")
	errDomainHTTPStatus        = fail.New(codes.FailedPrecondition, "WARDEN-DOMSTATUS", "the challenge URL did not answer 200")
	errDomainDNSUnreachable    = fail.New(codes.FailedPrecondition, "WARDEN-DOMDNS", "no DNS resolver answered for the challenge record")
)
