//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package postgres

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
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
	var n int
	var perr error
	var buf [1]byte
	if err := rc.Control(func(fd uintptr) {
		n, _, perr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	}); err != nil {
		return err
	}
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
