package faultproxy

import (
	"bytes"
	"encoding/binary"
)

// Kind classifies a client message.
type Kind int

const (
	// Other is any message that is neither a query, a prepare nor an
	// execute: startup and authentication packets, Sync, Describe, ...
	Other Kind = iota
	// Query runs SQL text directly: a PostgreSQL Query ('Q') message, a
	// MySQL COM_QUERY.
	Query
	// Prepare prepares SQL text: a PostgreSQL Parse ('P') message, a MySQL
	// COM_STMT_PREPARE.
	Prepare
	// Execute runs a prepared statement: a PostgreSQL Bind ('B') message
	// (the message that names the statement; its Execute follows), a MySQL
	// COM_STMT_EXECUTE. Message.SQL is the text the statement was prepared
	// from, when the proxy saw it prepared on this connection.
	Execute
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Query:
		return "query"
	case Prepare:
		return "prepare"
	case Execute:
		return "execute"
	}
	return "other"
}

// Message is one client message, as a trigger's Matcher sees it.
type Message struct {
	// Kind classifies the message.
	Kind Kind
	// Type is the PostgreSQL message type byte ('Q', 'P', 'B', 'E', 'S',
	// ...; 0 for a startup packet), or the MySQL command byte (0x03
	// COM_QUERY, 0x16 COM_STMT_PREPARE, 0x17 COM_STMT_EXECUTE, ...; 0 for a
	// packet outside a command, such as the handshake response).
	Type byte
	// SQL is the SQL text of a Query or Prepare message, and of the
	// statement an Execute message runs (empty when unknown).
	SQL string
	// ConnID is the ID of the connection the message came on.
	ConnID int
}

// Commands of the MySQL client protocol the proxy understands.
const (
	comQuery       = 0x03
	comStmtPrepare = 0x16
	comStmtExecute = 0x17
	comStmtClose   = 0x19
)

// PostgreSQL startup-packet request codes.
const (
	pgCancelRequest = 80877102
	pgSSLRequest    = 80877103
	pgGSSENCRequest = 80877104
)

// protoState is a connection's parser state. Its methods run with the
// proxy's mutex held.
type protoState interface {
	// client parses bytes read from the client and returns them as units
	// to forward, with triggers attached.
	client(c *Conn, b []byte) []unit
	// server looks at bytes read from the server (they are forwarded as
	// read).
	server(c *Conn, b []byte)
}

func newProtoState(p Protocol) protoState {
	switch p {
	case PostgreSQL:
		return &pgState{startup: true, stmts: map[string]string{}}
	case MySQL:
		return &myState{stmts: map[uint32]string{}}
	}
	return rawState{}
}

type rawState struct{}

func (rawState) client(_ *Conn, b []byte) []unit {
	return []unit{{b: append([]byte(nil), b...)}}
}
func (rawState) server(*Conn, []byte) {}

// seen records msg, matches it against the proxy's triggers and returns
// the unit to forward.
func (c *Conn) seen(b []byte, msg Message) unit {
	msg.ConnID = c.id
	if msg.Kind == Query || msg.Kind == Prepare {
		c.p.stmts = append(c.p.stmts, msg.SQL)
	}
	u := unit{b: b, msg: &msg}
	for i, t := range c.p.triggers {
		if t.match(msg) {
			t.msg = msg
			c.p.triggers = append(c.p.triggers[:i:i], c.p.triggers[i+1:]...)
			u.trigger = t
			break
		}
	}
	return u
}

// cstring returns the NUL-terminated string at the start of b and the rest.
func cstring(b []byte) (string, []byte) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return string(b), nil
	}
	return string(b[:i]), b[i+1:]
}

// pgState parses the PostgreSQL frontend protocol.
type pgState struct {
	buf     []byte
	startup bool              // the next packet is a startup-format packet (no type byte)
	raw     bool              // parsing gave up (TLS, or bytes that are not the protocol)
	stmts   map[string]string // prepared statement name -> SQL
}

// pgMaxStartup bounds a startup packet's length; a larger length means the
// bytes are not a startup packet (a TLS handshake, say).
const pgMaxStartup = 10000

func (s *pgState) client(c *Conn, b []byte) []unit {
	if s.raw {
		return []unit{{b: append([]byte(nil), b...)}}
	}
	s.buf = append(s.buf, b...)
	var out []unit
	for !s.raw {
		if s.startup {
			if len(s.buf) < 8 {
				break
			}
			n := int(binary.BigEndian.Uint32(s.buf))
			if n < 8 || n > pgMaxStartup {
				s.raw = true
				break
			}
			if len(s.buf) < n {
				break
			}
			pkt := s.take(n)
			switch binary.BigEndian.Uint32(pkt[4:]) {
			case pgSSLRequest, pgGSSENCRequest, pgCancelRequest:
				// Another startup-format packet follows (after an 'N'), or
				// TLS (which the length check turns to raw), or nothing.
			default:
				s.startup = false
			}
			out = append(out, c.seen(pkt, Message{}))
			continue
		}
		if len(s.buf) < 5 {
			break
		}
		n := int(binary.BigEndian.Uint32(s.buf[1:]))
		if n < 4 {
			s.raw = true
			break
		}
		if len(s.buf) < 1+n {
			break
		}
		pkt := s.take(1 + n)
		out = append(out, c.seen(pkt, s.message(pkt)))
	}
	if s.raw && len(s.buf) > 0 {
		out = append(out, unit{b: s.take(len(s.buf))})
	}
	return out
}

// take removes and returns (a copy of) the first n bytes of the buffer.
func (s *pgState) take(n int) []byte {
	pkt := append([]byte(nil), s.buf[:n]...)
	s.buf = append(s.buf[:0], s.buf[n:]...)
	return pkt
}

func (s *pgState) message(pkt []byte) Message {
	typ, body := pkt[0], pkt[5:]
	m := Message{Type: typ}
	switch typ {
	case 'Q':
		m.Kind = Query
		m.SQL, _ = cstring(body)
	case 'P':
		var name string
		name, body = cstring(body)
		m.Kind = Prepare
		m.SQL, _ = cstring(body)
		s.stmts[name] = m.SQL
	case 'B':
		_, body = cstring(body) // portal
		name, _ := cstring(body)
		m.Kind = Execute
		m.SQL = s.stmts[name]
	}
	return m
}

func (*pgState) server(*Conn, []byte) {}

// myState parses the MySQL client/server protocol.
type myState struct {
	buf     []byte // client bytes not yet forming a whole command
	packets int    // client packets seen
	raw     bool
	stmts   map[uint32]string // prepared statement id -> SQL

	sbuf         []byte // server bytes not yet forming a whole packet
	awaitPrepare bool   // the next server reply answers a COM_STMT_PREPARE
	prepareSQL   string
}

const myMaxPayload = 0xffffff

func (s *myState) client(c *Conn, b []byte) []unit {
	if s.raw {
		return []unit{{b: append([]byte(nil), b...)}}
	}
	s.buf = append(s.buf, b...)
	var out []unit
	for {
		// A command is one packet, or several when its payload is a
		// multiple of 16 MiB - 1 long: find where it ends.
		end, payload, seq, ok := s.command()
		if !ok {
			break
		}
		s.packets++
		raw := append([]byte(nil), s.buf[:end]...)
		s.buf = append(s.buf[:0], s.buf[end:]...)
		if s.packets == 1 && len(payload) == 32 {
			// An SSL request: TLS follows, which the proxy cannot read.
			s.raw = true
			out = append(out, unit{b: raw})
			break
		}
		out = append(out, c.seen(raw, s.message(seq, payload)))
	}
	if s.raw && len(s.buf) > 0 {
		out = append(out, unit{b: append([]byte(nil), s.buf...)})
		s.buf = nil
	}
	return out
}

// command returns the end offset, payload and first sequence number of the
// whole command at the start of the buffer, or ok false if it is
// incomplete.
func (s *myState) command() (end int, payload []byte, seq byte, ok bool) {
	off := 0
	for {
		if len(s.buf) < off+4 {
			return 0, nil, 0, false
		}
		n := int(s.buf[off]) | int(s.buf[off+1])<<8 | int(s.buf[off+2])<<16
		if off == 0 {
			seq = s.buf[3]
		}
		if len(s.buf) < off+4+n {
			return 0, nil, 0, false
		}
		payload = append(payload, s.buf[off+4:off+4+n]...)
		off += 4 + n
		if n < myMaxPayload {
			return off, payload, seq, true
		}
	}
}

func (s *myState) message(seq byte, payload []byte) Message {
	if seq != 0 || len(payload) == 0 {
		return Message{}
	}
	m := Message{Type: payload[0]}
	switch payload[0] {
	case comQuery:
		m.Kind = Query
		m.SQL = string(payload[1:])
	case comStmtPrepare:
		m.Kind = Prepare
		m.SQL = string(payload[1:])
		s.awaitPrepare, s.prepareSQL = true, m.SQL
	case comStmtExecute:
		m.Kind = Execute
		if len(payload) >= 5 {
			m.SQL = s.stmts[binary.LittleEndian.Uint32(payload[1:])]
		}
	case comStmtClose:
		if len(payload) >= 5 {
			delete(s.stmts, binary.LittleEndian.Uint32(payload[1:]))
		}
	}
	return m
}

// server watches the server's packets for the reply to a COM_STMT_PREPARE,
// whose first packet (sequence 1) carries the statement id.
func (s *myState) server(_ *Conn, b []byte) {
	if s.raw {
		return
	}
	s.sbuf = append(s.sbuf, b...)
	for len(s.sbuf) >= 4 {
		n := int(s.sbuf[0]) | int(s.sbuf[1])<<8 | int(s.sbuf[2])<<16
		if len(s.sbuf) < 4+n {
			return
		}
		seq, payload := s.sbuf[3], s.sbuf[4:4+n]
		if s.awaitPrepare && seq == 1 {
			s.awaitPrepare = false
			if len(payload) >= 5 && payload[0] == 0x00 {
				s.stmts[binary.LittleEndian.Uint32(payload[1:])] = s.prepareSQL
			}
		}
		s.sbuf = append(s.sbuf[:0], s.sbuf[4+n:]...)
	}
}
