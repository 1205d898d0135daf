package project

import (
	"errors"
	"slices"
	"testing"
)

// TestStateTransitions: every state × operation of projects and grants, with
// ZITADEL's refusals; a refused transition leaves the state alone.
func TestStateTransitions(t *testing.T) {
	for _, tc := range []struct {
		from       int
		reactivate bool
		want       int
		err        error
	}{
		{0, false, StateInactive, nil}, // stored before projects had a state: active
		{StateActive, false, StateInactive, nil},
		{StateInactive, false, StateInactive, ErrProjectNotActive},
		{0, true, 0, ErrProjectNotInactive},
		{StateActive, true, StateActive, ErrProjectNotInactive},
		{StateInactive, true, StateActive, nil},
	} {
		p := &Project{State: tc.from}
		op := p.Deactivate
		if tc.reactivate {
			op = p.Reactivate
		}
		if err := op(); !errors.Is(err, tc.err) || p.State != tc.want {
			t.Errorf("project %d reactivate=%v: state %d err %v, want %d %v", tc.from, tc.reactivate, p.State, err, tc.want, tc.err)
		}
	}
	for _, tc := range []struct {
		from       int
		reactivate bool
		want       int
		err        error
	}{
		{StateActive, false, StateInactive, nil},
		{StateInactive, false, StateInactive, ErrGrantNotActive},
		{StateActive, true, StateActive, ErrGrantNotInactive},
		{StateInactive, true, StateActive, nil},
	} {
		g := &Grant{State: tc.from}
		op := g.Deactivate
		if tc.reactivate {
			op = g.Reactivate
		}
		if err := op(); !errors.Is(err, tc.err) || g.State != tc.want {
			t.Errorf("grant %d reactivate=%v: state %d err %v, want %d %v", tc.from, tc.reactivate, g.State, err, tc.want, tc.err)
		}
	}
}

// TestWithoutRole: a role leaves a grant without touching the slice it was
// read with (the decision may run again on the same data).
func TestWithoutRole(t *testing.T) {
	keys := []string{"a", "b", "c"}
	g := &Grant{RoleKeys: keys}
	if !g.WithoutRole("b") || !slices.Equal(g.RoleKeys, []string{"a", "c"}) {
		t.Fatalf("after removing b: %v", g.RoleKeys)
	}
	if !slices.Equal(keys, []string{"a", "b", "c"}) {
		t.Fatalf("the original slice changed: %v", keys)
	}
	if g.WithoutRole("x") {
		t.Fatal("removed a role the grant does not hold")
	}
}
