package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/secretgen"
	"github.com/warden-id/warden/internal/store"
)

// kindSecretGenerator is the artifact kind of the instance's secret
// generators; the artifact id is the type's number. A type without one uses
// ZITADEL's default.
const kindSecretGenerator = "secret_generator"

// SecretGenerator is one generator as served: its configuration and when it
// was last set (zero for a default never changed).
type SecretGenerator struct {
	Type       secretgen.Type   `json:"type"`
	Config     secretgen.Config `json:"config"`
	Sequence   uint64           `json:"sequence"` // the instance's, at the last change
	CreatedAt  time.Time        `json:"createdAt"`
	ChangedAt  time.Time        `json:"changedAt"`
	InstanceID string           `json:"instanceId"`
}

func secretGenerator(ctx context.Context, r store.Reader, t secretgen.Type) (SecretGenerator, bool, error) {
	art, err := r.Artifact(ctx, kindSecretGenerator, strconv.Itoa(int(t)))
	if errors.Is(err, store.ErrNotFound) {
		return SecretGenerator{Type: t, Config: secretgen.Default(t)}, false, nil
	}
	if err != nil {
		return SecretGenerator{}, false, err
	}
	var g SecretGenerator
	if err := json.Unmarshal(art.Data, &g); err != nil {
		return SecretGenerator{}, false, fmt.Errorf("secret generator %d: %w", t, err)
	}
	return g, true, nil
}

// SecretGeneratorConfig is the configuration in force for a type, for the
// flows that send codes (e-mail verification, password reset, invites ...):
// the instance's setting, else ZITADEL's default. It checks no permission;
// the calling use case has.
func (a *App) SecretGeneratorConfig(ctx context.Context, t secretgen.Type) (secretgen.Config, error) {
	if !t.Valid() {
		return secretgen.Config{}, errGeneratorType
	}
	g, _, err := secretGenerator(ctx, a.store, t)
	if err != nil {
		return secretgen.Config{}, storeErr(err)
	}
	return g.Config, nil
}

// ListSecretGenerators lists every type's generator in ZITADEL's order,
// defaults included; types, when given, narrow the list (admin
// ListSecretGenerators' type query).
func (a *App) ListSecretGenerators(ctx context.Context, c *Caller, types []secretgen.Type) ([]SecretGenerator, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseListSecretGenerators); err != nil {
		return nil, err
	}
	for _, t := range types {
		if !t.Valid() {
			return nil, errGeneratorType
		}
	}
	inst, err := a.store.Instance(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	var out []SecretGenerator
	for _, t := range secretgen.Types {
		if len(types) > 0 && !containsType(types, t) {
			continue
		}
		g, _, err := secretGenerator(ctx, a.store, t)
		if err != nil {
			return nil, storeErr(err)
		}
		g.InstanceID = inst.ID
		out = append(out, g)
	}
	return out, nil
}

func containsType(ts []secretgen.Type, t secretgen.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// GetSecretGenerator returns one type's generator (admin GetSecretGenerator).
func (a *App) GetSecretGenerator(ctx context.Context, c *Caller, t secretgen.Type) (SecretGenerator, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetSecretGenerator); err != nil {
		return SecretGenerator{}, err
	}
	if !t.Valid() {
		return SecretGenerator{}, errGeneratorType
	}
	g, _, err := secretGenerator(ctx, a.store, t)
	if err != nil {
		return SecretGenerator{}, storeErr(err)
	}
	inst, err := a.store.Instance(ctx)
	if err != nil {
		return SecretGenerator{}, storeErr(err)
	}
	g.InstanceID = inst.ID
	return g, nil
}

// UpdateSecretGenerator sets one type's generator (admin
// UpdateSecretGenerator): a change of the instance, recorded as ZITADEL's
// instance.secret.generator.added the first time and .changed after; setting
// what is already in force is FailedPrecondition, as in ZITADEL.
func (a *App) UpdateSecretGenerator(ctx context.Context, c *Caller, t secretgen.Type, cfg secretgen.Config) (*InstanceDetails, error) {
	gr, err := a.authorize(ctx, Scope{Caller: c}, UseUpdateSecretGenerator)
	if err != nil {
		return nil, err
	}
	if !t.Valid() {
		return nil, errGeneratorType
	}
	if err := cfg.Validate(); err != nil {
		return nil, errGeneratorConfig.Msgf("%v", err)
	}
	return a.changeInstance(ctx, gr, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		cur, stored, err := secretGenerator(ctx, tx, t)
		if err != nil {
			return "", nil, err
		}
		if cur.Config == cfg {
			return "", nil, errGeneratorUnchanged
		}
		now := ch.by.At
		next := SecretGenerator{Type: t, Config: cfg, Sequence: ch.i.Sequence, CreatedAt: cur.CreatedAt, ChangedAt: now, InstanceID: ch.i.ID}
		typ := event.SecretGeneratorChanged
		if !stored {
			next.CreatedAt, typ = now, event.SecretGeneratorAdded
		}
		data, err := json.Marshal(next)
		if err != nil {
			return "", nil, err
		}
		if err := tx.PutArtifact(ctx, &store.Artifact{Kind: kindSecretGenerator, ID: strconv.Itoa(int(t)), CreatedAt: next.CreatedAt, Data: data}); err != nil {
			return "", nil, err
		}
		payload := map[string]any{"generatorType": int32(t), "length": cfg.Length, "expiry": cfg.Expiry,
			"includeLowerLetters": cfg.IncludeLowerLetters, "includeUpperLetters": cfg.IncludeUpperLetters,
			"includeDigits": cfg.IncludeDigits, "includeSymbols": cfg.IncludeSymbols}
		return typ, payload, nil
	})
}
