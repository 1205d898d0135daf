package event

// Event types of projects and applications (recorded on the org aggregate) and of
// machine credentials (on the user aggregate); ZITADEL's names.
const (
	ProjectAdded         = "project.added"
	ProjectChanged       = "project.changed"
	ProjectRemoved       = "project.removed"
	AppAdded             = "project.application.added"
	AppChanged           = "project.application.changed"
	AppRemoved           = "project.application.removed"
	OIDCConfigAdded      = "project.application.config.oidc.added"
	OIDCConfigChanged    = "project.application.config.oidc.changed"
	OIDCSecretChanged    = "project.application.config.oidc.secret.changed"
	APIConfigAdded       = "project.application.config.api.added"
	APIConfigChanged     = "project.application.config.api.changed"
	APISecretChanged     = "project.application.config.api.secret.changed"
	MachineSecretSet     = "user.machine.secret.set"
	MachineSecretRemoved = "user.machine.secret.removed"
	MachineKeyAdded      = "user.machine.key.added"
	MachineKeyRemoved    = "user.machine.key.removed"
	// AppTrustChanged is Warden's own: an IAM owner trusted an app with
	// Warden's API audience, or withdrew that.
	AppTrustChanged = "warden.project.application.api.trust.changed"
)
