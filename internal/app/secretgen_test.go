package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/secretgen"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"google.golang.org/grpc/codes"
)

// TestSecretGenerators: every type serves ZITADEL's default until set; an
// update is an instance change with ZITADEL's added/changed events, the
// accessor other flows call sees it, and bad input or an org owner writes
// nothing.
func TestSecretGenerators(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		all, err := a.ListSecretGenerators(ctx, admin.Caller, nil)
		if err != nil || len(all) != len(secretgen.Types) {
			t.Fatalf("%d generators, %v", len(all), err)
		}
		for _, g := range all {
			if g.Config != secretgen.Default(g.Type) || g.InstanceID == "" {
				t.Errorf("%s: %+v", g.Type, g)
			}
		}
		only, err := a.ListSecretGenerators(ctx, admin.Caller, []secretgen.Type{secretgen.TypeOTPSMS})
		if err != nil || len(only) != 1 || only[0].Type != secretgen.TypeOTPSMS {
			t.Fatalf("type query: %+v, %v", only, err)
		}

		cfg := secretgen.Config{Length: 10, Expiry: 30 * time.Minute, IncludeDigits: true, IncludeSymbols: true}
		d, err := a.UpdateSecretGenerator(ctx, admin.Caller, secretgen.TypeVerifyEmailCode, cfg)
		if err != nil {
			t.Fatal(err)
		}
		g, err := a.GetSecretGenerator(ctx, admin.Caller, secretgen.TypeVerifyEmailCode)
		if err != nil || g.Config != cfg || g.Sequence != d.Sequence || g.ChangedAt.IsZero() {
			t.Fatalf("after update %+v (%+v), %v", g, d, err)
		}
		if got, err := a.SecretGeneratorConfig(ctx, secretgen.TypeVerifyEmailCode); err != nil || got != cfg {
			t.Fatalf("accessor %+v, %v", got, err)
		}
		if got, _ := a.SecretGeneratorConfig(ctx, secretgen.TypeInitCode); got != secretgen.Default(secretgen.TypeInitCode) {
			t.Fatalf("accessor default %+v", got)
		}
		_, err = a.UpdateSecretGenerator(ctx, admin.Caller, secretgen.TypeVerifyEmailCode, cfg)
		wantCode(t, err, codes.FailedPrecondition)
		cfg.Length = 12
		if _, err := a.UpdateSecretGenerator(ctx, admin.Caller, secretgen.TypeVerifyEmailCode, cfg); err != nil {
			t.Fatal(err)
		}
		evs, err := a.store.Events(ctx, store.EventQuery{AggregateType: event.AggregateInstance, AggregateID: d.ID, Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range evs {
			if e.Type == event.SecretGeneratorAdded || e.Type == event.SecretGeneratorChanged {
				types = append(types, e.Type)
			}
		}
		if len(types) != 2 || types[0] != event.SecretGeneratorAdded || types[1] != event.SecretGeneratorChanged {
			t.Fatalf("events %v", types)
		}

		for name, tc := range map[string]struct {
			t   secretgen.Type
			cfg secretgen.Config
		}{
			"unspecified": {secretgen.TypeUnspecified, cfg},
			"unknown":     {secretgen.Type(42), cfg},
			"length 0":    {secretgen.TypeOTPSMS, secretgen.Config{IncludeDigits: true}},
			"no alphabet": {secretgen.TypeOTPSMS, secretgen.Config{Length: 6}},
			"negative":    {secretgen.TypeOTPSMS, secretgen.Config{Length: 6, IncludeDigits: true, Expiry: -time.Second}},
		} {
			_, err := a.UpdateSecretGenerator(ctx, admin.Caller, tc.t, tc.cfg)
			if err == nil {
				t.Fatalf("%s: accepted", name)
			}
			wantCode(t, err, codes.InvalidArgument)
		}
		if _, err := a.GetSecretGenerator(ctx, admin.Caller, secretgen.TypeUnspecified); !errors.Is(err, errGeneratorType) {
			t.Fatalf("get unspecified: %v", err)
		}

		// An org owner administers its org, not the instance's codes.
		o, err := a.AddOrg(ctx, admin.Caller, "Org B")
		if err != nil {
			t.Fatal(err)
		}
		inst, _ := a.store.Instance(ctx)
		owner := &Caller{UserID: "owner-b", OrgID: o.ID, roles: map[string][]string{o.ID: {"ORG_OWNER"}}}
		_, err = a.UpdateSecretGenerator(ctx, owner, secretgen.TypeOTPSMS, secretgen.Config{Length: 4, IncludeDigits: true})
		wantCode(t, err, codes.PermissionDenied)
		_, err = a.ListSecretGenerators(ctx, owner, nil)
		wantCode(t, err, codes.PermissionDenied)
		if after, _ := a.store.Instance(ctx); after.Sequence != inst.Sequence {
			t.Fatalf("instance sequence moved %d → %d", inst.Sequence, after.Sequence)
		}
		if got, _ := a.SecretGeneratorConfig(ctx, secretgen.TypeOTPSMS); got != secretgen.Default(secretgen.TypeOTPSMS) {
			t.Fatalf("org owner changed otp sms: %+v", got)
		}
	})
}
