package compat

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
)

func nameStartsWith(prefix string) *user.SearchQuery {
	return &user.SearchQuery{Query: &user.SearchQuery_UserNameQuery{UserNameQuery: &user.UserNameQuery{
		UserName: prefix, Method: object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH,
	}}}
}

func userNames(us []*user.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.GetUserName()
	}
	return out
}

// TestListUsers checks v1 ListUsers filters, paging and sorting on a set of
// users no other test touches (they share a fresh name prefix).
func TestListUsers(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		prefix := unique("ls") + "-"
		// Created out of order so the sort cannot come from insertion order.
		humans := []string{prefix + "c", prefix + "a", prefix + "e"}
		machines := []string{prefix + "d", prefix + "b"}
		ids := map[string]string{}
		for _, n := range humans {
			ids[n] = importHuman(t, m, n).GetUserId()
		}
		for _, n := range machines {
			ids[n] = addMachine(t, m, n)
		}
		all := append(slices.Clone(humans), machines...)
		slices.Sort(all)
		for _, n := range []string{prefix + "a", prefix + "d"} {
			_, err := m.LockUser(ctx(t), &management.LockUserRequest{Id: ids[n]})
			mustOK(t, "LockUser "+n, err)
		}

		list := func(what string, q *object.ListQuery, col user.UserFieldName, qs ...*user.SearchQuery) *management.ListUsersResponse {
			t.Helper()
			r, err := m.ListUsers(ctx(t), &management.ListUsersRequest{Query: q, SortingColumn: col, Queries: qs})
			mustOK(t, "ListUsers "+what, err)
			return r
		}
		want := func(what string, r *management.ListUsersResponse, total uint64, names []string) {
			t.Helper()
			if got := r.GetDetails().GetTotalResult(); got != total {
				t.Errorf("ListUsers %s: total_result %d, want %d", what, got, total)
			}
			if got := userNames(r.GetResult()); !slices.Equal(got, names) {
				t.Errorf("ListUsers %s: users %v, want %v", what, got, names)
			}
		}
		byName := user.UserFieldName_USER_FIELD_NAME_USER_NAME

		want("by prefix, name asc", list("prefix", &object.ListQuery{Asc: true}, byName, nameStartsWith(prefix)), 5, all)
		want("by prefix, name desc", list("prefix desc", &object.ListQuery{Asc: false}, byName, nameStartsWith(prefix)),
			5, []string{all[4], all[3], all[2], all[1], all[0]})

		exact := &user.SearchQuery{Query: &user.SearchQuery_UserNameQuery{UserNameQuery: &user.UserNameQuery{UserName: prefix + "e"}}}
		r := list("exact", nil, 0, exact)
		want("exact name", r, 1, []string{prefix + "e"})
		if got := r.GetResult()[0]; got.GetId() != ids[prefix+"e"] || got.GetHuman() == nil || got.GetState() != user.UserState_USER_STATE_ACTIVE {
			t.Errorf("ListUsers exact: got %v, want active human %s", got, ids[prefix+"e"])
		}

		machine := &user.SearchQuery{Query: &user.SearchQuery_TypeQuery{TypeQuery: &user.TypeQuery{Type: user.Type_TYPE_MACHINE}}}
		r = list("machines", &object.ListQuery{Asc: true}, byName, nameStartsWith(prefix), machine)
		want("machines", r, 2, []string{prefix + "b", prefix + "d"})
		for _, u := range r.GetResult() {
			if u.GetMachine() == nil || u.GetMachine().GetName() != "Robot "+u.GetUserName() {
				t.Errorf("ListUsers machines: %s has machine part %v", u.GetUserName(), u.GetMachine())
			}
		}
		human := &user.SearchQuery{Query: &user.SearchQuery_TypeQuery{TypeQuery: &user.TypeQuery{Type: user.Type_TYPE_HUMAN}}}
		want("humans", list("humans", &object.ListQuery{Asc: true}, byName, nameStartsWith(prefix), human),
			3, []string{prefix + "a", prefix + "c", prefix + "e"})

		locked := &user.SearchQuery{Query: &user.SearchQuery_StateQuery{StateQuery: &user.StateQuery{State: user.UserState_USER_STATE_LOCKED}}}
		r = list("locked", &object.ListQuery{Asc: true}, byName, nameStartsWith(prefix), locked)
		want("locked", r, 2, []string{prefix + "a", prefix + "d"})
		for _, u := range r.GetResult() {
			if u.GetState() != user.UserState_USER_STATE_LOCKED {
				t.Errorf("ListUsers locked: %s is %s", u.GetUserName(), u.GetState())
			}
		}
		active := &user.SearchQuery{Query: &user.SearchQuery_StateQuery{StateQuery: &user.StateQuery{State: user.UserState_USER_STATE_ACTIVE}}}
		want("active", list("active", &object.ListQuery{Asc: true}, byName, nameStartsWith(prefix), active),
			3, []string{prefix + "b", prefix + "c", prefix + "e"})

		// Paging: total_result counts every match, whatever the page.
		for _, p := range []struct {
			offset uint64
			names  []string
		}{{0, all[0:2]}, {2, all[2:4]}, {4, all[4:5]}, {6, nil}} {
			r := list("page", &object.ListQuery{Offset: p.offset, Limit: 2, Asc: true}, byName, nameStartsWith(prefix))
			want(fmt.Sprintf("page offset %d limit 2", p.offset), r, 5, p.names)
		}

		// v2 sees the same set, with v2 state numbers.
		v2 := s.users(t, s.adminPAT)
		r2, err := v2.ListUsers(ctx(t), &userv2.ListUsersRequest{
			Query:         &objv2.ListQuery{Limit: 10, Asc: true},
			SortingColumn: userv2.UserFieldName_USER_FIELD_NAME_USER_NAME,
			Queries: []*userv2.SearchQuery{{Query: &userv2.SearchQuery_UserNameQuery{UserNameQuery: &userv2.UserNameQuery{
				UserName: prefix, Method: objv2.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH,
			}}}},
		})
		mustOK(t, "v2 ListUsers", err)
		if r2.GetDetails().GetTotalResult() != 5 || len(r2.GetResult()) != 5 {
			t.Fatalf("v2 ListUsers by prefix: total %d, %d results, want 5", r2.GetDetails().GetTotalResult(), len(r2.GetResult()))
		}
		for i, u := range r2.GetResult() {
			if u.GetUsername() != all[i] {
				t.Errorf("v2 ListUsers[%d]: %s, want %s", i, u.GetUsername(), all[i])
			}
			wantSt := userv2.UserState_USER_STATE_ACTIVE
			if u.GetUsername() == prefix+"a" || u.GetUsername() == prefix+"d" {
				wantSt = userv2.UserState_USER_STATE_LOCKED
			}
			if u.GetState() != wantSt {
				t.Errorf("v2 ListUsers %s: state %s, want %s", u.GetUsername(), u.GetState(), wantSt)
			}
		}
	})
}
