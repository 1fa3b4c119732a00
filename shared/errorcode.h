#pragma once

#include <QString>

#include <optional>

namespace Confab::Protocol {

// Every error code of the protocol (docs/protocol.md, "Errors").
enum class ErrorCode {
    BadJson,
    BadRequest,
    UnknownType,
    NotIdentified,
    AlreadyIdentified,
    ProtocolUnsupported,
    AuthFailed,
    NickInvalid,
    NickTaken,
    RoomInvalid,
    NotInRoom,
    NoSuchUser,
    TextInvalid,
    TooManyRooms,
    RateLimited,
    FrameTooLarge,
    ServerFull,
    StorageFailed,
    // Accounts (protocol section 12)
    AccountExists,
    PasswordInvalid,
    NickReserved,
    LoginFailed,
    LoginRequired,
    NotLoggedIn,
    // Moderation (section 13)
    NotPermitted,
    AlreadyOwned,
    Banned,
    InviteOnly,
    BadKey,
    Muted,
    TopicLocked,
    // Edits, deletions and reactions (section 18)
    NoSuchMessage,
};

inline constexpr int ErrorCodeCount = int(ErrorCode::NoSuchMessage) + 1;

// The wire spelling, e.g. "bad_json".
QLatin1String errorCodeName(ErrorCode code);
std::optional<ErrorCode> errorCodeFromName(QStringView name);

// Whether the server closes the connection after sending this error.
bool errorClosesConnection(ErrorCode code);

} // namespace Confab::Protocol
