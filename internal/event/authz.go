package event

// Event types of project roles, project states and user grants (recorded on
// the org aggregate that owns the project); ZITADEL's names.
const (
	ProjectDeactivated   = "project.deactivated"
	ProjectReactivated   = "project.reactivated"
	ProjectRoleAdded     = "project.role.added"
	ProjectRoleChanged   = "project.role.changed"
	ProjectRoleRemoved   = "project.role.removed"
	UserGrantAdded       = "user.grant.added"
	UserGrantChanged     = "user.grant.changed"
	UserGrantCascaded    = "user.grant.cascade.changed"
	UserGrantDeactivated = "user.grant.deactivated"
	UserGrantReactivated = "user.grant.reactivated"
	UserGrantRemoved     = "user.grant.removed"
)
