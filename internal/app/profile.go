package app

import (
	"context"
	"errors"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Changes of a user's own data (profile, user name, e-mail, phone, a machine's
// name and description): by an administrator with user.write in the user's org
// (the escalation rule of changeUser holds), or by the signed-in user on itself
// (the Auth API's "My" methods, AsCaller: no user id from the request).
//
// E-mail and phone: verified when the request says so, else stored unverified
// with a verification code sent (app/verify.go).

// selfOr runs decide on userID under use: for an AsCaller use case on the
// caller itself, else through changeUser.
func (a *App) selfOr(ctx context.Context, s Scope, use Use, userID string, decide userDecision) (*user.User, error) {
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	if g.rule.Where == AsCaller {
		return a.writeUser(ctx, func(ctx context.Context, tx store.Reader) (*user.User, error) {
			u, err := tx.User(ctx, g.Caller.UserID)
			if errors.Is(err, store.ErrNotFound) {
				return nil, fail.Unauthenticated
			}
			return u, err
		}, decide)
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	return a.changeUser(ctx, g, userID, user.ErrChangeNotFound, decide)
}

// UpdateProfile sets a human's profile (UpdateHumanProfile; UpdateMyProfile
// with UseUpdateMyProfile).
func (a *App) UpdateProfile(ctx context.Context, s Scope, use Use, userID string, p user.Profile) (*user.User, error) {
	p.FirstName, p.LastName = strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
	for _, f := range []struct{ name, v string }{
		{"first name", p.FirstName}, {"last name", p.LastName}, {"nick name", p.NickName},
		{"display name", p.DisplayName}, {"preferred language", p.PreferredLanguage},
	} {
		if err := checkText(f.name, f.v, false); err != nil {
			return nil, err
		}
	}
	if p.Gender < 0 || p.Gender > 3 {
		return nil, errGenderInvalid
	}
	return a.selfOr(ctx, s, use, userID, func(_ context.Context, _ store.Tx, u *user.User) ([]event.Event, error) {
		ev, err := user.ChangeProfile(u, p, actor(s.Caller))
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, nil
	})
}

// UpdateUserName renames a user (UpdateUserName; UpdateMyUserName). User names
// are unique among the org's users (ZITADEL's default domain policy, user login
// must be domain): the store's unique index decides inside the write, so of
// concurrent renames onto one name exactly one wins.
func (a *App) UpdateUserName(ctx context.Context, s Scope, use Use, userID, name string) (*user.User, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, errUserNameMissing
	}
	if err := checkText("user name", name, true); err != nil {
		return nil, err
	}
	u, err := a.selfOr(ctx, s, use, userID, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		ev, err := rename(ctx, tx, u, name, actor(s.Caller))
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, nil
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, user.ErrUserNameTaken
	}
	return u, err
}

// checkUserName trims and checks a new user name.
func checkUserName(name string) (string, error) {
	if name = strings.TrimSpace(name); name == "" {
		return "", errUserNameMissing
	}
	return name, checkText("user name", name, true)
}

// rename is a user's new name inside a write. A machine user's name must not
// be another user's id (insertUser's rule); that the name is free in the org
// the store's unique index decides (store.ErrDuplicate).
func rename(ctx context.Context, tx store.Tx, u *user.User, name string, by user.Actor) (event.Event, error) {
	if u.Type == user.TypeMachine {
		if other, err := tx.User(ctx, name); err == nil && other.ID != u.ID {
			return event.Event{}, errUserHandleTaken
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return event.Event{}, err
		}
	}
	return user.ChangeUserName(u, name, by)
}

// UpdateMachine sets a machine user's name and description (UpdateMachine).
func (a *App) UpdateMachine(ctx context.Context, s Scope, userID, name, description string, accessTokenType int) (*user.User, error) {
	if err := checkText("name", name, true); err != nil {
		return nil, err
	}
	if err := checkText("description", description, false); err != nil {
		return nil, err
	}
	if accessTokenType < 0 || accessTokenType > 1 {
		return nil, errAccessTokenType
	}
	return a.selfOr(ctx, s, UseUpdateMachine, userID, func(_ context.Context, _ store.Tx, u *user.User) ([]event.Event, error) {
		ev, err := user.ChangeMachine(u, name, description, accessTokenType, actor(s.Caller))
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, nil
	})
}

// UpdateEmail sets a human's e-mail address (UpdateHumanEmail, the console),
// verified when verified is set; otherwise it is stored unverified and a
// verification code is mailed (SetEmail).
func (a *App) UpdateEmail(ctx context.Context, s Scope, userID, email string, verified bool) (*user.User, error) {
	u, _, err := a.SetEmail(ctx, s, UseUpdateHumanEmail, userID, email, verified, ContactCode{})
	return u, err
}

// UpdatePhone sets a human's phone number, verified when verified is set
// (UpdateHumanPhone, the console); otherwise a code is texted (SetPhone).
func (a *App) UpdatePhone(ctx context.Context, s Scope, userID, phone string, verified bool) (*user.User, error) {
	u, _, err := a.SetPhone(ctx, s, UseUpdateHumanPhone, userID, phone, verified, ContactCode{})
	return u, err
}

// phoneLike: digits with an optional leading '+' and the usual separators, as
// ZITADEL accepts before normalising (Warden stores what was given).
func phoneLike(v string) bool {
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
		default:
			return false
		}
	}
	return digits >= 3
}

// RemovePhone removes a human's phone number (RemoveHumanPhone; RemoveMyPhone;
// v2 RemovePhone, which the user may do itself).
func (a *App) RemovePhone(ctx context.Context, s Scope, use Use, userID string) (*user.User, error) {
	load, _, err := a.ownOrLoader(ctx, s, use, userID)
	if err != nil {
		return nil, err
	}
	return a.writeUser(ctx, load, func(_ context.Context, _ store.Tx, u *user.User) ([]event.Event, error) {
		ev, err := user.RemovePhone(u, actor(s.Caller))
		if err != nil {
			return nil, err
		}
		return []event.Event{ev}, nil
	})
}

// IsUserUnique tells whether no user of the org context has the user name
// (IsUserUnique). ZITADEL also asks about the e-mail; e-mail addresses are
// not unique in Warden, so only the name decides.
func (a *App) IsUserUnique(ctx context.Context, s Scope, name string) (bool, error) {
	g, err := a.authorize(ctx, s, UseIsUserUnique)
	if err != nil {
		return false, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return true, nil
	}
	if err := checkText("user name", name, false); err != nil {
		return false, err
	}
	orgID := g.OrgID
	if orgID == "" {
		orgID = g.Caller.OrgID
	}
	page, err := a.store.ListUsers(ctx, store.UserQuery{OrgID: orgID, UserNames: []store.TextMatch{{Value: name}}, Limit: 1})
	if err != nil {
		return false, storeErr(err)
	}
	return len(page.Users) == 0, nil
}

// HumanUpdate is the input of UpdateHuman (User v2 UpdateHumanUser and
// UpdateUser): each part nil is left as it is.
type HumanUpdate struct {
	UserName *string
	// Profile: the fields nil keep their value.
	Profile *ProfileUpdate
	Email   *ContactUpdate
	Phone   *ContactUpdate
	// Metadata (UpdateUser): each entry set, or removed when its value is empty.
	Metadata []MetadataEntry
}

// ProfileUpdate is v2's profile: the fields nil are unchanged.
type ProfileUpdate struct {
	GivenName, FamilyName                    *string
	NickName, DisplayName, PreferredLanguage *string
	Gender                                   *int
}

// ContactUpdate is an e-mail address or phone number, verified or not (an
// empty phone removes it); a new unverified one gets a code delivered as Code
// says.
type ContactUpdate struct {
	Value    string
	Verified bool
	Code     ContactCode
}

// IssuedCodes are the verification codes a change answered (return_code).
type IssuedCodes struct {
	Email, Phone *string
}

// UpdateHuman changes a human's user name, profile, e-mail and phone in one
// write (UpdateHumanCodes, without its codes).
func (a *App) UpdateHuman(ctx context.Context, s Scope, userID string, in HumanUpdate) (*user.User, error) {
	u, _, err := a.UpdateHumanCodes(ctx, s, userID, in)
	return u, err
}

// UpdateHumanCodes changes a human's user name, profile, e-mail and phone in
// one write: all of it or nothing. Parts equal to what is stored change
// nothing, as in ZITADEL's v2; a new unverified address or number gets a
// verification code in the same write (sent, or answered when its Code says
// Return).
func (a *App) UpdateHumanCodes(ctx context.Context, s Scope, userID string, in HumanUpdate) (_ *user.User, codes IssuedCodes, _ error) {
	fail2 := func(err error) (*user.User, IssuedCodes, error) { return nil, IssuedCodes{}, err }
	g, err := a.authorize(ctx, s, UseUpdateHumanUser)
	if err != nil {
		return fail2(err)
	}
	for _, c := range []*ContactUpdate{in.Email, in.Phone} {
		if c != nil && !c.Verified {
			if err := c.Code.check(); err != nil {
				return fail2(err)
			}
		}
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return fail2(err)
	}
	var name string
	if in.UserName != nil {
		if name, err = checkUserName(*in.UserName); err != nil {
			return fail2(err)
		}
	}
	if err := checkMetadataChanges(in.Metadata); err != nil {
		return fail2(err)
	}
	if p := in.Profile; p != nil {
		for _, n := range []*string{p.GivenName, p.FamilyName} {
			if n != nil {
				*n = strings.TrimSpace(*n)
			}
		}
		// A given or family name, when given, must not be empty (ZITADEL's
		// request validation); the others may be cleared.
		for _, f := range []struct {
			name     string
			v        *string
			required bool
		}{{"given name", p.GivenName, true}, {"family name", p.FamilyName, true}, {"nick name", p.NickName, false}, {"display name", p.DisplayName, false}, {"preferred language", p.PreferredLanguage, false}} {
			if f.v == nil {
				continue
			}
			if err := checkText(f.name, *f.v, f.required); err != nil {
				return fail2(err)
			}
		}
		if p.Gender != nil && (*p.Gender < 0 || *p.Gender > 3) {
			return fail2(errGenderInvalid)
		}
	}
	if e := in.Email; e != nil {
		e.Value = strings.TrimSpace(e.Value)
		if err := checkText("email", e.Value, true); err != nil {
			return fail2(err)
		}
		if !strings.Contains(e.Value, "@") || strings.ContainsAny(e.Value, " \t\r\n") {
			return fail2(errEmailInvalid)
		}
	}
	if ph := in.Phone; ph != nil {
		ph.Value = strings.TrimSpace(ph.Value)
		if err := checkText("phone", ph.Value, false); err != nil {
			return fail2(err)
		}
		if ph.Value != "" && !phoneLike(ph.Value) {
			return fail2(errPhoneInvalid)
		}
	}
	var unchanged *user.User
	out, err := a.changeUser(ctx, g, userID, user.ErrChangeNotFound, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		unchanged, codes = u, IssuedCodes{}
		if u.Human == nil {
			return nil, user.ErrNotHuman
		}
		by := actor(s.Caller)
		var evs []event.Event
		if in.UserName != nil && name != u.UserName {
			ev, err := rename(ctx, tx, u, name, by)
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		if p := in.Profile; p != nil {
			h := u.Human
			np := user.Profile{FirstName: h.FirstName, LastName: h.LastName, NickName: h.NickName, DisplayName: h.DisplayName,
				PreferredLanguage: h.PreferredLanguage, Gender: h.Gender}
			if p.GivenName != nil {
				np.FirstName = *p.GivenName
			}
			if p.FamilyName != nil {
				np.LastName = *p.FamilyName
			}
			if p.NickName != nil {
				np.NickName = *p.NickName
			}
			if p.DisplayName != nil {
				np.DisplayName = *p.DisplayName
			}
			if p.PreferredLanguage != nil {
				np.PreferredLanguage = *p.PreferredLanguage
			}
			if p.Gender != nil {
				np.Gender = *p.Gender
			}
			ev, err := user.ChangeProfile(u, np, by)
			switch {
			case errors.Is(err, user.ErrProfileNotChanged):
			case err != nil:
				return nil, err
			default:
				evs = append(evs, ev)
			}
		}
		if e := in.Email; e != nil {
			more, err := user.ChangeEmail(u, e.Value, e.Verified, by)
			if err != nil && !errors.Is(err, user.ErrEmailNotChanged) {
				return nil, err
			}
			evs = append(evs, more...)
			if len(more) > 0 && !e.Verified {
				code, ev, err := a.issueVerification(ctx, tx, u, user.CodeEmail, e.Code, by)
				if err != nil {
					return nil, err
				}
				if e.Code.Return {
					codes.Email = &code
				}
				evs = append(evs, ev)
			}
		}
		if ph := in.Phone; ph != nil {
			var more []event.Event
			var err error
			if ph.Value == "" {
				var ev event.Event
				if ev, err = user.RemovePhone(u, by); err == nil {
					more = []event.Event{ev}
				} else if errors.Is(err, user.ErrPhoneNotFound) {
					err = nil
				}
			} else if more, err = user.ChangePhone(u, ph.Value, ph.Verified, by); errors.Is(err, user.ErrPhoneNotChanged) {
				err = nil
			}
			if err != nil {
				return nil, err
			}
			evs = append(evs, more...)
			if len(more) > 0 && ph.Value != "" && !ph.Verified {
				code, ev, err := a.issueVerification(ctx, tx, u, user.CodePhone, ContactCode{Return: ph.Code.Return}, by)
				if err != nil {
					return nil, err
				}
				if ph.Code.Return {
					codes.Phone = &code
				}
				evs = append(evs, ev)
			}
		}
		more, err := changeUserMetadata(ctx, tx, u, by, in.Metadata)
		return append(evs, more...), err
	})
	if errors.Is(err, store.ErrDuplicate) {
		return fail2(user.ErrUserNameTaken)
	}
	if err != nil {
		return fail2(err)
	}
	if out == nil {
		out = unchanged // nothing to change: the answer is the user as it is
	}
	return out, codes, nil
}

// MachineUpdate is the input of UpdateMachineUser (User v2 UpdateUser): each
// part nil is left as it is.
type MachineUpdate struct {
	UserName, Name, Description *string
	AccessTokenType             *int
	// Metadata: each entry set, or removed when its value is empty.
	Metadata []MetadataEntry
}

// UpdateMachineUser changes a machine user's name, description, access token
// type, user name and metadata in one write: all of it or nothing. Parts equal
// to what is stored change nothing, as in ZITADEL's v2.
func (a *App) UpdateMachineUser(ctx context.Context, s Scope, userID string, in MachineUpdate) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseUpdateMachine)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	var name string
	if in.UserName != nil {
		if name, err = checkUserName(*in.UserName); err != nil {
			return nil, err
		}
	}
	if in.Name != nil {
		if err := checkText("name", *in.Name, true); err != nil {
			return nil, err
		}
	}
	if in.Description != nil {
		if err := checkText("description", *in.Description, false); err != nil {
			return nil, err
		}
	}
	if t := in.AccessTokenType; t != nil && (*t < 0 || *t > 1) {
		return nil, errAccessTokenType
	}
	if err := checkMetadataChanges(in.Metadata); err != nil {
		return nil, err
	}
	var unchanged *user.User
	out, err := a.changeUser(ctx, g, userID, user.ErrChangeNotFound, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		unchanged = u
		if u.Machine == nil {
			return nil, user.ErrNotMachine
		}
		by := actor(s.Caller)
		var evs []event.Event
		if in.UserName != nil && name != u.UserName {
			ev, err := rename(ctx, tx, u, name, by)
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		m := *u.Machine
		if in.Name != nil {
			m.Name = *in.Name
		}
		if in.Description != nil {
			m.Description = *in.Description
		}
		if in.AccessTokenType != nil {
			m.AccessTokenType = *in.AccessTokenType
		}
		ev, err := user.ChangeMachine(u, m.Name, m.Description, m.AccessTokenType, by)
		switch {
		case errors.Is(err, user.ErrMachineNotChanged):
		case err != nil:
			return nil, err
		default:
			evs = append(evs, ev)
		}
		more, err := changeUserMetadata(ctx, tx, u, by, in.Metadata)
		return append(evs, more...), err
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, user.ErrUserNameTaken
	}
	if err == nil && out == nil {
		out = unchanged
	}
	return out, err
}

// UserByLoginNameGlobal finds a user of any org by its login name, user
// name@one of the org's verified domains (GetUserByLoginNameGlobal); an exact
// name wins over one differing in case. ZITADEL checks user.global.read in the
// caller's org context, as org.global.read for GetOrgByDomainGlobal.
func (a *App) UserByLoginNameGlobal(ctx context.Context, s Scope, loginName string) (*user.User, *org.Org, error) {
	if _, err := a.authorize(ctx, s, UseGetUserByLoginNameGlobal); err != nil {
		return nil, nil, err
	}
	loginName = strings.TrimSpace(loginName)
	i := strings.LastIndexByte(loginName, '@')
	if i <= 0 || i == len(loginName)-1 || len(loginName) > maxLoginNameLen || checkChars("login name", loginName) != nil {
		return nil, nil, user.ErrGetNotFound
	}
	d, ok := org.NormalizeDomain(loginName[i+1:])
	if !ok {
		return nil, nil, user.ErrGetNotFound
	}
	o, err := a.orgByVerifiedDomain(ctx, a.store, d)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, user.ErrGetNotFound
	}
	if err != nil {
		return nil, nil, storeErr(err)
	}
	for _, method := range []store.TextMethod{store.TextEquals, store.TextEqualsIgnoreCase} {
		page, err := a.store.ListUsers(ctx, store.UserQuery{OrgID: o.ID, UserNames: []store.TextMatch{{Value: loginName[:i], Method: method}}, Limit: 2})
		if err != nil {
			return nil, nil, storeErr(err)
		}
		switch len(page.Users) {
		case 0:
			continue
		case 1:
			return page.Users[0], o, nil
		}
		return nil, nil, ErrLoginNameAmbiguous
	}
	return nil, nil, user.ErrGetNotFound
}
