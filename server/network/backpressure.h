#pragma once

#include <QtGlobal>

class Connection;

// Who may send the server more input right now (docs/protocol.md, "Limits").
//
// A connection whose unsent output passes half its send-queue limit is
// congested. While a congested connection is draining — its client is
// reading, so bytes leave — the server reads no input from anyone: every
// request could add to that queue, and a client that keeps reading must
// never be dropped. Input resumes when the queue is down to a quarter of
// the limit.
//
// A congested connection that stops draining (nothing written for
// StallMs), or that holds input for longer than MaxHoldMs in one go, is a
// client that does not read, or reads too slowly to keep up: it no longer
// holds anyone up, and is dropped when its queue reaches the limit. So one
// client can pause the server's input for at most MaxHoldMs at a time.
//
// The server is one thread; all of this lives on it.
class Backpressure final
{
public:
    static constexpr qint64 StallMs = 500;
    static constexpr qint64 MaxHoldMs = 2000;

    // The connection's unsent output passed half its limit.
    static void congested(Connection *connection);
    // Its unsent output is back under a quarter of the limit.
    static void relieved(Connection *connection);
    // Some of its output went out to the client.
    static void progressed(Connection *connection);
    // The connection is going away.
    static void forget(Connection *connection);

    // Whether input is on hold for everyone.
    static bool holdsInput();
    // A connection that stopped reading because of holdsInput() (or its own
    // congestion): its resumeInput() is called once that is over.
    static void waitForInput(Connection *connection);

    // How many connections hold input now, for tests and the log.
    static int holders();
};
