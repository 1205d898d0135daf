package store_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// TestCanonicalCoversEveryField guards the checksums of `warden store copy`:
// setting any field of any record type, nested ones included, must change the
// canonical encoding. A field added to a domain type without being added to
// AppendCanonical (and so, likely, to the dump) fails here.
func TestCanonicalCoversEveryField(t *testing.T) {
	for _, r := range []store.Record{
		{Instance: &org.Instance{}}, {Org: &org.Org{}}, {User: &user.User{}}, {Member: &org.Member{}},
		{PAT: &credential.PAT{}}, {Artifact: &store.Artifact{}}, {Message: &store.Message{}}, {Event: &event.Event{}},
	} {
		rv := reflect.ValueOf(&r).Elem()
		for i := range rv.NumField() {
			if !rv.Field(i).IsNil() {
				checkFields(t, r, rv.Field(i).Elem(), rv.Type().Field(i).Name)
			}
		}
	}
}

// checkFields sets each field of v (a struct inside r) in turn and checks
// that r's encoding changes; pointer-to-struct fields are checked both for
// nil → set and field by field inside.
func checkFields(t *testing.T, r store.Record, v reflect.Value, path string) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Field(i)
		name := path + "." + v.Type().Field(i).Name
		if derived[name] {
			continue
		}
		before := store.AppendCanonical(nil, r)
		saved := reflect.New(f.Type()).Elem()
		saved.Set(f)
		setNonZero(t, f, name)
		if bytes.Equal(before, store.AppendCanonical(nil, r)) {
			t.Errorf("%s does not change the canonical encoding", name)
		}
		if f.Kind() == reflect.Map && f.Type().Elem().Kind() == reflect.Pointer {
			// The map's one value, field by field.
			it := f.MapRange()
			it.Next()
			checkFields(t, r, it.Value().Elem(), name+"[value]")
		}
		if f.Kind() == reflect.Pointer && f.Elem().Kind() == reflect.Struct {
			f.Set(reflect.New(f.Type().Elem())) // a zero struct: its fields one by one
			checkFields(t, r, f.Elem(), name)
		}
		f.Set(saved)
	}
}

// derived are fields the store computes on reading and never writes, so
// they are in no dump and no checksum.
var derived = map[string]bool{
	"User.OrgInactive":  true, // the user's org's state (Reader.User, Principal)
	"Org.PrimaryDomain": true, // its org_primary_domain artifact's key, dumped as that artifact
}

func setNonZero(t *testing.T, f reflect.Value, name string) {
	t.Helper()
	switch f.Kind() {
	case reflect.String:
		f.SetString("x")
	case reflect.Int, reflect.Int32, reflect.Int64:
		f.SetInt(7)
	case reflect.Uint, reflect.Uint32, reflect.Uint64:
		f.SetUint(7)
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(f.Type(), 1, 1)
		setNonZero(t, s.Index(0), name+"[0]")
		f.Set(s)
	case reflect.Uint8:
		f.SetUint(7)
	case reflect.Map:
		// One entry whose value is a zero struct, then each of its fields.
		m := reflect.MakeMap(f.Type())
		k := reflect.New(f.Type().Key()).Elem()
		setNonZero(t, k, name+"[key]")
		v := reflect.New(f.Type().Elem()).Elem()
		setNonZero(t, v, name+"[value]")
		m.SetMapIndex(k, v)
		f.Set(m)
	case reflect.Pointer:
		f.Set(reflect.New(f.Type().Elem()))
	case reflect.Struct:
		if f.Type() != reflect.TypeFor[time.Time]() {
			t.Fatalf("%s: unexpected struct type %s", name, f.Type())
		}
		f.Set(reflect.ValueOf(time.UnixMicro(1_700_000_000_123_456)))
	default:
		t.Fatalf("%s: unexpected kind %s", name, f.Kind())
	}
}

func TestSummaryDetectsChanges(t *testing.T) {
	at := time.UnixMicro(1_700_000_000_000_001).UTC()
	base := []store.Record{
		{Org: &org.Org{ID: "1", Name: "a", State: org.StateActive, Sequence: 1, CreatedAt: at}},
		{Org: &org.Org{ID: "2", Name: "b", State: org.StateActive, Sequence: 1, CreatedAt: at}},
		{Event: &event.Event{AggregateType: "org", AggregateID: "1", Sequence: 1, Type: "org.added", CreatedAt: at}},
	}
	sum := func(rs []store.Record) store.Summary {
		s := store.NewSummer()
		for _, r := range rs {
			if err := s.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		return s.Sum()
	}
	want := sum(base)
	if want[store.TableOrgs].Rows != 2 || want[store.TableEvents].Rows != 1 || want.Total() != 3 {
		t.Fatalf("counts: %+v", want)
	}
	// The same rows in another zone are the same rows.
	zoned := []store.Record{base[0], {Org: &org.Org{ID: "2", Name: "b", State: org.StateActive, Sequence: 1,
		CreatedAt: at.In(time.FixedZone("X", 3600))}}, base[2]}
	if !sum(zoned).Equal(want) {
		t.Error("a time zone changed the summary")
	}
	// A microsecond, the order of rows, or a missing row are differences.
	later := []store.Record{base[0], {Org: &org.Org{ID: "2", Name: "b", State: org.StateActive, Sequence: 1,
		CreatedAt: at.Add(time.Microsecond)}}, base[2]}
	for name, rs := range map[string][]store.Record{
		"microsecond": later,
		"order":       {base[1], base[0], base[2]},
		"missing":     base[:2],
	} {
		if sum(rs).Equal(want) {
			t.Errorf("%s: summary unchanged", name)
		}
	}
	if err := store.NewSummer().Add(store.Record{}); err == nil {
		t.Error("empty record accepted")
	}
}
