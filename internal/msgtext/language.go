package msgtext

import "slices"

// Settable are the languages a custom text may be set in: those ZITADEL
// supports (its translation files), so a text a ZITADEL client sets there is
// taken here too. Built-in texts exist in Languages only; the others fall back
// to English where a custom text leaves a field empty.
var Settable = []string{"ar", "bg", "ca", "cs", "da", "de", "en", "es", "fr", "hi", "hu", "id", "it", "ja", "kk", "ko", "lt",
	"mk", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sv", "th", "tr", "uk", "vi", "zh", "zh-TW"}

// MaxLanguageLen bounds a language tag as a request gives it.
const MaxLanguageLen = 35

// Canonical is lang as a BCP 47 tag is written: the language subtag lower
// case, a two-letter region upper case, "_" as "-" ("DE" → "de", "zh_tw" →
// "zh-TW"). ok is false for what is no tag at all (empty, too long, or other
// than letters, digits and separators), ZITADEL's undefined language.
func Canonical(lang string) (tag string, ok bool) {
	if lang == "" || len(lang) > MaxLanguageLen {
		return "", false
	}
	b := []byte(lang)
	sub, start := 0, 0
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] != '-' && b[i] != '_' {
			c := b[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return "", false
			}
			continue
		}
		if i == start { // empty subtag
			return "", false
		}
		for j := start; j < i; j++ {
			c := b[j]
			upper := sub > 0 && i-start == 2
			switch {
			case upper && 'a' <= c && c <= 'z':
				b[j] = c - 'a' + 'A'
			case !upper && 'A' <= c && c <= 'Z':
				b[j] = c + 'a' - 'A'
			}
		}
		if i < len(b) {
			b[i] = '-'
		}
		sub, start = sub+1, i+1
	}
	first := lang
	for i := 0; i < len(first); i++ {
		if first[i] == '-' || first[i] == '_' {
			first = first[:i]
			break
		}
	}
	if len(first) < 2 || len(first) > 8 {
		return "", false
	}
	return string(b), true
}

// IsSettable says whether a custom text may be set in the canonical tag.
func IsSettable(tag string) bool { return slices.Contains(Settable, tag) }
