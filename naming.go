package orm

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"unicode"
)

// NamingStrategy turns Go names into SQL names. The default, SnakeCase,
// maps DepartmentEmployee to department_employee and UserID to user_id.
type NamingStrategy interface {
	// TableName returns the table name of a struct type with no
	// TableName method.
	TableName(structName string) string
	// ColumnName returns the column name of a field with no db tag.
	ColumnName(fieldName string) string
}

// SnakeCase is the default NamingStrategy: snake_case for tables and
// columns, no pluralisation.
type SnakeCase struct{}

// TableName implements NamingStrategy.
func (SnakeCase) TableName(s string) string { return ToSnake(s) }

// ColumnName implements NamingStrategy.
func (SnakeCase) ColumnName(s string) string { return ToSnake(s) }

// ToSnake converts a Go identifier to snake_case, keeping acronyms together:
// "HTTPServer" → "http_server", "UserID" → "user_id", "Field2" → "field2".
func ToSnake(s string) string {
	runes := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i, r := range runes {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := runes[i-1]
				// A lower-case letter after an upper-case run starts a new
				// word ("HTTPServer" → "http_server"), except the plural s
				// of an acronym ("UserIDs" → "user_ids").
				pluralS := i+1 < len(runes) && runes[i+1] == 's' && (i+2 == len(runes) || !unicode.IsLower(runes[i+2]))
				nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1]) && !pluralS
				if prev != '_' && (unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower)) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxIdentifier is the longest identifier every supported database keeps
// (PostgreSQL truncates at 63 bytes).
const maxIdentifier = 63

// constraintName joins parts into a constraint or index name, shortened
// with a hash suffix when it would exceed what the databases keep, so that
// the name the database stores is the name we generate.
func constraintName(parts ...string) string {
	name := strings.Join(parts, "_")
	if len(name) <= maxIdentifier {
		return name
	}
	sum := sha1.Sum([]byte(name))
	suffix := "_" + hex.EncodeToString(sum[:4])
	return name[:maxIdentifier-len(suffix)] + suffix
}
