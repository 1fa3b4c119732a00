#pragma once

#include <QtGlobal>

// The protocol's defaults (docs/protocol.md). Servers may be configured away
// from them; these are the values a server uses when nobody said otherwise.
namespace Confab::Protocol::Defaults {

inline constexpr int ProtocolVersion = 1;

inline constexpr quint16 TcpPort = 7700;
inline constexpr quint16 HttpPort = 7701;

inline constexpr qsizetype MaxFrameBytes = 64 * 1024;
inline constexpr qsizetype MaxTextBytes = 4096;
inline constexpr int MaxTopicChars = 300;
inline constexpr int MaxReasonChars = 300;
inline constexpr int MaxClientChars = 100;
inline constexpr int MaxNickChars = 32;
inline constexpr int MaxRoomChars = 64;
inline constexpr int MaxIdChars = 64;
inline constexpr int MinPasswordChars = 8;
// Bans and mutes with a duration: at most ten years (longer: leave it out).
inline constexpr qint64 MaxDurationSeconds = 10LL * 366 * 24 * 3600;
inline constexpr int MaxPasswordChars = 256;

// Reactions: one emoji of at most this many UTF-16 units (flags and
// families are several code points), at most this many kinds per message.
inline constexpr int MaxReactionUnits = 32;
inline constexpr int MaxReactionKinds = 20;
// How many of the nicks behind a reaction a message carries as sent (the
// rest are counted): events stay small however many people react.
inline constexpr int ReactionNicksShown = 3;

inline constexpr int HistoryOnJoin = 50;
inline constexpr int HistoryPage = 50;
inline constexpr int HistoryMaxPage = 200;
// A history page (and the history in `joined`) is also cut to this many
// bytes of messages as encoded, keeping at least one; clients accept any
// line up to MaxServerLineBytes.
inline constexpr qsizetype HistoryPageBytes = 256 * 1024;
inline constexpr qsizetype MaxServerLineBytes = 8 * 1024 * 1024;
// A room_list holds at most this many bytes of rooms (the busiest ones).
inline constexpr qsizetype RoomListBytes = 1024 * 1024;

inline constexpr int HelloTimeoutMs = 30'000;
// A TLS handshake, and an HTTP request or WebSocket upgrade, must be done
// within this.
inline constexpr int HandshakeTimeoutMs = 10'000;
inline constexpr int IdleBeforePingMs = 60'000;
inline constexpr int PingTimeoutMs = 60'000;

inline constexpr qint64 SendQueueBytes = 4 * 1024 * 1024;
// Until hello succeeds: nobody has a reason to be sent more than this.
inline constexpr qint64 UnidentifiedSendQueueBytes = 64 * 1024;
inline constexpr int FloodBurst = 10;
inline constexpr double FloodRatePerSecond = 5.0;
inline constexpr int MaxRoomsPerUser = 100;
// Wrong server passwords from one address before it must wait.
inline constexpr int PasswordFailuresPerAddress = 5;
inline constexpr int PasswordFailureWindowMs = 60'000;
// Failed logins, per account and per address (protocol section 12).
inline constexpr int LoginFailures = 5;
inline constexpr int LoginFailureWindowMs = 10 * 60'000;
// Registrations per address.
inline constexpr int RegistrationsPerAddress = 3;
inline constexpr int RegistrationWindowMs = 60 * 60'000;

inline constexpr char LobbyRoom[] = "lobby";

} // namespace Confab::Protocol::Defaults
