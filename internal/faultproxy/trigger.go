package faultproxy

import (
	"strings"
	"sync"
	"time"
	"unicode"
)

// A Matcher chooses the client message a trigger acts on. It is called
// with the proxy's lock held, once per message, in the order messages
// arrive on each connection: it must not call the Proxy's methods.
type Matcher func(Message) bool

// SQLContains matches a Query or Execute message whose SQL contains substr,
// compared case-insensitively: a statement being run, not one only being
// prepared.
func SQLContains(substr string) Matcher {
	substr = strings.ToLower(substr)
	return func(m Message) bool {
		return (m.Kind == Query || m.Kind == Execute) && strings.Contains(strings.ToLower(m.SQL), substr)
	}
}

// SQLHasPrefix matches a Query or Execute message whose SQL, with leading
// white space removed, starts with prefix followed by the end of the text
// or a character that is not a letter, digit or underscore; compared
// case-insensitively. SQLHasPrefix("COMMIT") matches "commit" and
// "COMMIT;", not "COMMITTED".
func SQLHasPrefix(prefix string) Matcher {
	return func(m Message) bool {
		if m.Kind != Query && m.Kind != Execute {
			return false
		}
		s := strings.TrimLeftFunc(m.SQL, unicode.IsSpace)
		if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
			return false
		}
		if len(s) == len(prefix) {
			return true
		}
		r := rune(s[len(prefix)])
		return !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}
}

// Nth matches the nth message (counting from 1) that m matches.
func Nth(n int, m Matcher) Matcher {
	seen := 0
	return func(msg Message) bool {
		if !m(msg) {
			return false
		}
		seen++
		return seen == n
	}
}

// OnConn restricts m to the messages of the connection with the given ID.
func OnConn(id int, m Matcher) Matcher {
	return func(msg Message) bool { return msg.ConnID == id && m(msg) }
}

type actionKind int

const (
	actCutBefore actionKind = iota + 1
	actCutAfter
	actCutPartway
	actStall
)

// Action is what a trigger does with the message it matched.
type Action struct {
	kind actionKind
	d    time.Duration
}

var (
	// CutBefore drops the message and cuts the connection: the server
	// never sees it (a COMMIT cut this way leaves the transaction to be
	// rolled back by the server).
	CutBefore = Action{kind: actCutBefore}
	// CutAfter forwards the message (and what the client sends after it),
	// then cuts the connection when the server's first bytes after it
	// arrive, before they reach the client: the server has acted on it,
	// the client never learns the outcome (a COMMIT cut this way is
	// committed).
	CutAfter = Action{kind: actCutAfter}
	// CutPartway forwards the first half of the message's bytes, then cuts
	// the connection: a cut in the middle of sending, say, a large insert.
	CutPartway = Action{kind: actCutPartway}
)

// StallMessage holds the message, and everything after it in the same
// direction on that connection, for d (until Resume when d is 0), then
// forwards it. If the client closes the connection meanwhile, the
// connection is cut and the message is never forwarded.
func StallMessage(d time.Duration) Action { return Action{kind: actStall, d: d} }

// Trigger is an action armed by On. It fires at most once.
type Trigger struct {
	p      *Proxy
	m      Matcher
	action Action

	msg   Message // set under p.mu when matched
	once  sync.Once
	fired chan struct{}
	conn  *Conn
}

// On arms a trigger: the next client message, on any connection, that m
// matches gets action a. Triggers are tried in the order they were armed;
// a message fires at most one. The trigger is disarmed when it matches or
// by Remove. If the connection is cut before the matched message is
// forwarded, the trigger never fires.
func (p *Proxy) On(m Matcher, a Action) *Trigger {
	t := &Trigger{p: p, m: m, action: a, fired: make(chan struct{})}
	p.mu.Lock()
	p.triggers = append(p.triggers, t)
	p.mu.Unlock()
	return t
}

func (t *Trigger) match(m Message) bool { return t.m(m) }

// fire marks the trigger's action as done on c.
func (t *Trigger) fire(c *Conn) {
	t.once.Do(func() {
		t.conn = c
		close(t.fired)
	})
}

// Fired returns a channel closed once the action has been taken: the
// message dropped and the connection cut (CutBefore, CutPartway), the
// message forwarded (CutAfter; the cut follows at the reply), or the
// message held (StallMessage).
func (t *Trigger) Fired() <-chan struct{} { return t.fired }

// Message returns the message the trigger matched. It is valid once Fired
// is closed.
func (t *Trigger) Message() Message {
	<-t.fired
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return t.msg
}

// Conn returns the connection the trigger fired on. It blocks until
// Fired is closed.
func (t *Trigger) Conn() *Conn {
	<-t.fired
	return t.conn
}

// Remove disarms the trigger and reports whether it was still armed (had
// matched no message).
func (t *Trigger) Remove() bool {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	for i, x := range t.p.triggers {
		if x == t {
			t.p.triggers = append(t.p.triggers[:i:i], t.p.triggers[i+1:]...)
			return true
		}
	}
	return false
}
