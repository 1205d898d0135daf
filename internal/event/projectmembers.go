package event

// Event types of project members (recorded on the org aggregate that owns the
// project, with the project's id in the payload); ZITADEL's names.
const (
	ProjectMemberAdded          = "project.member.added"
	ProjectMemberChanged        = "project.member.changed"
	ProjectMemberRemoved        = "project.member.removed"
	ProjectMemberCascadeRemoved = "project.member.cascade.removed"
)

// Event types of project grants (on the org aggregate that owns the project);
// ZITADEL's names.
const (
	ProjectGrantAdded       = "project.grant.added"
	ProjectGrantChanged     = "project.grant.changed"
	ProjectGrantDeactivated = "project.grant.deactivated"
	ProjectGrantReactivated = "project.grant.reactivated"
	ProjectGrantRemoved     = "project.grant.removed"
)
