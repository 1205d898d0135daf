package event

// Event types of project members (recorded on the org aggregate that owns the
// project, with the project's id in the payload); ZITADEL's names.
const (
	ProjectMemberAdded          = "project.member.added"
	ProjectMemberChanged        = "project.member.changed"
	ProjectMemberRemoved        = "project.member.removed"
	ProjectMemberCascadeRemoved = "project.member.cascade.removed"
)
