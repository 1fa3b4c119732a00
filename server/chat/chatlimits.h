#pragma once

#include "defaults.h"

// The limits that protect everyone from one client (docs/protocol.md,
// "Limits"), as the server was configured.
struct ChatLimits
{
    qsizetype maxFrameBytes = Confab::Protocol::Defaults::MaxFrameBytes;
    int floodBurst = Confab::Protocol::Defaults::FloodBurst;
    double floodRatePerSecond = Confab::Protocol::Defaults::FloodRatePerSecond;
    qint64 sendQueueBytes = Confab::Protocol::Defaults::SendQueueBytes;
    int helloTimeoutMs = Confab::Protocol::Defaults::HelloTimeoutMs;
    int handshakeTimeoutMs = Confab::Protocol::Defaults::HandshakeTimeoutMs;
    int idleBeforePingMs = Confab::Protocol::Defaults::IdleBeforePingMs;
    int pingTimeoutMs = Confab::Protocol::Defaults::PingTimeoutMs;
    int maxRoomsPerUser = Confab::Protocol::Defaults::MaxRoomsPerUser;
};
