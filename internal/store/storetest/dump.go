package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// DumpStore is an engine that can dump and load (store.Dumper, store.Loader).
type DumpStore interface {
	store.Store
	store.Dumper
	store.Loader
}

// RunDump runs the dump/load conformance tests. open must return a fresh,
// empty store (closed by t.Cleanup); each subtest gets its own.
func RunDump(t *testing.T, open func(t *testing.T) DumpStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) DumpStore)
	}{
		{"RoundTrip", testDumpRoundTrip},
		{"EmptyStore", testDumpEmpty},
		{"LoadRefusesNonEmpty", testLoadRefusesNonEmpty},
		{"LoadFailureLeavesNothing", testLoadFailure},
		{"DumpIsOneSnapshot", testDumpSnapshot},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

func testDumpRoundTrip(t *testing.T, open func(t *testing.T) DumpStore) {
	src, dst := open(t), open(t)
	Fill(t, src)
	sum, err := store.Copy(ctxT(t), src, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range store.Tables {
		if sum[tbl].Rows == 0 {
			t.Errorf("the fixture has no %s rows: the test does not cover that table", tbl)
		}
	}
	got, err := store.Summarize(ctxT(t), dst)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(sum) {
		t.Errorf("summaries differ:\nsource %v\ntarget %v", sum, got)
	}
	// Dumping twice gives the same (the order is stable).
	again, err := store.Summarize(ctxT(t), src)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Equal(sum) {
		t.Errorf("a second dump of the source differs from the first")
	}
	CompareStores(t, src, dst)
}

func testDumpEmpty(t *testing.T, open func(t *testing.T) DumpStore) {
	src, dst := open(t), open(t)
	sum, err := store.Copy(ctxT(t), src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total() != 0 {
		t.Errorf("empty store dumped %d rows", sum.Total())
	}
	// An empty load leaves an empty store, which takes a real load later.
	Fill(t, src)
	if _, err := store.Copy(ctxT(t), src, dst); err != nil {
		t.Fatal(err)
	}
	CompareStores(t, src, dst)
}

func testLoadRefusesNonEmpty(t *testing.T, open func(t *testing.T) DumpStore) {
	src := open(t)
	Fill(t, src)
	want, err := store.Summarize(ctxT(t), src)
	if err != nil {
		t.Fatal(err)
	}
	// Each table alone makes a store non-empty.
	for _, tbl := range store.Tables {
		t.Run(tbl, func(t *testing.T) {
			dst := open(t)
			var seed store.Record
			if err := src.Dump(ctxT(t), func(r store.Record) error {
				if r.Table() == tbl {
					seed = r
					return errStopDump
				}
				return nil
			}); !errors.Is(err, errStopDump) {
				t.Fatalf("no %s row in the fixture: %v", tbl, err)
			}
			mustWrite(t, dst, func(ctx context.Context, tx store.Tx) error { return putRecord(ctx, tx, seed) })
			before, err := store.Summarize(ctxT(t), dst)
			if err != nil {
				t.Fatal(err)
			}
			_, err = store.Copy(ctxT(t), src, dst)
			wantErr(t, err, store.ErrNotEmpty)
			if !bytes.Contains([]byte(err.Error()), []byte(tbl+": 1 rows")) {
				t.Errorf("error does not name the table: %v", err)
			}
			after, err := store.Summarize(ctxT(t), dst)
			if err != nil {
				t.Fatal(err)
			}
			if !after.Equal(before) || after.Equal(want) {
				t.Errorf("a refused load changed the target")
			}
		})
	}
	// Its own copy is not empty either.
	_, err = store.Copy(ctxT(t), src, src)
	wantErr(t, err, store.ErrNotEmpty)
}

var errStopDump = errors.New("storetest: stop")

// putRecord writes one dump record through the ordinary Tx methods.
func putRecord(ctx context.Context, tx store.Tx, r store.Record) error {
	switch {
	case r.Instance != nil:
		return tx.InsertInstance(ctx, r.Instance)
	case r.Org != nil:
		return tx.InsertOrg(ctx, r.Org)
	case r.User != nil:
		return tx.InsertUser(ctx, r.User)
	case r.Member != nil:
		return tx.PutMember(ctx, r.Member)
	case r.PAT != nil:
		return tx.InsertPAT(ctx, r.PAT)
	case r.Artifact != nil:
		return tx.PutArtifact(ctx, r.Artifact)
	case r.Message != nil:
		return tx.EnqueueMessage(ctx, r.Message)
	case r.Event != nil:
		return tx.Append(ctx, *r.Event)
	}
	return errors.New("empty record")
}

// failingDumper passes on records until it has passed n, then fails.
type failingDumper struct {
	store.Dumper
	n int
}

var errSourceBroke = errors.New("storetest: source broke")

func (f failingDumper) Dump(ctx context.Context, put func(store.Record) error) error {
	i := 0
	return f.Dumper.Dump(ctx, func(r store.Record) error {
		if i++; i > f.n {
			return errSourceBroke
		}
		return put(r)
	})
}

func testLoadFailure(t *testing.T, open func(t *testing.T) DumpStore) {
	src, dst := open(t), open(t)
	Fill(t, src)
	sum, err := store.Summarize(ctxT(t), src)
	if err != nil {
		t.Fatal(err)
	}
	// Fail in the middle of the events, after every other table went in.
	n := int(sum.Total() - sum[store.TableEvents].Rows/2)
	_, err = store.Copy(ctxT(t), failingDumper{src, n}, dst)
	wantErr(t, err, errSourceBroke)
	got, err := store.Summarize(ctxT(t), dst)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total() != 0 {
		t.Fatalf("a failed load left %d rows behind", got.Total())
	}
	// A cancelled one neither.
	ctx, cancel := context.WithCancel(ctxT(t))
	_, err = store.Copy(ctx, cancelAfter{src, n, cancel}, dst)
	if err == nil {
		t.Fatal("cancelled load succeeded")
	}
	if got, err = store.Summarize(ctxT(t), dst); err != nil || got.Total() != 0 {
		t.Fatalf("a cancelled load left %d rows behind (%v)", got.Total(), err)
	}
	// And the target still takes a whole load.
	if _, err := store.Copy(ctxT(t), src, dst); err != nil {
		t.Fatal(err)
	}
	CompareStores(t, src, dst)
}

type cancelAfter struct {
	store.Dumper
	n      int
	cancel context.CancelFunc
}

func (c cancelAfter) Dump(ctx context.Context, put func(store.Record) error) error {
	i := 0
	return c.Dumper.Dump(ctx, func(r store.Record) error {
		if i++; i == c.n {
			c.cancel()
		}
		return put(r)
	})
}

// testDumpSnapshot dumps while users are locked and unlocked: every user row in
// the dump must match its own history in the same dump (sequence = last event),
// which only holds if all tables were read from one snapshot.
func testDumpSnapshot(t *testing.T, open func(t *testing.T) DumpStore) {
	s := open(t)
	o := newOrg(t, s, "snap")
	var users []*user.User
	for i := range 8 {
		u := humanUser(o.ID, fmt.Sprintf("snap%d", i))
		_, ev := user.NewHuman(u.ID, o.ID, u.UserName, *u.Human, false, user.Actor{At: u.CreatedAt})
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			return tx.Append(ctx, ev)
		})
		users = append(users, u)
	}
	ctx, cancel := context.WithCancel(ctxT(t))
	var wg sync.WaitGroup
	var writes atomic.Int64
	for _, u := range users {
		wg.Go(func() {
			for ctx.Err() == nil {
				if err := toggle(ctx, s, u.ID); err != nil && ctx.Err() == nil {
					t.Error(err)
					return
				}
				writes.Add(1)
			}
		})
	}
	defer func() { cancel(); wg.Wait() }()
	for round := 0; round < 5 || writes.Load() < 50; round++ {
		seqs := map[string]uint64{}
		last := map[string]uint64{}
		err := s.Dump(ctxT(t), func(r store.Record) error {
			switch {
			case r.User != nil:
				seqs[r.User.ID] = r.User.Sequence
				// Slow the dump down so writes land in the middle of it.
				time.Sleep(200 * time.Microsecond)
			case r.Event != nil:
				last[r.Event.AggregateID] = max(last[r.Event.AggregateID], r.Event.Sequence)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if seqs[u.ID] != last[u.ID] {
				t.Fatalf("round %d: user %s has sequence %d in the dump but its last event is %d: not one snapshot",
					round, u.ID, seqs[u.ID], last[u.ID])
			}
		}
		if round > 200 {
			break
		}
	}
	t.Logf("%d writes during the dumps", writes.Load())
}

// Fill writes one of every kind of row through the ordinary Tx methods: the
// instance, active and inactive orgs, users in every state (with password
// hashes, failed attempts, credential epochs and state before lock), machine
// users, a removed user whose name a live one reuses, members of every scope,
// PATs, artifacts of several kinds, outbox messages in every state (pending,
// pending after a failed attempt, sent, dead) and the history of all of it.
func Fill(t testing.TB, s store.Store) {
	t.Helper()
	ctx := context.Background()
	t0 := store.Now().Add(-time.Hour)
	tick := 0
	next := func() time.Time {
		tick++
		return t0.Add(time.Duration(tick)*time.Second + time.Duration(tick)*time.Microsecond)
	}
	write := func(fn func(ctx context.Context, tx store.Tx) error) {
		t.Helper()
		if err := s.Write(ctx, fn); err != nil {
			t.Fatalf("fill: %v", err)
		}
	}

	inst := &org.Instance{ID: ids.Next(), Sequence: 2, CreatedAt: next()}
	acme := &org.Org{ID: ids.Next(), Name: "Acme", State: org.StateActive, Sequence: 1, CreatedAt: next()}
	acme.ChangedAt = acme.CreatedAt
	beta := &org.Org{ID: ids.Next(), Name: "Beta Ünïcødé", State: org.StateInactive, Sequence: 2, CreatedAt: next(), ChangedAt: next()}
	inst.DefaultOrgID = acme.ID
	orgEvent := func(o *org.Org, seq uint64, typ string, at time.Time, payload []byte) event.Event {
		return event.Event{AggregateType: event.AggregateOrg, AggregateID: o.ID, Sequence: seq, Type: typ, CreatedAt: at,
			CreatorID: "system", ResourceOwner: o.ID, Payload: payload}
	}
	write(func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertInstance(ctx, inst); err != nil {
			return err
		}
		for _, o := range []*org.Org{acme, beta} {
			if err := tx.InsertOrg(ctx, o); err != nil {
				return err
			}
		}
		return tx.Append(ctx,
			event.Event{AggregateType: event.AggregateInstance, AggregateID: inst.ID, Sequence: 1, Type: event.InstanceAdded,
				CreatedAt: inst.CreatedAt, ResourceOwner: acme.ID, Payload: []byte(`{"defaultOrg":"` + acme.ID + `"}`)},
			orgEvent(acme, 1, event.OrgAdded, acme.CreatedAt, []byte(`{"name":"Acme"}`)),
			orgEvent(beta, 1, event.OrgAdded, beta.CreatedAt, nil), // no payload at all
			orgEvent(beta, 2, "org.deactivated", beta.ChangedAt, []byte(`{}`)),
		)
	})

	// Users, each with the history that led to its state.
	type plan struct {
		u   *user.User
		evs []event.Event
	}
	var plans []*plan
	human := func(o *org.Org, name string, h user.Human, initial bool) *plan {
		u, ev := user.NewHuman(ids.Next(), o.ID, name, h, initial, user.Actor{UserID: "admin", At: next()})
		p := &plan{u: u, evs: []event.Event{ev}}
		plans = append(plans, p)
		return p
	}
	apply := func(p *plan, ops ...user.Op) *plan {
		for _, op := range ops {
			ev, err := user.Apply(p.u, op, user.Actor{UserID: "admin", At: next()})
			if err != nil {
				t.Fatalf("fill: %s %s: %v", op, p.u.UserName, err)
			}
			p.evs = append(p.evs, ev)
		}
		return p
	}
	pw := "$argon2id$v=19$m=65536,t=1,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
	alice := human(acme, "alice", user.Human{FirstName: "Alice", LastName: "Liddell", DisplayName: "Alice L.",
		PreferredLanguage: "en", Gender: 1, Email: "Alice@Example.com", EmailVerified: true, Phone: "+41 79 000 00 01",
		PasswordHash: pw, FailedPasswordAttempts: 2}, false)
	// A failed password check is a change of its own, with an event.
	alice.u.Human.FailedPasswordAttempts = 3
	alice.u.Sequence++
	alice.evs = append(alice.evs, event.Event{AggregateType: event.AggregateUser, AggregateID: alice.u.ID, Sequence: alice.u.Sequence,
		Type: event.PasswordCheckFailed, CreatedAt: next(), ResourceOwner: acme.ID, Payload: []byte{}})
	bob := apply(human(acme, "bob", user.Human{FirstName: "Bob", Email: "bob@example.com"}, true), user.OpLock) // locked from INITIAL
	apply(human(acme, "carol", user.Human{FirstName: "Carol", PasswordHash: pw, PasswordChangeRequired: true}, false),
		user.OpDeactivate) // inactive
	apply(human(acme, "eve", user.Human{NickName: "evie", PasswordHash: pw}, false),
		user.OpLock, user.OpUnlock, user.OpLock) // locked from ACTIVE, epoch 3
	apply(human(acme, "dave", user.Human{FirstName: "Dave (old)"}, false), user.OpRemove)      // removed...
	human(acme, "dave", user.Human{FirstName: "Dave (new)", Email: "dave@example.com"}, false) // ...and the name reused
	apply(human(acme, "frank", user.Human{}, false), user.OpDeactivate, user.OpReactivate)
	human(acme, "Zoë Ärger", user.Human{FirstName: "Zoë", LastName: "Ärger", Email: "ZOË@example.com"}, true)
	human(beta, "alice", user.Human{FirstName: "Other Alice"}, false) // same name, other org
	robotU, robotEv := user.NewMachine(ids.Next(), acme.ID, "robot", user.Machine{Name: "Robot", Description: "CI", AccessTokenType: 1},
		user.Actor{UserID: "admin", At: next()})
	robot := &plan{u: robotU, evs: []event.Event{robotEv}}
	plans = append(plans, robot)
	// A row that never went through the domain: zero times, neither kind.
	plans = append(plans, &plan{u: &user.User{ID: ids.Next(), OrgID: beta.ID, UserName: "bare"}})
	for _, p := range plans {
		write(func(ctx context.Context, tx store.Tx) error {
			if err := tx.InsertUser(ctx, p.u); err != nil {
				return err
			}
			if len(p.evs) == 0 {
				return nil
			}
			return tx.Append(ctx, p.evs...)
		})
	}

	// Memberships: instance scope and both orgs, roles in a given order.
	instanceEvent := func(seq uint64, typ, userID string, at time.Time) event.Event {
		return event.Event{AggregateType: event.AggregateInstance, AggregateID: inst.ID, Sequence: seq, Type: typ, CreatedAt: at,
			CreatorID: "system", ResourceOwner: acme.ID, Payload: []byte(`{"userId":"` + userID + `"}`)}
	}
	members := []*org.Member{
		{OrgID: org.InstanceScope, UserID: alice.u.ID, Roles: []string{"IAM_OWNER"}, Sequence: 2},
		{OrgID: acme.ID, UserID: alice.u.ID, Roles: []string{"ORG_OWNER", "ORG_USER_MANAGER"}, Sequence: 2},
		{OrgID: acme.ID, UserID: robot.u.ID, Roles: []string{"ORG_USER_MANAGER"}, Sequence: 3},
		{OrgID: beta.ID, UserID: bob.u.ID, Roles: []string{}, Sequence: 2},
	}
	write(func(ctx context.Context, tx store.Tx) error {
		for _, m := range members {
			m.CreatedAt = next()
			m.ChangedAt = m.CreatedAt.Add(time.Millisecond)
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return tx.Append(ctx,
			instanceEvent(2, event.InstanceMemberAdded, alice.u.ID, members[0].CreatedAt),
			orgEvent(acme, 2, event.OrgMemberAdded, members[1].CreatedAt, []byte(`{"userId":"`+alice.u.ID+`"}`)),
			orgEvent(acme, 3, event.OrgMemberAdded, members[2].CreatedAt, nil),
		)
	})

	// PATs: never expiring, expiring, and one from before bob's lock (dead by epoch).
	pats := []*credential.PAT{
		{ID: ids.Next(), UserID: alice.u.ID, OrgID: acme.ID, CreatedAt: next(), Epoch: 1, Sequence: 1},
		{ID: ids.Next(), UserID: robot.u.ID, OrgID: acme.ID, CreatedAt: next(), Expiration: next().Add(90 * 24 * time.Hour), Epoch: 1, Sequence: 1},
		{ID: ids.Next(), UserID: robot.u.ID, OrgID: acme.ID, CreatedAt: next(), Epoch: 1, Sequence: 1},
		{ID: ids.Next(), UserID: bob.u.ID, OrgID: acme.ID, CreatedAt: next(), Epoch: 1, Sequence: 1},
	}
	write(func(ctx context.Context, tx store.Tx) error {
		for _, p := range pats {
			_, p.Hash = credential.NewToken()
			if err := tx.InsertPAT(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})

	// Artifacts of several kinds; ids that sort differently by byte and by
	// locale, keys or none, owners or none, expiry or none, data or none.
	arts := []*store.Artifact{
		{Kind: "access_token", ID: ids.Next(), Key: "hash-a1", UserID: alice.u.ID, OrgID: acme.ID, CreatedAt: next(),
			ExpiresAt: next().Add(time.Hour), Data: []byte(`{"scopes":["openid","profile"],"epoch":1}`)},
		{Kind: "access_token", ID: ids.Next(), Key: "hash-r1", UserID: robot.u.ID, OrgID: acme.ID, CreatedAt: next(),
			ExpiresAt: next().Add(-time.Minute), Data: []byte(`{"scopes":["openid"]}`)}, // expired, not yet purged
		{Kind: "refresh_token", ID: ids.Next(), Key: "hash-rt", UserID: alice.u.ID, OrgID: acme.ID, CreatedAt: next(),
			Data: []byte(`{"authTime":"2024-01-01T00:00:00Z"}`)},
		{Kind: "signing_key", ID: "Zeta", CreatedAt: next(), Data: []byte(`{"alg":"RS256","n":"..."}`)},
		{Kind: "signing_key", ID: "alpha", CreatedAt: next(), Data: []byte(`{"alg":"RS256"}`)},
		{Kind: "signing_key", ID: "Ärger", CreatedAt: next(), Data: []byte(`{"alg":"ES256"}`)},
		{Kind: "project", ID: ids.Next(), OrgID: acme.ID, CreatedAt: next(), Data: []byte(`{"name":"Portal"}`)},
		{Kind: "app", ID: ids.Next(), Key: "client-portal@acme", OrgID: acme.ID, CreatedAt: next(),
			Data: []byte(`{"redirectUris":["https://portal.example.com/cb"],"secretHash":"$argon2id$..."}`)},
		{Kind: "machine_key", ID: ids.Next(), UserID: robot.u.ID, OrgID: acme.ID, CreatedAt: next(), ExpiresAt: next().Add(365 * 24 * time.Hour),
			Data: []byte(`{"publicKey":"-----BEGIN PUBLIC KEY-----\n..."}`)},
		{Kind: "session", ID: ids.Next(), UserID: bob.u.ID, CreatedAt: next(), ExpiresAt: next().Add(time.Hour)}, // no data
		{Kind: "lockout_policy", ID: acme.ID, OrgID: acme.ID, CreatedAt: next(), Data: []byte(`{"maxPasswordAttempts":5}`)},
	}
	write(func(ctx context.Context, tx store.Tx) error {
		for _, a := range arts {
			if err := tx.PutArtifact(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})

	// The outbox, through the delivery job's own steps: three mails claimed,
	// then one sent, one dead and one back to pending with its error and a
	// retry time; a fourth never attempted, without data or recipient.
	msgs := []*store.Message{
		{ID: ids.Next(), Kind: "email", Recipient: "alice@example.com", Data: []byte(`{"subject":"sent"}`), CreatedAt: next()},
		{ID: ids.Next(), Kind: "email", Recipient: "not an address", Data: []byte(`{"subject":"dead"}`), CreatedAt: next()},
		{ID: ids.Next(), Kind: "email", Recipient: "Zoë@example.com", Data: []byte(`{"subject":"retried"}`), CreatedAt: next()},
	}
	write(func(ctx context.Context, tx store.Tx) error {
		for _, m := range msgs {
			if err := tx.EnqueueMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	var claimed []*store.Message
	claimedAt := next()
	write(func(ctx context.Context, tx store.Tx) error {
		var err error
		claimed, err = tx.ClaimMessages(ctx, "email", claimedAt, claimedAt.Add(time.Minute), 10)
		return err
	})
	if len(claimed) != len(msgs) {
		t.Fatalf("fill: claimed %d outbox messages, want %d", len(claimed), len(msgs))
	}
	write(func(ctx context.Context, tx store.Tx) error {
		for i, m := range claimed {
			m.ChangedAt = next()
			switch i {
			case 0:
				m.State = store.MessageSent
			case 1:
				m.State, m.LastError = store.MessageDead, "mail: bad recipient address"
			case 2:
				m.NextAttempt, m.LastError = m.ChangedAt.Add(30*time.Second), "smtp: 451 try again later"
			}
			if err := tx.FinishMessage(ctx, m); err != nil {
				return err
			}
		}
		return tx.EnqueueMessage(ctx, &store.Message{ID: ids.Next(), Kind: "email", CreatedAt: next()})
	})
}

// CompareStores checks that got answers every Reader method exactly as want
// does, for every row want holds (found by dumping want), and that both dump to
// the same summary.
func CompareStores(t testing.TB, want, got store.Store) {
	t.Helper()
	ctx := context.Background()
	wd, ok1 := want.(store.Dumper)
	gd, ok2 := got.(store.Dumper)
	if !ok1 || !ok2 {
		t.Fatalf("CompareStores needs stores that implement store.Dumper")
	}
	var recs []store.Record
	if err := wd.Dump(ctx, func(r store.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	ws, err := store.Summarize(ctx, wd)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := store.Summarize(ctx, gd)
	if err != nil {
		t.Fatal(err)
	}
	if !ws.Equal(gs) {
		for _, tbl := range store.Tables {
			if ws[tbl] != gs[tbl] {
				t.Errorf("table %s: want %d rows %s, got %d rows %s", tbl, ws[tbl].Rows, ws[tbl].HashHex(), gs[tbl].Rows, gs[tbl].HashHex())
			}
		}
	}

	same := func(what string, w, g store.Record) {
		t.Helper()
		if !bytes.Equal(store.AppendCanonical(nil, w), store.AppendCanonical(nil, g)) {
			t.Errorf("%s differs:\nwant %s\n got %s", what, show(w), show(g))
		}
	}
	sameList := func(what string, w, g []store.Record, wt, gt uint64) {
		t.Helper()
		if len(w) != len(g) || wt != gt {
			t.Errorf("%s: want %d rows (total %d), got %d (total %d)", what, len(w), wt, len(g), gt)
			return
		}
		for i := range w {
			same(fmt.Sprintf("%s[%d]", what, i), w[i], g[i])
		}
	}
	call := func(what string, fw, fg func() (store.Record, error)) {
		t.Helper()
		w, err := fw()
		if err != nil {
			t.Errorf("%s on want: %v", what, err)
			return
		}
		g, err := fg()
		if err != nil {
			t.Errorf("%s on got: %v", what, err)
			return
		}
		same(what, w, g)
	}

	orgIDs := []string{org.InstanceScope}
	userIDs := map[string]bool{}
	aggregates := map[[2]string]bool{}
	kinds := map[string]bool{}
	for _, r := range recs {
		switch {
		case r.Instance != nil:
			call("Instance", func() (store.Record, error) { i, err := want.Instance(ctx); return store.Record{Instance: i}, err },
				func() (store.Record, error) { i, err := got.Instance(ctx); return store.Record{Instance: i}, err })
		case r.Org != nil:
			o := r.Org
			orgIDs = append(orgIDs, o.ID)
			for _, s := range []store.Reader{want, got} {
				g, err := s.Org(ctx, o.ID)
				if err != nil {
					t.Errorf("Org(%s): %v", o.ID, err)
					continue
				}
				same("Org "+o.ID, r, store.Record{Org: g})
				g, err = s.OrgByName(ctx, o.Name)
				if err != nil {
					t.Errorf("OrgByName(%s): %v", o.Name, err)
					continue
				}
				same("OrgByName "+o.Name, r, store.Record{Org: g})
			}
		case r.User != nil:
			u := r.User
			userIDs[u.ID] = true
			for _, s := range []store.Reader{want, got} {
				g, err := s.User(ctx, u.ID)
				if err != nil {
					t.Errorf("User(%s): %v", u.ID, err)
					continue
				}
				same("User "+u.ID, r, store.Record{User: g})
				if u.State == user.StateDeleted {
					continue
				}
				g, err = s.UserByName(ctx, u.OrgID, u.UserName)
				if err != nil {
					t.Errorf("UserByName(%s): %v", u.UserName, err)
					continue
				}
				same("UserByName "+u.UserName, r, store.Record{User: g})
			}
		case r.Member != nil:
			m := r.Member
			call("Member "+m.OrgID+"/"+m.UserID,
				func() (store.Record, error) {
					x, err := want.Member(ctx, m.OrgID, m.UserID)
					return store.Record{Member: x}, err
				},
				func() (store.Record, error) {
					x, err := got.Member(ctx, m.OrgID, m.UserID)
					return store.Record{Member: x}, err
				})
		case r.PAT != nil:
			p := r.PAT
			for _, s := range []store.Reader{want, got} {
				g, err := s.PAT(ctx, p.UserID, p.ID)
				if err != nil {
					t.Errorf("PAT(%s): %v", p.ID, err)
					continue
				}
				same("PAT "+p.ID, r, store.Record{PAT: g})
				g, err = s.PATByHash(ctx, p.Hash)
				if err != nil {
					t.Errorf("PATByHash(%s): %v", p.ID, err)
					continue
				}
				same("PATByHash "+p.ID, r, store.Record{PAT: g})
			}
		case r.Artifact != nil:
			a := r.Artifact
			kinds[a.Kind] = true
			for _, s := range []store.Reader{want, got} {
				g, err := s.Artifact(ctx, a.Kind, a.ID)
				if err != nil {
					t.Errorf("Artifact(%s/%s): %v", a.Kind, a.ID, err)
					continue
				}
				same("Artifact "+a.Kind+"/"+a.ID, r, store.Record{Artifact: g})
				if a.Key == "" {
					continue
				}
				g, err = s.ArtifactByKey(ctx, a.Kind, a.Key)
				if err != nil {
					t.Errorf("ArtifactByKey(%s/%s): %v", a.Kind, a.Key, err)
					continue
				}
				same("ArtifactByKey "+a.Kind+"/"+a.Key, r, store.Record{Artifact: g})
			}
		case r.Message != nil:
			m := r.Message
			call("Message "+m.ID,
				func() (store.Record, error) { x, err := want.Message(ctx, m.ID); return store.Record{Message: x}, err },
				func() (store.Record, error) { x, err := got.Message(ctx, m.ID); return store.Record{Message: x}, err })
		case r.Event != nil:
			aggregates[[2]string{r.Event.AggregateType, r.Event.AggregateID}] = true
		}
	}
	for _, state := range []store.MessageState{store.MessagePending, store.MessageSent, store.MessageDead} {
		w, err1 := want.CountMessages(ctx, state)
		g, err2 := got.CountMessages(ctx, state)
		if err1 != nil || err2 != nil || w != g {
			t.Errorf("CountMessages(%d): want %d, got %d (%v / %v)", state, w, g, err1, err2)
		}
	}

	// The lists, in both directions and by every sort column.
	for _, orgID := range orgIDs {
		// Not SortCreationDate: the fixture's "bare" user has no creation time,
		// and the engines disagree on where NULL sorts (SQLite first, PostgreSQL
		// last); the domain never writes such a user.
		for _, sort := range []store.UserSort{store.SortUnspecified, store.SortUserName, store.SortEmail, store.SortLastName,
			store.SortDisplayName, store.SortState} {
			for _, asc := range []bool{true, false} {
				q := store.UserQuery{OrgID: orgID, Sort: sort, Asc: asc, Limit: 1000}
				w, err1 := want.ListUsers(ctx, q)
				g, err2 := got.ListUsers(ctx, q)
				if err1 != nil || err2 != nil {
					t.Errorf("ListUsers %+v: %v / %v", q, err1, err2)
					continue
				}
				sameList(fmt.Sprintf("ListUsers %+v", q), userRecs(w.Users), userRecs(g.Users), w.Total, g.Total)
			}
		}
		q := store.UserQuery{OrgID: orgID, Emails: []store.TextMatch{{Value: "example.COM", Method: store.TextEndsWithIgnoreCase}}, Asc: true}
		w, err1 := want.ListUsers(ctx, q)
		g, err2 := got.ListUsers(ctx, q)
		if err1 != nil || err2 != nil {
			t.Errorf("ListUsers %+v: %v / %v", q, err1, err2)
		} else {
			sameList("ListUsers by e-mail", userRecs(w.Users), userRecs(g.Users), w.Total, g.Total)
		}
		for _, asc := range []bool{true, false} {
			p := store.Page{Limit: 1000, Asc: asc}
			w, wt, err1 := want.ListMembers(ctx, orgID, p)
			g, gt, err2 := got.ListMembers(ctx, orgID, p)
			if err1 != nil || err2 != nil {
				t.Errorf("ListMembers %s: %v / %v", orgID, err1, err2)
				continue
			}
			sameList("ListMembers "+orgID, memberRecs(w), memberRecs(g), wt, gt)
			for kind := range kinds {
				q := store.ArtifactQuery{Kind: kind, OrgID: orgID, Page: p}
				w, wt, err1 := want.ListArtifacts(ctx, q)
				g, gt, err2 := got.ListArtifacts(ctx, q)
				if err1 != nil || err2 != nil {
					t.Errorf("ListArtifacts %+v: %v / %v", q, err1, err2)
					continue
				}
				sameList(fmt.Sprintf("ListArtifacts %+v", q), artifactRecs(w), artifactRecs(g), wt, gt)
			}
		}
	}
	for userID := range userIDs {
		w, err1 := want.MembershipsOf(ctx, userID)
		g, err2 := got.MembershipsOf(ctx, userID)
		if err1 != nil || err2 != nil {
			t.Errorf("MembershipsOf %s: %v / %v", userID, err1, err2)
		} else {
			sameList("MembershipsOf "+userID, memberRecs(w), memberRecs(g), 0, 0)
		}
		for _, asc := range []bool{true, false} {
			p := store.Page{Limit: 1000, Asc: asc}
			w, wt, err1 := want.ListPATs(ctx, userID, p)
			g, gt, err2 := got.ListPATs(ctx, userID, p)
			if err1 != nil || err2 != nil {
				t.Errorf("ListPATs %s: %v / %v", userID, err1, err2)
				continue
			}
			sameList("ListPATs "+userID, patRecs(w), patRecs(g), wt, gt)
			for kind := range kinds {
				q := store.ArtifactQuery{Kind: kind, UserID: userID, Page: p}
				w, wt, err1 := want.ListArtifacts(ctx, q)
				g, gt, err2 := got.ListArtifacts(ctx, q)
				if err1 != nil || err2 != nil {
					t.Errorf("ListArtifacts %+v: %v / %v", q, err1, err2)
					continue
				}
				sameList(fmt.Sprintf("ListArtifacts %+v", q), artifactRecs(w), artifactRecs(g), wt, gt)
			}
		}
	}
	for kind := range kinds {
		q := store.ArtifactQuery{Kind: kind, Page: store.Page{Limit: 1000, Asc: true}}
		w, wt, err1 := want.ListArtifacts(ctx, q)
		g, gt, err2 := got.ListArtifacts(ctx, q)
		if err1 != nil || err2 != nil {
			t.Errorf("ListArtifacts %+v: %v / %v", q, err1, err2)
			continue
		}
		sameList("ListArtifacts "+kind, artifactRecs(w), artifactRecs(g), wt, gt)
	}
	aggs := make([][2]string, 0, len(aggregates))
	for a := range aggregates {
		aggs = append(aggs, a)
	}
	sort.Slice(aggs, func(i, j int) bool { return aggs[i][1] < aggs[j][1] })
	for _, a := range aggs {
		for _, asc := range []bool{true, false} {
			q := store.EventQuery{AggregateType: a[0], AggregateID: a[1], Asc: asc, Limit: 1000}
			w, err1 := want.Events(ctx, q)
			g, err2 := got.Events(ctx, q)
			if err1 != nil || err2 != nil {
				t.Errorf("Events %+v: %v / %v", q, err1, err2)
				continue
			}
			if len(w) == 0 {
				t.Errorf("Events %+v: none", q)
			}
			sameList(fmt.Sprintf("Events %+v", q), eventRecs(w), eventRecs(g), 0, 0)
		}
	}
}

func show(r store.Record) string {
	switch {
	case r.User != nil:
		return fmt.Sprintf("%+v human=%+v machine=%+v", *r.User, r.User.Human, r.User.Machine)
	case r.Instance != nil:
		return fmt.Sprintf("%+v", *r.Instance)
	case r.Org != nil:
		return fmt.Sprintf("%+v", *r.Org)
	case r.Member != nil:
		return fmt.Sprintf("%+v", *r.Member)
	case r.PAT != nil:
		return fmt.Sprintf("%+v", *r.PAT)
	case r.Artifact != nil:
		return fmt.Sprintf("%+v data=%q", *r.Artifact, r.Artifact.Data)
	case r.Message != nil:
		return fmt.Sprintf("%+v data=%q", *r.Message, r.Message.Data)
	case r.Event != nil:
		return fmt.Sprintf("%+v payload=%q nil=%v", *r.Event, r.Event.Payload, r.Event.Payload == nil)
	}
	return "(empty)"
}

func userRecs(us []*user.User) []store.Record {
	out := make([]store.Record, len(us))
	for i, u := range us {
		out[i].User = u
	}
	return out
}

func memberRecs(ms []*org.Member) []store.Record {
	out := make([]store.Record, len(ms))
	for i, m := range ms {
		out[i].Member = m
	}
	return out
}

func patRecs(ps []*credential.PAT) []store.Record {
	out := make([]store.Record, len(ps))
	for i, p := range ps {
		out[i].PAT = p
	}
	return out
}

func artifactRecs(as []*store.Artifact) []store.Record {
	out := make([]store.Record, len(as))
	for i, a := range as {
		out[i].Artifact = a
	}
	return out
}

func eventRecs(es []event.Event) []store.Record {
	out := make([]store.Record, len(es))
	for i := range es {
		out[i].Event = &es[i]
	}
	return out
}
