package orm_test

import (
	"net"
	"net/url"
	"sync"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/tagorm/orm/internal/dbtest"
)

// stallProxy forwards TCP connections to a database server and can stop
// forwarding in one direction (holding what it reads), to stall a
// statement on its way to the server or its answer on the way back.
type stallProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	stalled [2]bool // [0] client→server, [1] server→client
	wake    *sync.Cond
	conns   []net.Conn
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, target: target}
	p.wake = sync.NewCond(&p.mu)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *stallProxy) addr() string { return p.ln.Addr().String() }

func (p *stallProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go p.pipe(c, s, 0)
		go p.pipe(s, c, 1)
	}
}

// pipe copies from src to dst, waiting while direction dir is stalled;
// when src ends, both sides are closed.
func (p *stallProxy) pipe(src, dst net.Conn, dir int) {
	defer func() { _ = src.Close(); _ = dst.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.stalled[dir] {
				p.wake.Wait()
			}
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// stall stops forwarding client→server (toServer) or server→client.
func (p *stallProxy) stall(toServer bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if toServer {
		p.stalled[0] = true
	} else {
		p.stalled[1] = true
	}
}

// resume forwards again in both directions (what was held is sent).
func (p *stallProxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = [2]bool{}
	p.wake.Broadcast()
}

// cutAll closes every proxied connection, as a failed network would.
func (p *stallProxy) cutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *stallProxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.stalled = [2]bool{}
	p.wake.Broadcast()
	p.mu.Unlock()
	p.cutAll()
}

// proxiedDSN returns tdb's DSN with its server address replaced by p's.
func proxiedDSN(t *testing.T, tdb *dbtest.DB) (dsn string, p *stallProxy) {
	t.Helper()
	switch tdb.Name {
	case "postgres":
		u, err := url.Parse(tdb.DSN)
		if err != nil {
			t.Fatal(err)
		}
		p = newStallProxy(t, u.Host)
		u.Host = p.addr()
		return u.String(), p
	case "mysql":
		cfg, err := gomysql.ParseDSN(tdb.DSN)
		if err != nil {
			t.Fatal(err)
		}
		p = newStallProxy(t, cfg.Addr)
		cfg.Addr = p.addr()
		return cfg.FormatDSN(), p
	}
	t.Fatalf("no server to proxy for %s", tdb.Name)
	return "", nil
}
