package api

import (
	"context"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/secretgen"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/admin"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/settings"
	"google.golang.org/protobuf/types/known/durationpb"
)

// The enum's numbers are secretgen's; an unknown number stays unknown and
// app refuses it.
func secretGeneratorV1(g app.SecretGenerator) *settings.SecretGenerator {
	c := g.Config
	d := &object.ObjectDetails{Sequence: g.Sequence, ResourceOwner: g.InstanceID}
	if !g.ChangedAt.IsZero() {
		d.CreationDate, d.ChangeDate = ts(g.CreatedAt), ts(g.ChangedAt)
	}
	return &settings.SecretGenerator{GeneratorType: settings.SecretGeneratorType(g.Type), Details: d,
		Length: c.Length, Expiry: durationpb.New(c.Expiry), IncludeLowerLetters: c.IncludeLowerLetters,
		IncludeUpperLetters: c.IncludeUpperLetters, IncludeDigits: c.IncludeDigits, IncludeSymbols: c.IncludeSymbols}
}

func (s *Admin) ListSecretGenerators(ctx context.Context, r *admin.ListSecretGeneratorsRequest) (*admin.ListSecretGeneratorsResponse, error) {
	var types []secretgen.Type
	for _, q := range r.GetQueries() {
		if tq := q.GetTypeQuery(); tq != nil {
			types = append(types, secretgen.Type(tq.GetGeneratorType()))
		}
	}
	gs, err := s.app.ListSecretGenerators(ctx, caller(ctx), types)
	if err != nil {
		return nil, err
	}
	out := &admin.ListSecretGeneratorsResponse{Details: listDetails(uint64(len(gs)))}
	for _, g := range gs {
		out.Result = append(out.Result, secretGeneratorV1(g))
	}
	return out, nil
}

func (s *Admin) GetSecretGenerator(ctx context.Context, r *admin.GetSecretGeneratorRequest) (*admin.GetSecretGeneratorResponse, error) {
	g, err := s.app.GetSecretGenerator(ctx, caller(ctx), secretgen.Type(r.GetGeneratorType()))
	if err != nil {
		return nil, err
	}
	return &admin.GetSecretGeneratorResponse{SecretGenerator: secretGeneratorV1(g)}, nil
}

func (s *Admin) UpdateSecretGenerator(ctx context.Context, r *admin.UpdateSecretGeneratorRequest) (*admin.UpdateSecretGeneratorResponse, error) {
	cfg := secretgen.Config{Length: r.GetLength(), Expiry: r.GetExpiry().AsDuration(), IncludeLowerLetters: r.GetIncludeLowerLetters(),
		IncludeUpperLetters: r.GetIncludeUpperLetters(), IncludeDigits: r.GetIncludeDigits(), IncludeSymbols: r.GetIncludeSymbols()}
	d, err := s.app.UpdateSecretGenerator(ctx, caller(ctx), secretgen.Type(r.GetGeneratorType()), cfg)
	if err != nil {
		return nil, err
	}
	return &admin.UpdateSecretGeneratorResponse{Details: instanceDetails(d)}, nil
}
