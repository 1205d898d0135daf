package event

// Org domain events (ZITADEL's names, repository/org/domain.go).
const (
	OrgDomainAdded             = "org.domain.added"
	OrgDomainVerificationAdded = "org.domain.verification.added"
	OrgDomainVerified          = "org.domain.verified"
	OrgDomainPrimarySet        = "org.domain.primary.set"
	OrgDomainRemoved           = "org.domain.removed"
)
