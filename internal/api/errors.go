// Package api serves ZITADEL's ManagementService (v1) and UserService (v2, and
// v2beta relayed to it) over gRPC by implementing the server interfaces
// generated in zitadel-go; transcoding to REST, gRPC-Web and Connect happens in
// the server package.
package api

import (
	"context"
	"errors"
	"log/slog"

	"github.com/warden-id/warden/internal/fail"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// toStatus is the one place a domain error becomes a gRPC status: code, the
// message with ZITADEL's id in parentheses, and a zitadel.v1.ErrorDetail.
func toStatus(ctx context.Context, log *slog.Logger, err error, v2 bool) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err // already a status (e.g. from grpc itself)
	}
	fe, ok := fail.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) {
			return status.Error(codes.Canceled, "request canceled")
		}
		fe = fail.Internal.Wrap(err)
	}
	if fe.Code == codes.Internal || fe.Code == codes.Unavailable {
		log.ErrorContext(ctx, "request failed", "code", fe.Code.String(), "err", err)
	}
	id := fe.IDFor(v2)
	st := status.New(fe.Code, fe.Message+" ("+id+")")
	if d, derr := st.WithDetails(&message.ErrorDetail{Id: id, Message: fe.Message}); derr == nil {
		st = d
	}
	return st.Err()
}

// The API layer's error catalogue: what the translation of a request refuses before
// any use case runs. ZITADEL has no such errors (it accepts, or fails elsewhere),
// so the ids are Warden's.
var (
	errExpiration     = fail.Invalid("WARDEN-EXPIRATION", "expiration date is not a valid timestamp")
	errXOAuth2        = fail.Invalid("WARDEN-XOAUTH2", "SMTP XOAUTH2 authentication is not supported by Warden; use plain (a password) or none")
	errV2Unsupported  = fail.Invalid("WARDEN-V2UNSUP", "verification codes, IDP links, metadata and TOTP are not supported by Warden yet")
	errOrgByDomain    = fail.Invalid("WARDEN-ORGDOMAIN", "organization by domain is not supported; give org_id")
	errProjectIDGiven = fail.Invalid("WARDEN-PROJECTIDGIVEN", "a project id of the caller's choice is not supported by Warden yet; leave project_id out")
	// errUpdatePassword: one write for all of UpdateHumanUser's parts is what
	// keeps it whole; its password part is not in that write yet.
	errUpdatePassword   = fail.Invalid("WARDEN-UPDPASSWORD", "UpdateHumanUser and UpdateUser do not set passwords in Warden yet; use SetPassword")
	errProjectAdmins    = fail.Invalid("WARDEN-PROJECTADMINS", "project admins are not supported by Warden; add org members instead")
	errAppUnsupported   = fail.Invalid("WARDEN-APPUNSUP", "back-channel logout and OIDC versions other than 1.0 are not supported by Warden")
	errClockSkewFormat  = fail.Invalid("WARDEN-SKEWFORMAT", "clock skew is not a valid duration")
	errTooManyQueries   = fail.Invalid("WARDEN-QUERIES", "too many queries")
	errMetadataQuery    = fail.Invalid("WARDEN-METAQ", "unsupported metadata query")
	errQueryUnsupported = fail.Invalid("WARDEN-QUERYUNSUP", "this search query is not supported by Warden")
	errOffset           = fail.Invalid("WARDEN-OFFSET", "offset too large")
	errQueryText        = fail.Invalid("WARDEN-QUERYTEXT", "query text too long")
	errQueryMethod      = fail.Invalid("WARDEN-QUERYMETHOD", "unknown text query method")
	errSortColumn       = fail.Invalid("WARDEN-SORT", "unknown sorting column")
	errTooManyIDs       = fail.Invalid("WARDEN-QUERYIDS", "too many user ids")
	errQueryOrgs        = fail.Invalid("WARDEN-QUERYORG", "conflicting organization queries")
	// CreateUser without a human or machine: ZITADEL answers Internal, and
	// UpdateUser without either Unimplemented; both are the caller's mistake
	// (and a served method never answers Unimplemented), so InvalidArgument.
	errCreateUserType = fail.Invalid("WARDEN-USERTYPE", "the user to create is neither human nor machine")
	errUpdateUserType = fail.Invalid("WARDEN-UPDUSERTYPE", "the update names neither a human nor a machine part")
	// ZITADEL's: an empty organization_id of CreateUser.
	errCreateUserOrg = fail.Invalid("COMMA-095xh8fll1", "organization_id is missing")
	// ZITADEL's: CreateUser's metadata both at the top and in its human part.
	errMetadataConflicting = fail.Invalid("USERv2-j0z7uy", "Errors.User.Metadata.Conflicting")
	// ZITADEL's: UpdateUser's empty phone (a removal) with a verification.
	errPhoneRemovalVerify = fail.Invalid("USERv2-4f3d6", "Errors.User.Phone.VerifyingRemovalIsNotSupported")
	// ZITADEL's own answer to a ListProjectGrants v2 filter it does not know
	// (or an empty one).
	errProjectGrantFilter = fail.Invalid("PROJECT-M099f", "List.Query.Invalid")
)

// Member searches (orgs.go) and the admin service (admin.go).
var (
	errMemberQuery   = fail.Invalid("WARDEN-MBRQ1", "Unsupported member search query")
	errOrgQueryAdmin = fail.Invalid("WARDEN-ORGQ2", "Unsupported organisation search query")
	errDomainQuery   = fail.Invalid("WARDEN-DOMQ", "Unsupported domain search query")
	// Warden sets up orgs with a human first user only (no machine variant).
	errSetUpOrgHuman = fail.Invalid("WARDEN-SETUP1", "SetUpOrg needs a human user")
	// ZITADEL's id for an AddOrganization admin that is neither a user id nor a human.
	errOrgAdminType = fail.New(codes.Unimplemented, "ORGv2-SD2r1", "admin user type not implemented")
)

var (
	// ZITADEL's ids for a search query without a known filter.
	errMembershipQuery = fail.Invalid("USER-dsg3z", "Errors.List.Query.Invalid")
	errOrgQuery        = fail.Invalid("ORG-vR9nC", "List.Query.Invalid")
	errOrgSort         = fail.Invalid("WARDEN-ORGSORT", "unknown sorting column")
	errOrgState        = fail.Invalid("WARDEN-ORGSTATE", "unknown organisation state")

	// Administrators (internal_permission v2, v2beta): ZITADEL's ids for a
	// request without a resource (per method) and for its filters.
	errAdminCreateResource = fail.Invalid("ADMIN-IbPp47HDP5", "Errors.Invalid.Argument")
	errAdminUpdateResource = fail.Invalid("ADMIN-i0V2IbdloZ", "Errors.Invalid.Argument")
	errAdminDeleteResource = fail.Invalid("ADMIN-3UOjLtuohh", "Errors.Invalid.Argument")
	errAdminQueryDepth     = fail.Invalid("PERM-zsQ97", "Errors.Query.TooManyNestingLevels")
	errAdminQuery          = fail.Invalid("PERM-vR9nC", "List.Query.Invalid")
	// An empty filter of ListKeys or ListPersonalAccessTokens (ZITADEL's).
	errListQuery = fail.Invalid("GRPC-vR9nC", "List.Query.Invalid")
	// A project grant filter without its project or granted org, which
	// ZITADEL would run as a filter on the empty id.
	errAdminGrantFilter = fail.Invalid("WARDEN-ADMGRANTQ", "a project grant filter needs the project id and the granted organization id")
	errTimestamp        = fail.Invalid("WARDEN-TIMESTAMP", "not a valid timestamp")
)
