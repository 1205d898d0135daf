package org

import (
	"errors"
	"testing"
)

// TestApply: every lifecycle operation from every state, with ZITADEL's
// errors, and the default org's two refusals.
func TestApply(t *testing.T) {
	const def = "default"
	cases := []struct {
		state   State // 0: no such org
		id      string
		op      Op
		want    State
		event   string
		wantErr error
	}{
		{StateActive, "o", OpDeactivate, StateInactive, EventDeactivated, nil},
		{StateInactive, "o", OpDeactivate, StateInactive, "", ErrAlreadyInactive},
		{StateRemoved, "o", OpDeactivate, StateRemoved, "", ErrDeactivateMissing},
		{0, "o", OpDeactivate, 0, "", ErrDeactivateMissing},
		{StateActive, def, OpDeactivate, StateActive, "", ErrDefaultNotDeactivated},
		{StateInactive, "o", OpReactivate, StateActive, EventReactivated, nil},
		{StateActive, "o", OpReactivate, StateActive, "", ErrAlreadyActive},
		{StateRemoved, "o", OpReactivate, StateRemoved, "", ErrReactivateMissing},
		{0, "o", OpReactivate, 0, "", ErrReactivateMissing},
		{StateActive, "o", OpRemove, StateRemoved, EventRemoved, nil},
		{StateInactive, "o", OpRemove, StateRemoved, EventRemoved, nil},
		{StateRemoved, "o", OpRemove, StateRemoved, "", ErrRemoveMissing},
		{0, "o", OpRemove, 0, "", ErrRemoveMissing},
		{StateActive, def, OpRemove, StateActive, "", ErrDefaultNotRemoved},
		{StateInactive, def, OpRemove, StateInactive, "", ErrDefaultNotRemoved},
	}
	for _, c := range cases {
		var o *Org
		if c.state != 0 {
			o = &Org{ID: c.id, State: c.state}
		}
		ev, err := Apply(o, c.op, def)
		if !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) {
			t.Errorf("%v %s op %d: error %v, want %v", c.state, c.id, c.op, err, c.wantErr)
		}
		if ev != c.event {
			t.Errorf("%v %s op %d: event %q, want %q", c.state, c.id, c.op, ev, c.event)
		}
		if o != nil && o.State != c.want {
			t.Errorf("%v %s op %d: state %v, want %v", c.state, c.id, c.op, o.State, c.want)
		}
	}
}

func TestRename(t *testing.T) {
	o := &Org{ID: "o", Name: "Acme", State: StateActive}
	for _, c := range []struct {
		name    string
		wantErr error
	}{{"", ErrNameInvalid}, {"   ", ErrNameInvalid}, {"Acme", ErrNotChanged}, {" Acme ", ErrNotChanged}} {
		if _, err := Rename(o, c.name); !errors.Is(err, c.wantErr) {
			t.Errorf("Rename(%q): %v, want %v", c.name, err, c.wantErr)
		}
	}
	if ev, err := Rename(o, " Acme Two "); err != nil || ev != EventChanged || o.Name != "Acme Two" {
		t.Errorf("rename: %q %v %q", ev, err, o.Name)
	}
	if _, err := Rename(&Org{ID: "x", Name: "n", State: StateRemoved}, "m"); !errors.Is(err, ErrChangeNotFound) {
		t.Errorf("rename of a removed org: %v", err)
	}
}
