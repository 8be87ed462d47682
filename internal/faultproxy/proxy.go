// Package faultproxy is a TCP proxy for tests that puts network faults
// between a database client and its server: it cuts connections, stalls
// them, and acts on chosen client messages (drop a COMMIT and cut, forward a
// COMMIT and cut before the reply arrives, hold a statement).
//
// A Proxy listens on 127.0.0.1 (a free port) and forwards every accepted
// connection to one target address. With the PostgreSQL or MySQL protocol
// it parses the client's messages (PostgreSQL frontend messages; MySQL
// client packets), so that triggers can match the SQL text a client sends
// and the proxy can record every SQL text seen. With the Raw protocol it
// forwards bytes only.
//
// Faults are of three kinds:
//
//   - Cuts close both sockets of a connection at once, as a failed network
//     would leave them: CutAll, CutIdle and Conn.Cut.
//   - Stalls stop forwarding in one or both directions, until Resume or for
//     a duration: Stall, StallFor and their Conn counterparts. Bytes read
//     while stalled are held, in order, and forwarded on Resume; if a
//     stalled connection's sender closes, the connection is cut at once and
//     the held bytes are dropped (the peer sees the close, never the bytes).
//   - Triggers act on the next client message a Matcher accepts: see On,
//     CutBefore, CutAfter, CutPartway and StallMessage.
//
// When one side closes its socket on a connection that is not stalled, the
// bytes already read from it are delivered to the other side before the
// proxy closes that side too, so a server's last error message (for example
// PostgreSQL's FATAL on pg_terminate_backend) still reaches the client.
//
// A Proxy is safe for concurrent use. It is meant for tests: it keeps every
// recorded statement in memory until ResetStatements.
package faultproxy

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// Protocol selects how a Proxy reads the client's bytes.
type Protocol int

const (
	// Raw forwards bytes without parsing them; triggers never fire and no
	// statement is recorded.
	Raw Protocol = iota
	// PostgreSQL parses the frontend protocol (v3): the startup packet, then
	// messages of a type byte and an int32 length.
	PostgreSQL
	// MySQL parses the client/server protocol of MySQL and MariaDB: packets
	// of a 3-byte length and a sequence number, commands starting with a
	// command byte.
	MySQL
)

// String returns the protocol's name.
func (p Protocol) String() string {
	switch p {
	case Raw:
		return "raw"
	case PostgreSQL:
		return "postgresql"
	case MySQL:
		return "mysql"
	}
	return fmt.Sprintf("Protocol(%d)", int(p))
}

// Direction names one or both directions of a connection.
type Direction int

const (
	// ClientToServer is the direction of the client's requests.
	ClientToServer Direction = 1 << iota
	// ServerToClient is the direction of the server's replies.
	ServerToClient
	// Both is both directions.
	Both = ClientToServer | ServerToClient
)

// Proxy is a TCP proxy to one target address. Create it with New; Close it
// when done.
type Proxy struct {
	target string
	proto  Protocol
	ln     net.Listener

	mu       sync.Mutex
	cond     *sync.Cond // signalled on any change of queues, stalls or closes
	conns    map[*Conn]struct{}
	stalled  Direction // proxy-wide stall, applies to every connection
	stallGen int
	triggers []*Trigger
	stmts    []string
	accepted int
	closed   bool
	wg       sync.WaitGroup
}

// New starts a proxy listening on 127.0.0.1 on a free port, forwarding each
// connection to target (a "host:port" address), reading the client's bytes
// as proto.
func New(target string, proto Protocol) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{target: target, proto: proto, ln: ln, conns: map[*Conn]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's listening address, "127.0.0.1:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target returns the address the proxy forwards to.
func (p *Proxy) Target() string { return p.target }

// Protocol returns the protocol the proxy parses.
func (p *Proxy) Protocol() Protocol { return p.proto }

// Close stops accepting connections, cuts every open one and waits for the
// proxy's goroutines to end. It is safe to call more than once.
func (p *Proxy) Close() error {
	p.mu.Lock()
	already := p.closed
	p.closed = true
	p.mu.Unlock()
	var err error
	if !already {
		err = p.ln.Close()
	}
	p.CutAll()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.DialTimeout("tcp", p.target, 10*time.Second)
		if err != nil {
			_ = client.Close()
			continue
		}
		c := newConn(p, client, server)
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = client.Close()
			_ = server.Close()
			return
		}
		p.accepted++
		c.id = p.accepted
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		c.start()
	}
}

// Accepted reports how many connections the proxy has accepted and
// forwarded so far.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Conns returns the connections open now, in the order they were accepted.
func (p *Proxy) Conns() []*Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Conn, 0, len(p.conns))
	for c := range p.conns {
		out = append(out, c)
	}
	for i := 1; i < len(out); i++ { // few connections: insertion sort by id
		for j := i; j > 0 && out[j].id < out[j-1].id; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// CutAll cuts every open connection (both sockets closed at once) and
// returns how many it cut. New connections are still accepted.
func (p *Proxy) CutAll() int {
	n := 0
	for _, c := range p.Conns() {
		if c.Cut() {
			n++
		}
	}
	return n
}

// CutIdle cuts the connections that are idle — nothing read from either
// side for at least quiet, and nothing waiting to be forwarded — and
// returns how many it cut. A connection pool's idle connections are idle
// in this sense; a connection with a statement in flight is not, once
// quiet is longer than the gaps within one exchange.
func (p *Proxy) CutIdle(quiet time.Duration) int {
	n := 0
	for _, c := range p.Conns() {
		p.mu.Lock()
		idle := time.Since(c.lastActive) >= quiet && len(c.queue[0]) == 0 && len(c.queue[1]) == 0
		p.mu.Unlock()
		if idle && c.Cut() {
			n++
		}
	}
	return n
}

// Stall stops forwarding in dir on every connection, current and future,
// until Resume. A connection accepted while the proxy is stalled connects
// (the TCP handshake succeeds) but nothing crosses it.
func (p *Proxy) Stall(dir Direction) {
	p.mu.Lock()
	p.stalled |= dir
	p.stallGen++
	p.mu.Unlock()
}

// StallFor is Stall followed by Resume after d (unless Stall or Resume is
// called again meanwhile).
func (p *Proxy) StallFor(dir Direction, d time.Duration) {
	p.mu.Lock()
	p.stalled |= dir
	p.stallGen++
	gen := p.stallGen
	p.mu.Unlock()
	time.AfterFunc(d, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.stallGen == gen {
			p.stalled = 0
			p.cond.Broadcast()
		}
	})
}

// Resume ends every stall: the proxy-wide one, each connection's, and each
// message held by a StallMessage trigger. Held bytes are forwarded.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = 0
	p.stallGen++
	for c := range p.conns {
		c.stalled = 0
		c.stallGen++
	}
	p.cond.Broadcast()
}

// Statements returns the SQL texts clients have sent, in order of arrival:
// PostgreSQL Query ('Q') and Parse ('P') messages, MySQL COM_QUERY and
// COM_STMT_PREPARE commands. Bound parameter values are not SQL text and
// are not included.
func (p *Proxy) Statements() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.stmts...)
}

// ResetStatements forgets the statements recorded so far.
func (p *Proxy) ResetStatements() {
	p.mu.Lock()
	p.stmts = nil
	p.mu.Unlock()
}

// Conn is one proxied connection.
type Conn struct {
	p      *Proxy
	id     int
	client net.Conn
	server net.Conn
	done   chan struct{}

	// Guarded by p.mu.
	queue      [2][]unit // 0: client→server, 1: server→client
	eof        [2]bool   // the sender of that direction closed
	stalled    Direction
	stallGen   int
	cutOnReply bool // the next server bytes are dropped and the connection cut
	closed     bool
	lastActive time.Time
	proto      protoState
}

func newConn(p *Proxy, client, server net.Conn) *Conn {
	c := &Conn{p: p, client: client, server: server, done: make(chan struct{}), lastActive: time.Now()}
	c.proto = newProtoState(p.proto)
	return c
}

func (c *Conn) start() {
	c.p.wg.Add(4)
	go c.read(0, c.client)
	go c.read(1, c.server)
	go c.write(0, c.server)
	go c.write(1, c.client)
}

// ID returns the connection's number: 1 for the first connection the proxy
// accepted, 2 for the next, and so on.
func (c *Conn) ID() int { return c.id }

// Done returns a channel closed when the connection has been cut or closed.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Idle reports how long ago the proxy last read from either side.
func (c *Conn) Idle() time.Duration {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return time.Since(c.lastActive)
}

// Cut closes both sockets of the connection at once and drops the bytes
// waiting to be forwarded. It reports whether the connection was still
// open.
func (c *Conn) Cut() bool {
	c.p.mu.Lock()
	if c.closed {
		c.p.mu.Unlock()
		return false
	}
	c.closed = true
	c.queue = [2][]unit{}
	delete(c.p.conns, c)
	c.p.cond.Broadcast()
	c.p.mu.Unlock()
	_ = c.client.Close()
	_ = c.server.Close()
	close(c.done)
	return true
}

// Stall stops forwarding in dir on this connection until Resume.
func (c *Conn) Stall(dir Direction) {
	c.p.mu.Lock()
	c.stallLocked(dir, 0)
	c.p.mu.Unlock()
}

// StallFor is Stall followed by Resume after d (unless Stall or Resume is
// called again on the connection meanwhile).
func (c *Conn) StallFor(dir Direction, d time.Duration) {
	c.p.mu.Lock()
	c.stallLocked(dir, d)
	c.p.mu.Unlock()
}

func (c *Conn) stallLocked(dir Direction, d time.Duration) {
	c.stalled |= dir
	c.stallGen++
	if d <= 0 {
		return
	}
	gen := c.stallGen
	time.AfterFunc(d, func() {
		c.p.mu.Lock()
		defer c.p.mu.Unlock()
		if c.stallGen == gen {
			c.stalled = 0
			c.p.cond.Broadcast()
		}
	})
}

// Resume ends the connection's own stalls (not a proxy-wide one) and
// forwards the bytes held.
func (c *Conn) Resume() {
	c.p.mu.Lock()
	c.stalled = 0
	c.stallGen++
	c.p.cond.Broadcast()
	c.p.mu.Unlock()
}

// unit is a piece of a stream forwarded as a whole: one parsed client
// message, or a chunk of bytes as read.
type unit struct {
	b       []byte
	msg     *Message // nil for raw bytes
	trigger *Trigger // the trigger to apply before forwarding, if any
}

func dirOf(i int) Direction {
	if i == 0 {
		return ClientToServer
	}
	return ServerToClient
}

// read reads from src and queues what it reads for direction i.
func (c *Conn) read(i int, src net.Conn) {
	defer c.p.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			c.p.mu.Lock()
			if c.closed {
				c.p.mu.Unlock()
				return
			}
			c.lastActive = time.Now()
			var units []unit
			if i == 0 {
				units = c.proto.client(c, buf[:n])
			} else {
				c.proto.server(c, buf[:n])
				units = []unit{{b: append([]byte(nil), buf[:n]...)}}
			}
			c.queue[i] = append(c.queue[i], units...)
			c.p.cond.Broadcast()
			c.p.mu.Unlock()
		}
		if err != nil {
			// The sender closed (or the socket failed). Unless the direction
			// is stalled, the writer delivers what is queued, then cuts.
			c.p.mu.Lock()
			stalled := (c.stalled|c.p.stalled)&dirOf(i) != 0
			c.eof[i] = true
			c.p.cond.Broadcast()
			c.p.mu.Unlock()
			if stalled {
				c.Cut()
			}
			return
		}
	}
}

// write forwards direction i's queue to dst, honouring stalls and
// triggers.
func (c *Conn) write(i int, dst net.Conn) {
	defer c.p.wg.Done()
	dir := dirOf(i)
	for {
		c.p.mu.Lock()
		for !c.closed && (len(c.queue[i]) == 0 && !c.eof[i] || (c.stalled|c.p.stalled)&dir != 0) {
			c.p.cond.Wait()
		}
		if c.closed {
			c.p.mu.Unlock()
			return
		}
		if len(c.queue[i]) == 0 { // sender closed and everything delivered
			c.p.mu.Unlock()
			c.Cut()
			return
		}
		if i == 1 && c.cutOnReply {
			c.p.mu.Unlock()
			c.Cut()
			return
		}
		u := c.queue[i][0]
		t := u.trigger
		if t != nil {
			c.queue[i][0].trigger = nil
			if t.action.kind == actStall {
				// Hold this message (and what follows) on this connection.
				c.stallLocked(ClientToServer, t.action.d)
				t.fire(c)
				c.p.mu.Unlock()
				continue
			}
			if t.action.kind == actCutAfter {
				c.cutOnReply = true
			}
		}
		c.queue[i] = c.queue[i][1:]
		c.p.mu.Unlock()

		if t != nil {
			switch t.action.kind {
			case actCutBefore:
				c.Cut()
				t.fire(c)
				return
			case actCutPartway:
				_, _ = dst.Write(u.b[:len(u.b)/2])
				c.Cut()
				t.fire(c)
				return
			}
		}
		if _, err := dst.Write(u.b); err != nil {
			c.Cut()
			return
		}
		if t != nil {
			t.fire(c)
		}
	}
}
