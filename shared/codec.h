#pragma once

#include "messages.h"

#include <QByteArray>
#include <QByteArrayView>

#include <variant>

namespace Confab::Protocol {

using Message = std::variant<
        // requests
        Hello, Join, Leave, Say, Whisper, ChangeNick, SetTopic, ListRooms, Who, GetHistory, Quit, Register,
        ChangePassword, Claim, Grant, Kick, Ban, Unban, GetBanList, Mute, Unmute, SetMode, Invite, ServerBan,
        ServerUnban, GetServerBanList, GetAudit, SetAway, EditMessage, DeleteMessage, React, GetPrivateHistory,
        MarkRead,
        // either way
        Ping, Pong, Typing,
        // replies and events
        Welcome, Joined, Left, UserJoined, UserLeft, ChatMessage, PrivateMessage, NickChanged, TopicChanged,
        RoomList, MemberList, HistoryPage, Error, Closing, Registered, PasswordChanged, RoleChanged, Kicked,
        BanList, Muted, Unmuted, ModeChanged, Invited, ServerBanList, AuditPage, AwayChanged, MessageUpdated, PrivatePage,
        ReadMarker>;

// A decoded frame: the message and the id the client put on it (null
// when there was none).
struct Envelope
{
    Message message;
    QJsonValue id;
};

// The server decodes what clients send (Sender::Client), clients what the
// server sends (Sender::Server). A type that the other side never sends is
// unknown_type, like any unknown type.
std::variant<Envelope, DecodeError> decode(QByteArrayView frame, Sender from);

QLatin1String typeName(const Message &message);

// Compact JSON, no line terminator. The id, unless null, is written last.
template <typename T>
QByteArray encode(const T &message, const QJsonValue &id = QJsonValue())
{
    JsonWriter out;
    out.beginObject();
    Detail::writeMembers(out, message);
    if (!id.isNull() && !id.isUndefined()) {
        out.key(QLatin1String("id"));
        out.value(id);
    }
    out.endObject();
    return out.take();
}

QByteArray encode(const Message &message, const QJsonValue &id = QJsonValue());

// encode() and the line break that ends a frame on TCP.
template <typename T>
QByteArray encodeLine(const T &message, const QJsonValue &id = QJsonValue())
{
    QByteArray line = encode(message, id);
    line.append('\n');
    return line;
}

} // namespace Confab::Protocol
