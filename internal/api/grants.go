package api

import (
	"context"
	"slices"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/project"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
)

func (m *Management) grantV1(v *app.GrantView) *userpb.UserGrant {
	out := &userpb.UserGrant{Id: v.ID, RoleKeys: v.RoleKeys, State: userpb.UserGrantState(v.State), UserId: v.UserID,
		ProjectId: v.ProjectID, OrgId: v.OrgID, Details: &object.ObjectDetails{Sequence: v.Sequence,
			CreationDate: ts(v.CreatedAt), ChangeDate: ts(v.ChangedAt), ResourceOwner: v.OrgID}}
	if out.RoleKeys == nil {
		out.RoleKeys = []string{}
	}
	if v.Project != nil {
		out.ProjectName = v.Project.Name
	}
	if v.Org != nil {
		out.OrgName, out.OrgDomain = v.Org.Name, m.app.OrgDomain(v.Org)
	}
	if u := v.User; u != nil {
		out.UserName = u.UserName
		out.UserType = userpb.Type_TYPE_MACHINE
		if h := u.Human; h != nil {
			out.UserType = userpb.Type_TYPE_HUMAN
			out.FirstName, out.LastName, out.Email, out.DisplayName = h.FirstName, h.LastName, h.Email, h.DisplayName
		} else if u.Machine != nil {
			out.DisplayName = u.Machine.Name
		}
		if v.UserOrg != nil {
			out.PreferredLoginName = m.app.LoginName(u, v.UserOrg)
		}
	}
	return out
}

func grantDetails(g *project.Grant) *object.ObjectDetails {
	return changeDetails(g.Sequence, g.ChangedAt, g.OrgID)
}

func (m *Management) AddUserGrant(ctx context.Context, r *mgmt.AddUserGrantRequest) (*mgmt.AddUserGrantResponse, error) {
	g, err := m.app.AddUserGrant(ctx, scope(ctx), app.GrantInput{UserID: r.GetUserId(), ProjectID: r.GetProjectId(),
		ProjectGrantID: r.GetProjectGrantId(), RoleKeys: r.GetRoleKeys()})
	if err != nil {
		return nil, err
	}
	return &mgmt.AddUserGrantResponse{UserGrantId: g.ID, Details: createDetails(g.Sequence, g.CreatedAt, g.OrgID)}, nil
}

func (m *Management) UpdateUserGrant(ctx context.Context, r *mgmt.UpdateUserGrantRequest) (*mgmt.UpdateUserGrantResponse, error) {
	g, err := m.app.UpdateUserGrant(ctx, scope(ctx), r.GetUserId(), r.GetGrantId(), r.GetRoleKeys())
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateUserGrantResponse{Details: grantDetails(g)}, nil
}

func (m *Management) DeactivateUserGrant(ctx context.Context, r *mgmt.DeactivateUserGrantRequest) (*mgmt.DeactivateUserGrantResponse, error) {
	g, err := m.app.SetUserGrantActive(ctx, scope(ctx), r.GetUserId(), r.GetGrantId(), false)
	if err != nil {
		return nil, err
	}
	return &mgmt.DeactivateUserGrantResponse{Details: grantDetails(g)}, nil
}

func (m *Management) ReactivateUserGrant(ctx context.Context, r *mgmt.ReactivateUserGrantRequest) (*mgmt.ReactivateUserGrantResponse, error) {
	g, err := m.app.SetUserGrantActive(ctx, scope(ctx), r.GetUserId(), r.GetGrantId(), true)
	if err != nil {
		return nil, err
	}
	return &mgmt.ReactivateUserGrantResponse{Details: grantDetails(g)}, nil
}

func (m *Management) RemoveUserGrant(ctx context.Context, r *mgmt.RemoveUserGrantRequest) (*mgmt.RemoveUserGrantResponse, error) {
	o, err := m.app.RemoveUserGrants(ctx, scope(ctx), r.GetUserId(), []string{r.GetGrantId()}, false)
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveUserGrantResponse{Details: changeDetails(o.Sequence, o.ChangedAt, o.ID)}, nil
}

func (m *Management) BulkRemoveUserGrant(ctx context.Context, r *mgmt.BulkRemoveUserGrantRequest) (*mgmt.BulkRemoveUserGrantResponse, error) {
	if _, err := m.app.RemoveUserGrants(ctx, scope(ctx), "", r.GetGrantId(), true); err != nil {
		return nil, err
	}
	return &mgmt.BulkRemoveUserGrantResponse{}, nil
}

func (m *Management) GetUserGrantByID(ctx context.Context, r *mgmt.GetUserGrantByIDRequest) (*mgmt.GetUserGrantByIDResponse, error) {
	v, err := m.app.GetUserGrant(ctx, scope(ctx), r.GetUserId(), r.GetGrantId())
	if err != nil {
		return nil, err
	}
	return &mgmt.GetUserGrantByIDResponse{UserGrant: m.grantV1(v)}, nil
}

func (m *Management) ListUserGrants(ctx context.Context, r *mgmt.ListUserGrantRequest) (*mgmt.ListUserGrantResponse, error) {
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.GrantFilter
	// ZITADEL ANDs its queries: a second user id query narrows the first
	// (two different ids match nothing).
	and := func(have []string, ids ...string) []string {
		if have == nil {
			return append([]string{}, ids...)
		}
		out := []string{}
		for _, id := range ids {
			if slices.Contains(have, id) {
				out = append(out, id)
			}
		}
		return out
	}
	for _, q := range r.GetQueries() {
		switch v := q.GetQuery().(type) {
		case *userpb.UserGrantQuery_UserIdQuery:
			f.UserIDs = and(f.UserIDs, v.UserIdQuery.GetUserId())
		case *userpb.UserGrantQuery_ProjectIdQuery:
			f.ProjectIDs = and(f.ProjectIDs, v.ProjectIdQuery.GetProjectId())
		case *userpb.UserGrantQuery_InUserIdsQuery:
			f.UserIDs = and(f.UserIDs, v.InUserIdsQuery.GetInUserIds()...)
		case *userpb.UserGrantQuery_RoleKeyQuery:
			tm, err := textMatch(v.RoleKeyQuery.GetRoleKey(), v.RoleKeyQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			f.RoleKeys = append(f.RoleKeys, tm)
		case *userpb.UserGrantQuery_UserNameQuery:
			tm, err := textMatch(v.UserNameQuery.GetUserName(), v.UserNameQuery.GetMethod())
			if err != nil {
				return nil, err
			}
			f.UserNames = append(f.UserNames, tm)
		case *userpb.UserGrantQuery_WithGrantedQuery:
			// ZITADEL adds the grants other orgs gave on this org's projects
			// through their project grants; Warden lists the org context's
			// own grants only (docs/compat.md).
		default:
			return nil, errQueryUnsupported
		}
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	views, total, err := m.app.ListUserGrants(ctx, scope(ctx), f, pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListUserGrantResponse{Details: listDetails(total), Result: make([]*userpb.UserGrant, len(views))}
	for i, v := range views {
		out.Result[i] = m.grantV1(v)
	}
	return out, nil
}
