package faultproxy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// echoServer accepts connections and echoes what it reads. It returns its
// address; each accepted connection is sent on conns.
func echoServer(t *testing.T) (string, chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 16)
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { _ = c.Close() }()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String(), conns
}

func newRawProxy(t *testing.T) (*Proxy, chan net.Conn) {
	t.Helper()
	addr, conns := echoServer(t)
	p, err := New(addr, Raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p, conns
}

func dial(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// roundTrip writes msg and reads it back within d; it returns the error
// of the read (nil when the echo arrived whole).
func roundTrip(c net.Conn, msg string, d time.Duration) error {
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	return readEcho(c, msg, d)
}

func readEcho(c net.Conn, msg string, d time.Duration) error {
	_ = c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return errors.New("echo mismatch: " + string(buf))
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestProxyForwardsAndCutAll(t *testing.T) {
	p, _ := newRawProxy(t)
	a, b := dial(t, p), dial(t, p)
	for _, c := range []net.Conn{a, b} {
		if err := roundTrip(c, "hello", 5*time.Second); err != nil {
			t.Fatalf("through the proxy: %v", err)
		}
	}
	if got := p.Accepted(); got != 2 {
		t.Fatalf("Accepted() = %d, want 2", got)
	}
	if n := p.CutAll(); n != 2 {
		t.Fatalf("CutAll() = %d, want 2", n)
	}
	for _, c := range []net.Conn{a, b} {
		err := readEcho(c, "x", 5*time.Second)
		if err == nil || isTimeout(err) {
			t.Fatalf("read after CutAll: %v, want a closed connection", err)
		}
	}
	if n := len(p.Conns()); n != 0 {
		t.Fatalf("%d connections open after CutAll", n)
	}
	// The proxy still accepts new connections.
	if err := roundTrip(dial(t, p), "again", 5*time.Second); err != nil {
		t.Fatalf("new connection after CutAll: %v", err)
	}
}

func TestProxyCutIdle(t *testing.T) {
	p, _ := newRawProxy(t)
	idle, busy := dial(t, p), dial(t, p)
	for _, c := range []net.Conn{idle, busy} {
		if err := roundTrip(c, "hi", 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if err := roundTrip(busy, "still here", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := p.CutIdle(200 * time.Millisecond); n != 1 {
		t.Fatalf("CutIdle() = %d, want 1", n)
	}
	if err := readEcho(idle, "x", 5*time.Second); err == nil || isTimeout(err) {
		t.Fatalf("idle connection: read %v, want it closed", err)
	}
	if err := roundTrip(busy, "and now", 5*time.Second); err != nil {
		t.Fatalf("busy connection was cut: %v", err)
	}
}

func TestProxyStall(t *testing.T) {
	for _, dir := range []Direction{ClientToServer, ServerToClient, Both} {
		t.Run(map[Direction]string{ClientToServer: "client-to-server", ServerToClient: "server-to-client", Both: "both"}[dir], func(t *testing.T) {
			p, _ := newRawProxy(t)
			c := dial(t, p)
			if err := roundTrip(c, "warm", 5*time.Second); err != nil {
				t.Fatal(err)
			}
			p.Stall(dir)
			if err := roundTrip(c, "held", 300*time.Millisecond); !isTimeout(err) {
				t.Fatalf("read while stalled: %v, want a timeout", err)
			}
			p.Resume()
			if err := readEcho(c, "held", 5*time.Second); err != nil {
				t.Fatalf("after Resume: %v", err)
			}
		})
	}
}

func TestProxyStallForAndConnStall(t *testing.T) {
	p, _ := newRawProxy(t)
	a, b := dial(t, p), dial(t, p)
	for _, c := range []net.Conn{a, b} {
		if err := roundTrip(c, "warm", 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	conns := p.Conns()
	if len(conns) != 2 || conns[0].ID() != 1 || conns[1].ID() != 2 {
		t.Fatalf("Conns() = %v", conns)
	}
	conns[0].StallFor(Both, 400*time.Millisecond)
	start := time.Now()
	if err := roundTrip(b, "free", 5*time.Second); err != nil {
		t.Fatalf("the other connection: %v", err)
	}
	if err := roundTrip(a, "late", 5*time.Second); err != nil {
		t.Fatalf("after StallFor: %v", err)
	}
	if e := time.Since(start); e < 350*time.Millisecond {
		t.Fatalf("StallFor(400ms) held the bytes only %v", e)
	}
	p.StallFor(ClientToServer, 300*time.Millisecond)
	start = time.Now()
	if err := roundTrip(b, "proxy-wide", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if e := time.Since(start); e < 250*time.Millisecond {
		t.Fatalf("proxy StallFor(300ms) held the bytes only %v", e)
	}
}

// TestProxyStalledSenderCloses checks that when a client closes a stalled
// connection, the server sees the close and never the held bytes.
func TestProxyStalledSenderCloses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		b, _ := io.ReadAll(c)
		_ = c.Close()
		got <- b
	}()
	p, err := New(ln.Addr().String(), Raw)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = p.Close() }()
	p.Stall(ClientToServer)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("COMMIT")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	_ = c.Close()
	select {
	case b := <-got:
		if len(b) != 0 {
			t.Fatalf("the server received %q from a stalled connection", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server never saw the close")
	}
}

// feed passes stream through a connection's client parser in pieces of
// every size from 1 byte up, checking the bytes come out unchanged, and
// returns the messages of the last pass.
func feed(t *testing.T, proto Protocol, stream []byte, server func(c *Conn)) []Message {
	t.Helper()
	var msgs []Message
	for size := 1; size <= len(stream); size++ {
		p := &Proxy{proto: proto, conns: map[*Conn]struct{}{}}
		c := &Conn{p: p, id: 1, proto: newProtoState(proto)}
		if server != nil {
			server(c)
		}
		var out []byte
		msgs = msgs[:0]
		for off := 0; off < len(stream); off += size {
			end := min(off+size, len(stream))
			for _, u := range c.proto.client(c, stream[off:end]) {
				out = append(out, u.b...)
				if u.msg != nil {
					msgs = append(msgs, *u.msg)
				}
			}
		}
		if !bytes.Equal(out, stream) {
			t.Fatalf("pieces of %d bytes: forwarded bytes differ from the stream", size)
		}
	}
	return msgs
}

func pgMsg(typ byte, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	out := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(out[1:], uint32(4+len(b)))
	return append(out, b...)
}

func cstr(s string) []byte { return append([]byte(s), 0) }

func TestPostgreSQLParser(t *testing.T) {
	startup := make([]byte, 8)
	binary.BigEndian.PutUint32(startup[4:], 196608)
	startup = append(startup, cstr("user")...)
	startup = append(startup, cstr("orm")...)
	startup = append(startup, 0)
	binary.BigEndian.PutUint32(startup, uint32(len(startup)))
	ssl := make([]byte, 8)
	binary.BigEndian.PutUint32(ssl, 8)
	binary.BigEndian.PutUint32(ssl[4:], pgSSLRequest)

	var stream []byte
	stream = append(stream, ssl...)
	stream = append(stream, startup...)
	stream = append(stream, pgMsg('p', cstr("secret"))...)
	stream = append(stream, pgMsg('Q', cstr("BEGIN"))...)
	stream = append(stream, pgMsg('P', cstr("s1"), cstr("INSERT INTO t VALUES ($1)"), []byte{0, 0})...)
	stream = append(stream, pgMsg('B', cstr(""), cstr("s1"), []byte{0, 0, 0, 0, 0, 0})...)
	stream = append(stream, pgMsg('E', cstr(""), []byte{0, 0, 0, 0})...)
	stream = append(stream, pgMsg('S')...)
	stream = append(stream, pgMsg('Q', cstr("COMMIT"))...)

	msgs := feed(t, PostgreSQL, stream, nil)
	want := []Message{
		{Kind: Other, Type: 0, ConnID: 1},
		{Kind: Other, Type: 0, ConnID: 1},
		{Kind: Other, Type: 'p', ConnID: 1},
		{Kind: Query, Type: 'Q', SQL: "BEGIN", ConnID: 1},
		{Kind: Prepare, Type: 'P', SQL: "INSERT INTO t VALUES ($1)", ConnID: 1},
		{Kind: Execute, Type: 'B', SQL: "INSERT INTO t VALUES ($1)", ConnID: 1},
		{Kind: Other, Type: 'E', ConnID: 1},
		{Kind: Other, Type: 'S', ConnID: 1},
		{Kind: Query, Type: 'Q', SQL: "COMMIT", ConnID: 1},
	}
	if len(msgs) != len(want) {
		t.Fatalf("got %d messages %+v, want %d", len(msgs), msgs, len(want))
	}
	for i := range want {
		if msgs[i] != want[i] {
			t.Errorf("message %d = %+v, want %+v", i, msgs[i], want[i])
		}
	}

	// Bytes that are not the protocol (a TLS handshake after SSLRequest)
	// are forwarded untouched.
	tls := append(append([]byte(nil), ssl...), 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 'x')
	if msgs := feed(t, PostgreSQL, tls, nil); len(msgs) != 1 {
		t.Fatalf("TLS after SSLRequest: %d messages, want only the SSLRequest", len(msgs))
	}
}

func myPacket(seq byte, payload ...[]byte) []byte {
	b := bytes.Join(payload, nil)
	return append([]byte{byte(len(b)), byte(len(b) >> 8), byte(len(b) >> 16), seq}, b...)
}

func TestMySQLParser(t *testing.T) {
	handshake := myPacket(1, bytes.Repeat([]byte{1}, 40), cstr("orm"))
	var stream []byte
	stream = append(stream, handshake...)
	stream = append(stream, myPacket(0, []byte{comQuery}, []byte("SELECT 1"))...)
	stream = append(stream, myPacket(0, []byte{comStmtPrepare}, []byte("INSERT INTO t VALUES (?)"))...)
	stream = append(stream, myPacket(0, []byte{comStmtExecute, 7, 0, 0, 0, 0, 1, 0, 0, 0})...)
	stream = append(stream, myPacket(0, []byte{comStmtClose, 7, 0, 0, 0})...)
	stream = append(stream, myPacket(0, []byte{comStmtExecute, 7, 0, 0, 0, 0, 1, 0, 0, 0})...)

	// The server's reply to the prepare names statement 7; the parser sees
	// it on the server side before the client sends the execute.
	prepareOK := myPacket(1, []byte{0x00, 7, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0})
	msgs := feed(t, MySQL, stream, nil)
	if msgs[3].Kind != Execute || msgs[3].SQL != "" {
		t.Fatalf("execute without a seen prepare: %+v", msgs[3])
	}
	// Feed the client's bytes up to the execute, then the server's reply
	// (split inside its header), then the rest.
	p := &Proxy{proto: MySQL}
	c := &Conn{p: p, id: 1, proto: newProtoState(MySQL)}
	upToExecute := len(handshake) + len(myPacket(0, []byte{comQuery}, []byte("SELECT 1"))) +
		len(myPacket(0, []byte{comStmtPrepare}, []byte("INSERT INTO t VALUES (?)")))
	var got []Message
	for _, u := range c.proto.client(c, stream[:upToExecute]) {
		got = append(got, *u.msg)
	}
	c.proto.server(c, prepareOK[:3])
	c.proto.server(c, prepareOK[3:])
	for _, u := range c.proto.client(c, stream[upToExecute:]) {
		got = append(got, *u.msg)
	}
	want := []Message{
		{Kind: Other, Type: 0, ConnID: 1},
		{Kind: Query, Type: comQuery, SQL: "SELECT 1", ConnID: 1},
		{Kind: Prepare, Type: comStmtPrepare, SQL: "INSERT INTO t VALUES (?)", ConnID: 1},
		{Kind: Execute, Type: comStmtExecute, SQL: "INSERT INTO t VALUES (?)", ConnID: 1},
		{Kind: Other, Type: comStmtClose, ConnID: 1},
		{Kind: Execute, Type: comStmtExecute, SQL: "", ConnID: 1}, // closed: no longer known
	}
	if len(got) != len(want) {
		t.Fatalf("got %d messages %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if st := p.stmts; len(st) != 2 || st[0] != "SELECT 1" || st[1] != "INSERT INTO t VALUES (?)" {
		t.Errorf("recorded statements %q", st)
	}

	// A command longer than one packet (16 MiB - 1 bytes of payload) is one
	// message.
	long := append([]byte{comQuery}, bytes.Repeat([]byte("x"), myMaxPayload)...)
	big := append(myPacket(0, long[:myMaxPayload]), myPacket(1, long[myMaxPayload:])...)
	p = &Proxy{proto: MySQL}
	c = &Conn{p: p, id: 1, proto: &myState{stmts: map[uint32]string{}, packets: 1}}
	units := c.proto.client(c, big)
	if len(units) != 1 || units[0].msg.Kind != Query || len(units[0].msg.SQL) != myMaxPayload {
		t.Fatalf("a two-packet COM_QUERY gave %d units", len(units))
	}
}

func TestSQLMatchers(t *testing.T) {
	q := func(s string) Message { return Message{Kind: Query, SQL: s} }
	cases := []struct {
		name string
		m    Matcher
		msg  Message
		want bool
	}{
		{"prefix", SQLHasPrefix("COMMIT"), q("commit"), true},
		{"prefix-space", SQLHasPrefix("COMMIT"), q("  COMMIT;"), true},
		{"prefix-word", SQLHasPrefix("COMMIT"), q("COMMITTED"), false},
		{"prefix-execute", SQLHasPrefix("INSERT"), Message{Kind: Execute, SQL: "INSERT INTO t"}, true},
		{"prefix-prepare", SQLHasPrefix("INSERT"), Message{Kind: Prepare, SQL: "INSERT INTO t"}, false},
		{"contains", SQLContains("into T"), q("INSERT INTO t VALUES (1)"), true},
		{"contains-no", SQLContains("orders"), q("SELECT 1"), false},
		{"conn", OnConn(2, SQLContains("x")), Message{Kind: Query, SQL: "x", ConnID: 3}, false},
	}
	for _, c := range cases {
		if got := c.m(c.msg); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	nth := Nth(2, SQLContains("x"))
	if nth(q("x")) || !nth(q("x")) || nth(q("x")) {
		t.Error("Nth(2) did not match only the second match")
	}
}

func TestRewriteDSN(t *testing.T) {
	cases := []struct {
		driver, dsn, want, target string
	}{
		{"pgx", "postgres://u:p%40ss@db.example:6543/orm?sslmode=disable", "postgres://u:p%40ss@127.0.0.1:9/orm?sslmode=disable", "db.example:6543"},
		{"pgx", "postgresql://u@localhost/orm", "postgresql://u@127.0.0.1:9/orm", "localhost:5432"},
		{"pgx", "host=10.0.0.1 port=5433 user=orm dbname=orm", "user=orm dbname=orm host=127.0.0.1 port=9", "10.0.0.1:5433"},
		{"mysql", "orm:orm@tcp(127.0.0.1:3306)/orm?parseTime=true", "orm:orm@tcp(127.0.0.1:9)/orm?parseTime=true", "127.0.0.1:3306"},
	}
	for _, c := range cases {
		got, target, err := RewriteDSN(c.driver, c.dsn, "127.0.0.1:9")
		if err != nil {
			t.Errorf("%s %q: %v", c.driver, c.dsn, err)
			continue
		}
		if got != c.want || target != c.target {
			t.Errorf("%s %q: got %q → %q, want %q → %q", c.driver, c.dsn, got, target, c.want, c.target)
		}
	}
	for _, bad := range []struct{ driver, dsn string }{
		{"sqlite3", "file:x.db"},
		{"mysql", "orm:secret@unix(/tmp/mysql.sock)/orm"},
		{"pgx", "postgres://u:secret@%zz/orm"},
		{"pgx", "host=/var/run/postgresql password=secret"},
	} {
		_, _, err := RewriteDSN(bad.driver, bad.dsn, "127.0.0.1:9")
		if err == nil {
			t.Errorf("%s %q: no error", bad.driver, bad.dsn)
		} else if bytes.Contains([]byte(err.Error()), []byte("secret")) {
			t.Errorf("%s: the error shows the password: %v", bad.driver, err)
		}
	}
}
