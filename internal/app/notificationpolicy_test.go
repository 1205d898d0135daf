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

// TestNotificationPolicy: the built-in default (password-change notice on),
// the instance default, an org's own policy with ZITADEL's errors and events,
// the accessor the flows call; another org's owner changes only its own org.
func TestNotificationPolicy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		orgA, err := a.AddOrg(ctx, admin.Caller, "Org A")
		if err != nil {
			t.Fatal(err)
		}
		orgB, err := a.AddOrg(ctx, admin.Caller, "Org B")
		if err != nil {
			t.Fatal(err)
		}
		sa := Scope{Caller: &Caller{UserID: "owner-a", OrgID: orgA.ID, roles: map[string][]string{orgA.ID: {"ORG_OWNER"}}}, OrgID: orgA.ID}
		sb := Scope{Caller: &Caller{UserID: "owner-b", OrgID: orgB.ID, roles: map[string][]string{orgB.ID: {"ORG_OWNER"}}}, OrgID: orgB.ID}

		p, isDefault, err := a.NotificationPolicy(ctx, sa)
		if err != nil || !isDefault || !p.PasswordChange {
			t.Fatalf("built-in default %+v %v %v", p, isDefault, err)
		}
		_, err = a.UpdateInstanceNotificationPolicy(ctx, admin.Caller, true)
		wantCode(t, err, codes.FailedPrecondition) // already so
		if _, err := a.UpdateInstanceNotificationPolicy(ctx, admin.Caller, false); err != nil {
			t.Fatal(err)
		}
		d, err := a.UpdateInstanceNotificationPolicy(ctx, admin.Caller, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.UpdateInstanceNotificationPolicy(ctx, admin.Caller, false); err != nil {
			t.Fatal(err)
		}
		// ZITADEL's names: the first setting is added, the rest changed.
		ievs, err := a.store.Events(ctx, store.EventQuery{AggregateType: event.AggregateInstance, AggregateID: d.ID, Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		var itypes []string
		for _, e := range ievs {
			if e.Type == event.InstanceNotificationPolicyAdded || e.Type == event.InstanceNotificationPolicyChanged {
				itypes = append(itypes, e.Type)
			}
		}
		if !slices.Equal(itypes, []string{event.InstanceNotificationPolicyAdded, event.InstanceNotificationPolicyChanged, event.InstanceNotificationPolicyChanged}) {
			t.Fatalf("instance events %v", itypes)
		}
		if p, _ := a.NotificationPolicyFor(ctx, orgA.ID); p.PasswordChange {
			t.Fatal("instance default not inherited")
		}
		// An org owner is no instance administrator.
		_, err = a.UpdateInstanceNotificationPolicy(ctx, sa.Caller, true)
		wantCode(t, err, codes.PermissionDenied)

		_, err = a.ChangeNotificationPolicy(ctx, sa, true, PolicyUpdate)
		wantCode(t, err, codes.NotFound)
		_, err = a.ChangeNotificationPolicy(ctx, sa, true, PolicyReset)
		wantCode(t, err, codes.NotFound)
		if _, err := a.ChangeNotificationPolicy(ctx, sa, true, PolicyAdd); err != nil {
			t.Fatal(err)
		}
		_, err = a.ChangeNotificationPolicy(ctx, sa, true, PolicyAdd)
		wantCode(t, err, codes.AlreadyExists)
		_, err = a.ChangeNotificationPolicy(ctx, sa, true, PolicyUpdate)
		wantCode(t, err, codes.FailedPrecondition)
		if p, isDefault, _ := a.NotificationPolicy(ctx, sa); isDefault || !p.PasswordChange || p.OrgID != orgA.ID {
			t.Fatalf("own policy %+v", p)
		}
		if p, _ := a.NotificationPolicyFor(ctx, orgB.ID); p.PasswordChange {
			t.Fatal("org A's policy leaked to org B")
		}

		// Org B's owner, naming org A as its context: refused, nothing written.
		before, _ := a.store.Org(ctx, orgA.ID)
		for _, kind := range []PolicyChange{PolicyUpdate, PolicyReset} {
			_, err := a.ChangeNotificationPolicy(ctx, Scope{Caller: sb.Caller, OrgID: orgA.ID}, false, kind)
			wantCode(t, err, codes.PermissionDenied)
		}
		_, _, err = a.NotificationPolicy(ctx, Scope{Caller: sb.Caller, OrgID: orgA.ID})
		wantCode(t, err, codes.PermissionDenied)
		if after, _ := a.store.Org(ctx, orgA.ID); after.Sequence != before.Sequence {
			t.Fatalf("org A changed by org B's owner: %d → %d", before.Sequence, after.Sequence)
		}

		if _, err := a.ChangeNotificationPolicy(ctx, sa, false, PolicyUpdate); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ChangeNotificationPolicy(ctx, sa, false, PolicyReset); err != nil {
			t.Fatal(err)
		}
		if _, isDefault, _ := a.NotificationPolicy(ctx, sa); !isDefault {
			t.Fatal("reset kept the org's own")
		}
		evs, err := a.store.Events(ctx, store.EventQuery{AggregateType: event.AggregateOrg, AggregateID: orgA.ID, Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			if e.Type == event.NotificationPolicyAdded || e.Type == event.NotificationPolicyChanged || e.Type == event.NotificationPolicyRemoved {
				got = append(got, e.Type)
			}
		}
		if len(got) != 3 || got[0] != event.NotificationPolicyAdded || got[1] != event.NotificationPolicyChanged || got[2] != event.NotificationPolicyRemoved {
			t.Fatalf("events %v", got)
		}
	})
}
