package orm

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// NewUUID returns a random (version 4) UUID in its canonical 36-character
// form. It is the "uuid" default function.
func NewUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

func formatUUID(u [16]byte) string {
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u[10:])
	return string(buf[:])
}

// ParseUUID parses a UUID in canonical form (with or without braces or
// hyphens) into its 16 bytes.
func ParseUUID(s string) ([16]byte, error) {
	var u [16]byte
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	clean := make([]byte, 0, 32)
	for i := 0; i < len(s); i++ {
		if s[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23) && len(s) == 36 {
			continue
		}
		clean = append(clean, s[i])
	}
	if len(clean) != 32 {
		return u, fmt.Errorf("orm: invalid UUID %q", s)
	}
	if _, err := hex.Decode(u[:], clean); err != nil {
		return u, fmt.Errorf("orm: invalid UUID %q: %w", s, err)
	}
	return u, nil
}
