// Package redact keeps passwords out of error messages. It works on
// database URLs, PostgreSQL key=value connection strings and
// go-sql-driver/mysql DSNs, including malformed ones that url.Parse or a
// driver rejects: those are exactly the strings that reach error messages.
package redact

import (
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Mask replaces a password in a redacted string.
const Mask = "xxxxx"

// Secrets returns the strings that may be a password in the sources (URLs,
// key=value connection strings or MySQL DSNs), in every spelling an error
// message could show them (as written, percent-decoded, percent-encoded),
// longest first. It over-collects on purpose: for a malformed string the
// boundaries of the password are ambiguous, so every candidate is kept.
func Secrets(sources ...string) []string {
	seen := map[string]bool{}
	for _, s := range sources {
		collect(s, func(c string) {
			for _, v := range spellings(c) {
				if v != "" && v != Mask {
					seen[v] = true
				}
			}
		})
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// collect passes each candidate password of s to add.
func collect(s string, add func(string)) {
	// user:password@...: the password runs from the first ':' of the
	// userinfo to an '@' (the last one for url.Parse and the MySQL driver,
	// but a malformed string may mean any of them).
	if last := strings.LastIndexByte(s, '@'); last >= 0 {
		colons := 0
		for c := 0; c < last && colons < 3; c++ {
			if s[c] != ':' {
				continue
			}
			colons++ // scheme:, user:, or a ':' inside a malformed password
			add(s[c+1 : last])
			// Splits at an earlier '@' are for drivers that read the
			// string otherwise; short ones would mask every message.
			for at := c + 5; at < last; at++ {
				if s[at] == '@' {
					add(s[c+1 : at])
				}
			}
		}
	}
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			add(p)
		}
	}
	// ?password=...&sslpassword=... in a URL, password=... in key=value.
	for _, m := range queryPassword.FindAllStringSubmatch(s, -1) {
		add(m[1])
	}
	for _, m := range kvPassword.FindAllStringSubmatch(s, -1) {
		v := m[1]
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = v[1 : len(v)-1]
			add(v)
			v = strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(v)
		}
		add(v)
	}
}

var (
	queryPassword = regexp.MustCompile(`(?i)[?&][^=&#]*pass[^=&#]*=([^&#]*)`)
	kvPassword    = regexp.MustCompile(`(?i)(?:^|\s)\w*pass\w*\s*=\s*('(?:\\.|[^'\\])*'|[^\s']\S*)`)
)

func looksLikeScheme(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// spellings returns c as written, decoded and encoded as URLs and DSN
// writers spell it.
func spellings(c string) []string {
	out := []string{c, url.QueryEscape(c), url.PathEscape(c)}
	if v, err := url.PathUnescape(c); err == nil {
		out = append(out, v)
	}
	if v, err := url.QueryUnescape(c); err == nil {
		out = append(out, v)
	}
	if _, p, ok := strings.Cut(url.UserPassword("u", c).String(), ":"); ok {
		out = append(out, p)
	}
	return out
}

// String replaces every secret in s (a list from Secrets) with Mask.
func String(s string, secrets []string) string {
	for _, p := range secrets { // longest first
		if strings.Contains(s, p) {
			s = strings.ReplaceAll(s, p, Mask)
		}
	}
	return s
}

// URL returns raw with its password masked, for messages. Unlike
// url.URL.Redacted it works on strings url.Parse rejects.
func URL(raw string) string {
	s := raw
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			user, _, hasPass := strings.Cut(rest[:at], ":")
			if hasPass {
				user += ":" + Mask
			}
			s = scheme + "://" + user + "@" + rest[at+1:]
		}
	} else if i := strings.IndexByte(raw, ':'); i >= 0 && looksLikeScheme(raw[:i]) {
		if at := strings.LastIndexByte(raw, '@'); at > i {
			s = raw[:i+1] + Mask + raw[at:]
		}
	}
	s = queryPassword.ReplaceAllStringFunc(s, func(m string) string {
		k, _, _ := strings.Cut(m, "=")
		return k + "=" + Mask
	})
	return s
}

// Error returns err unchanged when its message holds none of secrets, and
// otherwise an error whose message has them masked. errors.Is still sees
// the errors of the chain (context.DeadlineExceeded, driver.ErrBadConn,
// ...), but errors.Unwrap and errors.As do not hand them out, since their
// messages hold the password.
func Error(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	safe := String(msg, secrets)
	if safe == msg {
		return err
	}
	return &maskedError{msg: safe, err: err}
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }

// Is reports whether the masked error chain matches target.
func (e *maskedError) Is(target error) bool { return errors.Is(e.err, target) }
