package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

// Org domains (ZITADEL's command/org_domain.go semantics). Each org has its
// generated domain (GeneratedDomain), verified and primary from its creation;
// others are added unverified, proved over HTTP or DNS, and may then become
// primary. An org written before org domains has no domain rows: it reads as
// having its generated domain, and its first domain command writes that row
// (materialize), so old stores keep working.

// domainArtifact is the stored form of d.
func domainArtifact(d *org.Domain) (*store.Artifact, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	key := ""
	if d.Verified {
		key = d.Domain // unique within the kind: one org per verified domain
	}
	return &store.Artifact{Kind: org.KindDomain, ID: org.DomainID(d.OrgID, d.Domain), Key: key, OrgID: d.OrgID,
		CreatedAt: d.CreatedAt, Data: data}, nil
}

func domainOf(art *store.Artifact) (*org.Domain, error) {
	var d org.Domain
	if err := json.Unmarshal(art.Data, &d); err != nil {
		return nil, err
	}
	d.OrgID = art.OrgID
	return &d, nil
}

// putDomain writes d; a verified domain another org holds is ErrDuplicate.
func putDomain(ctx context.Context, tx store.Tx, d *org.Domain) error {
	art, err := domainArtifact(d)
	if err != nil {
		return err
	}
	return tx.PutArtifact(ctx, art)
}

// setPrimary makes d the org's primary domain.
func setPrimary(ctx context.Context, tx store.Tx, orgID, d string, at time.Time) error {
	return tx.PutArtifact(ctx, &store.Artifact{Kind: org.KindPrimaryDomain, ID: orgID, Key: d, OrgID: orgID, CreatedAt: at})
}

// claimGeneratedDomain writes a new org's generated domain, verified and
// primary, in the org's creation. Another org holding it (a name of the same
// slug) is ErrDuplicate, which the creators answer as a taken name.
func (a *App) claimGeneratedDomain(ctx context.Context, tx store.Tx, o *org.Org) error {
	d := a.GeneratedDomain(o.Name)
	if err := putDomain(ctx, tx, &org.Domain{OrgID: o.ID, Domain: d, Verified: true, Sequence: o.Sequence,
		CreatedAt: o.CreatedAt, ChangedAt: o.CreatedAt}); err != nil {
		return err
	}
	o.PrimaryDomain = d
	return setPrimary(ctx, tx, o.ID, d, o.CreatedAt)
}

// orgDomains reads the domains of o, primary marked, sorted by name. An org
// without domain rows has its generated domain, verified and primary.
func (a *App) orgDomains(ctx context.Context, r store.Reader, o *org.Org) ([]*org.Domain, error) {
	arts, err := allArtifacts(ctx, r, org.KindDomain, o.ID, "")
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return []*org.Domain{{OrgID: o.ID, Domain: a.GeneratedDomain(o.Name), Verified: true, Primary: true,
			Sequence: o.Sequence, CreatedAt: o.CreatedAt, ChangedAt: o.CreatedAt}}, nil
	}
	out := make([]*org.Domain, 0, len(arts))
	for _, art := range arts {
		d, err := domainOf(art)
		if err != nil {
			return nil, err
		}
		d.Primary = d.Domain == a.OrgDomain(o)
		out = append(out, d)
	}
	slices.SortFunc(out, func(x, y *org.Domain) int { return strings.Compare(x.Domain, y.Domain) })
	return out, nil
}

// materialize writes the generated domain of an org that has no domain rows
// yet (one written before org domains), so that a domain command works on
// rows. If another org holds that domain verified already, the org keeps it
// unverified and its primary stays derived.
func (a *App) materialize(ctx context.Context, tx store.Tx, o *org.Org) error {
	arts, _, err := tx.ListArtifacts(ctx, store.ArtifactQuery{Kind: org.KindDomain, OrgID: o.ID, Page: store.Page{Limit: 1}})
	if err != nil || len(arts) > 0 {
		return err
	}
	d := a.GeneratedDomain(o.Name)
	if other, err := tx.ArtifactByKey(ctx, org.KindDomain, d); err == nil && other.OrgID != o.ID {
		return putDomain(ctx, tx, &org.Domain{OrgID: o.ID, Domain: d, Sequence: o.Sequence, CreatedAt: o.CreatedAt, ChangedAt: o.CreatedAt})
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := putDomain(ctx, tx, &org.Domain{OrgID: o.ID, Domain: d, Verified: true, Sequence: o.Sequence,
		CreatedAt: o.CreatedAt, ChangedAt: o.CreatedAt}); err != nil {
		return err
	}
	if o.PrimaryDomain == "" {
		o.PrimaryDomain = d
		return setPrimary(ctx, tx, o.ID, d, o.CreatedAt)
	}
	return nil
}

// loadDomain reads domain d of the org, missing if it has none.
func loadDomain(ctx context.Context, r store.Reader, orgID, d string, missing error) (*org.Domain, error) {
	art, err := r.Artifact(ctx, org.KindDomain, org.DomainID(orgID, d))
	if errors.Is(err, store.ErrNotFound) {
		return nil, missing
	} else if err != nil {
		return nil, err
	}
	return domainOf(art)
}

// renameGeneratedDomain moves, inside a rename, the org's generated domain to
// the new name's (ZITADEL's changeDefaultDomain): the old one goes, the new one
// comes verified, and primary if the old one was. An org without domain rows
// needs nothing (its domain is derived from the name).
func (a *App) renameGeneratedDomain(ctx context.Context, tx store.Tx, o *org.Org, oldName string) error {
	oldD, newD := a.GeneratedDomain(oldName), a.GeneratedDomain(o.Name)
	if oldD == newD {
		return nil
	}
	old, err := loadDomain(ctx, tx, o.ID, oldD, store.ErrNotFound)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := tx.DeleteArtifact(ctx, org.KindDomain, org.DomainID(o.ID, oldD)); err != nil {
		return err
	}
	at := o.ChangedAt
	if err := putDomain(ctx, tx, &org.Domain{OrgID: o.ID, Domain: newD, Verified: true, Sequence: o.Sequence, CreatedAt: at, ChangedAt: at}); err != nil {
		return err
	}
	if o.PrimaryDomain == old.Domain || o.PrimaryDomain == "" {
		o.PrimaryDomain = newD
		return setPrimary(ctx, tx, o.ID, newD, at)
	}
	return nil
}

// deleteOrgDomains removes the domains of a removed org, freeing its verified
// ones.
func deleteOrgDomains(ctx context.Context, tx store.Tx, orgID string) error {
	arts, err := allArtifacts(ctx, tx, org.KindDomain, orgID, "")
	if err != nil {
		return err
	}
	for _, art := range arts {
		if err := tx.DeleteArtifact(ctx, org.KindDomain, art.ID); err != nil {
			return err
		}
	}
	if err := tx.DeleteArtifact(ctx, org.KindPrimaryDomain, orgID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// domainChange runs one domain command on the org context through changeOrg:
// the org's domains as rows first, then decide, whose event is the org's.
func (a *App) domainChange(ctx context.Context, g granted, decide orgDecision) (*org.Org, error) {
	o, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		if err := a.materialize(ctx, tx, ch.o); err != nil {
			return "", nil, err
		}
		return decide(ctx, tx, ch)
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, errDomainTaken // another org verified it first
	}
	return o, err
}

// AddOrgDomain adds an unverified domain to the org context (AddOrgDomain).
func (a *App) AddOrgDomain(ctx context.Context, s Scope, domain string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseAddOrgDomain)
	if err != nil {
		return nil, err
	}
	d, ok := org.NormalizeDomain(domain)
	if !ok {
		return nil, errDomainInvalid
	}
	// The instance domain's subdomains are the orgs' generated domains, which
	// orgs written before org domains hold without a row: none is added by hand.
	if strings.HasSuffix(d, "."+a.domain) {
		return nil, errDomainUnderInstance
	}
	return a.domainChange(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		if _, err := loadDomain(ctx, tx, ch.o.ID, d, store.ErrNotFound); err == nil {
			return "", nil, errDomainExists
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", nil, err
		}
		if err := putDomain(ctx, tx, &org.Domain{OrgID: ch.o.ID, Domain: d, Sequence: ch.o.Sequence, CreatedAt: ch.by.At, ChangedAt: ch.by.At}); err != nil {
			return "", nil, err
		}
		return event.OrgDomainAdded, map[string]any{"domain": d}, nil
	})
}

// DomainFilter is ListOrgDomains' query: every name match must hold.
type DomainFilter struct {
	Names []store.TextMatch
	Page  store.Page
}

// ListOrgDomains lists the domains of the org context by name, with the
// number that matched.
func (a *App) ListOrgDomains(ctx context.Context, s Scope, f DomainFilter) ([]*org.Domain, uint64, error) {
	g, err := a.authorize(ctx, s, UseListOrgDomains)
	if err != nil {
		return nil, 0, err
	}
	for _, m := range f.Names {
		if !pgText(m.Value) {
			return nil, 0, errSearchTextChars
		}
	}
	o, err := a.store.Org(ctx, g.OrgID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, fail.OrgNotFound
	} else if err != nil {
		return nil, 0, storeErr(err)
	}
	all, err := a.orgDomains(ctx, a.store, o)
	if err != nil {
		return nil, 0, storeErr(err)
	}
	matched := all[:0:0]
	for _, d := range all {
		if !slices.ContainsFunc(f.Names, func(m store.TextMatch) bool { return !MatchText(m, d.Domain) }) {
			matched = append(matched, d)
		}
	}
	return pageOf(matched, f.Page), uint64(len(matched)), nil
}

// RemoveOrgDomain removes a domain of the org context; the primary one stays.
func (a *App) RemoveOrgDomain(ctx context.Context, s Scope, domain string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseRemoveOrgDomain)
	if err != nil {
		return nil, err
	}
	d, ok := org.NormalizeDomain(domain)
	if !ok {
		return nil, errDomainRemoveInvalid
	}
	return a.domainChange(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		dom, err := loadDomain(ctx, tx, ch.o.ID, d, errDomainNotOnOrg)
		if err != nil {
			return "", nil, err
		}
		if a.OrgDomain(ch.o) == d {
			return "", nil, errDomainPrimaryNotDeletable
		}
		if err := tx.DeleteArtifact(ctx, org.KindDomain, org.DomainID(ch.o.ID, d)); err != nil {
			return "", nil, err
		}
		return event.OrgDomainRemoved, map[string]any{"domain": d, "isVerified": dom.Verified}, nil
	})
}

// SetPrimaryOrgDomain makes a verified domain the primary one of the org
// context: login names, role claims and the primary-domain scope follow.
func (a *App) SetPrimaryOrgDomain(ctx context.Context, s Scope, domain string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseSetPrimaryOrgDomain)
	if err != nil {
		return nil, err
	}
	d, ok := org.NormalizeDomain(domain)
	if !ok {
		return nil, errDomainPrimaryInvalid
	}
	return a.domainChange(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		dom, err := loadDomain(ctx, tx, ch.o.ID, d, errDomainNotOnOrg)
		if err != nil {
			return "", nil, err
		}
		if !dom.Verified {
			return "", nil, errDomainNotVerified
		}
		if err := setPrimary(ctx, tx, ch.o.ID, d, ch.by.At); err != nil {
			return "", nil, err
		}
		ch.o.PrimaryDomain = d
		return event.OrgDomainPrimarySet, map[string]any{"domain": d}, nil
	})
}

// GenerateOrgDomainValidation makes a new validation token for an unverified
// domain of the org context and returns it with where it must be published:
// the URL of the HTTP check or the TXT record name of the DNS check. Only the
// token sealed for this domain of this org is stored.
func (a *App) GenerateOrgDomainValidation(ctx context.Context, s Scope, domain string, typ org.ValidationType) (token, url string, o *org.Org, err error) {
	g, err := a.authorize(ctx, s, UseGenerateOrgDomainValidation)
	if err != nil {
		return "", "", nil, err
	}
	d, ok := org.NormalizeDomain(domain)
	if !ok {
		return "", "", nil, errDomainValidateInvalid
	}
	token = rand.Text() // 26 characters of base32: 130 bits, fit for a URL path and a TXT record
	switch typ {
	case org.ValidationHTTP:
		url = org.HTTPChallengeURL(d, token)
	case org.ValidationDNS:
		url = org.DNSChallengeName(d)
	default:
		return "", "", nil, errDomainValidationType
	}
	o, err = a.domainChange(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		dom, err := loadDomain(ctx, tx, ch.o.ID, d, errDomainGenerateNotOnOrg)
		if err != nil {
			return "", nil, err
		}
		if dom.Verified {
			return "", nil, errDomainAlreadyVerified
		}
		dom.ValidationType, dom.Token = typ, a.SealSecret(org.KindDomain, org.DomainID(ch.o.ID, d), []byte(token))
		dom.Sequence, dom.ChangedAt = ch.o.Sequence, ch.by.At
		if err := putDomain(ctx, tx, dom); err != nil {
			return "", nil, err
		}
		return event.OrgDomainVerificationAdded, map[string]any{"domain": d, "validationType": int(typ)}, nil
	})
	if err != nil {
		return "", "", nil, err
	}
	return token, url, o, nil
}

// ValidateOrgDomain checks the pending validation of a domain of the org
// context and, when the domain proves it, marks the domain verified. The
// check (a network call) runs outside the transaction; the write then makes
// sure the token checked is still the one pending, and the store's unique key
// lets one org only hold the domain verified.
func (a *App) ValidateOrgDomain(ctx context.Context, s Scope, domain string) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseValidateOrgDomain)
	if err != nil {
		return nil, err
	}
	d, ok := org.NormalizeDomain(domain)
	if !ok {
		return nil, errDomainValidateInvalid
	}
	id := org.DomainID(g.OrgID, d)
	dom, err := loadDomain(ctx, a.store, g.OrgID, d, errDomainValidateNotOnOrg)
	if err != nil {
		return nil, storeErr(err)
	}
	if dom.Verified {
		return nil, errDomainAlreadyVerified
	}
	if len(dom.Token) == 0 || dom.ValidationType == org.ValidationUnspecified {
		return nil, errDomainValidationMissing
	}
	token, err := a.OpenSecret(org.KindDomain, id, dom.Token)
	if err != nil {
		return nil, fail.Internal.Wrap(err)
	}
	if err := a.dcheck.check(ctx, d, string(token), dom.ValidationType); err != nil {
		a.log.InfoContext(ctx, "org domain validation failed", "org", g.OrgID, "domain", d, "err", err)
		return nil, err
	}
	sealed := dom.Token
	return a.domainChange(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		dom, err := loadDomain(ctx, tx, ch.o.ID, d, errDomainValidateNotOnOrg)
		if err != nil {
			return "", nil, err
		}
		if dom.Verified {
			return "", nil, errDomainAlreadyVerified
		}
		if !bytes.Equal(dom.Token, sealed) {
			return "", nil, errDomainValidationChanged // a new token was generated meanwhile
		}
		dom.Verified, dom.Token, dom.Sequence, dom.ChangedAt = true, nil, ch.o.Sequence, ch.by.At
		if err := putDomain(ctx, tx, dom); err != nil {
			return "", nil, err
		}
		return event.OrgDomainVerified, map[string]any{"domain": d}, nil
	})
}

// orgByVerifiedDomain finds the org holding domain d verified; for orgs
// without domain rows, the one whose generated domain it is.
func (a *App) orgByVerifiedDomain(ctx context.Context, r store.Reader, d string) (*org.Org, error) {
	art, err := r.ArtifactByKey(ctx, org.KindDomain, d)
	if err == nil {
		return r.Org(ctx, art.OrgID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return a.orgByDerivedDomain(ctx, r, d)
}

// orgByDerivedDomain finds the org without domain rows whose generated domain
// is d; two such orgs (names of one slug) are neither.
func (a *App) orgByDerivedDomain(ctx context.Context, r store.Reader, d string) (*org.Org, error) {
	if !strings.HasSuffix(d, "."+a.domain) {
		return nil, store.ErrNotFound
	}
	var found *org.Org
	for off := 0; ; {
		page, total, err := r.ListOrgs(ctx, store.Page{Offset: off, Limit: 1000, Asc: true})
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			if o.PrimaryDomain == "" && a.GeneratedDomain(o.Name) == d {
				if found != nil {
					return nil, store.ErrNotFound
				}
				found = o
			}
		}
		off += len(page)
		if len(page) == 0 || uint64(off) >= total {
			break
		}
	}
	if found == nil {
		return nil, store.ErrNotFound
	}
	return found, nil
}

// OrgByDomain returns the org, any org, that holds domain verified
// (GetOrgByDomainGlobal); the caller needs org.global.read in its context.
func (a *App) OrgByDomain(ctx context.Context, s Scope, domain string) (*org.Org, error) {
	if _, err := a.authorize(ctx, s, UseGetOrgByDomainGlobal); err != nil {
		return nil, err
	}
	d, ok := org.NormalizeDomain(domain)
	if !ok {
		return nil, fail.OrgNotFound
	}
	o, err := a.orgByVerifiedDomain(ctx, a.store, d)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail.OrgNotFound
	}
	return o, storeErr(err)
}
