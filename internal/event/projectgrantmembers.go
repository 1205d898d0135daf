package event

// Event types of project grant members (on the org aggregate that owns the
// project, with the project's and the grant's ids in the payload); ZITADEL's
// names.
const (
	ProjectGrantMemberAdded   = "project.grant.member.added"
	ProjectGrantMemberChanged = "project.grant.member.changed"
	ProjectGrantMemberRemoved = "project.grant.member.removed"
)
