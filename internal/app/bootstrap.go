package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Bootstrapped is what the first start created.
type Bootstrapped struct {
	Instance *org.Instance
	AdminID  string
	Token    string // the administrator's PAT, to be handed over once
	// The human administrator's login name and one-time password; the password
	// must be changed at the first sign-in.
	HumanLogin    string
	HumanPassword string
}

// Bootstrap creates the instance, the default org and an administrator machine user
// with IAM_OWNER and a PAT — all in one transaction, guarded by the single instance
// row, so of several nodes starting at once exactly one bootstraps. It returns
// (nil, nil) when the store already holds an instance. beforeCommit runs inside the
// transaction with the new token, so the caller can stage it (e.g. in a file)
// and a failure to stage aborts the bootstrap instead of losing the only key.
func (a *App) Bootstrap(ctx context.Context, orgName string, beforeCommit func(token string) error) (*Bootstrapped, error) {
	if err := checkText("organisation name", orgName, true); err != nil {
		return nil, err
	}
	if _, err := a.store.Instance(ctx); err == nil {
		return nil, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("read instance: %w", err)
	}
	by := user.Actor{At: store.Now()}
	inst := &org.Instance{ID: a.ids.Next(), DefaultOrgID: a.ids.Next(), Sequence: 3, CreatedAt: by.At}
	o := &org.Org{ID: inst.DefaultOrgID, Name: orgName, State: org.StateActive, Sequence: 1, CreatedAt: by.At, ChangedAt: by.At}
	admin, addEv := user.NewMachine(a.ids.Next(), o.ID, "admin", user.Machine{Name: "Warden administrator",
		Description: "created at first start; its token is in admin.pat"}, by)
	oneTime, err := oneTimePassword()
	if err != nil {
		return nil, err
	}
	pwHash, err := credential.HashPassword(oneTime)
	if err != nil {
		return nil, err
	}
	human, humanEv := user.NewHuman(a.ids.Next(), o.ID, "administrator", user.Human{FirstName: "Warden", LastName: "Administrator",
		DisplayName: "Warden Administrator", Email: "administrator@" + a.OrgDomain(o), EmailVerified: true,
		PasswordHash: pwHash, PasswordChangeRequired: true}, false, by)
	token, hash := credential.NewToken()
	pat := &credential.PAT{ID: a.ids.Next(), UserID: admin.ID, OrgID: o.ID, Hash: hash, CreatedAt: by.At, Epoch: admin.CredentialEpoch}
	patEv := admin.Record(event.PATAdded, by, map[string]any{"tokenId": pat.ID})
	pat.Sequence = admin.Sequence
	err = a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertInstance(ctx, inst); err != nil {
			return err
		}
		if err := tx.InsertOrg(ctx, o); err != nil {
			return err
		}
		if err := a.claimGeneratedDomain(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, admin); err != nil {
			return err
		}
		if err := tx.PutMember(ctx, &org.Member{OrgID: org.InstanceScope, UserID: admin.ID, Roles: []string{"IAM_OWNER"},
			CreatedAt: by.At, ChangedAt: by.At, Sequence: 2}); err != nil {
			return err
		}
		if err := tx.InsertPAT(ctx, pat); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, human); err != nil {
			return err
		}
		if err := tx.PutMember(ctx, &org.Member{OrgID: org.InstanceScope, UserID: human.ID, Roles: []string{"IAM_OWNER"},
			CreatedAt: by.At, ChangedAt: by.At, Sequence: 3}); err != nil {
			return err
		}
		err := tx.Append(ctx,
			event.Event{AggregateType: event.AggregateInstance, AggregateID: inst.ID, Sequence: 1, Type: event.InstanceAdded, CreatedAt: by.At},
			event.Event{AggregateType: event.AggregateInstance, AggregateID: inst.ID, Sequence: 2, Type: event.InstanceMemberAdded, CreatedAt: by.At,
				Payload: []byte(`{"userId":"` + admin.ID + `","roles":["IAM_OWNER"]}`)},
			event.Event{AggregateType: event.AggregateInstance, AggregateID: inst.ID, Sequence: 3, Type: event.InstanceMemberAdded, CreatedAt: by.At,
				Payload: []byte(`{"userId":"` + human.ID + `","roles":["IAM_OWNER"]}`)},
			orgEvent(o, 1, event.OrgAdded, by, map[string]any{"name": orgName}),
			addEv, patEv, humanEv)
		if err != nil {
			return err
		}
		return beforeCommit(token)
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, nil // another node won the race
	}
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return &Bootstrapped{Instance: inst, AdminID: admin.ID, Token: token,
		HumanLogin: a.LoginName(human, o), HumanPassword: oneTime}, nil
}

// oneTimePassword is 16 characters from an alphabet without look-alikes, drawn
// by rejection so that every character is equally likely; a draw that misses
// a class the default complexity policy asks for is drawn again (the instance
// has no policy of its own yet at bootstrap).
func oneTimePassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.:@"
	limit := byte(256 - 256%len(alphabet))
	buf := make([]byte, 32)
	for {
		out := make([]byte, 0, 16)
		for len(out) < 16 {
			if _, err := rand.Read(buf); err != nil {
				return "", fmt.Errorf("one-time password: %w", err)
			}
			for _, c := range buf {
				if c < limit && len(out) < 16 {
					out = append(out, alphabet[int(c)%len(alphabet)])
				}
			}
		}
		if policy.DefaultComplexity().Check(string(out)) == nil {
			return string(out), nil
		}
	}
}
