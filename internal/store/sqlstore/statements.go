package sqlstore

import "github.com/warden-id/warden/internal/org"

// Column lists, in the order the row shapes (rows.go) scan and encode them.
const (
	InstanceCols = `id, default_org_id, sequence, created_at`
	OrgCols      = `id, name, state, sequence, created_at, changed_at`
	UserCols     = `id, org_id, user_name, type, state, state_before_lock, sequence, created_at, changed_at,
		credential_epoch, human, machine, password_hash, failed_password_attempts`
	// UserFilterCols are the users' copies for filtering and sorting, which
	// writes derive from the user (UserArgs) and reads never scan.
	UserFilterCols = `user_name_lower, email, email_lower, first_name, last_name, nick_name, display_name`
	MemberCols     = `org_id, user_id, roles, created_at, changed_at, sequence`
	PATCols        = `id, user_id, org_id, hash, expiration, created_at, epoch, sequence`
	EventCols      = `aggregate_type, aggregate_id, sequence, type, created_at, creator_id, resource_owner, payload`
	ArtifactCols   = `kind, id, key, user_id, org_id, created_at, expires_at, data`
	MessageCols    = `id, kind, recipient, data, state, attempts, next_attempt, last_error, created_at, changed_at`

	// userSelect reads UserCols; a NULL password hash (machines) reads as '',
	// which is what the user gets anyway, so both engines scan a plain string.
	userSelect = `id, org_id, user_name, type, state, state_before_lock, sequence, created_at, changed_at,
		credential_epoch, human, machine, coalesce(password_hash, ''), failed_password_attempts`

	// userOrgState is the state of the user's org (0 if it has no org row),
	// read with the user wherever a credential may be judged, so a deactivated
	// or removed org refuses its users in the same read (user.OrgInactive).
	userOrgState = `coalesce((SELECT o.state FROM orgs o WHERE o.id = users.org_id), 0)`

	// orgRead reads OrgCols and the org's primary domain (its
	// org.KindPrimaryDomain artifact's key, '' if it has none), so every read
	// of an org carries it; the dump reads OrgCols alone.
	orgRead = OrgCols + `, coalesce((SELECT p.key FROM artifacts p WHERE p.kind = '` + org.KindPrimaryDomain + `' AND p.id = orgs.id), '')`
)

// Stmt names a fixed statement. Engines keep one text (and SQLite one prepared
// statement) per Stmt; see Dialect.Texts.
type Stmt int

// The fixed statements: lookups first, then writes.
const (
	StmtInstance Stmt = iota
	StmtOrg
	StmtOrgByName
	StmtUser
	StmtUserByName
	StmtMember
	StmtMembershipsOf
	StmtPAT
	StmtPATByHash
	StmtPrincipal
	StmtArtifact
	StmtArtifactByKey
	StmtMessage
	StmtCountMessages

	StmtInsertInstance
	StmtInsertOrg
	StmtUpdateOrg
	StmtInsertUser
	StmtUpdateUser
	StmtPutMember
	StmtDeleteMember
	StmtInsertPAT
	StmtDeletePAT
	StmtInsertEvent
	StmtPutArtifact
	StmtDeleteArtifact
	StmtUpdateInstance
	StmtDeleteOrg
	StmtEnqueueMessage
	StmtClaimMessages
	StmtFinishMessage

	NumStmts
)

// shared are the texts both engines run, in PostgreSQL's placeholders.
// An empty one must come from the dialect.
var shared = [NumStmts]string{
	StmtInstance:      `SELECT ` + InstanceCols + ` FROM instance`,
	StmtOrg:           `SELECT ` + orgRead + ` FROM orgs WHERE id = $1`,
	StmtOrgByName:     `SELECT ` + orgRead + ` FROM orgs WHERE name = $1`,
	StmtUser:          `SELECT ` + userSelect + `, ` + userOrgState + ` FROM users WHERE id = $1`,
	StmtUserByName:    `SELECT ` + userSelect + `, ` + userOrgState + ` FROM users WHERE org_id = $1 AND user_name = $2 AND state <> 3`,
	StmtMember:        `SELECT ` + MemberCols + ` FROM members WHERE org_id = $1 AND user_id = $2`,
	StmtMembershipsOf: `SELECT ` + MemberCols + ` FROM members WHERE user_id = $1 ORDER BY org_id`,
	StmtPAT:           `SELECT ` + PATCols + ` FROM pats WHERE user_id = $1 AND id = $2`,
	StmtPATByHash:     `SELECT ` + PATCols + ` FROM pats WHERE hash = $1`,
	// "key <> ''" repeats the partial index's condition so the planner may use it.
	StmtArtifact:      `SELECT ` + ArtifactCols + ` FROM artifacts WHERE kind = $1 AND id = $2`,
	StmtArtifactByKey: `SELECT ` + ArtifactCols + ` FROM artifacts WHERE kind = $1 AND key = $2 AND key <> ''`,

	// ON CONFLICT DO NOTHING reports a unique clash as "0 rows" instead of an
	// error: no error parsing, and on PostgreSQL no aborted transaction, so a
	// write function may go on after a refusal. TRUE is 1 to SQLite, whose
	// singleton column is an integer.
	StmtInsertInstance: `INSERT INTO instance (singleton, ` + InstanceCols + `)
		VALUES (TRUE, $1, $2, $3, $4) ON CONFLICT DO NOTHING`,
	StmtInsertOrg: `INSERT INTO orgs (` + OrgCols + `) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
	// Updates take the row's columns but the id, then the id and the expected
	// sequence: placeholders in order of appearance (see Dialect.Numbered).
	StmtUpdateOrg: `UPDATE orgs SET name = $1, state = $2, sequence = $3, created_at = $4, changed_at = $5
		WHERE id = $6 AND sequence = $7`,
	StmtInsertUser: `INSERT INTO users (` + UserCols + `, ` + UserFilterCols + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
		ON CONFLICT DO NOTHING`,
	StmtUpdateUser: `UPDATE users SET org_id = $1, user_name = $2, type = $3, state = $4, state_before_lock = $5,
		sequence = $6, created_at = $7, changed_at = $8, credential_epoch = $9, human = $10, machine = $11,
		password_hash = $12, failed_password_attempts = $13, user_name_lower = $14, email = $15, email_lower = $16,
		first_name = $17, last_name = $18, nick_name = $19, display_name = $20
		WHERE id = $21 AND sequence = $22`,
	StmtPutMember: `INSERT INTO members (` + MemberCols + `) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id, user_id) DO UPDATE SET roles = excluded.roles,
		created_at = excluded.created_at, changed_at = excluded.changed_at, sequence = excluded.sequence`,
	StmtDeleteMember:   `DELETE FROM members WHERE org_id = $1 AND user_id = $2`,
	StmtInsertPAT:      `INSERT INTO pats (` + PATCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
	StmtDeletePAT:      `DELETE FROM pats WHERE user_id = $1 AND id = $2`,
	StmtInsertEvent:    `INSERT INTO events (` + EventCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
	StmtDeleteArtifact: `DELETE FROM artifacts WHERE kind = $1 AND id = $2`,
	StmtUpdateInstance: `UPDATE instance SET default_org_id = $1, sequence = $2 WHERE id = $3 AND sequence = $4`,
	StmtDeleteOrg:      `DELETE FROM orgs WHERE id = $1 AND sequence = $2`,

	StmtMessage:        `SELECT ` + MessageCols + ` FROM outbox WHERE id = $1`,
	StmtCountMessages:  `SELECT count(*) FROM outbox WHERE state = $1`,
	StmtEnqueueMessage: `INSERT INTO outbox (` + MessageCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
	// The claim is one statement: whoever runs it owns the rows it returns
	// until leaseUntil. PostgreSQL's text adds FOR UPDATE SKIP LOCKED (its
	// dialect), so two nodes claiming at once take different rows; SQLite has
	// one writer.
	StmtClaimMessages: `UPDATE outbox SET attempts = attempts + 1, next_attempt = $1, changed_at = $2
		WHERE id IN (SELECT id FROM outbox WHERE state = 0 AND kind = $3 AND next_attempt <= $4 ORDER BY next_attempt, id LIMIT $5)
		RETURNING ` + MessageCols,
	// A message that leaves pending (sent or dead) loses its data: the body
	// may hold a code, and nothing reads it again.
	StmtFinishMessage: `UPDATE outbox SET state = $1, next_attempt = $2, last_error = $3, changed_at = $4,
		data = CASE WHEN $5 = 0 THEN data END
		WHERE id = $6 AND attempts = $7 AND state = 0`,
}

// ClaimMessagesSQL is StmtClaimMessages with PostgreSQL's row locking.
const ClaimMessagesSQL = `UPDATE outbox SET attempts = attempts + 1, next_attempt = $1, changed_at = $2
	WHERE id IN (SELECT id FROM outbox WHERE state = 0 AND kind = $3 AND next_attempt <= $4 ORDER BY next_attempt, id LIMIT $5
	FOR UPDATE SKIP LOCKED)
	RETURNING ` + MessageCols

// PrincipalSQL is StmtPrincipal around an engine's aggregation of the user's
// memberships into one JSON array (NULL if none) of objects with the keys
// store.DecodePrincipalMembers reads, times in unix microseconds; placeholder
// is the engine's for the token hash. The PAT's
// columns come first, then the user's in UserCols order, coalesced so that a
// missing user row scans as id ”, then the memberships and the user's org state.
func PrincipalSQL(placeholder, membersJSON string) string {
	return `SELECT p.id, p.user_id, p.org_id, p.hash, p.expiration, p.created_at, p.epoch, p.sequence,
		coalesce(u.id, ''), coalesce(u.org_id, ''), coalesce(u.user_name, ''), coalesce(u.type, 0), coalesce(u.state, 0),
		coalesce(u.state_before_lock, 0), coalesce(u.sequence, 0), u.created_at, u.changed_at,
		coalesce(u.credential_epoch, 0), u.human, u.machine, coalesce(u.password_hash, ''), coalesce(u.failed_password_attempts, 0),
		(` + membersJSON + ` FROM members m WHERE m.user_id = p.user_id),
		coalesce((SELECT o.state FROM orgs o WHERE o.id = u.org_id), 0)
		FROM pats p LEFT JOIN users u ON u.id = p.user_id WHERE p.hash = ` + placeholder
}
