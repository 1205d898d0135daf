package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/member"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	userpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
)

func (m *Management) ListProjectMemberRoles(ctx context.Context, _ *mgmt.ListProjectMemberRolesRequest) (*mgmt.ListProjectMemberRolesResponse, error) {
	roles, err := m.app.ProjectMemberRoles(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	return &mgmt.ListProjectMemberRolesResponse{Details: listDetails(uint64(len(roles))), Result: roles}, nil
}

func (m *Management) changeProjectMember(ctx context.Context, projectID, userID string, roles []string, kind app.MemberChange) (*object.ObjectDetails, error) {
	o, err := m.app.ChangeProjectMember(ctx, scope(ctx), projectID, userID, roles, kind)
	if err != nil {
		return nil, err
	}
	if kind == app.MemberAdd {
		return createDetails(o.Sequence, o.ChangedAt, o.ID), nil
	}
	return changeDetails(o.Sequence, o.ChangedAt, o.ID), nil
}

func (m *Management) AddProjectMember(ctx context.Context, r *mgmt.AddProjectMemberRequest) (*mgmt.AddProjectMemberResponse, error) {
	d, err := m.changeProjectMember(ctx, r.GetProjectId(), r.GetUserId(), r.GetRoles(), app.MemberAdd)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddProjectMemberResponse{Details: d}, nil
}

func (m *Management) UpdateProjectMember(ctx context.Context, r *mgmt.UpdateProjectMemberRequest) (*mgmt.UpdateProjectMemberResponse, error) {
	d, err := m.changeProjectMember(ctx, r.GetProjectId(), r.GetUserId(), r.GetRoles(), app.MemberUpdate)
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateProjectMemberResponse{Details: d}, nil
}

func (m *Management) RemoveProjectMember(ctx context.Context, r *mgmt.RemoveProjectMemberRequest) (*mgmt.RemoveProjectMemberResponse, error) {
	d, err := m.changeProjectMember(ctx, r.GetProjectId(), r.GetUserId(), nil, app.MemberRemove)
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveProjectMemberResponse{Details: d}, nil
}

// ListProjectMembers serves the user id query (what Terraform's provider
// reads a member back with); the other member queries are refused.
func (m *Management) ListProjectMembers(ctx context.Context, r *mgmt.ListProjectMembersRequest) (*mgmt.ListProjectMembersResponse, error) {
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.MemberFilter
	for _, q := range r.GetQueries() {
		v, ok := q.GetQuery().(*member.SearchQuery_UserIdQuery)
		if !ok {
			return nil, errMemberQuery
		}
		f.UserIDs = append(f.UserIDs, v.UserIdQuery.GetUserId())
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	ms, users, total, err := m.app.ListProjectMembers(ctx, scope(ctx), r.GetProjectId(), f, pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListProjectMembersResponse{Details: listDetails(total), Result: make([]*member.Member, 0, len(ms))}
	var owner *org.Org
	for _, mb := range ms {
		pm := &member.Member{UserId: mb.UserID, Roles: mb.Roles, Details: &object.ObjectDetails{Sequence: mb.Sequence,
			CreationDate: ts(mb.CreatedAt), ChangeDate: ts(mb.ChangedAt), ResourceOwner: mb.OrgID}}
		if u := users[mb.UserID]; u != nil {
			if owner == nil {
				if owner, err = m.app.GetOrg(ctx, mb.OrgID); err != nil {
					return nil, err
				}
			}
			pm.UserType = userpb.Type(u.Type)
			pm.UserResourceOwner = u.OrgID
			uo := owner
			if u.OrgID != owner.ID {
				uo = nil
			}
			pm.PreferredLoginName = m.app.LoginName(u, uo)
			if h := u.Human; h != nil {
				pm.Email, pm.FirstName, pm.LastName, pm.DisplayName = h.Email, h.FirstName, h.LastName, h.DisplayName
			}
		}
		out.Result = append(out.Result, pm)
	}
	return out, nil
}

func (m *Management) ListProjectGrantMemberRoles(ctx context.Context, _ *mgmt.ListProjectGrantMemberRolesRequest) (*mgmt.ListProjectGrantMemberRolesResponse, error) {
	roles, err := m.app.ProjectGrantMemberRoles(ctx, scope(ctx))
	if err != nil {
		return nil, err
	}
	return &mgmt.ListProjectGrantMemberRolesResponse{Details: listDetails(uint64(len(roles))), Result: roles}, nil
}

func (m *Management) changeProjectGrantMember(ctx context.Context, projectID, grantID, userID string, roles []string, kind app.MemberChange) (*object.ObjectDetails, error) {
	o, err := m.app.ChangeProjectGrantMember(ctx, scope(ctx), projectID, grantID, userID, roles, kind)
	if err != nil {
		return nil, err
	}
	if kind == app.MemberAdd {
		return createDetails(o.Sequence, o.ChangedAt, o.ID), nil
	}
	return changeDetails(o.Sequence, o.ChangedAt, o.ID), nil
}

func (m *Management) AddProjectGrantMember(ctx context.Context, r *mgmt.AddProjectGrantMemberRequest) (*mgmt.AddProjectGrantMemberResponse, error) {
	d, err := m.changeProjectGrantMember(ctx, r.GetProjectId(), r.GetGrantId(), r.GetUserId(), r.GetRoles(), app.MemberAdd)
	if err != nil {
		return nil, err
	}
	return &mgmt.AddProjectGrantMemberResponse{Details: d}, nil
}

func (m *Management) UpdateProjectGrantMember(ctx context.Context, r *mgmt.UpdateProjectGrantMemberRequest) (*mgmt.UpdateProjectGrantMemberResponse, error) {
	d, err := m.changeProjectGrantMember(ctx, r.GetProjectId(), r.GetGrantId(), r.GetUserId(), r.GetRoles(), app.MemberUpdate)
	if err != nil {
		return nil, err
	}
	return &mgmt.UpdateProjectGrantMemberResponse{Details: d}, nil
}

func (m *Management) RemoveProjectGrantMember(ctx context.Context, r *mgmt.RemoveProjectGrantMemberRequest) (*mgmt.RemoveProjectGrantMemberResponse, error) {
	d, err := m.changeProjectGrantMember(ctx, r.GetProjectId(), r.GetGrantId(), r.GetUserId(), nil, app.MemberRemove)
	if err != nil {
		return nil, err
	}
	return &mgmt.RemoveProjectGrantMemberResponse{Details: d}, nil
}

// ListProjectGrantMembers serves the user id query, as ListProjectMembers.
func (m *Management) ListProjectGrantMembers(ctx context.Context, r *mgmt.ListProjectGrantMembersRequest) (*mgmt.ListProjectGrantMembersResponse, error) {
	if len(r.GetQueries()) > maxQueries {
		return nil, errTooManyQueries
	}
	var f app.MemberFilter
	for _, q := range r.GetQueries() {
		v, ok := q.GetQuery().(*member.SearchQuery_UserIdQuery)
		if !ok {
			return nil, errMemberQuery
		}
		f.UserIDs = append(f.UserIDs, v.UserIdQuery.GetUserId())
	}
	pg, err := page(r.GetQuery().GetOffset(), r.GetQuery().GetLimit(), r.GetQuery().GetAsc())
	if err != nil {
		return nil, err
	}
	ms, users, total, err := m.app.ListProjectGrantMembers(ctx, scope(ctx), r.GetProjectId(), r.GetGrantId(), f, pg)
	if err != nil {
		return nil, err
	}
	out := &mgmt.ListProjectGrantMembersResponse{Details: listDetails(total), Result: make([]*member.Member, 0, len(ms))}
	for _, mb := range ms {
		pm := &member.Member{UserId: mb.UserID, Roles: mb.Roles, Details: &object.ObjectDetails{Sequence: mb.Sequence,
			CreationDate: ts(mb.CreatedAt), ChangeDate: ts(mb.ChangedAt), ResourceOwner: mb.OrgID}}
		if u := users[mb.UserID]; u != nil {
			pm.UserType = userpb.Type(u.Type)
			pm.UserResourceOwner = u.OrgID
			uo, err := m.app.GetOrg(ctx, u.OrgID)
			if err != nil {
				uo = nil
			}
			pm.PreferredLoginName = m.app.LoginName(u, uo)
			if h := u.Human; h != nil {
				pm.Email, pm.FirstName, pm.LastName, pm.DisplayName = h.Email, h.FirstName, h.LastName, h.DisplayName
			}
		}
		out.Result = append(out.Result, pm)
	}
	return out, nil
}
