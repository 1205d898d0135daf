package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/store"
)

const (
	artifactCols = `kind, id, key, user_id, org_id, created_at, expires_at, data`

	// "key <> ''" repeats the partial index's condition so the planner may use it.
	sqlArtifact      = `SELECT ` + artifactCols + ` FROM artifacts WHERE kind = ? AND id = ?`
	sqlArtifactByKey = `SELECT ` + artifactCols + ` FROM artifacts WHERE kind = ? AND key = ? AND key <> ''`
	// The NOT EXISTS guard turns a key taken by another artifact into "0 rows",
	// like ON CONFLICT DO NOTHING does for the inserts, instead of a constraint
	// error. The WHERE clause also resolves SQLite's INSERT…SELECT…ON CONFLICT
	// parsing ambiguity.
	sqlPutArtifact = `INSERT INTO artifacts (` + artifactCols + `)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
		WHERE ?3 = '' OR NOT EXISTS (SELECT 1 FROM artifacts WHERE kind = ?1 AND key = ?3 AND key <> '' AND id <> ?2)
		ON CONFLICT (kind, id) DO UPDATE SET key = excluded.key, user_id = excluded.user_id, org_id = excluded.org_id,
		created_at = excluded.created_at, expires_at = excluded.expires_at, data = excluded.data`
	sqlDeleteArtifact = `DELETE FROM artifacts WHERE kind = ? AND id = ?`
	// The kinds come as a JSON array: one prepared text for any number of them.
	sqlPurgeExpired = `DELETE FROM artifacts WHERE rowid IN
		(SELECT rowid FROM artifacts WHERE expires_at < ? AND kind IN (SELECT value FROM json_each(?)) LIMIT ?)`
)

// Data of length 0 is stored as NULL and always reads back as nil, whatever the
// driver makes of an empty blob.
func encData(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func scanArtifact(sc scanner, extra ...any) (*store.Artifact, error) {
	var a store.Artifact
	var created, expires sql.NullInt64
	if err := sc.Scan(append([]any{&a.Kind, &a.ID, &a.Key, &a.UserID, &a.OrgID, &created, &expires, &a.Data}, extra...)...); err != nil {
		return nil, err
	}
	a.CreatedAt, a.ExpiresAt = decTime(created), decTime(expires)
	if len(a.Data) == 0 {
		a.Data = nil
	}
	return &a, nil
}

func (r *reader) Artifact(ctx context.Context, kind, id string) (*store.Artifact, error) {
	a, err := scanArtifact(r.st.artifact.QueryRowContext(ctx, kind, id))
	if err != nil {
		return nil, notFound("artifact "+kind+"/"+id, err)
	}
	return a, nil
}

func (r *reader) ArtifactByKey(ctx context.Context, kind, key string) (*store.Artifact, error) {
	if key == "" {
		// "" means "no key": it never identifies an artifact.
		return nil, fmt.Errorf("sqlite: artifact %s by empty key: %w", kind, store.ErrNotFound)
	}
	a, err := scanArtifact(r.st.artifactByKey.QueryRowContext(ctx, kind, key))
	if err != nil {
		return nil, notFound("artifact "+kind+" by key", err)
	}
	return a, nil
}

func (r *reader) ListArtifacts(ctx context.Context, q store.ArtifactQuery) ([]*store.Artifact, uint64, error) {
	if q.Kind == "" {
		return nil, 0, fmt.Errorf("sqlite: list artifacts: kind is required")
	}
	where := []string{"kind = ?"}
	args := []any{q.Kind}
	if q.UserID != "" {
		where = append(where, "user_id = ?")
		args = append(args, q.UserID)
	}
	if q.OrgID != "" {
		where = append(where, "org_id = ?")
		args = append(args, q.OrgID)
	}
	cond := strings.Join(where, " AND ")
	dir := " DESC"
	if q.Page.Asc {
		dir = " ASC"
	}
	offset := max(q.Page.Offset, 0)
	// Ids are decimals of varying length: length first gives numeric order.
	query := "SELECT " + artifactCols + ", count(*) OVER () FROM artifacts WHERE " + cond +
		" ORDER BY length(id)" + dir + ", id" + dir + " LIMIT ? OFFSET ?"
	rows, err := r.q.QueryContext(ctx, query, append(args, store.ClampLimit(q.Page.Limit), offset)...)
	if err != nil {
		return nil, 0, classify("list artifacts", err)
	}
	defer rows.Close()
	var out []*store.Artifact
	var total int64
	for rows.Next() {
		a, err := scanArtifact(rows, &total)
		if err != nil {
			return nil, 0, classify("list artifacts", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, classify("list artifacts", err)
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRowContext(ctx, "SELECT count(*) FROM artifacts WHERE "+cond, args...).Scan(&total); err != nil {
			return nil, 0, classify("count artifacts", err)
		}
	}
	return out, uint64(total), nil
}

func (t *tx) PutArtifact(ctx context.Context, a *store.Artifact) error {
	if a.Kind == "" || a.ID == "" {
		return fmt.Errorf("sqlite: put artifact %q/%q: kind and id are required", a.Kind, a.ID)
	}
	res, err := t.st.putArtifact.ExecContext(ctx, a.Kind, a.ID, a.Key, a.UserID, a.OrgID,
		encTime(a.CreatedAt), encTime(a.ExpiresAt), encData(a.Data))
	return affected(res, err, "put artifact "+a.Kind+"/"+a.ID, store.ErrDuplicate)
}

func (t *tx) DeleteArtifact(ctx context.Context, kind, id string) error {
	res, err := t.st.deleteArtifact.ExecContext(ctx, kind, id)
	return affected(res, err, "delete artifact "+kind+"/"+id, store.ErrNotFound)
}

// PurgeExpired deletes up to limit expired artifacts of the kinds in one
// Write: durable and group-committed like any other, and the writes queued
// meanwhile go before the caller's next batch; see store.Store.
func (s *Store) PurgeExpired(ctx context.Context, t time.Time, kinds []string, limit int) (int64, error) {
	list, err := json.Marshal(kinds)
	if err != nil {
		return 0, fmt.Errorf("purge expired artifacts: %w", err)
	}
	var n int64
	err = s.Write(ctx, func(ctx context.Context, wt store.Tx) error {
		res, err := wt.(*tx).st.purgeExpired.ExecContext(ctx, t.UnixMicro(), string(list), store.ClampLimit(limit))
		if err != nil {
			return classify("purge expired artifacts", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return classify("purge expired artifacts", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
