package masterkey

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k, err := New(Generate())
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.Seal([]byte("private key"), []byte("signing_key/1"))
	if bytes.Contains(sealed, []byte("private key")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := k.Open(sealed, []byte("signing_key/1"))
	if err != nil || string(got) != "private key" {
		t.Fatalf("open: %q %v", got, err)
	}
	// Another row, another key, a flipped bit, a clear value: all refused.
	if _, err := k.Open(sealed, []byte("signing_key/2")); !errors.Is(err, ErrSealed) {
		t.Fatalf("other aad: %v", err)
	}
	other, _ := New(Generate())
	if _, err := other.Open(sealed, []byte("signing_key/1")); !errors.Is(err, ErrSealed) {
		t.Fatalf("other key: %v", err)
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	if _, err := k.Open(flipped, []byte("signing_key/1")); !errors.Is(err, ErrSealed) {
		t.Fatalf("flipped bit: %v", err)
	}
	if _, err := k.Open([]byte("-----BEGIN RSA PRIVATE KEY-----"), nil); !errors.Is(err, ErrSealed) {
		t.Fatalf("clear value: %v", err)
	}
}

func TestNewLength(t *testing.T) {
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("a %d-byte key was accepted", n)
		}
	}
	if _, err := Parse(append(Generate(), '\n')); err != nil {
		t.Errorf("a key file with a newline: %v", err)
	}
}

func TestDeriveSeparatesPurposes(t *testing.T) {
	k, _ := New(Generate())
	if bytes.Equal(k.Derive("a"), k.Derive("b")) {
		t.Fatal("two labels gave one key")
	}
	if !bytes.Equal(k.Derive("a"), k.Derive("a")) {
		t.Fatal("a label gave two keys")
	}
	if bytes.Equal(k.MAC("l", "ab", "c"), k.MAC("l", "a", "bc")) {
		t.Fatal("MAC parts are not separated")
	}
}

// TestLoadOrCreate: the file is made once with mode 0600, concurrent first
// starts agree on one key, and later loads read it back.
func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "masterkey")
	var wg sync.WaitGroup
	keys := make([]*Key, 8)
	created := make([]bool, 8)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, c, err := LoadOrCreate(path)
			if err != nil {
				t.Error(err)
				return
			}
			keys[i], created[i] = k, c
		}()
	}
	wg.Wait()
	n := 0
	for i, k := range keys {
		if created[i] {
			n++
		}
		if k == nil || k.root != keys[0].root {
			t.Fatal("concurrent first starts made different keys")
		}
	}
	if n != 1 {
		t.Fatalf("%d starts created the key, want 1", n)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v, want 0600", fi.Mode().Perm(), err)
	}
	again, c, err := LoadOrCreate(path)
	if err != nil || c || again.root != keys[0].root {
		t.Fatalf("reload: created=%v err=%v", c, err)
	}
}
