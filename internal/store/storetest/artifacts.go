package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/store"
)

// artifactTests run as the "Artifacts" group, each on a fresh store.
var artifactTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"RoundTrip", testArtifactRoundTrip},
	{"Replace", testArtifactReplace},
	{"KeyDuplicates", testArtifactKeyDuplicates},
	{"ConcurrentKeyClash", testArtifactConcurrentKeyClash},
	{"NotFound", testArtifactNotFound},
	{"List", testArtifactList},
	{"ListLimits", testArtifactListLimits},
	{"PurgeExpired", testArtifactPurge},
	{"Rollback", testArtifactRollback},
}

// checkArtifact compares instants with Equal and Data by content: engines may
// return empty Data as nil or as an empty slice.
func checkArtifact(t *testing.T, got, want *store.Artifact) {
	t.Helper()
	if got == nil {
		t.Fatalf("got nil artifact, want %+v", want)
	}
	g, w := *got, *want
	if !sameTime(g.CreatedAt, w.CreatedAt) || !sameTime(g.ExpiresAt, w.ExpiresAt) {
		t.Errorf("artifact %s/%s times: got %v/%v, want %v/%v", w.Kind, w.ID, g.CreatedAt, g.ExpiresAt, w.CreatedAt, w.ExpiresAt)
	}
	if !bytes.Equal(g.Data, w.Data) {
		t.Errorf("artifact %s/%s data: got %q, want %q", w.Kind, w.ID, g.Data, w.Data)
	}
	g.CreatedAt, g.ExpiresAt, g.Data = time.Time{}, time.Time{}, nil
	w.CreatedAt, w.ExpiresAt, w.Data = time.Time{}, time.Time{}, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("artifact mismatch\n got %+v\nwant %+v", g, w)
	}
}

func putArtifacts(ctx context.Context, s store.Store, as ...*store.Artifact) error {
	return s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		for _, a := range as {
			if err := tx.PutArtifact(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

func mustPutArtifacts(t *testing.T, s store.Store, as ...*store.Artifact) {
	t.Helper()
	if err := putArtifacts(ctxT(t), s, as...); err != nil {
		t.Fatalf("PutArtifact: %v", err)
	}
}

func mustArtifact(t *testing.T, s store.Reader, kind, id string) *store.Artifact {
	t.Helper()
	a, err := s.Artifact(ctxT(t), kind, id)
	if err != nil {
		t.Fatalf("Artifact(%s, %s): %v", kind, id, err)
	}
	return a
}

func testArtifactRoundTrip(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	full := &store.Artifact{Kind: "oidc.access_token", ID: ids.Next(), Key: "hash-1", UserID: "u1", OrgID: "o1",
		CreatedAt: at(0), ExpiresAt: at(time.Hour + time.Microsecond), Data: []byte(`{"scope":["openid"]}`)}
	binary := &store.Artifact{Kind: "signing_key", ID: ids.Next(), CreatedAt: at(-time.Hour),
		Data: []byte{0, 1, 0xfe, 0xff, 0, '\'', '"'}}
	bare := &store.Artifact{Kind: "oidc.access_token", ID: ids.Next()} // zero times, nil Data, no key
	empty := &store.Artifact{Kind: "oidc.access_token", ID: ids.Next(), Data: []byte{}}
	// Same id and key in another kind is another artifact.
	otherKind := &store.Artifact{Kind: "session", ID: full.ID, Key: full.Key, UserID: "u2", Data: []byte("other")}
	all := []*store.Artifact{full, binary, bare, empty, otherKind}

	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, a := range all {
			if err := tx.PutArtifact(ctx, a); err != nil {
				return err
			}
		}
		// The write function sees its own writes.
		got, err := tx.Artifact(ctx, full.Kind, full.ID)
		if err != nil {
			return err
		}
		checkArtifact(t, got, full)
		if got, err = tx.ArtifactByKey(ctx, full.Kind, full.Key); err != nil {
			return err
		}
		checkArtifact(t, got, full)
		list, total, err := tx.ListArtifacts(ctx, store.ArtifactQuery{Kind: "session"})
		if err != nil {
			return err
		}
		if len(list) != 1 || total != 1 {
			return fmt.Errorf("list in tx: %d artifacts, total %d", len(list), total)
		}
		return nil
	})

	for _, a := range all {
		checkArtifact(t, mustArtifact(t, s, a.Kind, a.ID), a)
	}
	for _, a := range []*store.Artifact{full, otherKind} {
		got, err := s.ArtifactByKey(ctx, a.Kind, a.Key)
		if err != nil {
			t.Fatal(err)
		}
		checkArtifact(t, got, a)
	}
	for _, a := range []*store.Artifact{bare, empty} {
		got := mustArtifact(t, s, a.Kind, a.ID)
		if !got.CreatedAt.IsZero() || !got.ExpiresAt.IsZero() {
			t.Errorf("zero times came back as %v/%v", got.CreatedAt, got.ExpiresAt)
		}
		if len(got.Data) != 0 {
			t.Errorf("empty data came back as %q", got.Data)
		}
	}
	// The instant survives, whatever the zone it was written in.
	if got := mustArtifact(t, s, full.Kind, full.ID); got.ExpiresAt.UnixMicro() != full.ExpiresAt.UnixMicro() {
		t.Errorf("expiry %v, want %v", got.ExpiresAt, full.ExpiresAt)
	}
}

func testArtifactReplace(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a := &store.Artifact{Kind: "k", ID: "1", Key: "key-1", UserID: "u1", OrgID: "o1",
		CreatedAt: at(0), ExpiresAt: at(time.Hour), Data: []byte("v1")}
	mustPutArtifacts(t, s, a)

	// Every field changes, the key included; the expiry is cleared.
	b := &store.Artifact{Kind: "k", ID: "1", Key: "key-2", UserID: "u2", OrgID: "o2",
		CreatedAt: at(time.Second), Data: []byte("v2")}
	mustPutArtifacts(t, s, b)
	checkArtifact(t, mustArtifact(t, s, "k", "1"), b)
	_, err := s.ArtifactByKey(ctx, "k", "key-1")
	wantErr(t, err, store.ErrNotFound)
	got, err := s.ArtifactByKey(ctx, "k", "key-2")
	if err != nil {
		t.Fatal(err)
	}
	checkArtifact(t, got, b)
	if list, total, err := s.ListArtifacts(ctx, store.ArtifactQuery{Kind: "k"}); err != nil || len(list) != 1 || total != 1 {
		t.Fatalf("after replace: %d artifacts, total %d, err %v", len(list), total, err)
	}

	// Keeping its own key is no clash.
	c := *b
	c.Data = []byte("v3")
	mustPutArtifacts(t, s, &c)
	checkArtifact(t, mustArtifact(t, s, "k", "1"), &c)

	// Dropping the key frees it for another artifact.
	d := c
	d.Key = ""
	mustPutArtifacts(t, s, &d)
	_, err = s.ArtifactByKey(ctx, "k", "key-2")
	wantErr(t, err, store.ErrNotFound)
	e := &store.Artifact{Kind: "k", ID: "2", Key: "key-2"}
	mustPutArtifacts(t, s, e)
	if got, err := s.ArtifactByKey(ctx, "k", "key-2"); err != nil || got.ID != "2" {
		t.Fatalf("freed key: %+v, %v", got, err)
	}
	checkArtifact(t, mustArtifact(t, s, "k", "1"), &d)
}

func testArtifactKeyDuplicates(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a := &store.Artifact{Kind: "k", ID: "1", Key: "dup", Data: []byte("a")}
	mustPutArtifacts(t, s, a)

	b := &store.Artifact{Kind: "k", ID: "2", Key: "dup", Data: []byte("b")}
	wantErr(t, putArtifacts(ctx, s, b), store.ErrDuplicate)
	_, err := s.Artifact(ctx, "k", "2")
	wantErr(t, err, store.ErrNotFound)

	// Keys are unique within a kind only.
	other := &store.Artifact{Kind: "k2", ID: "2", Key: "dup"}
	mustPutArtifacts(t, s, other)

	// Empty keys never clash.
	e1 := &store.Artifact{Kind: "k", ID: "3"}
	e2 := &store.Artifact{Kind: "k", ID: "4"}
	mustPutArtifacts(t, s, e1, e2)
	_, err = s.ArtifactByKey(ctx, "k", "")
	wantErr(t, err, store.ErrNotFound)

	// Replacing an artifact with a key another one holds is a clash too, and
	// leaves it as it was.
	e1b := &store.Artifact{Kind: "k", ID: "3", Key: "dup", Data: []byte("changed")}
	wantErr(t, putArtifacts(ctx, s, e1b), store.ErrDuplicate)
	checkArtifact(t, mustArtifact(t, s, "k", "3"), e1)
	got, err := s.ArtifactByKey(ctx, "k", "dup")
	if err != nil {
		t.Fatal(err)
	}
	checkArtifact(t, got, a)

	// The refusal does not spoil the transaction: fn may go on and commit.
	f := &store.Artifact{Kind: "k", ID: "5", Key: "free"}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutArtifact(ctx, b); !errors.Is(err, store.ErrDuplicate) {
			return fmt.Errorf("clashing put: %v, want ErrDuplicate", err)
		}
		return tx.PutArtifact(ctx, f)
	})
	checkArtifact(t, mustArtifact(t, s, "k", "5"), f)
	_, err = s.Artifact(ctx, "k", "2")
	wantErr(t, err, store.ErrNotFound)
}

// testArtifactConcurrentKeyClash: writers racing for one key; exactly one wins.
func testArtifactConcurrentKeyClash(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = putArtifacts(ctx, s, &store.Artifact{Kind: "k", ID: strconv.Itoa(i), Key: "contested"})
		})
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrDuplicate):
			t.Errorf("writer %d: %v, want nil or ErrDuplicate", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d writers got the key, want 1", wins)
	}
	if _, total, err := s.ListArtifacts(ctx, store.ArtifactQuery{Kind: "k"}); err != nil || total != 1 {
		t.Errorf("stored: total %d, err %v", total, err)
	}
}

func testArtifactNotFound(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, err := s.Artifact(ctx, "k", "nope")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.ArtifactByKey(ctx, "k", "nope")
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeleteArtifact(ctx, "k", "nope") }), store.ErrNotFound)

	a := &store.Artifact{Kind: "k", ID: "1", Key: "key"}
	mustPutArtifacts(t, s, a)
	// Right id or key, wrong kind.
	_, err = s.Artifact(ctx, "k2", "1")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.ArtifactByKey(ctx, "k2", "key")
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeleteArtifact(ctx, "k2", "1") }), store.ErrNotFound)

	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteArtifact(ctx, "k", "1"); err != nil {
			return err
		}
		if _, err := tx.Artifact(ctx, "k", "1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted artifact in tx: %v, want ErrNotFound", err)
		}
		return nil
	})
	_, err = s.Artifact(ctx, "k", "1")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.ArtifactByKey(ctx, "k", "key")
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeleteArtifact(ctx, "k", "1") }), store.ErrNotFound)
	// Its key is free again.
	mustPutArtifacts(t, s, &store.Artifact{Kind: "k", ID: "2", Key: "key"})
}

func testArtifactList(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	var as []*store.Artifact
	for _, sp := range []struct{ kind, id, user, org string }{
		{"tok", "8", "u1", "o1"},
		{"tok", "9", "u1", "o2"},
		{"tok", "10", "u2", "o1"},
		{"tok", "11", "u1", "o1"},
		{"tok", "12", "u2", "o2"},
		{"other", "7", "u1", "o1"},
		{"other", "13", "u1", "o1"},
	} {
		as = append(as, &store.Artifact{Kind: sp.kind, ID: sp.id, Key: "key-" + sp.id, UserID: sp.user, OrgID: sp.org,
			CreatedAt: at(0), ExpiresAt: at(time.Hour), Data: []byte(sp.id)})
	}
	mustPutArtifacts(t, s, as...)
	list := func(q store.ArtifactQuery) ([]string, uint64) {
		t.Helper()
		got, total, err := s.ListArtifacts(ctx, q)
		if err != nil {
			t.Fatalf("ListArtifacts(%+v): %v", q, err)
		}
		var ids []string
		for _, a := range got {
			if a.Kind != q.Kind {
				t.Errorf("listed kind %q, want %q", a.Kind, q.Kind)
			}
			ids = append(ids, a.ID)
		}
		return ids, total
	}
	asc := store.Page{Asc: true}
	cases := []struct {
		name  string
		q     store.ArtifactQuery
		want  []string
		total uint64
	}{
		{"kind asc", store.ArtifactQuery{Kind: "tok", Page: asc}, []string{"8", "9", "10", "11", "12"}, 5},
		{"kind desc", store.ArtifactQuery{Kind: "tok"}, []string{"12", "11", "10", "9", "8"}, 5},
		{"other kind", store.ArtifactQuery{Kind: "other", Page: asc}, []string{"7", "13"}, 2},
		{"unknown kind", store.ArtifactQuery{Kind: "none"}, nil, 0},
		{"user", store.ArtifactQuery{Kind: "tok", UserID: "u1", Page: asc}, []string{"8", "9", "11"}, 3},
		{"org", store.ArtifactQuery{Kind: "tok", OrgID: "o1", Page: asc}, []string{"8", "10", "11"}, 3},
		{"user and org", store.ArtifactQuery{Kind: "tok", UserID: "u1", OrgID: "o1"}, []string{"11", "8"}, 2},
		{"unknown user", store.ArtifactQuery{Kind: "tok", UserID: "u9"}, nil, 0},
		{"page asc", store.ArtifactQuery{Kind: "tok", Page: store.Page{Asc: true, Offset: 1, Limit: 2}}, []string{"9", "10"}, 5},
		{"last page desc", store.ArtifactQuery{Kind: "tok", Page: store.Page{Offset: 3, Limit: 5}}, []string{"9", "8"}, 5},
		{"filtered page", store.ArtifactQuery{Kind: "tok", UserID: "u1", Page: store.Page{Asc: true, Offset: 1, Limit: 1}}, []string{"9"}, 3},
		{"past the end", store.ArtifactQuery{Kind: "tok", Page: store.Page{Offset: 9}}, nil, 5},
		{"filtered past the end", store.ArtifactQuery{Kind: "tok", OrgID: "o2", Page: store.Page{Offset: 2}}, nil, 2},
	}
	for _, c := range cases {
		ids, total := list(c.q)
		if !slices.Equal(ids, c.want) || total != c.total {
			t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, ids, total, c.want, c.total)
		}
	}
	// Whole artifacts come back, not just ids.
	got, _, err := s.ListArtifacts(ctx, store.ArtifactQuery{Kind: "tok", UserID: "u2", OrgID: "o1"})
	if err != nil || len(got) != 1 {
		t.Fatalf("one artifact: %v, %v", got, err)
	}
	checkArtifact(t, got[0], as[2])
	// Kind is required.
	if _, _, err := s.ListArtifacts(ctx, store.ArtifactQuery{}); err == nil {
		t.Error("ListArtifacts without a kind succeeded")
	}
}

func testArtifactListLimits(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	var as []*store.Artifact
	for i := range 105 {
		as = append(as, &store.Artifact{Kind: "many", ID: strconv.Itoa(i)})
	}
	mustPutArtifacts(t, s, as...)
	for _, c := range []struct{ limit, want int }{{0, 100}, {-1, 100}, {5, 5}, {5000, 105}} {
		got, total, err := s.ListArtifacts(ctx, store.ArtifactQuery{Kind: "many", Page: store.Page{Limit: c.limit}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != c.want || total != 105 {
			t.Errorf("limit %d: %d artifacts, total %d", c.limit, len(got), total)
		}
	}
}

func testArtifactPurge(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	now := at(0)
	all := []string{"a", "b", "bulk"}
	if n, err := s.PurgeExpired(ctx, now, all, 1000); err != nil || n != 0 {
		t.Fatalf("purge of an empty store: %d, %v", n, err)
	}
	expired := []*store.Artifact{
		{Kind: "a", ID: "1", ExpiresAt: now.Add(-time.Hour)},
		{Kind: "b", ID: "1", Key: "freed", ExpiresAt: now.Add(-time.Microsecond)},
	}
	atNow := &store.Artifact{Kind: "a", ID: "2", ExpiresAt: now} // not before t: kept
	later := &store.Artifact{Kind: "a", ID: "3", ExpiresAt: now.Add(time.Hour)}
	never := &store.Artifact{Kind: "a", ID: "4", CreatedAt: now.Add(-48 * time.Hour)} // zero ExpiresAt: kept
	// Expired, but of a kind the purge is not told about: kept.
	unnamed := &store.Artifact{Kind: "kept", ID: "1", Key: "still-here", ExpiresAt: now.Add(-time.Hour)}
	mustPutArtifacts(t, s, append(expired, atNow, later, never, unnamed)...)

	n, err := s.PurgeExpired(ctx, now, all, 1000)
	if err != nil || n != int64(len(expired)) {
		t.Fatalf("purge: %d, %v; want %d", n, err, len(expired))
	}
	for _, a := range expired {
		_, err := s.Artifact(ctx, a.Kind, a.ID)
		wantErr(t, err, store.ErrNotFound)
	}
	_, err = s.ArtifactByKey(ctx, "b", "freed")
	wantErr(t, err, store.ErrNotFound)
	for _, a := range []*store.Artifact{atNow, later, never, unnamed} {
		checkArtifact(t, mustArtifact(t, s, a.Kind, a.ID), a)
	}
	if n, err := s.PurgeExpired(ctx, now, all, 1000); err != nil || n != 0 {
		t.Errorf("second purge: %d, %v", n, err)
	}
	if n, err := s.PurgeExpired(ctx, now.Add(2*time.Hour), nil, 1000); err != nil || n != 0 {
		t.Errorf("purge of no kinds: %d, %v; want 0", n, err)
	}
	if n, err := s.PurgeExpired(ctx, now.Add(2*time.Hour), all, 1000); err != nil || n != 2 {
		t.Errorf("later purge: %d, %v; want 2", n, err)
	}
	checkArtifact(t, mustArtifact(t, s, never.Kind, never.ID), never)
	checkArtifact(t, mustArtifact(t, s, unnamed.Kind, unnamed.ID), unnamed)

	// A backlog larger than a batch: each call deletes at most its limit
	// (clamped to 1000), and calls until one deletes fewer leave none behind.
	var bulk []*store.Artifact
	for i := range 2500 {
		bulk = append(bulk, &store.Artifact{Kind: "bulk", ID: strconv.Itoa(i), Key: "k" + strconv.Itoa(i),
			ExpiresAt: now.Add(-time.Duration(i+1) * time.Second)})
	}
	mustPutArtifacts(t, s, bulk...)
	if n, err := s.PurgeExpired(ctx, now, all, 700); err != nil || n != 700 {
		t.Fatalf("batch of 700: %d, %v", n, err)
	}
	var total int64 = 700
	for calls := 0; ; calls++ {
		n, err := s.PurgeExpired(ctx, now, all, 5000)
		if err != nil || n > 1000 {
			t.Fatalf("bulk purge: %d, %v (limit 5000 must be clamped to 1000)", n, err)
		}
		total += n
		if n < 1000 {
			break
		}
		if calls > 10 {
			t.Fatal("bulk purge does not end")
		}
	}
	if total != int64(len(bulk)) {
		t.Errorf("bulk purge: %d deleted; want %d", total, len(bulk))
	}
	if _, total, err := s.ListArtifacts(ctx, store.ArtifactQuery{Kind: "bulk"}); err != nil || total != 0 {
		t.Errorf("after bulk purge: total %d, %v", total, err)
	}
	checkArtifact(t, mustArtifact(t, s, never.Kind, never.ID), never)
}

func testArtifactRollback(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	kept := &store.Artifact{Kind: "k", ID: "1", Key: "r1", UserID: "u", CreatedAt: at(0), Data: []byte("keep")}
	victim := &store.Artifact{Kind: "k", ID: "2", Key: "r2", Data: []byte("victim")}
	mustPutArtifacts(t, s, kept, victim)

	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutArtifact(ctx, &store.Artifact{Kind: "k", ID: "3", Key: "r3", Data: []byte("new")}); err != nil {
			return err
		}
		if err := tx.PutArtifact(ctx, &store.Artifact{Kind: "k", ID: "1", Key: "r1b", Data: []byte("changed")}); err != nil {
			return err
		}
		if err := tx.DeleteArtifact(ctx, "k", "2"); err != nil {
			return err
		}
		return fmt.Errorf("refused: %w", errOut)
	})
	if !errors.Is(err, errOut) {
		t.Fatalf("Write returned %v, want fn's error", err)
	}
	_, err = s.Artifact(ctx, "k", "3")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.ArtifactByKey(ctx, "k", "r3")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.ArtifactByKey(ctx, "k", "r1b")
	wantErr(t, err, store.ErrNotFound)
	got, err := s.ArtifactByKey(ctx, "k", "r1")
	if err != nil {
		t.Fatal(err)
	}
	checkArtifact(t, got, kept)
	checkArtifact(t, mustArtifact(t, s, "k", "2"), victim)
}
