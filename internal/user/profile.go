package user

import (
	"github.com/warden-id/warden/internal/event"
)

// Changes of a user's own data: profile, user name, e-mail, phone, a machine's
// name. As in ZITADEL they are allowed in every state but removed (a locked or
// deactivated user's profile may still be corrected); a change that changes
// nothing is refused, and only the fields that changed are in the event.

// Profile is what ChangeProfile sets.
type Profile struct {
	FirstName, LastName, NickName, DisplayName, PreferredLanguage string
	Gender                                                        int
}

// exists refuses a removed (or missing) user.
func exists(u *User) error {
	if u == nil || u.State == StateDeleted || u.State == StateUnspecified {
		return ErrChangeNotFound
	}
	return nil
}

func human(u *User) error {
	if err := exists(u); err != nil {
		return err
	}
	if u.Human == nil {
		return ErrNotHuman
	}
	return nil
}

// ChangeProfile sets a human's profile (user.human.profile.changed).
func ChangeProfile(u *User, p Profile, by Actor) (event.Event, error) {
	if err := human(u); err != nil {
		return event.Event{}, err
	}
	if p.FirstName == "" {
		return event.Event{}, ErrFirstNameEmpty
	}
	if p.LastName == "" {
		return event.Event{}, ErrLastNameEmpty
	}
	h := u.Human
	payload := map[string]any{}
	set := func(key string, cur *string, v string) {
		if *cur != v {
			*cur = v
			payload[key] = v
		}
	}
	set("firstName", &h.FirstName, p.FirstName)
	set("lastName", &h.LastName, p.LastName)
	set("nickName", &h.NickName, p.NickName)
	set("displayName", &h.DisplayName, p.DisplayName)
	set("preferredLanguage", &h.PreferredLanguage, p.PreferredLanguage)
	if h.Gender != p.Gender {
		h.Gender = p.Gender
		payload["gender"] = p.Gender
	}
	if len(payload) == 0 {
		return event.Event{}, ErrProfileNotChanged
	}
	return u.record(event.HumanProfileChanged, by, payload), nil
}

// ChangeUserName renames the user (user.username.changed); uniqueness is the
// store's to enforce, in the same write.
func ChangeUserName(u *User, name string, by Actor) (event.Event, error) {
	if err := exists(u); err != nil {
		return event.Event{}, err
	}
	if u.UserName == name {
		return event.Event{}, ErrUserNameNotChanged
	}
	old := u.UserName
	u.UserName = name
	return u.record(event.UserNameChanged, by, map[string]any{"oldUserName": old, "userName": name}), nil
}

// ChangeMachine sets a machine user's name, description and access token type
// (user.machine.changed).
func ChangeMachine(u *User, name, description string, accessTokenType int, by Actor) (event.Event, error) {
	if err := exists(u); err != nil {
		return event.Event{}, err
	}
	if u.Machine == nil {
		return event.Event{}, ErrNotMachine
	}
	m, payload := u.Machine, map[string]any{}
	if m.Name != name {
		m.Name = name
		payload["name"] = name
	}
	if m.Description != description {
		m.Description = description
		payload["description"] = description
	}
	if m.AccessTokenType != accessTokenType {
		m.AccessTokenType = accessTokenType
		payload["accessTokenType"] = accessTokenType
	}
	if len(payload) == 0 {
		return event.Event{}, ErrMachineNotChanged
	}
	return u.record(event.MachineChanged, by, payload), nil
}

// ChangeEmail sets a human's e-mail address (user.human.email.changed) and,
// when verified, marks it verified (user.human.email.verified). A new address
// is unverified until then. Setting the same address verified only verifies it.
func ChangeEmail(u *User, email string, verified bool, by Actor) ([]event.Event, error) {
	if err := human(u); err != nil {
		return nil, err
	}
	h := u.Human
	changed := h.Email != email
	if !changed && (!verified || h.EmailVerified) {
		return nil, ErrEmailNotChanged
	}
	var evs []event.Event
	if changed {
		h.Email, h.EmailVerified = email, false
		delete(h.Codes, CodeEmail) // a code sent to the old address verifies nothing now
		evs = append(evs, u.record(event.HumanEmailChanged, by, map[string]any{"email": email}))
	}
	if verified {
		h.EmailVerified = true
		delete(h.Codes, CodeEmail)
		evs = append(evs, u.record(event.HumanEmailVerified, by, nil))
	}
	return evs, nil
}

// ChangePhone sets a human's phone number (user.human.phone.changed), verified
// if asked (user.human.phone.verified), as ChangeEmail does.
func ChangePhone(u *User, phone string, verified bool, by Actor) ([]event.Event, error) {
	if err := human(u); err != nil {
		return nil, err
	}
	h := u.Human
	changed := h.Phone != phone
	if !changed && (!verified || h.PhoneVerified) {
		return nil, ErrPhoneNotChanged
	}
	var evs []event.Event
	if changed {
		h.Phone, h.PhoneVerified = phone, false
		delete(h.Codes, CodePhone)
		evs = append(evs, u.record(event.HumanPhoneChanged, by, map[string]any{"phone": phone}))
	}
	if verified {
		h.PhoneVerified = true
		delete(h.Codes, CodePhone)
		evs = append(evs, u.record(event.HumanPhoneVerified, by, nil))
	}
	return evs, nil
}

// RemovePhone removes a human's phone number (user.human.phone.removed).
func RemovePhone(u *User, by Actor) (event.Event, error) {
	if err := human(u); err != nil {
		return event.Event{}, err
	}
	if u.Human.Phone == "" {
		return event.Event{}, ErrPhoneNotFound
	}
	u.Human.Phone, u.Human.PhoneVerified = "", false
	delete(u.Human.Codes, CodePhone)
	return u.record(event.HumanPhoneRemoved, by, nil), nil
}
