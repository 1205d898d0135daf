package app

import (
	"context"
	"errors"
	"strings"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// visible applies the scope to a loaded user: a user outside the org context
// is NotFound; without an org context (v2), a caller without the use case's
// permission in the user's org is PermissionDenied.
func (g granted) visible(u *user.User, notFound *fail.Error) error {
	if u == nil || u.State == user.StateDeleted {
		return notFound
	}
	if g.inOrgContext() {
		if u.OrgID != g.OrgID {
			return notFound
		}
		return nil
	}
	if !g.Caller.Can(g.perm(), u.OrgID) {
		return fail.PermissionDenied
	}
	return nil
}

// loadForChange loads a user inside a write for a change of its state,
// credentials or password: visible in the scope with the use case's
// permission, and not holding more than the caller may do (anyone may act on
// themselves).
func (a *App) loadForChange(ctx context.Context, tx store.Reader, g granted, userID string, notFound *fail.Error) (*user.User, error) {
	u, err := tx.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if err := g.visible(u, notFound); err != nil {
		return nil, err
	}
	if c := g.Caller; c != nil && c.UserID != u.ID && !c.IsIAMOwner() {
		ms, err := tx.MembershipsOf(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if !c.Covers(ms) {
			return nil, errOutranked
		}
	}
	return u, nil
}

// StateChangeUse is the use case of a lifecycle operation.
func StateChangeUse(op user.Op) Use {
	switch op {
	case user.OpLock:
		return UseLockUser
	case user.OpUnlock:
		return UseUnlockUser
	case user.OpDeactivate:
		return UseDeactivateUser
	case user.OpReactivate:
		return UseReactivateUser
	case user.OpRemove:
		return UseRemoveUser
	}
	return "" // no rule: authorize refuses it
}

// ChangeState runs a lifecycle operation (lock, unlock, deactivate, reactivate,
// remove) and returns the user as committed.
func (a *App) ChangeState(ctx context.Context, s Scope, userID string, op user.Op) (*user.User, error) {
	g, err := a.authorize(ctx, s, StateChangeUse(op))
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, user.ErrEmptyID(op)); err != nil {
		return nil, err
	}
	decide := func(_ context.Context, _ store.Tx, u *user.User) ([]event.Event, error) {
		ev, err := user.Apply(u, op, actor(g.Caller))
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, nil
	}
	if op == user.OpRemove {
		decide = removal(actor(g.Caller))
	}
	out, err := a.changeUser(ctx, g, userID, user.ErrNotFound(op), decide)
	if err != nil {
		return nil, err
	}
	if op == user.OpLock {
		a.obs.UserLocked(LockCauseAdmin)
	}
	if op == user.OpLock || op == user.OpDeactivate || op == user.OpRemove {
		a.log.InfoContext(ctx, "user credentials revoked", "op", op.String(), "user", userID, "by", s.Caller.UserID, "sequence", out.Sequence)
	}
	return out, nil
}

// removal decides a user's removal (RemoveUser, DeleteUser, RemoveMyUser):
// user.removed, and in the same write its memberships, what administrators
// issued to it, its grants and its metadata.
func removal(by user.Actor) userDecision {
	return func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		ev, err := user.Apply(u, user.OpRemove, by)
		if err != nil {
			return nil, err
		}
		if err := deleteUserCredentials(ctx, tx, u.ID); err != nil {
			return nil, err
		}
		more, err := removeUserMetadata(ctx, tx, u, by)
		if err != nil {
			return nil, err
		}
		return append([]event.Event{ev}, more...), nil
	}
}

// RemoveMyUser: the signed-in user removes itself (Auth v1 RemoveMyUser) if
// it holds user.self.delete in the org context, as ZITADEL asks, the way an
// administrator's removal does; the removal ends every credential it had at
// once (state and epoch), the token of this call included.
func (a *App) RemoveMyUser(ctx context.Context, s Scope) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseRemoveMyUser)
	if err != nil {
		return nil, err
	}
	out, err := a.writeUser(ctx, func(ctx context.Context, tx store.Reader) (*user.User, error) {
		u, err := tx.User(ctx, g.Caller.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fail.Unauthenticated
		}
		return u, err
	}, removal(actor(g.Caller)))
	if err != nil {
		return nil, err
	}
	a.log.InfoContext(ctx, "user credentials revoked", "op", user.OpRemove.String(), "user", out.ID, "by", out.ID, "sequence", out.Sequence)
	return out, nil
}

// visibleUser loads a user the grant lets the caller see; a missing, removed
// or invisible user is notFound alike, so ids of other orgs give nothing away.
func (a *App) visibleUser(ctx context.Context, g granted, userID string, notFound *fail.Error) (*user.User, error) {
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, storeErr(err)
	}
	if err := g.visible(u, notFound); err != nil {
		return nil, err
	}
	return u, nil
}

// GetUser returns a user visible in the scope.
func (a *App) GetUser(ctx context.Context, s Scope, userID string) (*user.User, *org.Org, error) {
	g, err := a.authorize(ctx, s, UseGetUser)
	if err != nil {
		return nil, nil, err
	}
	u, err := a.visibleUser(ctx, g, userID, user.ErrGetNotFound)
	if err != nil {
		return nil, nil, err
	}
	o, err := a.store.Org(ctx, u.OrgID)
	if err != nil {
		return nil, nil, storeErr(err)
	}
	return u, o, nil
}

// ListUsers lists users of the scope's org (v1) or of every org where the caller
// may read users (v2: instance readers see all; others are limited to their org).
func (a *App) ListUsers(ctx context.Context, s Scope, q store.UserQuery) (*store.UserPage, map[string]*org.Org, error) {
	g, err := a.authorize(ctx, s, UseListUsers)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range append(append([]store.TextMatch{}, q.UserNames...), q.Emails...) {
		if !pgText(m.Value) {
			return nil, nil, errSearchTextChars
		}
	}
	for _, id := range q.IDs {
		if !pgText(id) {
			return nil, nil, errIDChars
		}
	}
	switch c, perm := g.Caller, g.perm(); {
	case g.inOrgContext():
		q.OrgID = g.OrgID
	case c.Can(perm, org.InstanceScope):
		// every org, or the one asked for
	case q.OrgID == "" && c.Can(perm, c.OrgID):
		q.OrgID = c.OrgID
	case q.OrgID != "" && c.Can(perm, q.OrgID):
	default:
		return nil, nil, fail.PermissionDenied
	}
	page, err := a.store.ListUsers(ctx, q)
	if err != nil {
		return nil, nil, storeErr(err)
	}
	orgs := map[string]*org.Org{}
	for _, u := range page.Users {
		if _, ok := orgs[u.OrgID]; ok {
			continue
		}
		o, err := a.store.Org(ctx, u.OrgID)
		if err != nil {
			return nil, nil, storeErr(err)
		}
		orgs[u.OrgID] = o
	}
	return page, orgs, nil
}

// UserChanges returns a user's history (ListUserChanges). The user may be removed;
// its history stays readable to those who may read the org's users.
func (a *App) UserChanges(ctx context.Context, s Scope, userID string, q store.EventQuery) ([]event.Event, error) {
	g, err := a.authorize(ctx, s, UseListUserChanges)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, user.ErrGetNotFound
	}
	if err != nil {
		return nil, storeErr(err)
	}
	switch {
	case g.inOrgContext() && u.OrgID != g.OrgID:
		return nil, user.ErrGetNotFound
	case !g.inOrgContext() && !g.Caller.Can(g.perm(), u.OrgID):
		return nil, fail.PermissionDenied
	}
	q.AggregateType, q.AggregateID = event.AggregateUser, userID
	evs, err := a.store.Events(ctx, q)
	return evs, storeErr(err)
}

// NewHuman is the input of AddHuman.
type NewHuman struct {
	OrgID          string // empty: the scope's org
	UserID         string // optional caller-chosen id (v2)
	UserName       string // empty: the e-mail address
	Profile        user.Human
	Password       string
	HashedPassword string
	ChangeRequired bool
	// RequireNames: v1 AddHumanUser insists on first and last name.
	RequireNames bool
	// Metadata set with the user (v2 AddHumanUser), in its creation's write.
	Metadata []MetadataEntry
	// SendInitCode: a user made without a password (INITIAL) is sent an
	// initialization code (v1 AddHumanUser and ImportHumanUser, as ZITADEL's).
	SendInitCode bool
	// EmailCode, PhoneCode: a verification code for the unverified address
	// or number, delivered as they say (nil: none; v2 sends one by default,
	// v1 for the phone).
	EmailCode, PhoneCode *ContactCode
}

// AddHuman creates a human user (AddHumanCodes, without its codes).
func (a *App) AddHuman(ctx context.Context, s Scope, in NewHuman) (*user.User, error) {
	u, _, err := a.AddHumanCodes(ctx, s, in)
	return u, err
}

// AddHumanCodes creates a human user and, as in.EmailCode and in.PhoneCode
// ask, verification codes for its unverified address and number, sent in the
// creation's write or answered (return_code).
func (a *App) AddHumanCodes(ctx context.Context, s Scope, in NewHuman) (*user.User, IssuedCodes, error) {
	g, err := a.authorize(ctx, s, UseAddHuman)
	if err != nil {
		return nil, IssuedCodes{}, err
	}
	if err := checkMetadataEntries(in.Metadata, errUserMetadataInvalid); err != nil {
		return nil, IssuedCodes{}, err
	}
	for _, c := range []*ContactCode{in.EmailCode, in.PhoneCode} {
		if c != nil {
			if err := c.check(); err != nil {
				return nil, IssuedCodes{}, err
			}
		}
	}
	u, ev, err := a.newHuman(ctx, g, in, func() (string, error) { return a.targetOrg(ctx, g, in.OrgID) })
	if err != nil {
		return nil, IssuedCodes{}, err
	}
	by := user.Actor{UserID: ev.CreatorID, At: ev.CreatedAt}
	evs := []event.Event{ev}
	var sends []func(context.Context, store.Tx) error
	var codes IssuedCodes
	for _, v := range []struct {
		p    user.CodePurpose
		c    *ContactCode
		need bool
		out  **string
	}{
		{user.CodeEmail, in.EmailCode, !u.Human.EmailVerified, &codes.Email},
		{user.CodePhone, in.PhoneCode, u.Human.Phone != "" && !u.Human.PhoneVerified, &codes.Phone},
	} {
		if v.c == nil || !v.need {
			continue
		}
		c := *v.c
		if v.p == user.CodePhone {
			c.URLTemplate = ""
		}
		plain, cev, send, err := a.prepareVerification(ctx, a.store, u, v.p, c, by)
		if err != nil {
			return nil, IssuedCodes{}, storeErr(err)
		}
		if c.Return {
			*v.out = &plain
		}
		evs, sends = append(evs, cev), append(sends, send)
	}
	var prepare func(ctx context.Context, tx store.Tx) ([]event.Event, error)
	if in.SendInitCode && u.State == user.StateInitial {
		// v1: a user without a password gets an initialization code, in its
		// creation's write (ZITADEL's user.human.initialization.code.added).
		prepare = func(ctx context.Context, tx store.Tx) ([]event.Event, error) {
			ev, err := a.issueInitCode(ctx, tx, u, by)
			return []event.Event{ev}, err
		}
	}
	var send func(ctx context.Context, tx store.Tx) error
	if len(sends) > 0 {
		send = func(ctx context.Context, tx store.Tx) error {
			for _, f := range sends {
				if err := f(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if err := a.insertWithMetadata(ctx, u, evs, in.Metadata, in.UserID != "", prepare, send); err != nil {
		return nil, IssuedCodes{}, err
	}
	return u, codes, nil
}

// insertWithMetadata writes a new user (insertUserWith) with its metadata in
// the creation's write: the metadata's events follow evs (the creation's and
// those recorded with it), as in ZITADEL. prepare and with (either may be nil)
// are insertUserWith's: what the write records (a code) and writes besides.
func (a *App) insertWithMetadata(ctx context.Context, u *user.User, evs []event.Event, md []MetadataEntry, chosenID bool,
	prepare func(ctx context.Context, tx store.Tx) ([]event.Event, error), with func(ctx context.Context, tx store.Tx) error) error {
	by := user.Actor{UserID: evs[0].CreatorID, At: evs[0].CreatedAt}
	seqs := make([]uint64, len(md))
	for i, e := range md {
		evs = append(evs, u.Record(evUserMetadataSet, by, map[string]any{"key": e.Key, "value": e.Value}))
		seqs[i] = u.Sequence
	}
	all := with
	if len(md) > 0 {
		all = func(ctx context.Context, tx store.Tx) error {
			if with != nil {
				if err := with(ctx, tx); err != nil {
					return err
				}
			}
			return putMetadata(ctx, tx, KindUserMetadata, u.ID, u.ID, u.OrgID, md, seqs, by.At)
		}
	}
	return a.insertUserWith(ctx, u, evs, chosenID, prepare, all)
}

// newHuman checks in and builds the user and its creation event in the org
// orgOf names (asked only once the input is good), hashing the password once
// the caller may create the user; AddHuman and SetUpOrg write it.
func (a *App) newHuman(ctx context.Context, g granted, in NewHuman, orgOf func() (string, error)) (*user.User, event.Event, error) {
	h := in.Profile
	if in.UserName == "" {
		in.UserName = h.Email
	}
	h.Email = strings.TrimSpace(h.Email)
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"user name", in.UserName, true}, {"first name", h.FirstName, in.RequireNames},
		{"last name", h.LastName, in.RequireNames}, {"email", h.Email, true},
		{"nick name", h.NickName, false}, {"display name", h.DisplayName, false},
		{"preferred language", h.PreferredLanguage, false}, {"phone", h.Phone, false},
	} {
		if err := checkText(f.name, f.v, f.required); err != nil {
			return nil, event.Event{}, err
		}
	}
	if !strings.Contains(h.Email, "@") || strings.ContainsAny(h.Email, " \t\r\n") {
		return nil, event.Event{}, errEmailInvalid
	}
	if in.UserID != "" {
		if err := checkUserID(in.UserID); err != nil {
			return nil, event.Event{}, err
		}
	}
	switch {
	case in.Password != "" && in.HashedPassword != "":
		return nil, event.Event{}, errPasswordAndHash
	case in.Password != "":
		if err := checkPasswordRules(in.Password); err != nil {
			return nil, event.Event{}, err
		}
	case in.HashedPassword != "":
		if err := credential.CheckHashFormat(in.HashedPassword); err != nil {
			return nil, event.Event{}, errHashedPassword.Msgf("Hashed password: %v", err)
		}
		h.PasswordHash = in.HashedPassword
	}
	orgID, err := orgOf()
	if err != nil {
		return nil, event.Event{}, err
	}
	if in.Password != "" { // hashed (slow, in a hash slot) only once the caller may create the user
		if err := checkNewPassword(ctx, a.store, orgID, in.Password); err != nil {
			return nil, event.Event{}, err
		}
		if h.PasswordHash, err = a.hashPassword(ctx, in.Password); err != nil {
			return nil, event.Event{}, err
		}
	}
	h.PasswordChangeRequired = in.ChangeRequired && h.PasswordHash != ""
	uid := in.UserID
	if uid == "" {
		uid = a.ids.Next()
	}
	// Without a password the user still has to set one: INITIAL, as in ZITADEL.
	u, ev := user.NewHuman(uid, orgID, in.UserName, h, h.PasswordHash == "", actor(g.Caller))
	return u, ev, nil
}

// NewMachine is the input of AddMachine.
type NewMachine struct {
	OrgID           string // empty: the scope's org (v2's CreateUser names it)
	UserID          string
	UserName        string
	Name            string
	Description     string
	AccessTokenType int
	// UserNameFromID: an empty user name is the user's id (v2's CreateUser,
	// as ZITADEL's AddMachineWithUsernameToIDFallback).
	UserNameFromID bool
	// Metadata set with the user (v2's CreateUser), in its creation's write.
	Metadata []MetadataEntry
}

// AddMachine creates a machine user in the scope's org (or the one named).
func (a *App) AddMachine(ctx context.Context, s Scope, in NewMachine) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseAddMachine)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name, v  string
		required bool
	}{{"user name", in.UserName, !in.UserNameFromID}, {"name", in.Name, true}, {"description", in.Description, false}} {
		if err := checkText(f.name, f.v, f.required); err != nil {
			return nil, err
		}
	}
	if in.AccessTokenType < 0 || in.AccessTokenType > 1 {
		return nil, errAccessTokenType
	}
	if err := checkMetadataEntries(in.Metadata, errUserMetadataInvalid); err != nil {
		return nil, err
	}
	uid := in.UserID
	if uid != "" {
		if err := checkUserID(uid); err != nil {
			return nil, err
		}
	} else {
		uid = a.ids.Next()
	}
	if in.UserName == "" {
		in.UserName = uid
	}
	orgID, err := a.targetOrg(ctx, g, in.OrgID)
	if err != nil {
		return nil, err
	}
	u, ev := user.NewMachine(uid, orgID, in.UserName,
		user.Machine{Name: in.Name, Description: in.Description, AccessTokenType: in.AccessTokenType}, actor(g.Caller))
	return u, a.insertWithMetadata(ctx, u, []event.Event{ev}, in.Metadata, in.UserID != "", nil, nil)
}

// targetOrg is the org a new user goes into: explicit (v2), else the org
// context (authorized already), else the caller's own; the caller needs the
// use case's permission there.
func (a *App) targetOrg(ctx context.Context, g granted, explicit string) (string, error) {
	if explicit == "" && g.inOrgContext() {
		return g.OrgID, nil
	}
	orgID := explicit
	if orgID == "" {
		orgID = g.Caller.OrgID
	}
	if err := checkID(orgID, errOrgIDMissing); err != nil {
		return "", err
	}
	if !g.Caller.Can(g.perm(), orgID) {
		return "", fail.PermissionDenied
	}
	if orgID != g.Caller.OrgID && orgID != g.OrgID {
		if _, err := a.store.Org(ctx, orgID); errors.Is(err, store.ErrNotFound) {
			return "", fail.OrgNotFound
		} else if err != nil {
			return "", storeErr(err)
		}
	}
	return orgID, nil
}

// checkUserID validates a caller-chosen user id.
func checkUserID(v string) error {
	if v == "" || len(v) > MaxIDLen || v == "." || v == ".." {
		return errBadUserID
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return errBadUserID
		}
	}
	return nil
}

// insertUserWith writes a new user and its events (the creation's first).
// prepare (may be nil) runs first in the write (which may run again) and may
// change u and add events after evs: the initialization code a user made
// without a password is sent. with (may be nil) writes what belongs with the
// user (metadata, its codes' messages). A chosen id must not be a machine
// user's name, and a machine user's name must not be a user's id (checked in
// the write, on the state it commits against).
func (a *App) insertUserWith(ctx context.Context, u *user.User, evs []event.Event, chosenID bool, prepare func(ctx context.Context, tx store.Tx) ([]event.Event, error), with func(ctx context.Context, tx store.Tx) error) error {
	seq, at := u.Sequence, u.ChangedAt
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		evs := evs
		if prepare != nil {
			// prepare records on u after everything recorded before the write;
			// the write may run again, so it starts from there each time.
			u.Sequence, u.ChangedAt = seq, at
			more, err := prepare(ctx, tx)
			if err != nil {
				return err
			}
			evs = append(evs[:len(evs):len(evs)], more...)
		}
		if chosenID {
			page, err := tx.ListUsers(ctx, store.UserQuery{UserNames: []store.TextMatch{{Value: u.ID}}, Types: []user.Type{user.TypeMachine}, Limit: 1})
			if err != nil {
				return err
			}
			if len(page.Users) > 0 {
				return errUserHandleTaken
			}
		}
		if u.Type == user.TypeMachine {
			if _, err := tx.User(ctx, u.UserName); err == nil {
				return errUserHandleTaken
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if with != nil {
			if err := with(ctx, tx); err != nil {
				return err
			}
		}
		return tx.Append(ctx, evs...)
	})
	if errors.Is(err, store.ErrDuplicate) {
		return user.ErrUserNameTaken
	}
	return storeErr(err)
}

// deleteUserCredentials deletes, with a removed user, its memberships and what
// administrators issued to it (PATs, machine secret and keys); what its
// sign-ins produced is already dead by the epoch the removal raised.
func deleteUserCredentials(ctx context.Context, tx store.Tx, userID string) error {
	ms, err := tx.MembershipsOf(ctx, userID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := tx.DeleteMember(ctx, m.OrgID, userID); err != nil {
			return err
		}
	}
	for {
		pats, _, err := tx.ListPATs(ctx, userID, store.Page{Limit: 1000})
		if err != nil {
			return err
		}
		for _, p := range pats {
			if err := tx.DeletePAT(ctx, userID, p.ID); err != nil {
				return err
			}
		}
		if len(pats) < 1000 {
			break
		}
	}
	// The user's grants (KindGrant carries the user) go with the user.
	for _, kind := range []string{credential.KindMachineSecret, credential.KindMachineKey, project.KindGrant} {
		for {
			arts, _, err := tx.ListArtifacts(ctx, store.ArtifactQuery{Kind: kind, UserID: userID, Page: store.Page{Limit: 1000}})
			if err != nil {
				return err
			}
			for _, art := range arts {
				if err := tx.DeleteArtifact(ctx, kind, art.ID); err != nil {
					return err
				}
			}
			if len(arts) < 1000 {
				break
			}
		}
	}
	return nil
}
