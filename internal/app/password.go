package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// PasswordResult tells the login page what happened, beyond the error. It
// says nothing about attempts left: that would tell anyone which accounts exist.
type PasswordResult struct {
	User   *user.User
	Locked bool // this check locked the user
}

// dummyHash makes a check for an unknown user cost as much as a real one, so
// response times do not tell which user names exist.
var dummyHash, _ = credential.HashPassword("warden-dummy-password")

// CheckPassword verifies a human's password for sign-in and records the outcome
// under the lockout policy. The slow hash comparison runs before the transaction
// (in a hash slot, waited for only while ctx lives: ErrPasswordBusy otherwise);
// the transaction re-reads the user, so a lock committed meanwhile wins.
//
// A correct password whose stored hash is not the server's own argon2id (an
// imported bcrypt or otherwise tuned hash) is re-hashed, also before the
// transaction, and the new hash is written with the check — only if the
// stored hash is still the one verified.
func (a *App) CheckPassword(ctx context.Context, userID, password string) (*PasswordResult, error) {
	if err := checkID(userID, user.ErrGetNotFound); err != nil {
		return nil, err
	}
	u, err := a.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, a.CheckUnknownUserPassword(ctx, password)
	}
	if err != nil {
		return nil, storeErr(err)
	}
	hash := dummyHash
	if u.Human != nil && u.Human.PasswordHash != "" {
		if credential.CheckHashFormat(u.Human.PasswordHash) == nil {
			hash = u.Human.PasswordHash
		} else {
			// Stored before the import limits, or damaged: never computed; the
			// user needs a new password.
			a.log.WarnContext(ctx, "stored password hash is beyond the limits or malformed; set a new password", "user", userID)
		}
	}
	ok, err := a.verifyPassword(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	correct := ok && hash != dummyHash
	var upgrade string
	if correct && credential.NeedsRehash(hash) {
		// Best effort: without a slot now, the next sign-in upgrades it.
		upgrade, _ = a.hashPassword(ctx, password)
	}
	locked := false
	var outErr error
	u, err = a.writeUser(ctx, func(ctx context.Context, tx store.Reader) (*user.User, error) {
		return tx.User(ctx, userID)
	}, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		locked = false // the decision may run again after a conflict
		pol, err := lockoutPolicy(ctx, tx, u.OrgID)
		if err != nil {
			return nil, err
		}
		by := user.Actor{UserID: u.ID, At: store.Now()}
		evs, outcome, cerr := user.CheckPassword(u, correct, pol.MaxPasswordAttempts, by)
		outErr = cerr
		if outcome == user.CheckRefused {
			return nil, nil // nothing to record
		}
		if outcome == user.CheckOK && upgrade != "" && u.Human.PasswordHash == hash {
			ev, err := user.UpgradePasswordHash(u, upgrade, by)
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		locked = outcome == user.CheckWrongLocked
		return evs, nil
	})
	if err != nil {
		return nil, err
	}
	res := &PasswordResult{User: u, Locked: locked}
	if res.Locked {
		a.log.WarnContext(ctx, "user locked by lockout policy", "user", userID)
		a.obs.UserLocked(LockCausePolicy)
	}
	return res, outErr
}

// SetPassword sets a human's password (SetHumanPassword v1, SetPassword v2, and
// the user's own change when self is true).
func (a *App) SetPassword(ctx context.Context, s Scope, userID, password string, changeRequired, self bool) (*user.User, error) {
	g, err := a.authorize(ctx, s, UseSetPassword)
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errUserIDMissing); err != nil {
		return nil, err
	}
	by := user.Actor{UserID: userID}
	if s.Caller != nil {
		by.UserID = s.Caller.UserID
	}
	return a.writePassword(ctx, password, changeRequired, by, func(ctx context.Context, tx store.Reader) (*user.User, error) {
		if !self {
			return a.loadForChange(ctx, tx, g, userID, user.ErrGetNotFound)
		}
		u, err := tx.User(ctx, userID)
		if err != nil {
			return nil, err
		}
		if !u.CanAuthenticate() {
			return nil, user.ErrNotActive
		}
		return u, nil
	})
}

// writePassword hashes password (outside the transaction: it is slow, and the
// write may run again) and sets it on the user load returns inside the write.
// load runs once before the hash too, so a caller who may not set this
// password cannot keep the hash slots busy.
func (a *App) writePassword(ctx context.Context, password string, changeRequired bool, by user.Actor, load userLoader) (*user.User, error) {
	if err := checkPasswordRules(password); err != nil {
		return nil, err
	}
	u, err := load(ctx, a.store)
	if err != nil {
		return nil, storeErr(err)
	}
	if err := checkNewPassword(ctx, a.store, u.OrgID, password); err != nil {
		return nil, err
	}
	hash, err := a.hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	return a.writeUser(ctx, load, func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error) {
		return a.passwordSet(ctx, tx, u, hash, changeRequired, user.Actor{UserID: by.UserID, At: store.Now()})
	})
}

// checkPasswordRules is Warden's own bound on a plain password, before the
// policy's (checkNewPassword): longer ones only cost hashing time.
func checkPasswordRules(p string) error {
	if len(p) > 256 {
		return errPasswordLength
	}
	return nil
}

// lockoutPolicy is the org's own policy, else the instance default, else the
// built-in default.
func lockoutPolicy(ctx context.Context, r store.Reader, orgID string) (policy.Lockout, error) {
	for _, id := range []string{orgID, policy.InstanceID} {
		if id == "" {
			continue
		}
		art, err := r.Artifact(ctx, policy.KindLockout, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return policy.Lockout{}, err
		}
		var p policy.Lockout
		if err := json.Unmarshal(art.Data, &p); err != nil {
			return policy.Lockout{}, fmt.Errorf("lockout policy %s: %w", id, err)
		}
		return p, nil
	}
	return policy.Default(), nil
}

// LockoutPolicy returns the policy in force for the scope's org and whether
// it is the default (no org policy of its own).
func (a *App) LockoutPolicy(ctx context.Context, s Scope) (policy.Lockout, bool, error) {
	g, err := a.authorize(ctx, s, UseGetLockoutPolicy)
	if err != nil {
		return policy.Lockout{}, false, err
	}
	p, err := lockoutPolicy(ctx, a.store, g.OrgID)
	if err != nil {
		return p, false, storeErr(err)
	}
	return p, p.OrgID == "", nil
}

// PolicyChange is the kind of lockout policy write.
type PolicyChange int

const (
	PolicyAdd PolicyChange = iota
	PolicyUpdate
	PolicyReset
)

// policyUses are the use cases of the lockout policy writes.
var policyUses = map[PolicyChange]Use{PolicyAdd: UseAddLockoutPolicy, PolicyUpdate: UseUpdateLockoutPolicy, PolicyReset: UseResetLockoutPolicy}

// ChangeLockoutPolicy adds, updates or removes (reset to default) the org's own
// lockout policy.
func (a *App) ChangeLockoutPolicy(ctx context.Context, s Scope, maxPassword, maxOTP uint64, kind PolicyChange) (policy.Lockout, error) {
	g, err := a.authorize(ctx, s, policyUses[kind])
	if err != nil {
		return policy.Lockout{}, err
	}
	return a.changeLockout(ctx, g, func(cur *policy.Lockout, now time.Time) (*policy.Lockout, error) {
		switch {
		case kind == PolicyAdd && cur != nil:
			return nil, errPolicyExists
		case kind == PolicyAdd:
			return &policy.Lockout{CreatedAt: now, OrgID: g.OrgID, ShowFailures: true, MaxPasswordAttempts: maxPassword, MaxOTPAttempts: maxOTP}, nil
		case cur == nil:
			return nil, errPolicyMissing
		case kind == PolicyReset:
			return nil, nil
		}
		cur.MaxPasswordAttempts, cur.MaxOTPAttempts = maxPassword, maxOTP
		return cur, nil
	})
}

// changeLockout is the one place an org's lockout policy is written: a change
// of the org (ZITADEL's org.policy.lockout.* events on the org aggregate), so
// it shows in the org's history and its details carry the org's sequence. The
// policy is kept as an artifact of the org. decide gets the org's own policy
// (nil: it has none) and returns the next one (nil: the org's own is deleted
// and it inherits the default again). The answer is the policy in force
// afterwards, at the new sequence and change time.
func (a *App) changeLockout(ctx context.Context, g granted, decide func(cur *policy.Lockout, now time.Time) (*policy.Lockout, error)) (policy.Lockout, error) {
	var out policy.Lockout
	_, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		var cur *policy.Lockout
		art, err := tx.Artifact(ctx, policy.KindLockout, g.OrgID)
		switch {
		case err == nil:
			cur = &policy.Lockout{}
			if err := json.Unmarshal(art.Data, cur); err != nil {
				return "", nil, fmt.Errorf("lockout policy %s: %w", g.OrgID, err)
			}
		case !errors.Is(err, store.ErrNotFound):
			return "", nil, err
		}
		now, seq := ch.by.At, ch.o.Sequence
		next, err := decide(cur, now)
		if err != nil {
			return "", nil, err
		}
		if next == nil {
			if err := tx.DeleteArtifact(ctx, policy.KindLockout, g.OrgID); err != nil {
				return "", nil, err
			}
			out, err = lockoutPolicy(ctx, tx, g.OrgID)
			out.ChangedAt, out.Sequence = now, seq
			return event.LockoutPolicyRemoved, map[string]any{}, err
		}
		next.Sequence, next.ChangedAt = seq, now
		data, err := json.Marshal(next)
		if err != nil {
			return "", nil, err
		}
		out = *next
		typ := event.LockoutPolicyChanged
		if cur == nil {
			typ = event.LockoutPolicyAdded
		}
		payload := map[string]any{"maxPasswordAttempts": next.MaxPasswordAttempts, "maxOTPAttempts": next.MaxOTPAttempts, "showLockOutFailures": next.ShowFailures}
		return typ, payload, tx.PutArtifact(ctx, &store.Artifact{Kind: policy.KindLockout, ID: g.OrgID, OrgID: g.OrgID, CreatedAt: next.CreatedAt, Data: data})
	})
	return out, err
}
