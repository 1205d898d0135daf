package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/warden-id/warden/internal/store"
)

const (
	artifactCols = `kind, id, key, user_id, org_id, created_at, expires_at, data`

	// Fixed texts, so pgx prepares them once per connection. "key <> ''" repeats
	// the partial index's condition so the planner may use it.
	sqlArtifact      = `SELECT ` + artifactCols + ` FROM artifacts WHERE kind = $1 AND id = $2`
	sqlArtifactByKey = `SELECT ` + artifactCols + ` FROM artifacts WHERE kind = $1 AND key = $2 AND key <> ''`
	// The NOT EXISTS guard turns a key taken by another artifact into "0 rows"
	// instead of a unique violation, which would abort the whole transaction: fn
	// may go on after the refusal. Only a concurrent, not yet committed artifact
	// with the same key slips past it; the index then refuses with 23505, which
	// is ErrDuplicate too. The casts type the parameters, which a bare SELECT
	// list would leave as text.
	sqlPutArtifact = `INSERT INTO artifacts (` + artifactCols + `)
		SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::timestamptz, $7::timestamptz, $8::bytea
		WHERE $3::text = '' OR NOT EXISTS (SELECT 1 FROM artifacts WHERE kind = $1 AND key = $3 AND key <> '' AND id <> $2)
		ON CONFLICT (kind, id) DO UPDATE SET key = excluded.key, user_id = excluded.user_id, org_id = excluded.org_id,
		created_at = excluded.created_at, expires_at = excluded.expires_at, data = excluded.data`
	sqlDeleteArtifact = `DELETE FROM artifacts WHERE kind = $1 AND id = $2`
	// SKIP LOCKED: nodes purging at the same time take different rows, and a row
	// some transaction is rewriting is left to the next purge.
	sqlPurgeExpired = `DELETE FROM artifacts WHERE (kind, id) IN
		(SELECT kind, id FROM artifacts WHERE expires_at < $1 AND kind = ANY($2) LIMIT $3 FOR UPDATE SKIP LOCKED)`
)

// Data of length 0 is stored as NULL and always reads back as nil, as in the
// SQLite engine.
func encData(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func scanArtifact(row pgx.Row, extra ...any) (*store.Artifact, error) {
	var a store.Artifact
	var created, expires pgtype.Timestamptz
	if err := row.Scan(append([]any{&a.Kind, &a.ID, &a.Key, &a.UserID, &a.OrgID, &created, &expires, &a.Data}, extra...)...); err != nil {
		return nil, err
	}
	a.CreatedAt, a.ExpiresAt = decTime(created), decTime(expires)
	if len(a.Data) == 0 {
		a.Data = nil
	}
	return &a, nil
}

func (r *reader) Artifact(ctx context.Context, kind, id string) (*store.Artifact, error) {
	a, err := scanArtifact(r.q.QueryRow(ctx, sqlArtifact, kind, id))
	if err != nil {
		return nil, notFound("artifact "+kind+"/"+id, err)
	}
	return a, nil
}

func (r *reader) ArtifactByKey(ctx context.Context, kind, key string) (*store.Artifact, error) {
	if key == "" {
		// "" means "no key": it never identifies an artifact.
		return nil, fmt.Errorf("postgres: artifact %s by empty key: %w", kind, store.ErrNotFound)
	}
	a, err := scanArtifact(r.q.QueryRow(ctx, sqlArtifactByKey, kind, key))
	if err != nil {
		return nil, notFound("artifact "+kind+" by key", err)
	}
	return a, nil
}

func (r *reader) ListArtifacts(ctx context.Context, q store.ArtifactQuery) ([]*store.Artifact, uint64, error) {
	if q.Kind == "" {
		return nil, 0, fmt.Errorf("postgres: list artifacts: kind is required")
	}
	var a args
	where := []string{"kind = " + a.add(q.Kind)}
	if q.UserID != "" {
		where = append(where, "user_id = "+a.add(q.UserID))
	}
	if q.OrgID != "" {
		where = append(where, "org_id = "+a.add(q.OrgID))
	}
	cond := strings.Join(where, " AND ")
	nFilter := len(a)
	dir := " DESC"
	if q.Page.Asc {
		dir = " ASC"
	}
	offset := max(q.Page.Offset, 0)
	// Ids are decimals of varying length: length first gives numeric order.
	query := "SELECT " + artifactCols + ", count(*) OVER () FROM artifacts WHERE " + cond +
		" ORDER BY length(id)" + dir + ", id" + dir +
		" LIMIT " + a.add(store.ClampLimit(q.Page.Limit)) + " OFFSET " + a.add(offset)
	rows, err := r.q.Query(ctx, query, a...)
	if err != nil {
		return nil, 0, classify("list artifacts", err)
	}
	defer rows.Close()
	var out []*store.Artifact
	var total int64
	for rows.Next() {
		art, err := scanArtifact(rows, &total)
		if err != nil {
			return nil, 0, classify("list artifacts", err)
		}
		out = append(out, art)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, classify("list artifacts", err)
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRow(ctx, "SELECT count(*) FROM artifacts WHERE "+cond, a[:nFilter]...).Scan(&total); err != nil {
			return nil, 0, classify("count artifacts", err)
		}
	}
	return out, uint64(total), nil
}

func (t *tx) PutArtifact(ctx context.Context, a *store.Artifact) error {
	if a.Kind == "" || a.ID == "" {
		return fmt.Errorf("postgres: put artifact %q/%q: kind and id are required", a.Kind, a.ID)
	}
	tag, err := t.t.Exec(ctx, sqlPutArtifact, a.Kind, a.ID, a.Key, a.UserID, a.OrgID,
		encTime(a.CreatedAt), encTime(a.ExpiresAt), encData(a.Data))
	return affected(tag, err, "put artifact "+a.Kind+"/"+a.ID, store.ErrDuplicate)
}

func (t *tx) DeleteArtifact(ctx context.Context, kind, id string) error {
	tag, err := t.t.Exec(ctx, sqlDeleteArtifact, kind, id)
	return affected(tag, err, "delete artifact "+kind+"/"+id, store.ErrNotFound)
}

// PurgeExpired deletes up to limit expired artifacts of the kinds in one
// statement (its own transaction); see store.Store.
func (s *Store) PurgeExpired(ctx context.Context, t time.Time, kinds []string, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, sqlPurgeExpired, t, kinds, store.ClampLimit(limit))
	if err != nil {
		return 0, classify("purge expired artifacts", err)
	}
	return tag.RowsAffected(), nil
}
