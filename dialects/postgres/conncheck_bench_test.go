package postgres

import (
	"net"
	"testing"
)

// BenchmarkPeekConn measures the check Connector runs each time a pooled
// connection is handed out (a live, idle loopback TCP connection): it
// should cost a system call and next to no allocation.
func BenchmarkPeekConn(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	peer := <-accepted
	defer peer.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := peekConn(c); err != nil {
			b.Fatal(err)
		}
	}
}
