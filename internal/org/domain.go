package org

import (
	"strings"
	"time"
)

// Artifact kinds of org domains. A domain is an artifact of its org whose id
// is the org's id, a colon and the domain (one row per org and domain), and
// whose lookup key is the domain once it is verified: the store keeps keys
// unique within a kind, so a verified domain belongs to one org at most, and
// of two concurrent claims exactly one commits. The primary domain is a
// second, one-per-org artifact (id: the org's id, key: the domain), which the
// store reads with the org itself (Org.PrimaryDomain), so whoever holds an org
// holds its primary domain without another read.
const (
	KindDomain        = "org_domain"
	KindPrimaryDomain = "org_primary_domain"
)

// DomainID is the artifact id of domain d of the org.
func DomainID(orgID, d string) string { return orgID + ":" + d }

// ValidationType is how a domain proves its owner (zitadel.org.v1 and v2
// DomainValidationType numbers).
type ValidationType int

const (
	ValidationUnspecified ValidationType = 0
	ValidationHTTP        ValidationType = 1
	ValidationDNS         ValidationType = 2
)

// Domain is one domain of an org: its artifact's JSON. Token is the pending
// validation token, sealed with the master key for this artifact (it is a
// secret until the domain is verified, and useless afterwards).
type Domain struct {
	OrgID          string         `json:"-"`
	Domain         string         `json:"domain"`
	Verified       bool           `json:"verified,omitempty"`
	Primary        bool           `json:"-"` // from the org's primary domain, not stored here
	ValidationType ValidationType `json:"validationType,omitempty"`
	Token          []byte         `json:"token,omitempty"`
	Sequence       uint64         `json:"sequence"` // the org's sequence at the domain's last change
	CreatedAt      time.Time      `json:"createdAt"`
	ChangedAt      time.Time      `json:"changedAt"`
}

// MaxDomainLen is DNS's limit on a name.
const MaxDomainLen = 253

// NormalizeDomain returns d trimmed and in lower case, and whether it is a
// host name Warden accepts as an org domain: dot-separated labels of letters,
// digits and inner hyphens, at most 63 characters each and 253 in all, at
// least two labels, the last not all digits. Nothing else — no port, path,
// user info or IP literal — can then reach a validation URL's host.
func NormalizeDomain(d string) (string, bool) {
	d = strings.ToLower(strings.TrimSpace(d))
	if d == "" || len(d) > MaxDomainLen {
		return d, false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return d, false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return d, false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return d, false
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return d, false // an IPv4 literal, or a name no resolver serves
	}
	return d, true
}

// HTTPChallengeURL is where an HTTP validation looks for the token (ZITADEL's
// pattern).
func HTTPChallengeURL(d, token string) string {
	return "https://" + d + "/.well-known/zitadel-challenge/" + token + ".txt"
}

// DNSChallengeName is the TXT record a DNS validation looks for the token in
// (ZITADEL's pattern).
func DNSChallengeName(d string) string { return "_zitadel-challenge." + d }
