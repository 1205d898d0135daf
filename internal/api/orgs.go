package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/member"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
)

// Management v1's org lifecycle (the org context's own org).

func (m *Management) UpdateOrg(ctx context.Context, r *mgmt.UpdateOrgRequest) (*mgmt.UpdateOrgResponse, error) {
	o, err := m.app.RenameOrg(ctx, scope(ctx), r.GetName())
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateOrgResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) orgState(ctx context.Context, op org.Op) (*object.ObjectDetails, error) {
	o, err := m.app.ChangeOrgState(ctx, scope(ctx), op)
	if err != nil {
		return nil, err
	}
	return changeDetails(o.Sequence, o.ChangedAt, o.ID), nil
}

func (m *Management) DeactivateOrg(ctx context.Context, _ *mgmt.DeactivateOrgRequest) (*mgmt.DeactivateOrgResponse, error) {
	d, err := m.orgState(ctx, org.OpDeactivate)
	if err != nil {
		return nil, err
	}
	return &mgmt.DeactivateOrgResponse{Details: d}, nil
}

func (m *Management) ReactivateOrg(ctx context.Context, _ *mgmt.ReactivateOrgRequest) (*mgmt.ReactivateOrgResponse, error) {
	d, err := m.orgState(ctx, org.OpReactivate)
	if err != nil {
		return nil, err
	}
	return &mgmt.ReactivateOrgResponse{Details: d}, nil
}

func (m *Management) RemoveOrg(ctx context.Context, _ *mgmt.RemoveOrgRequest) (*mgmt.RemoveOrgResponse, error) {
	d, err := m.orgState(ctx, org.OpRemove)
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveOrgResponse{Details: d}, nil
}

func (m *Management) ListOrgChanges(ctx context.Context, r *mgmt.ListOrgChangesRequest) (*mgmt.ListOrgChangesResponse, error) {
	q := r.GetQuery()
	evs, err := m.app.OrgChanges(ctx, scope(ctx), store.EventQuery{AfterSequence: q.GetSequence(), Asc: q.GetAsc(), Limit: int(q.GetLimit())})
	if err != nil {
		return nil, err
	}
	return &mgmt.ListOrgChangesResponse{Result: changes(evs)}, nil
}

func (m *Management) ListOrgMemberRoles(ctx context.Context, _ *mgmt.ListOrgMemberRolesRequest) (*mgmt.ListOrgMemberRolesResponse, error) {
	roles, err := m.app.OrgMemberRoles(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	return &mgmt.ListOrgMemberRolesResponse{Result: roles}, nil
}

// memberFilter converts ZITADEL's member search queries.
func memberFilter(qs []*member.SearchQuery) (app.MemberFilter, error) {
	var f app.MemberFilter
	if len(qs) > maxQueries {
		return f, errMemberQuery
	}
	for _, q := range qs {
		var tm store.TextMatch
		var err error
		switch x := q.GetQuery().(type) {
		case *member.SearchQuery_UserIdQuery:
			f.UserIDs = append(f.UserIDs, x.UserIdQuery.GetUserId())
			continue
		case *member.SearchQuery_EmailQuery:
			if tm, err = textMatch(x.EmailQuery.GetEmail(), x.EmailQuery.GetMethod()); err == nil {
				f.Emails = append(f.Emails, tm)
			}
		case *member.SearchQuery_FirstNameQuery:
			if tm, err = textMatch(x.FirstNameQuery.GetFirstName(), x.FirstNameQuery.GetMethod()); err == nil {
				f.FirstNames = append(f.FirstNames, tm)
			}
		case *member.SearchQuery_LastNameQuery:
			if tm, err = textMatch(x.LastNameQuery.GetLastName(), x.LastNameQuery.GetMethod()); err == nil {
				f.LastNames = append(f.LastNames, tm)
			}
		default:
			return f, errMemberQuery
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// memberV1 is a membership as ZITADEL lists it; u (nil when the caller may
// not read it) gives the user's fields, its login name with its org uo.
func memberV1(a *app.App, mb *org.Member, owner string, u *user.User, uo *org.Org) *member.Member {
	pm := &member.Member{UserId: mb.UserID, Roles: mb.Roles, Details: &object.ObjectDetails{Sequence: mb.Sequence,
		CreationDate: ts(mb.CreatedAt), ChangeDate: ts(mb.ChangedAt), ResourceOwner: owner}}
	if u != nil {
		pm.UserType = userpb.Type(u.Type)
		pm.UserResourceOwner = u.OrgID
		pm.PreferredLoginName = a.LoginName(u, uo)
		if h := u.Human; h != nil {
			pm.Email, pm.FirstName, pm.LastName, pm.DisplayName = h.Email, h.FirstName, h.LastName, h.DisplayName
		}
	}
	return pm
}
