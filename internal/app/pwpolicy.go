package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// The password policies (complexity and age) are kept as the lockout policy
// is: an artifact per org that has its own (changed as a change of the org,
// with ZITADEL's org.policy.password.* events), one for the instance default
// (a change of the instance), and a built-in default beneath both.

// policyKind describes one kind of stored policy to the helpers below.
type policyKind[T any] struct {
	kind     string
	builtin  func() T
	stored   func(*T) *policy.Stored
	same     func(a, b T) bool
	valid    func(T) error // nil: any settings will do
	instance func(T) error // the instance's own validity check
	payload  func(T) map[string]any

	added, changed, removed, instanceChanged                      string
	instanceAdded                                                 string // "": the instance's first setting is a change too
	exists, missing, resetMissing, notChanged, instanceNotChanged error
}

var complexityKind = policyKind[policy.Complexity]{
	kind:    policy.KindComplexity,
	builtin: policy.DefaultComplexity,
	stored:  func(p *policy.Complexity) *policy.Stored { return &p.Stored },
	same:    policy.Complexity.Same,
	valid:   policy.Complexity.Valid,
	instance: func(p policy.Complexity) error {
		if p.Valid() != nil {
			return errInstanceComplexityMinLength
		}
		return nil
	},
	payload: func(p policy.Complexity) map[string]any {
		return map[string]any{"minLength": p.MinLength, "hasLowercase": p.HasLowercase, "hasUppercase": p.HasUppercase, "hasNumber": p.HasNumber, "hasSymbol": p.HasSymbol}
	},
	added: event.ComplexityPolicyAdded, changed: event.ComplexityPolicyChanged, removed: event.ComplexityPolicyRemoved,
	instanceChanged: event.InstanceComplexityPolicyChanged,
	exists:          errComplexityExists, missing: errComplexityMissing, resetMissing: errComplexityResetMissing,
	notChanged: errComplexityNotChanged, instanceNotChanged: errInstanceComplexityNotChanged,
}

var ageKind = policyKind[policy.Age]{
	kind:    policy.KindAge,
	builtin: policy.DefaultAge,
	stored:  func(p *policy.Age) *policy.Stored { return &p.Stored },
	same:    policy.Age.Same,
	payload: func(p policy.Age) map[string]any {
		return map[string]any{"maxAgeDays": p.MaxAgeDays, "expireWarnDays": p.ExpireWarnDays}
	},
	added: event.AgePolicyAdded, changed: event.AgePolicyChanged, removed: event.AgePolicyRemoved,
	instanceChanged: event.InstanceAgePolicyChanged,
	exists:          errAgeExists, missing: errAgeMissing, resetMissing: errAgeResetMissing,
	notChanged: errAgeNotChanged, instanceNotChanged: errInstanceAgeNotChanged,
}

// read returns the stored policy of id (nil: none).
func (k policyKind[T]) read(ctx context.Context, r store.Reader, id string) (*T, error) {
	art, err := r.Artifact(ctx, k.kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p T
	if err := json.Unmarshal(art.Data, &p); err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.kind, id, err)
	}
	return &p, nil
}

// inForce is the org's own policy, else the instance default, else the
// built-in one; orgID "" asks for the default.
func (k policyKind[T]) inForce(ctx context.Context, r store.Reader, orgID string) (T, error) {
	for _, id := range []string{orgID, policy.InstanceID} {
		if id == "" {
			continue
		}
		p, err := k.read(ctx, r, id)
		if err != nil || p != nil {
			if p == nil {
				var zero T
				return zero, err
			}
			return *p, nil
		}
	}
	return k.builtin(), nil
}

// changeOrg adds, updates or removes (reset to the default) the org's own
// policy, as a change of the org. The answer is the policy in force
// afterwards, at the org's new sequence and change time.
func (k policyKind[T]) changeOrg(ctx context.Context, a *App, g granted, next T, change PolicyChange) (T, error) {
	var out T
	if change != PolicyReset && k.valid != nil {
		if err := k.valid(next); err != nil {
			return out, err
		}
	}
	_, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		cur, err := k.read(ctx, tx, g.OrgID)
		if err != nil {
			return "", nil, err
		}
		now, seq := ch.by.At, ch.o.Sequence
		switch {
		case change == PolicyAdd && cur != nil:
			return "", nil, k.exists
		case change == PolicyUpdate && cur == nil:
			return "", nil, k.missing
		case change == PolicyReset && cur == nil:
			return "", nil, k.resetMissing
		case change == PolicyUpdate && k.same(*cur, next):
			return "", nil, k.notChanged
		case change == PolicyReset:
			if err := tx.DeleteArtifact(ctx, k.kind, g.OrgID); err != nil {
				return "", nil, err
			}
			if out, err = k.inForce(ctx, tx, g.OrgID); err != nil {
				return "", nil, err
			}
			st := k.stored(&out)
			st.ChangedAt, st.Sequence = now, seq
			return k.removed, map[string]any{}, nil
		}
		st := k.stored(&next)
		typ := k.added
		if cur != nil {
			*st = *k.stored(cur)
			typ = k.changed
		} else {
			*st = policy.Stored{CreatedAt: now, OrgID: g.OrgID}
		}
		st.Sequence, st.ChangedAt = seq, now
		data, err := json.Marshal(next)
		if err != nil {
			return "", nil, err
		}
		out = next
		return typ, k.payload(next), tx.PutArtifact(ctx, &store.Artifact{Kind: k.kind, ID: g.OrgID, OrgID: g.OrgID, CreatedAt: st.CreatedAt, Data: data})
	})
	return out, err
}

// changeInstance sets the instance default, as a change of the instance;
// the answer carries the instance's new sequence.
func (k policyKind[T]) changeInstance(ctx context.Context, a *App, g granted, next T) (T, *InstanceDetails, error) {
	var out T
	if k.instance != nil {
		if err := k.instance(next); err != nil {
			return out, nil, err
		}
	}
	d, err := a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		own, err := k.read(ctx, tx, policy.InstanceID)
		if err != nil {
			return "", nil, err
		}
		cur, typ := k.builtin(), k.instanceChanged
		if own != nil {
			cur = *own
		} else if k.instanceAdded != "" {
			typ = k.instanceAdded
		}
		// The built-in default counts as set, as ZITADEL's instance has it
		// from its setup.
		if k.same(cur, next) {
			return "", nil, k.instanceNotChanged
		}
		st := k.stored(&next)
		*st = policy.Stored{CreatedAt: k.stored(&cur).CreatedAt, ChangedAt: ch.by.At, Sequence: ch.i.Sequence}
		if st.CreatedAt.IsZero() {
			st.CreatedAt = ch.by.At
		}
		data, err := json.Marshal(next)
		if err != nil {
			return "", nil, err
		}
		out = next
		return typ, k.payload(next), tx.PutArtifact(ctx, &store.Artifact{Kind: k.kind, ID: policy.InstanceID, CreatedAt: st.CreatedAt, Data: data})
	})
	return out, d, err
}

// complexityPolicy is the password complexity policy in force for orgID.
func complexityPolicy(ctx context.Context, r store.Reader, orgID string) (policy.Complexity, error) {
	return complexityKind.inForce(ctx, r, orgID)
}

// checkNewPassword is the one gate every plain password passes before it is
// hashed and set: Warden's own upper bound (hashing cost), then the complexity
// policy in force for the user's org. Hashed imports do not pass here: there
// is no plain text to measure.
func checkNewPassword(ctx context.Context, r store.Reader, orgID, password string) error {
	if err := checkPasswordRules(password); err != nil {
		return err
	}
	p, err := complexityPolicy(ctx, r, orgID)
	if err != nil {
		return storeErr(err)
	}
	return p.Check(password)
}

// PasswordComplexityPolicy returns the policy in force for the scope's org and
// whether it is the default (the org has none of its own); def asks for the
// default itself (GetDefaultPasswordComplexityPolicy).
func (a *App) PasswordComplexityPolicy(ctx context.Context, s Scope, def bool) (policy.Complexity, bool, error) {
	use := UseGetComplexityPolicy
	if def {
		use = UseGetDefaultComplexityPolicy
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return policy.Complexity{}, false, err
	}
	orgID := g.OrgID
	if def {
		orgID = ""
	}
	p, err := complexityPolicy(ctx, a.store, orgID)
	return p, p.OrgID == "", storeErr(err)
}

// MyPasswordComplexityPolicy is the policy a new password of the caller's
// must satisfy (auth v1 GetMyPasswordComplexityPolicy).
func (a *App) MyPasswordComplexityPolicy(ctx context.Context, s Scope) (policy.Complexity, bool, error) {
	_, u, err := a.me(ctx, s, UseGetMyComplexityPolicy)
	if err != nil {
		return policy.Complexity{}, false, err
	}
	p, err := complexityPolicy(ctx, a.store, u.OrgID)
	return p, p.OrgID == "", storeErr(err)
}

var complexityUses = map[PolicyChange]Use{PolicyAdd: UseAddComplexityPolicy, PolicyUpdate: UseUpdateComplexityPolicy, PolicyReset: UseResetComplexityPolicy}

// ChangePasswordComplexityPolicy adds, updates or removes (reset) the org's own
// password complexity policy; settings are ignored for a reset.
func (a *App) ChangePasswordComplexityPolicy(ctx context.Context, s Scope, settings policy.Complexity, change PolicyChange) (policy.Complexity, error) {
	g, err := a.authorize(ctx, s, complexityUses[change])
	if err != nil {
		return policy.Complexity{}, err
	}
	return complexityKind.changeOrg(ctx, a, g, settings, change)
}

// InstanceComplexityPolicy is the instance default (admin v1).
func (a *App) InstanceComplexityPolicy(ctx context.Context, c *Caller) (policy.Complexity, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetInstanceComplexityPolicy); err != nil {
		return policy.Complexity{}, err
	}
	p, err := complexityPolicy(ctx, a.store, "")
	return p, storeErr(err)
}

// UpdateInstanceComplexityPolicy sets the instance default (admin v1).
func (a *App) UpdateInstanceComplexityPolicy(ctx context.Context, c *Caller, settings policy.Complexity) (policy.Complexity, *InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseUpdateInstanceComplexityPolicy)
	if err != nil {
		return policy.Complexity{}, nil, err
	}
	return complexityKind.changeInstance(ctx, a, g, settings)
}

// PasswordAgePolicy returns the age policy in force for the scope's org (or
// the default, def) and whether it is the default.
func (a *App) PasswordAgePolicy(ctx context.Context, s Scope, def bool) (policy.Age, bool, error) {
	use := UseGetAgePolicy
	if def {
		use = UseGetDefaultAgePolicy
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return policy.Age{}, false, err
	}
	orgID := g.OrgID
	if def {
		orgID = ""
	}
	p, err := ageKind.inForce(ctx, a.store, orgID)
	return p, p.OrgID == "", storeErr(err)
}

var ageUses = map[PolicyChange]Use{PolicyAdd: UseAddAgePolicy, PolicyUpdate: UseUpdateAgePolicy, PolicyReset: UseResetAgePolicy}

// ChangePasswordAgePolicy adds, updates or removes (reset) the org's own
// password age policy.
func (a *App) ChangePasswordAgePolicy(ctx context.Context, s Scope, settings policy.Age, change PolicyChange) (policy.Age, error) {
	g, err := a.authorize(ctx, s, ageUses[change])
	if err != nil {
		return policy.Age{}, err
	}
	return ageKind.changeOrg(ctx, a, g, settings, change)
}

// InstanceAgePolicy is the instance default (admin v1).
func (a *App) InstanceAgePolicy(ctx context.Context, c *Caller) (policy.Age, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetInstanceAgePolicy); err != nil {
		return policy.Age{}, err
	}
	p, err := ageKind.inForce(ctx, a.store, "")
	return p, storeErr(err)
}

// UpdateInstanceAgePolicy sets the instance default (admin v1).
func (a *App) UpdateInstanceAgePolicy(ctx context.Context, c *Caller, settings policy.Age) (policy.Age, *InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseUpdateInstanceAgePolicy)
	if err != nil {
		return policy.Age{}, nil, err
	}
	return ageKind.changeInstance(ctx, a, g, settings)
}

// DefaultLockoutPolicy is the instance's default lockout policy as an org sees
// it (Management v1 GetDefaultLockoutPolicy).
func (a *App) DefaultLockoutPolicy(ctx context.Context, s Scope) (policy.Lockout, error) {
	if _, err := a.authorize(ctx, s, UseGetDefaultLockoutPolicy); err != nil {
		return policy.Lockout{}, err
	}
	p, err := lockoutPolicy(ctx, a.store, "")
	return p, storeErr(err)
}

// InstanceLockoutPolicy is the instance's default lockout policy (admin v1):
// what every org without its own follows.
func (a *App) InstanceLockoutPolicy(ctx context.Context, c *Caller) (policy.Lockout, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetInstanceLockoutPolicy); err != nil {
		return policy.Lockout{}, err
	}
	p, err := lockoutPolicy(ctx, a.store, "")
	return p, storeErr(err)
}

// UpdateInstanceLockoutPolicy sets the instance's default lockout policy, as a
// change of the instance (instance.policy.lockout.changed).
func (a *App) UpdateInstanceLockoutPolicy(ctx context.Context, c *Caller, maxPassword, maxOTP uint64) (policy.Lockout, *InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseUpdateInstanceLockoutPolicy)
	if err != nil {
		return policy.Lockout{}, nil, err
	}
	var out policy.Lockout
	d, err := a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		cur, err := lockoutPolicy(ctx, tx, "")
		if err != nil {
			return "", nil, err
		}
		if cur.MaxPasswordAttempts == maxPassword && cur.MaxOTPAttempts == maxOTP {
			return "", nil, errInstanceLockoutNotChanged
		}
		next := cur
		next.MaxPasswordAttempts, next.MaxOTPAttempts = maxPassword, maxOTP
		next.Sequence, next.ChangedAt = ch.i.Sequence, ch.by.At
		if next.CreatedAt.IsZero() {
			next.CreatedAt = ch.by.At
		}
		data, err := json.Marshal(next)
		if err != nil {
			return "", nil, err
		}
		out = next
		payload := map[string]any{"maxPasswordAttempts": next.MaxPasswordAttempts, "maxOTPAttempts": next.MaxOTPAttempts, "showLockOutFailures": next.ShowFailures}
		return event.InstanceLockoutPolicyChanged, payload, tx.PutArtifact(ctx, &store.Artifact{Kind: policy.KindLockout, ID: policy.InstanceID, CreatedAt: next.CreatedAt, Data: data})
	})
	return out, d, err
}

// UpdateMyPassword is the caller's own password change (auth v1): the old
// password is checked as a sign-in check is (in a hash slot, counted towards
// the lockout policy), the new one against the complexity policy. It returns
// the user as committed.
func (a *App) UpdateMyPassword(ctx context.Context, s Scope, oldPassword, newPassword string) (*user.User, error) {
	_, u, err := a.me(ctx, s, UseUpdateMyPassword)
	if err != nil {
		return nil, err
	}
	return a.changePassword(ctx, s.Caller, u, oldPassword, newPassword, false, true)
}

// PasswordExpired tells whether u's password is older than the age policy in
// force for its org allows; the login page then asks for a new one before the
// sign-in completes, as ZITADEL's does.
func (a *App) PasswordExpired(ctx context.Context, u *user.User) (bool, error) {
	if u.Human == nil {
		return false, nil
	}
	p, err := ageKind.inForce(ctx, a.store, u.OrgID)
	if err != nil {
		return false, storeErr(err)
	}
	return p.Expired(u.Human.PasswordChangedAt, time.Now()), nil
}
