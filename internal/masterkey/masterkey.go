// Package masterkey is Warden's key-encryption key: the one secret that is never
// in the database. Every key Warden keeps there (signing keys, the opaque-token
// key, later TOTP secrets) is sealed with it, so a copy of the database or of a
// backup yields no key and no live token. It plays the part of ZITADEL's
// --masterkey: 32 characters from a file or the environment, or, for the
// embedded default, generated once into the data dir with mode 0600.
package masterkey

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Len is the length of a master key in bytes (ZITADEL's: 32 characters).
const Len = 32

// sealVersion prefixes every sealed value, so a later format can be told apart
// and anything else (a key stored in clear by an older version) is refused.
const sealVersion = 1

// ErrSealed is returned by Open for a value that was not sealed with this key,
// was altered, or is in no format Warden writes.
var ErrSealed = errors.New("masterkey: value was not sealed with this master key or was altered")

// Key seals and opens the secrets Warden stores. It is safe for concurrent use.
type Key struct {
	aead cipher.AEAD // AES-256-GCM under a key derived for sealing only
	root [Len]byte   // the master key; only ever used as HKDF input
}

// New makes a Key from exactly Len bytes.
func New(raw []byte) (*Key, error) {
	if len(raw) != Len {
		return nil, fmt.Errorf("masterkey: must be exactly %d bytes (characters), got %d", Len, len(raw))
	}
	k := &Key{}
	copy(k.root[:], raw)
	block, err := aes.NewCipher(k.Derive("warden seal v1"))
	if err != nil {
		return nil, fmt.Errorf("masterkey: %w", err)
	}
	if k.aead, err = cipher.NewGCM(block); err != nil {
		return nil, fmt.Errorf("masterkey: %w", err)
	}
	return k, nil
}

// Parse reads a key as it is kept in a file or an environment variable: 32
// characters, a trailing newline allowed.
func Parse(text []byte) (*Key, error) {
	return New(bytes.TrimRight(text, "\r\n"))
}

// Generate returns a new random key as 32 characters from an alphabet that
// survives files, environment variables and copy-paste (190 bits).
func Generate() []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]byte, 0, Len)
	buf := make([]byte, 64)
	limit := byte(256 - 256%len(alphabet)) // rejection sampling: no bias
	for len(out) < Len {
		if _, err := rand.Read(buf); err != nil {
			panic("masterkey: no randomness: " + err.Error()) // crypto/rand does not fail on Linux
		}
		for _, c := range buf {
			if c < limit && len(out) < Len {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return out
}

// LoadOrCreate reads the key file at path, creating it (0600, in a directory
// that already exists) with a new key when there is none. created says which.
func LoadOrCreate(path string) (k *Key, created bool, err error) {
	raw, err := os.ReadFile(path)
	if err == nil {
		k, err := Parse(raw)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	raw = Generate()
	// Write beside, then link into place: two processes starting at once
	// agree on one key (the loser reads the winner's), and a crash leaves no
	// half-written key.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".masterkey-*")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Close(); err != nil {
		return nil, false, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreate(path)
		}
		return nil, false, err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	k, err = New(raw)
	return k, true, err
}

// Seal encrypts and authenticates plaintext (AES-256-GCM). aad binds the value
// to where it is kept (say "signing_key/<id>"), so a sealed value moved to
// another row does not open there.
func (k *Key) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("masterkey: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+k.aead.Overhead())
	out = append(out, sealVersion)
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, plaintext, aad)
}

// Open reverses Seal; anything else, or a value sealed with another key or aad,
// is ErrSealed.
func (k *Key) Open(sealed, aad []byte) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(sealed) < 1+ns+k.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrSealed
	}
	plain, err := k.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad)
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}

// Derive returns a 32-byte key for one purpose (HKDF-SHA256 of the master key
// with label as info), so that no two uses ever share key material.
func (k *Key) Derive(label string) []byte {
	out, err := hkdf.Key(sha256.New, k.root[:], nil, label, 32)
	if err != nil {
		panic("masterkey: hkdf: " + err.Error()) // only for lengths HKDF cannot give
	}
	return out
}

// MAC is HMAC-SHA256 under the key derived for label, over parts separated so
// that ("ab","c") and ("a","bc") differ.
func (k *Key) MAC(label string, parts ...string) []byte {
	m := hmac.New(sha256.New, k.Derive(label))
	for _, p := range parts {
		var n [8]byte
		for i, l := 0, uint64(len(p)); i < 8; i++ {
			n[i] = byte(l >> (8 * i))
		}
		m.Write(n[:])
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}
