//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package postgres

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
)

var errUnexpectedData = errors.New("unexpected data on an idle connection")

// peekConn looks at nc's socket without reading from it or waiting: it
// returns io.EOF when the peer closed it, the socket's error, or (nc
// without TLS) errUnexpectedData when bytes are waiting, and nil when
// nothing is, as on a live idle connection. A connection whose socket
// cannot be reached is reported alive.
//
// The peek runs under RawConn.Control, not RawConn.Read: a pgx
// background reader may be blocked reading the socket, and Read would
// wait for it.
func peekConn(nc net.Conn) error {
	tlsConn := false
	if tc, ok := nc.(*tls.Conn); ok {
		nc, tlsConn = tc.NetConn(), true
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	p := peekers.Get().(*peeker)
	defer peekers.Put(p)
	if err := rc.Control(p.fn); err != nil {
		return err
	}
	n, perr := p.n, p.err
	switch {
	case errors.Is(perr, syscall.EAGAIN) || errors.Is(perr, syscall.EWOULDBLOCK) || errors.Is(perr, syscall.EINTR):
		return nil
	case perr != nil:
		return perr
	case n == 0:
		return io.EOF
	case !tlsConn:
		return errUnexpectedData
	}
	// A TLS record (a session ticket, a key update) is no sign of a
	// closed connection.
	return nil
}

// peeker is the state of one peek, kept in a pool with its bound method
// so that a check allocates nothing for it (a closure capturing the
// results would move them to the heap on every call).
type peeker struct {
	buf [1]byte
	n   int
	err error
	fn  func(fd uintptr)
}

var peekers = sync.Pool{New: func() any {
	p := &peeker{}
	p.fn = p.peek
	return p
}}

func (p *peeker) peek(fd uintptr) {
	p.n, _, p.err = syscall.Recvfrom(int(fd), p.buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
}
