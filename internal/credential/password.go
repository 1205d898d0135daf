package credential

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// argon2id parameters (RFC 9106's second recommended option, memory-constrained).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// The most an imported hash may cost to verify. A hash is verified at every
// sign-in while holding one of a few hash slots, so its cost is the time and
// memory anyone who knows the user name can make the node spend; past these
// limits an import is refused and a stored hash is never computed.
const (
	MaxArgonMemory  = 256 * 1024 // KiB (256 MiB)
	MaxArgonTime    = 10
	MaxArgonThreads = 16
	MaxBcryptCost   = 14
)

// maxHashLen bounds the text of any hash Warden parses.
const maxHashLen = 512

var (
	// ErrBadHash means an imported password hash is in no format Warden verifies.
	ErrBadHash = errors.New("unsupported password hash format (want argon2id PHC or bcrypt)")
	// ErrHashTooCostly means a hash is well-formed but its parameters exceed the limits.
	ErrHashTooCostly = fmt.Errorf("password hash parameters exceed the limits (argon2id m ≤ %d KiB, t ≤ %d, p ≤ %d; bcrypt cost ≤ %d)",
		MaxArgonMemory, MaxArgonTime, MaxArgonThreads, MaxBcryptCost)
)

// HashPassword returns an argon2id hash in PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

type argonHash struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

// parseArgon2id reads "$argon2id$v=19$m=M,t=T,p=P$salt$key" exactly.
func parseArgon2id(h string) (*argonHash, error) {
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, ErrBadHash
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return nil, ErrBadHash
	}
	var v [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		num, ok := strings.CutPrefix(params[i], name)
		if !ok || num == "" || (len(num) > 1 && num[0] == '0') {
			return nil, ErrBadHash
		}
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil {
			return nil, ErrBadHash
		}
		v[i] = n
	}
	if v[0] < 8 || v[1] < 1 || v[2] < 1 {
		return nil, ErrBadHash
	}
	if v[0] > MaxArgonMemory || v[1] > MaxArgonTime || v[2] > MaxArgonThreads {
		return nil, ErrHashTooCostly
	}
	a := argonHash{memory: uint32(v[0]), time: uint32(v[1]), threads: uint8(v[2])}
	var err error
	if a.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(a.salt) < 8 || len(a.salt) > 64 {
		return nil, ErrBadHash
	}
	if a.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(a.key) < 16 || len(a.key) > 128 {
		return nil, ErrBadHash
	}
	return &a, nil
}

// bcryptCost returns the cost of a "$2a$NN$" + 53 characters bcrypt hash.
func bcryptCost(h string) (int, error) {
	if len(h) != 60 || h[0] != '$' || h[1] != '2' || !strings.ContainsRune("aby", rune(h[2])) || h[3] != '$' || h[6] != '$' {
		return 0, ErrBadHash
	}
	for _, c := range h[7:] {
		if !(c == '.' || c == '/' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return 0, ErrBadHash
		}
	}
	cost, err := bcrypt.Cost([]byte(h))
	if err != nil {
		return 0, ErrBadHash
	}
	if cost > MaxBcryptCost {
		return 0, ErrHashTooCostly
	}
	return cost, nil
}

// CheckHashFormat validates an imported hash without a password: argon2id in
// PHC form or bcrypt ($2a$, $2b$, $2y$), with parameters within the limits
// (ErrHashTooCostly beyond them, ErrBadHash for anything else).
func CheckHashFormat(h string) error {
	if len(h) > maxHashLen {
		return ErrBadHash
	}
	for i := 0; i < len(h); i++ { // printable ASCII only: base64 would skip a newline
		if h[i] < 0x21 || h[i] > 0x7e {
			return ErrBadHash
		}
	}
	if strings.HasPrefix(h, "$argon2id$") {
		_, err := parseArgon2id(h)
		return err
	}
	if strings.HasPrefix(h, "$2") {
		_, err := bcryptCost(h)
		return err
	}
	return ErrBadHash
}

// VerifyPassword tells whether password matches hash, in constant time. A hash
// CheckHashFormat refuses — malformed, or costlier than the limits — matches
// nothing and is never computed.
func VerifyPassword(hash, password string) bool {
	if CheckHashFormat(hash) != nil {
		return false
	}
	if strings.HasPrefix(hash, "$argon2id$") {
		a, err := parseArgon2id(hash)
		if err != nil {
			return false
		}
		key := argon2.IDKey([]byte(password), a.salt, a.time, a.memory, a.threads, uint32(len(a.key)))
		return subtle.ConstantTimeCompare(key, a.key) == 1
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NeedsRehash tells whether hash is anything but an argon2id hash with this
// server's own parameters (an imported bcrypt hash, or argon2id tuned
// otherwise), so a sign-in that just proved the password should store a new one.
func NeedsRehash(hash string) bool {
	a, err := parseArgon2id(hash)
	if err != nil {
		return true
	}
	return a.memory != argonMemory || a.time != argonTime || a.threads != argonThreads || len(a.key) != argonKeyLen
}
