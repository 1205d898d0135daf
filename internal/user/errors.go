package user

import (
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// The user's error catalogue: ZITADEL's ids (v1 and v2) for the lifecycle, each
// operation with its own, as ZITADEL's command side has them.
var (
	errLockEmptyID       = fail.New2(codes.InvalidArgument, "COMMAND-2M0sd", "COMMAND-agz3eczifm", "User id is missing")
	errUnlockEmptyID     = fail.New2(codes.InvalidArgument, "COMMAND-M0dse", "COMMAND-a9ld4xckax", "User id is missing")
	errDeactivateEmptyID = fail.New2(codes.InvalidArgument, "COMMAND-m0gDf", "COMMAND-78iiirat8y", "User id is missing")
	errReactivateEmptyID = fail.New2(codes.InvalidArgument, "COMMAND-4M9ds", "COMMAND-0nx1ie38fw", "User id is missing")
	errRemoveEmptyID     = fail.New2(codes.InvalidArgument, "COMMAND-2M0ds", "COMMAND-vaipl7s13l", "User id is missing")

	errLockNotFound       = fail.New2(codes.NotFound, "COMMAND-5M9fs", "COMMAND-450yxuqrh1", notFoundText)
	errUnlockNotFound     = fail.New2(codes.NotFound, "COMMAND-M0dos", "COMMAND-x377t913pw", notFoundText)
	errDeactivateNotFound = fail.New2(codes.NotFound, "COMMAND-3M9ds", "COMMAND-5gp2p62iin", notFoundText)
	errReactivateNotFound = fail.New2(codes.NotFound, "COMMAND-4M0sd", "COMMAND-9hy5kzbuk6", notFoundText)
	errRemoveNotFound     = fail.New2(codes.NotFound, "COMMAND-m9od", "COMMAND-bd4ir1mblj", notFoundText)

	ErrNotActiveOrInitial = fail.New2(codes.FailedPrecondition, "COMMAND-3NN8v", "COMMAND-lgws8wtsqf", "User is not active or initial")
	ErrNotLocked          = fail.New2(codes.FailedPrecondition, "COMMAND-4M0ds", "COMMAND-olb9vb0oca", "User is not locked")
	ErrDeactivateInitial  = fail.New2(codes.FailedPrecondition, "COMMAND-ke0fw", "COMMAND-gvx4kct9r2", "Cannot deactivate user in initial state")
	ErrAlreadyInactive    = fail.New2(codes.FailedPrecondition, "COMMAND-5M0sf", "COMMAND-5gunjw0cd7", "User already inactive")
	ErrNotInactive        = fail.New2(codes.FailedPrecondition, "COMMAND-6M0sf", "COMMAND-s5qqcz97hf", "User is not inactive")

	// ErrGetNotFound is the query side's not-found (GetUserByID).
	ErrGetNotFound = fail.New2(codes.NotFound, "QUERY-Dfbg2", "QUERY-Dfbg2", notFoundText)
	// ErrUserNameTaken: ZITADEL's COMMAND-k2unb is a FailedPrecondition about an
	// existing user id, not this AlreadyExists.
	ErrUserNameTaken = fail.New(codes.AlreadyExists, "WARDEN-USERNAME", "Errors.User.AlreadyExists")

	// Errors of a password check (ZITADEL's ids where ZITADEL refuses the same way).
	ErrLocked        = fail.New(codes.FailedPrecondition, "COMMAND-JLK35", "Errors.User.Locked")
	ErrNotActive     = fail.New(codes.FailedPrecondition, "WARDEN-NOTACTIVE", "Errors.User.NotActive")
	ErrWrongPassword = fail.New(codes.InvalidArgument, "COMMAND-3M0fs", "Errors.User.Password.Invalid")
	ErrNoPassword    = fail.New(codes.FailedPrecondition, "COMMAND-3nJ4t", "Errors.User.Password.NotSet")
	ErrNotHuman      = fail.New(codes.FailedPrecondition, "WARDEN-NOTHUMAN", "Errors.User.NotHuman")
)

// Errors of changes of a user's own data (profile.go).
var (
	// ErrChangeNotFound: ZITADEL answers FailedPrecondition COMMAND-3M9sd for a
	// missing profile; Warden answers NotFound, as for every missing user.
	ErrChangeNotFound     = fail.New(codes.NotFound, "WARDEN-USERGONE", notFoundText)
	ErrFirstNameEmpty     = fail.New(codes.InvalidArgument, "PROFILE-RF5z2", "Errors.User.Profile.FirstNameEmpty")
	ErrLastNameEmpty      = fail.New(codes.InvalidArgument, "PROFILE-DSUkN", "Errors.User.Profile.LastNameEmpty")
	ErrProfileNotChanged  = fail.New(codes.FailedPrecondition, "COMMAND-2M0fs", "Errors.User.Profile.NotChanged")
	ErrUserNameNotChanged = fail.New(codes.FailedPrecondition, "COMMAND-6m9gs", "Errors.User.UsernameNotChanged")
	ErrEmailNotChanged    = fail.New(codes.FailedPrecondition, "COMMAND-2b7fM", "Errors.User.Email.NotChanged")
	ErrPhoneNotChanged    = fail.New(codes.FailedPrecondition, "COMMAND-wF94r", "Errors.User.Phone.NotChanged")
	ErrPhoneNotFound      = fail.New(codes.NotFound, "WARDEN-NOPHONE", "Errors.User.Phone.NotFound")
	ErrMachineNotChanged  = fail.New(codes.FailedPrecondition, "WARDEN-MACHUNCH", "Errors.User.NotChanged")
	ErrNotMachine         = fail.New(codes.FailedPrecondition, "WARDEN-NOTMACHINE", "Errors.User.NotMachine")
)

// Errors of one-time codes (code.go), ZITADEL's ids: each purpose has its own
// not-found, as ZITADEL's commands do.
var (
	ErrCodeInvalid = fail.New(codes.InvalidArgument, "CODE-woT0xc", "Errors.User.Code.Invalid")
	ErrCodeExpired = fail.New(codes.FailedPrecondition, "CODE-QvUQ4P", "Errors.User.Code.Expired")
	// Verification (verify.go). ZITADEL shares COMMAND-3M9ds (its v1 "already
	// verified") with another refusal Warden already names, so that one is Warden's.
	ErrEmailAlreadyVerified = fail.New(codes.FailedPrecondition, "WARDEN-EMAILVERIFIED", "Errors.User.Email.AlreadyVerified")
	ErrPhoneAlreadyVerified = fail.New(codes.FailedPrecondition, "COMMAND-2M9sf", "Errors.User.Phone.AlreadyVerified")
	ErrNoEmailCodeToResend  = fail.New(codes.FailedPrecondition, "EMAIL-5w5ilin4yt", "Errors.User.Code.Empty")
	ErrNoPhoneCodeToResend  = fail.New(codes.FailedPrecondition, "PHONE-5xrra88eq8", "Errors.User.Code.Empty")
	errCodePurpose          = fail.New(codes.Internal, "WARDEN-CODEPURPOSE", "Errors.Internal")
	codeNotFound            = map[CodePurpose]*fail.Error{
		CodeEmail:    fail.New(codes.NotFound, "COMMAND-3n8ud", "Errors.User.Code.NotFound"),
		CodePhone:    fail.New(codes.NotFound, "COMMAND-Rsj8c", "Errors.User.Code.NotFound"),
		CodePassword: fail.New(codes.FailedPrecondition, "COMMAND-2M9fs", "Errors.User.Code.NotFound"),
		CodeInit:     fail.New(codes.NotFound, "COMMAND-mmn5f", "Errors.User.Code.NotFound"),
		CodeInvite:   fail.New(codes.FailedPrecondition, "COMMAND-Wr3gq", "Errors.User.Code.NotFound"),
	}
	// ErrNotInitialised: a password reset for a user that has not set its
	// first password (v1 RequestSetPassword / v2 requestPasswordReset).
	ErrNotInitialised = fail.New2(codes.FailedPrecondition, "COMMAND-2M9sd", "COMMAND-Sfe4g", "Errors.User.NotInitialised")
	// ErrAlreadyInitialised: an initialization code for a user that is not
	// INITIAL. ZITADEL's ResendInitialMail shares COMMAND-2M9sd with the
	// reset's refusal above; one id names one error here.
	ErrAlreadyInitialised = fail.New(codes.FailedPrecondition, "WARDEN-INITDONE", "Errors.User.AlreadyInitialised")
	// ErrInviteAccepted: an invitation for a user that has a password
	// (CreateInviteCode's id; ResendInviteCode's COMMAND-Gg42s is the same refusal).
	ErrInviteAccepted = fail.New(codes.FailedPrecondition, "COMMAND-EF34g", "Errors.User.AlreadyInitialised")
)

const notFoundText = "User could not be found"

var (
	emptyIDs  = [...]*fail.Error{OpLock: errLockEmptyID, OpUnlock: errUnlockEmptyID, OpDeactivate: errDeactivateEmptyID, OpReactivate: errReactivateEmptyID, OpRemove: errRemoveEmptyID}
	notFounds = [...]*fail.Error{OpLock: errLockNotFound, OpUnlock: errUnlockNotFound, OpDeactivate: errDeactivateNotFound, OpReactivate: errReactivateNotFound, OpRemove: errRemoveNotFound}
)

// ErrEmptyID is the InvalidArgument for a missing user id.
func ErrEmptyID(op Op) *fail.Error { return emptyIDs[op] }

// ErrNotFound is the NotFound an operation answers for a missing or removed user.
func ErrNotFound(op Op) *fail.Error { return notFounds[op] }
