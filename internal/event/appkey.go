package event

// Event types of application keys (recorded on the org aggregate, beside the
// app's own); ZITADEL's names, which carry "oidc" for API apps' keys too.
const (
	AppKeyAdded   = "project.application.oidc.key.added"
	AppKeyRemoved = "project.application.oidc.key.removed"
)
