package api

import (
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/change"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// changeDetails is the v1 ObjectDetails of a state change: creation date unset.
func changeDetails(seq uint64, at time.Time, owner string) *object.ObjectDetails {
	return &object.ObjectDetails{Sequence: seq, ChangeDate: ts(at), ResourceOwner: owner}
}

func createDetails(seq uint64, at time.Time, owner string) *object.ObjectDetails {
	return &object.ObjectDetails{Sequence: seq, CreationDate: ts(at), ChangeDate: ts(at), ResourceOwner: owner}
}

func userDetails(u *user.User) *object.ObjectDetails {
	return &object.ObjectDetails{Sequence: u.Sequence, CreationDate: ts(u.CreatedAt), ChangeDate: ts(u.ChangedAt), ResourceOwner: u.OrgID}
}

func changeDetailsV2(u *user.User) *objv2.Details {
	return &objv2.Details{Sequence: u.Sequence, ChangeDate: ts(u.ChangedAt), ResourceOwner: u.OrgID}
}

func listDetails(total uint64) *object.ListDetails {
	return &object.ListDetails{TotalResult: total, ViewTimestamp: timestamppb.Now()}
}

// v2 numbers INITIAL 5 where v1 has 6.
func stateV2(s user.State) userv2.UserState {
	if s == user.StateInitial {
		return userv2.UserState_USER_STATE_INITIAL
	}
	return userv2.UserState(s)
}

func stateFromV2(s userv2.UserState) user.State {
	if s == userv2.UserState_USER_STATE_INITIAL {
		return user.StateInitial
	}
	return user.State(s)
}

func loginNames(a *app.App, u *user.User, o *org.Org) []string {
	return []string{a.LoginName(u, o)}
}

func userV1(a *app.App, u *user.User, o *org.Org) *userpb.User {
	out := &userpb.User{Id: u.ID, Details: userDetails(u), State: userpb.UserState(u.State), UserName: u.UserName,
		LoginNames: loginNames(a, u, o), PreferredLoginName: a.LoginName(u, o)}
	switch {
	case u.Human != nil:
		h := u.Human
		ph := &userpb.Human{
			Profile: &userpb.Profile{FirstName: h.FirstName, LastName: h.LastName, NickName: h.NickName,
				DisplayName: h.DisplayName, PreferredLanguage: h.PreferredLanguage, Gender: userpb.Gender(h.Gender)},
			Email: &userpb.Email{Email: h.Email, IsEmailVerified: h.EmailVerified},
		}
		if h.Phone != "" { // ZITADEL leaves an unset phone out
			ph.Phone = &userpb.Phone{Phone: h.Phone, IsPhoneVerified: h.PhoneVerified}
		}
		out.Type = &userpb.User_Human{Human: ph}
	case u.Machine != nil:
		m := u.Machine
		out.Type = &userpb.User_Machine{Machine: &userpb.Machine{Name: m.Name, Description: m.Description,
			AccessTokenType: userpb.AccessTokenType(m.AccessTokenType)}}
	}
	return out
}

func userV2(a *app.App, u *user.User, o *org.Org) *userv2.User {
	out := &userv2.User{UserId: u.ID, Details: &objv2.Details{Sequence: u.Sequence, ChangeDate: ts(u.ChangedAt),
		ResourceOwner: u.OrgID, CreationDate: ts(u.CreatedAt)}, State: stateV2(u.State), Username: u.UserName,
		LoginNames: loginNames(a, u, o), PreferredLoginName: a.LoginName(u, o)}
	switch {
	case u.Human != nil:
		h := u.Human
		g := userv2.Gender(h.Gender)
		out.Type = &userv2.User_Human{Human: &userv2.HumanUser{
			Profile: &userv2.HumanProfile{GivenName: h.FirstName, FamilyName: h.LastName, NickName: &h.NickName,
				DisplayName: &h.DisplayName, PreferredLanguage: &h.PreferredLanguage, Gender: &g},
			Email:                  &userv2.HumanEmail{Email: h.Email, IsVerified: h.EmailVerified},
			PasswordChangeRequired: h.PasswordChangeRequired,
		}}
		if h.Phone != "" {
			out.GetHuman().Phone = &userv2.HumanPhone{Phone: h.Phone, IsVerified: h.PhoneVerified}
		}
	case u.Machine != nil:
		m := u.Machine
		out.Type = &userv2.User_Machine{Machine: &userv2.MachineUser{Name: m.Name, Description: m.Description,
			AccessTokenType: userv2.AccessTokenType(m.AccessTokenType)}}
	}
	return out
}

func orgV1(a *app.App, o *org.Org) *orgpb.Org {
	return &orgpb.Org{Id: o.ID, Details: &object.ObjectDetails{Sequence: o.Sequence, CreationDate: ts(o.CreatedAt),
		ChangeDate: ts(o.ChangedAt), ResourceOwner: o.ID}, State: orgpb.OrgState(o.State), Name: o.Name, PrimaryDomain: a.OrgDomain(o)}
}

func changes(evs []event.Event) []*change.Change {
	out := make([]*change.Change, len(evs))
	for i, e := range evs {
		out[i] = &change.Change{ChangeDate: ts(e.CreatedAt), Sequence: e.Sequence, EditorId: e.CreatorID,
			ResourceOwnerId: e.ResourceOwner, EventType: &message.LocalizedMessage{Key: "EventTypes." + e.Type, LocalizedMessage: e.Type}}
	}
	return out
}

// page converts a v1/v2 ListQuery (both have offset, limit, asc).
func page(offset uint64, limit uint32, asc bool) (store.Page, error) {
	if offset > 1<<31 {
		return store.Page{}, errOffset
	}
	return store.Page{Offset: int(offset), Limit: int(limit), Asc: asc}, nil
}

const maxQueries = 20 // a search with more filters than this is refused, not run

// textMatch converts a text query; the value is bounded like every other text.
func textMatch(v string, m object.TextQueryMethod) (store.TextMatch, error) {
	if len(v) > app.MaxNameLen {
		return store.TextMatch{}, errQueryText
	}
	if m < 0 || m > object.TextQueryMethod_TEXT_QUERY_METHOD_ENDS_WITH_IGNORE_CASE {
		return store.TextMatch{}, errQueryMethod
	}
	return store.TextMatch{Value: v, Method: store.TextMethod(m)}, nil
}

// userQueryV1 converts ListUsers' queries. Only AND of simple filters is served;
// others are refused clearly rather than silently ignored.
func userQueryV1(q *object.ListQuery, sort userpb.UserFieldName, qs []*userpb.SearchQuery) (store.UserQuery, error) {
	var out store.UserQuery
	if len(qs) > maxQueries {
		return out, errTooManyQueries
	}
	p, err := page(q.GetOffset(), q.GetLimit(), q.GetAsc())
	if err != nil {
		return out, err
	}
	out.Offset, out.Limit, out.Asc = p.Offset, p.Limit, p.Asc
	if sort < 0 || sort > userpb.UserFieldName_USER_FIELD_NAME_CREATION_DATE {
		return out, errSortColumn
	}
	out.Sort = store.UserSort(sort)
	for _, sq := range qs {
		switch v := sq.GetQuery().(type) {
		case *userpb.SearchQuery_UserNameQuery:
			m, err := textMatch(v.UserNameQuery.GetUserName(), v.UserNameQuery.GetMethod())
			if err != nil {
				return out, err
			}
			out.UserNames = append(out.UserNames, m)
		case *userpb.SearchQuery_EmailQuery:
			m, err := textMatch(v.EmailQuery.GetEmailAddress(), v.EmailQuery.GetMethod())
			if err != nil {
				return out, err
			}
			out.Emails = append(out.Emails, m)
		case *userpb.SearchQuery_StateQuery:
			out.States = append(out.States, user.State(v.StateQuery.GetState()))
		case *userpb.SearchQuery_TypeQuery:
			out.Types = append(out.Types, user.Type(v.TypeQuery.GetType()))
		case *userpb.SearchQuery_InUserIdsQuery:
			ids := v.InUserIdsQuery.GetUserIds()
			if len(ids) > 1000 {
				return out, errTooManyIDs
			}
			out.IDs = append(make([]string, 0, len(ids)), ids...)
		default:
			return out, errQueryUnsupported
		}
	}
	return out, nil
}

func userQueryV2(q *objv2.ListQuery, sort userv2.UserFieldName, qs []*userv2.SearchQuery) (store.UserQuery, error) {
	var out store.UserQuery
	if len(qs) > maxQueries {
		return out, errTooManyQueries
	}
	p, err := page(q.GetOffset(), q.GetLimit(), q.GetAsc())
	if err != nil {
		return out, err
	}
	out.Offset, out.Limit, out.Asc = p.Offset, p.Limit, p.Asc
	if sort < 0 || sort > userv2.UserFieldName_USER_FIELD_NAME_CREATION_DATE {
		return out, errSortColumn
	}
	out.Sort = store.UserSort(sort)
	for _, sq := range qs {
		switch v := sq.GetQuery().(type) {
		case *userv2.SearchQuery_UserNameQuery:
			m, err := textMatch(v.UserNameQuery.GetUserName(), object.TextQueryMethod(v.UserNameQuery.GetMethod()))
			if err != nil {
				return out, err
			}
			out.UserNames = append(out.UserNames, m)
		case *userv2.SearchQuery_EmailQuery:
			m, err := textMatch(v.EmailQuery.GetEmailAddress(), object.TextQueryMethod(v.EmailQuery.GetMethod()))
			if err != nil {
				return out, err
			}
			out.Emails = append(out.Emails, m)
		case *userv2.SearchQuery_StateQuery:
			out.States = append(out.States, stateFromV2(v.StateQuery.GetState()))
		case *userv2.SearchQuery_TypeQuery:
			out.Types = append(out.Types, user.Type(v.TypeQuery.GetType()))
		case *userv2.SearchQuery_InUserIdsQuery:
			ids := v.InUserIdsQuery.GetUserIds()
			if len(ids) > 1000 {
				return out, errTooManyIDs
			}
			out.IDs = append(make([]string, 0, len(ids)), ids...)
		case *userv2.SearchQuery_OrganizationIdQuery:
			if out.OrgID != "" && out.OrgID != v.OrganizationIdQuery.GetOrganizationId() {
				return out, errQueryOrgs
			}
			out.OrgID = v.OrganizationIdQuery.GetOrganizationId()
		default:
			return out, errQueryUnsupported
		}
	}
	return out, nil
}
