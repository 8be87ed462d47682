//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package postgres

import "net"

// peekConn reports every connection alive where the socket cannot be
// peeked at; pgx's own check (a ping after a second idle) remains.
func peekConn(net.Conn) error { return nil }
