package app

import (
	"context"
	"slices"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"google.golang.org/grpc/codes"
)

func eventTypes(evs []event.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

// TestProjectChanges: a project's history holds its own events only (not
// another project's of the same org), in order, paged by sequence; a
// project grant's history holds that grant's only, after its removal too.
func TestProjectChanges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, partner := grantSetup(t, a, admin) // project.added, project.role.added
		q, err := a.AddProject(ctx, admin, ProjectInput{Name: "Q"})
		if err != nil {
			t.Fatal(err)
		}
		qg, err := a.AddProjectGrant(ctx, admin, q.ID, partner, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, mAuth := patCaller(t, a, admin, "member")
		if _, err := a.ChangeProjectMember(ctx, admin, p.ID, m.UserID, []string{"PROJECT_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		pg, err := a.AddProjectGrant(ctx, admin, p.ID, partner, []string{"reader"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.SetProjectGrantActive(ctx, admin, p.ID, pg.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RemoveProjectGrant(ctx, admin, p.ID, pg.ID); err != nil {
			t.Fatal(err)
		}

		want := []string{event.ProjectAdded, event.ProjectRoleAdded, event.ProjectMemberAdded, event.ProjectGrantAdded, event.ProjectGrantDeactivated, event.ProjectGrantRemoved}
		evs, err := a.ProjectChanges(ctx, admin, p.ID, store.EventQuery{Asc: true})
		if err != nil || !slices.Equal(eventTypes(evs), want) {
			t.Fatalf("P's changes %v, %v; want %v", eventTypes(evs), err, want)
		}
		// Paged: two at a time, from the cursor.
		first, err := a.ProjectChanges(ctx, admin, p.ID, store.EventQuery{Asc: true, Limit: 2})
		if err != nil || !slices.Equal(eventTypes(first), want[:2]) {
			t.Fatalf("first page %v, %v", eventTypes(first), err)
		}
		next, err := a.ProjectChanges(ctx, admin, p.ID, store.EventQuery{Asc: true, Limit: 2, AfterSequence: first[1].Sequence})
		if err != nil || !slices.Equal(eventTypes(next), want[2:4]) {
			t.Fatalf("second page %v, %v", eventTypes(next), err)
		}
		newest, err := a.ProjectChanges(ctx, admin, p.ID, store.EventQuery{Limit: 1})
		if err != nil || !slices.Equal(eventTypes(newest), []string{event.ProjectGrantRemoved}) {
			t.Fatalf("newest %v, %v", eventTypes(newest), err)
		}

		gevs, err := a.ProjectGrantChanges(ctx, admin, p.ID, pg.ID, store.EventQuery{Asc: true})
		if err != nil || !slices.Equal(eventTypes(gevs), want[3:]) {
			t.Fatalf("grant changes %v, %v", eventTypes(gevs), err)
		}
		// Q's grant is not P's.
		if gevs, err := a.ProjectGrantChanges(ctx, admin, p.ID, qg.ID, store.EventQuery{Asc: true}); err != nil || len(gevs) != 0 {
			t.Fatalf("Q's grant under P: %v, %v", eventTypes(gevs), err)
		}
		// A project member of P reads P's history, not Q's.
		ms := OrgScope(mAuth(), admin.OrgID)
		if evs, err := a.ProjectChanges(ctx, ms, p.ID, store.EventQuery{Asc: true}); err != nil || len(evs) != len(want) {
			t.Fatalf("P's viewer reads P's changes: %v, %v", eventTypes(evs), err)
		}
		_, err = a.ProjectChanges(ctx, ms, q.ID, store.EventQuery{})
		wantCode(t, err, codes.PermissionDenied)
		_, err = a.ProjectChanges(ctx, admin, "no-such-project", store.EventQuery{})
		wantCode(t, err, codes.NotFound)
	})
}
