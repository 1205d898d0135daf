package postgres

import (
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

// dialect is PostgreSQL's form of the shared statements: $n placeholders,
// timestamptz, LIKE with escaping, arrays for lists.
var dialect = &sqlstore.Dialect{
	Name:     "postgres",
	Numbered: true,
	Classify: classify,
	Time:     func(t time.Time) any { return t },
	NewTimes: func() [2]sqlstore.TimeDest {
		t := new([2]pgTime)
		return [2]sqlstore.TimeDest{&t[0], &t[1]}
	},
	TextCond: textCond,
	// One array parameter, whatever the list's length: one statement text, prepared once.
	In: func(a *sqlstore.Args, col string, list any) string { return col + " = ANY(" + a.Add(list) + ")" },
	Statements: map[sqlstore.Stmt]string{
		sqlstore.StmtPrincipal: sqlstore.PrincipalSQL("$1", `SELECT json_agg(json_build_object('o', m.org_id, 'r', m.roles,
			'c', (extract(epoch FROM m.created_at) * 1000000)::bigint,
			'h', (extract(epoch FROM m.changed_at) * 1000000)::bigint, 's', m.sequence) ORDER BY m.org_id)`),
		sqlstore.StmtClaimMessages: sqlstore.ClaimMessagesSQL,
		// The NOT EXISTS guard turns a key taken by another artifact into "0 rows"
		// instead of a unique violation, which would abort the whole transaction: fn
		// may go on after the refusal. Only a concurrent, not yet committed artifact
		// with the same key slips past it; the index then refuses with 23505, which
		// is ErrDuplicate too. The casts type the parameters, which a bare SELECT
		// list would leave as text.
		sqlstore.StmtPutArtifact: `INSERT INTO artifacts (` + sqlstore.ArtifactCols + `)
			SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::timestamptz, $7::timestamptz, $8::bytea
			WHERE $3::text = '' OR NOT EXISTS (SELECT 1 FROM artifacts WHERE kind = $1 AND key = $3 AND key <> '' AND id <> $2)
			ON CONFLICT (kind, id) DO UPDATE SET key = excluded.key, user_id = excluded.user_id, org_id = excluded.org_id,
			created_at = excluded.created_at, expires_at = excluded.expires_at, data = excluded.data`,
	},
}

// texts are the fixed statements, indexed by sqlstore.Stmt. pgx prepares and
// caches each per connection, so they are parsed once per connection.
var texts = dialect.Texts()

// asserting are the guarded writes in the form a deferred write is sent in
// (see guard); the others are never deferred.
var asserting = func() []string {
	a := make([]string, sqlstore.NumStmts)
	for _, s := range []sqlstore.Stmt{sqlstore.StmtUpdateOrg, sqlstore.StmtUpdateUser, sqlstore.StmtInsertEvent} {
		a[s] = guard(texts[s])
	}
	return a
}()

// pgTime scans a timestamptz; pgx sees its embedded Timestamptz's scanner.
type pgTime struct{ pgtype.Timestamptz }

func (t *pgTime) At() time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// likeEscape makes user input match literally inside a LIKE pattern.
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// textCond compares with LIKE (case-sensitive here), the value escaped.
func textCond(a *sqlstore.Args, col string, op sqlstore.TextOp, v string) string {
	e := likeEscape.Replace(v)
	switch op {
	case sqlstore.TextStartsWith:
		return col + " LIKE " + a.Add(e+"%") + ` ESCAPE '\'`
	case sqlstore.TextContains:
		return col + " LIKE " + a.Add("%"+e+"%") + ` ESCAPE '\'`
	case sqlstore.TextEndsWith:
		return col + " LIKE " + a.Add("%"+e) + ` ESCAPE '\'`
	}
	return col + " = " + a.Add(v)
}

// reader implements store.Reader over the coalescer or, inside Write, the
// batch's connection; the alias keeps the embedded field unexported.
type reader = sqlstore.Reader

// tx is the store.Tx a write function gets.
type tx struct {
	sqlstore.Tx
	t *batchConn
}

var _ store.Tx = (*tx)(nil)
