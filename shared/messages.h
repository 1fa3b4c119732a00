#pragma once

// Wire grammar, protocol version 1 (docs/protocol.md is the prose version):
//
//   stream   = *( frame )
//   frame    = TCP: one JSON object per line ("\n" or "\r\n"), blank lines skipped
//              WebSocket: one JSON object per text message
//   object   = { "type": <type>, ["id": <string of <= 64 chars> | <integer>], <fields> }
//
// Every type below lists its fields once, in fields(); Detail::writeMembers
// and Detail::readMembers turn that list into encoding, decoding and
// validation. Members that are std::optional may be absent on the wire.

#include "fields.h"

#include <QString>
#include <QStringList>

namespace Confab::Protocol {

// Who sends a message type.
enum class Sender { Client = 1, Server = 2, Either = Client | Server };

#define CONFAB_MESSAGE(Name, wire, from)                                                                   \
    static constexpr QLatin1String type{wire};                                                             \
    static constexpr Sender sender = Sender::from;                                                         \
    friend bool operator==(const Name &a, const Name &b) { return Detail::equalMembers(a, b); }                    \
    friend bool operator!=(const Name &a, const Name &b) { return !(a == b); }

// ---------------------------------------------------------------- requests

// An account and its password, as `hello` carries them in `login`. Neither
// is checked for shape here: a login that cannot succeed is login_failed,
// like any other, so that the answer tells nothing about accounts.
struct Credentials
{
    QString account;
    QString password;
    friend bool operator==(const Credentials &a, const Credentials &b) { return Detail::equalMembers(a, b); }
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("account"), &Credentials::account),
                               required(QLatin1String("password"), &Credentials::password));
    }
};

struct Hello
{
    CONFAB_MESSAGE(Hello, "hello", Client)
    QString nick;
    std::optional<QString> password;
    std::optional<QString> client;
    std::optional<int> protocol;
    std::optional<Credentials> login;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("nick"), &Hello::nick, Rule::Nick),
                               optional(QLatin1String("password"), &Hello::password),
                               optional(QLatin1String("client"), &Hello::client, Rule::ClientName),
                               optional(QLatin1String("protocol"), &Hello::protocol),
                               optional(QLatin1String("login"), &Hello::login));
    }
};

// Makes the sender's current nick an account, with this password.
struct Register
{
    CONFAB_MESSAGE(Register, "register", Client)
    QString password;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("password"), &Register::password, Rule::Password));
    }
};

struct ChangePassword
{
    CONFAB_MESSAGE(ChangePassword, "change_password", Client)
    QString oldPassword;
    QString newPassword;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("old"), &ChangePassword::oldPassword),
                               required(QLatin1String("new"), &ChangePassword::newPassword, Rule::Password));
    }
};

struct Join
{
    CONFAB_MESSAGE(Join, "join", Client)
    QString room;
    std::optional<QString> key; // for a room with a key (section 13)
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Join::room, Rule::Room),
                               optional(QLatin1String("key"), &Join::key));
    }
};

struct Leave
{
    CONFAB_MESSAGE(Leave, "leave", Client)
    QString room;
    std::optional<QString> reason;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Leave::room, Rule::Room),
                               optional(QLatin1String("reason"), &Leave::reason, Rule::Reason));
    }
};

struct Say
{
    CONFAB_MESSAGE(Say, "say", Client)
    QString room;
    QString text;
    std::optional<bool> action; // /me: said as an action
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Say::room, Rule::Room),
                               required(QLatin1String("text"), &Say::text, Rule::Text),
                               optional(QLatin1String("action"), &Say::action));
    }
};

struct Whisper
{
    CONFAB_MESSAGE(Whisper, "whisper", Client)
    QString to;
    QString text;
    std::optional<bool> action;
    static constexpr auto fields()
    {
        // An impossible nick cannot be online: no_such_user, checked by the server.
        return std::make_tuple(required(QLatin1String("to"), &Whisper::to),
                               required(QLatin1String("text"), &Whisper::text, Rule::Text),
                               optional(QLatin1String("action"), &Whisper::action));
    }
};

struct ChangeNick
{
    CONFAB_MESSAGE(ChangeNick, "nick", Client)
    QString nick;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("nick"), &ChangeNick::nick, Rule::Nick));
    }
};

struct SetTopic
{
    CONFAB_MESSAGE(SetTopic, "topic", Client)
    QString room;
    QString topic;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &SetTopic::room, Rule::Room),
                               required(QLatin1String("topic"), &SetTopic::topic, Rule::Topic));
    }
};

struct ListRooms
{
    CONFAB_MESSAGE(ListRooms, "list", Client)
    static constexpr auto fields() { return std::tuple<>(); }
};

struct Who
{
    CONFAB_MESSAGE(Who, "who", Client)
    std::optional<QString> room;
    static constexpr auto fields() { return std::make_tuple(optional(QLatin1String("room"), &Who::room, Rule::Room)); }
};

struct GetHistory
{
    CONFAB_MESSAGE(GetHistory, "history", Client)
    QString room;
    std::optional<qint64> before;
    std::optional<qint64> after;
    std::optional<int> limit;
    // Messages edited, deleted or reacted to after this room revision
    // (section 18) instead of messages by seq.
    std::optional<qint64> changedAfter;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &GetHistory::room, Rule::Room),
                               optional(QLatin1String("before"), &GetHistory::before, Rule::NonNegative),
                               optional(QLatin1String("after"), &GetHistory::after, Rule::NonNegative),
                               optional(QLatin1String("limit"), &GetHistory::limit, Rule::HistoryLimit),
                               optional(QLatin1String("changed_after"), &GetHistory::changedAfter, Rule::NonNegative));
    }
};

struct Quit
{
    CONFAB_MESSAGE(Quit, "quit", Client)
    std::optional<QString> reason;
    static constexpr auto fields()
    {
        return std::make_tuple(optional(QLatin1String("reason"), &Quit::reason, Rule::Reason));
    }
};

// The private conversation with someone, paged like `history` (section 19).
struct GetPrivateHistory
{
    CONFAB_MESSAGE(GetPrivateHistory, "private_history", Client)
    QString with;
    std::optional<qint64> before;
    std::optional<qint64> after;
    std::optional<int> limit;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("with"), &GetPrivateHistory::with, Rule::Nick),
                               optional(QLatin1String("before"), &GetPrivateHistory::before, Rule::NonNegative),
                               optional(QLatin1String("after"), &GetPrivateHistory::after, Rule::NonNegative),
                               optional(QLatin1String("limit"), &GetPrivateHistory::limit, Rule::HistoryLimit));
    }
};

// The user has read a room, or a private conversation (`with`), up to and
// including `seq` (section 20).
struct MarkRead
{
    CONFAB_MESSAGE(MarkRead, "read", Client)
    std::optional<QString> room;
    std::optional<QString> with;
    qint64 seq = 0;
    static constexpr auto fields()
    {
        return std::make_tuple(optional(QLatin1String("room"), &MarkRead::room, Rule::Room),
                               optional(QLatin1String("with"), &MarkRead::with, Rule::Nick),
                               required(QLatin1String("seq"), &MarkRead::seq, Rule::NonNegative));
    }
};

// Away with a message, or back (no message, or an empty one): an addition of
// Confab's own (section 17 of docs/protocol.md).
struct SetAway
{
    CONFAB_MESSAGE(SetAway, "away", Client)
    std::optional<QString> message;
    static constexpr auto fields()
    {
        return std::make_tuple(optional(QLatin1String("message"), &SetAway::message, Rule::Reason));
    }
};

// Edits, deletions and reactions (section 18 of docs/protocol.md), each
// about one stored room message, named by its seq.
struct EditMessage
{
    CONFAB_MESSAGE(EditMessage, "edit", Client)
    QString room;
    qint64 seq = 0;
    QString text;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &EditMessage::room, Rule::Room),
                               required(QLatin1String("seq"), &EditMessage::seq, Rule::NonNegative),
                               required(QLatin1String("text"), &EditMessage::text, Rule::Text));
    }
};

struct DeleteMessage
{
    CONFAB_MESSAGE(DeleteMessage, "delete", Client)
    QString room;
    qint64 seq = 0;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &DeleteMessage::room, Rule::Room),
                               required(QLatin1String("seq"), &DeleteMessage::seq, Rule::NonNegative));
    }
};

// Toggles the sender's reaction: on if it was off, off if it was on.
struct React
{
    CONFAB_MESSAGE(React, "react", Client)
    QString room;
    qint64 seq = 0;
    QString emoji;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &React::room, Rule::Room),
                               required(QLatin1String("seq"), &React::seq, Rule::NonNegative),
                               required(QLatin1String("emoji"), &React::emoji, Rule::Reaction));
    }
};

// ------------------------------------------------------- either direction

struct Ping
{
    CONFAB_MESSAGE(Ping, "ping", Either)
    static constexpr auto fields() { return std::tuple<>(); }
};

// Someone is typing (an addition of Confab's own, section 16 of
// docs/protocol.md). A client names a room or, for a private conversation,
// `to`; the server passes it on with `from` set. `done`: stopped typing
// (sent, or cleared the line).
struct Typing
{
    CONFAB_MESSAGE(Typing, "typing", Either)
    std::optional<QString> room;
    std::optional<QString> to;
    std::optional<QString> from;
    std::optional<bool> done;
    static constexpr auto fields()
    {
        return std::make_tuple(optional(QLatin1String("room"), &Typing::room, Rule::Room),
                               optional(QLatin1String("to"), &Typing::to),
                               optional(QLatin1String("from"), &Typing::from),
                               optional(QLatin1String("done"), &Typing::done));
    }
};

struct Pong
{
    CONFAB_MESSAGE(Pong, "pong", Either)
    static constexpr auto fields() { return std::tuple<>(); }
};

// Moderation (protocol section 13).

struct Claim
{
    CONFAB_MESSAGE(Claim, "claim", Client)
    QString room;
    static constexpr auto fields() { return std::make_tuple(required(QLatin1String("room"), &Claim::room, Rule::Room)); }
};

struct Grant
{
    CONFAB_MESSAGE(Grant, "grant", Client)
    QString room;
    QString nick;
    QString role; // "op" or "member"
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Grant::room, Rule::Room),
                               required(QLatin1String("nick"), &Grant::nick, Rule::Nick),
                               required(QLatin1String("role"), &Grant::role, Rule::GrantableRole));
    }
};

struct Kick
{
    CONFAB_MESSAGE(Kick, "kick", Client)
    QString room;
    QString nick;
    std::optional<QString> reason;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Kick::room, Rule::Room),
                               required(QLatin1String("nick"), &Kick::nick, Rule::Nick),
                               optional(QLatin1String("reason"), &Kick::reason, Rule::Reason));
    }
};

struct Ban
{
    CONFAB_MESSAGE(Ban, "ban", Client)
    QString room;
    QString mask;
    std::optional<qint64> duration; // seconds; none: for ever
    std::optional<QString> reason;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Ban::room, Rule::Room),
                               required(QLatin1String("mask"), &Ban::mask),
                               optional(QLatin1String("duration"), &Ban::duration, Rule::Duration),
                               optional(QLatin1String("reason"), &Ban::reason, Rule::Reason));
    }
};

struct Unban
{
    CONFAB_MESSAGE(Unban, "unban", Client)
    QString room;
    QString mask;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Unban::room, Rule::Room),
                               required(QLatin1String("mask"), &Unban::mask));
    }
};

struct GetBanList
{
    CONFAB_MESSAGE(GetBanList, "ban_list", Client)
    QString room;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &GetBanList::room, Rule::Room));
    }
};

struct Mute
{
    CONFAB_MESSAGE(Mute, "mute", Client)
    QString room;
    QString nick;
    std::optional<qint64> duration; // seconds; none: until unmute
    std::optional<QString> reason;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Mute::room, Rule::Room),
                               required(QLatin1String("nick"), &Mute::nick, Rule::Nick),
                               optional(QLatin1String("duration"), &Mute::duration, Rule::Duration),
                               optional(QLatin1String("reason"), &Mute::reason, Rule::Reason));
    }
};

struct Unmute
{
    CONFAB_MESSAGE(Unmute, "unmute", Client)
    QString room;
    QString nick;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Unmute::room, Rule::Room),
                               required(QLatin1String("nick"), &Unmute::nick, Rule::Nick));
    }
};

struct SetMode
{
    CONFAB_MESSAGE(SetMode, "mode", Client)
    QString room;
    std::optional<bool> inviteOnly;
    std::optional<QString> key; // "": none
    std::optional<bool> topicLocked;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &SetMode::room, Rule::Room),
                               optional(QLatin1String("invite_only"), &SetMode::inviteOnly),
                               optional(QLatin1String("key"), &SetMode::key, Rule::Reason),
                               optional(QLatin1String("topic_locked"), &SetMode::topicLocked));
    }
};

struct Invite
{
    CONFAB_MESSAGE(Invite, "invite", Client)
    QString room;
    QString nick;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Invite::room, Rule::Room),
                               required(QLatin1String("nick"), &Invite::nick, Rule::Nick));
    }
};

// Server operators only: bans from the whole server.
struct ServerBan
{
    CONFAB_MESSAGE(ServerBan, "server_ban", Client)
    QString mask;
    std::optional<qint64> duration;
    std::optional<QString> reason;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("mask"), &ServerBan::mask),
                               optional(QLatin1String("duration"), &ServerBan::duration, Rule::Duration),
                               optional(QLatin1String("reason"), &ServerBan::reason, Rule::Reason));
    }
};

struct ServerUnban
{
    CONFAB_MESSAGE(ServerUnban, "server_unban", Client)
    QString mask;
    static constexpr auto fields() { return std::make_tuple(required(QLatin1String("mask"), &ServerUnban::mask)); }
};

struct GetServerBanList
{
    CONFAB_MESSAGE(GetServerBanList, "server_ban_list", Client)
    static constexpr auto fields() { return std::tuple<>(); }
};

struct GetAudit
{
    CONFAB_MESSAGE(GetAudit, "audit", Client)
    std::optional<QString> room;
    std::optional<qint64> before;
    std::optional<int> limit;
    static constexpr auto fields()
    {
        return std::make_tuple(optional(QLatin1String("room"), &GetAudit::room, Rule::Room),
                               optional(QLatin1String("before"), &GetAudit::before, Rule::NonNegative),
                               optional(QLatin1String("limit"), &GetAudit::limit, Rule::HistoryLimit));
    }
};

// ------------------------------------------------- replies and events

struct Welcome
{
    CONFAB_MESSAGE(Welcome, "welcome", Server)
    QString nick;
    QString server;
    int protocol = 1;
    QString motd;
    // The account the session is logged in to; null without a login. Older
    // servers leave it out, so clients read it as optional.
    std::optional<QString> account;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("nick"), &Welcome::nick),
                               required(QLatin1String("server"), &Welcome::server),
                               required(QLatin1String("protocol"), &Welcome::protocol),
                               required(QLatin1String("motd"), &Welcome::motd),
                               nullable(QLatin1String("account"), &Welcome::account));
    }
};

// Someone's role in a room changed (claim, grant).
struct RoleChanged
{
    CONFAB_MESSAGE(RoleChanged, "role_changed", Server)
    QString room;
    QString nick;
    QString role;
    QString by;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &RoleChanged::room),
                               required(QLatin1String("nick"), &RoleChanged::nick),
                               required(QLatin1String("role"), &RoleChanged::role),
                               required(QLatin1String("by"), &RoleChanged::by));
    }
};

struct Kicked
{
    CONFAB_MESSAGE(Kicked, "kicked", Server)
    QString room;
    QString nick;
    QString by;
    QString reason;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Kicked::room),
                               required(QLatin1String("nick"), &Kicked::nick),
                               required(QLatin1String("by"), &Kicked::by),
                               required(QLatin1String("reason"), &Kicked::reason));
    }
};

// One moderation action, as the audit log keeps it.
struct AuditEntry
{
    qint64 ts = 0;
    QString by;
    QString action;
    std::optional<QString> room;
    std::optional<QString> target;
    QString reason;
    friend bool operator==(const AuditEntry &a, const AuditEntry &b) { return Detail::equalMembers(a, b); }
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("ts"), &AuditEntry::ts),
                               required(QLatin1String("by"), &AuditEntry::by),
                               required(QLatin1String("action"), &AuditEntry::action),
                               required(QLatin1String("room"), &AuditEntry::room),
                               required(QLatin1String("target"), &AuditEntry::target),
                               required(QLatin1String("reason"), &AuditEntry::reason));
    }
};

struct Muted
{
    CONFAB_MESSAGE(Muted, "muted", Server)
    QString room;
    QString nick;
    QString by;
    std::optional<qint64> until;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Muted::room),
                               required(QLatin1String("nick"), &Muted::nick),
                               required(QLatin1String("by"), &Muted::by),
                               required(QLatin1String("until"), &Muted::until));
    }
};

struct Unmuted
{
    CONFAB_MESSAGE(Unmuted, "unmuted", Server)
    QString room;
    QString nick;
    QString by;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Unmuted::room),
                               required(QLatin1String("nick"), &Unmuted::nick),
                               required(QLatin1String("by"), &Unmuted::by));
    }
};

// A room's modes, in joined and in mode_changed.
struct RoomModes
{
    bool inviteOnly = false;
    bool hasKey = false;
    bool topicLocked = false;
    friend bool operator==(const RoomModes &a, const RoomModes &b) { return Detail::equalMembers(a, b); }
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("invite_only"), &RoomModes::inviteOnly),
                               required(QLatin1String("has_key"), &RoomModes::hasKey),
                               required(QLatin1String("topic_locked"), &RoomModes::topicLocked));
    }
};

struct ModeChanged
{
    CONFAB_MESSAGE(ModeChanged, "mode_changed", Server)
    QString room;
    bool inviteOnly = false;
    bool hasKey = false;
    bool topicLocked = false;
    QString by;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &ModeChanged::room),
                               required(QLatin1String("invite_only"), &ModeChanged::inviteOnly),
                               required(QLatin1String("has_key"), &ModeChanged::hasKey),
                               required(QLatin1String("topic_locked"), &ModeChanged::topicLocked),
                               required(QLatin1String("by"), &ModeChanged::by));
    }
};

struct Invited
{
    CONFAB_MESSAGE(Invited, "invited", Server)
    QString room;
    QString nick;
    QString by;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Invited::room),
                               required(QLatin1String("nick"), &Invited::nick),
                               required(QLatin1String("by"), &Invited::by));
    }
};

struct BanEntry
{
    QString mask;
    QString by;
    QString reason;
    std::optional<qint64> until; // ts; null: for ever
    friend bool operator==(const BanEntry &a, const BanEntry &b) { return Detail::equalMembers(a, b); }
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("mask"), &BanEntry::mask),
                               required(QLatin1String("by"), &BanEntry::by),
                               required(QLatin1String("reason"), &BanEntry::reason),
                               required(QLatin1String("until"), &BanEntry::until));
    }
};

// The reply to ban, unban and ban_list.
struct BanList
{
    CONFAB_MESSAGE(BanList, "ban_list", Server)
    QString room;
    QList<BanEntry> bans;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &BanList::room),
                               required(QLatin1String("bans"), &BanList::bans));
    }
};

// The reply to server_ban, server_unban and server_ban_list.
struct ServerBanList
{
    CONFAB_MESSAGE(ServerBanList, "server_ban_list", Server)
    QList<BanEntry> bans;
    static constexpr auto fields() { return std::make_tuple(required(QLatin1String("bans"), &ServerBanList::bans)); }
};

struct AuditPage
{
    CONFAB_MESSAGE(AuditPage, "audit_page", Server)
    QList<AuditEntry> entries;
    static constexpr auto fields() { return std::make_tuple(required(QLatin1String("entries"), &AuditPage::entries)); }
};

struct Registered
{
    CONFAB_MESSAGE(Registered, "registered", Server)
    QString account;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("account"), &Registered::account));
    }
};

struct PasswordChanged
{
    CONFAB_MESSAGE(PasswordChanged, "password_changed", Server)
    static constexpr auto fields() { return std::tuple<>(); }
};

// One emoji on a message and who chose it, in the order they did. As sent,
// `nicks` holds the first few only (Defaults::ReactionNicksShown), `count`
// how many chose it and `mine` whether the one it is sent to did; as
// stored, every nick, and neither of the others.
struct Reaction
{
    QString emoji;
    QStringList nicks;
    std::optional<int> count;
    std::optional<bool> mine;
    friend bool operator==(const Reaction &a, const Reaction &b) { return Detail::equalMembers(a, b); }
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("emoji"), &Reaction::emoji),
                               required(QLatin1String("nicks"), &Reaction::nicks),
                               optional(QLatin1String("count"), &Reaction::count, Rule::NonNegative),
                               optional(QLatin1String("mine"), &Reaction::mine));
    }
};

// A room message: the `message` event, and each entry of a history list.
// The fields after `action` describe what happened to it since (section
// 18); a message nobody touched has none of them, as in version 1.
struct ChatMessage
{
    CONFAB_MESSAGE(ChatMessage, "message", Server)
    QString room;
    QString from;
    QString text;
    qint64 ts = 0;
    qint64 seq = 0;
    std::optional<bool> action; // present (true) only for /me
    std::optional<qint64> edited;  // when last edited (ms)
    std::optional<bool> deleted;   // present (true) only when deleted; text is ""
    std::optional<QList<Reaction>> reactions;
    std::optional<qint64> rev;     // the room revision of the last change
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &ChatMessage::room),
                               required(QLatin1String("from"), &ChatMessage::from),
                               required(QLatin1String("text"), &ChatMessage::text),
                               required(QLatin1String("ts"), &ChatMessage::ts),
                               required(QLatin1String("seq"), &ChatMessage::seq),
                               optional(QLatin1String("action"), &ChatMessage::action),
                               optional(QLatin1String("edited"), &ChatMessage::edited),
                               optional(QLatin1String("deleted"), &ChatMessage::deleted),
                               optional(QLatin1String("reactions"), &ChatMessage::reactions),
                               optional(QLatin1String("rev"), &ChatMessage::rev));
    }
};

// A stored message changed (edit, delete, react): the whole message as it
// is now, and who changed it.
struct MessageUpdated
{
    CONFAB_MESSAGE(MessageUpdated, "updated", Server)
    QString by;
    ChatMessage message;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("by"), &MessageUpdated::by),
                               required(QLatin1String("message"), &MessageUpdated::message));
    }
};

struct Joined
{
    CONFAB_MESSAGE(Joined, "joined", Server)
    QString room;
    QString topic;
    QStringList members;
    QList<ChatMessage> history;
    // Members above member, by nick: "owner" or "op" (section 13).
    std::optional<StringMap> roles;
    std::optional<RoomModes> modes;
    // Members who are away, by nick: why (section 17).
    std::optional<StringMap> away;
    // The room's latest revision (section 18); absent while nothing changed.
    std::optional<qint64> rev;
    // Where the user had read up to (section 20); absent if never.
    std::optional<qint64> read;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &Joined::room),
                               required(QLatin1String("topic"), &Joined::topic),
                               required(QLatin1String("members"), &Joined::members),
                               required(QLatin1String("history"), &Joined::history),
                               optional(QLatin1String("roles"), &Joined::roles),
                               optional(QLatin1String("modes"), &Joined::modes),
                               optional(QLatin1String("away"), &Joined::away),
                               optional(QLatin1String("rev"), &Joined::rev),
                               optional(QLatin1String("read"), &Joined::read));
    }
};

// Where the user has read up to, told to each of the account's sessions
// (and as the answer to `read`).
struct ReadMarker
{
    CONFAB_MESSAGE(ReadMarker, "read_marker", Server)
    std::optional<QString> room;
    std::optional<QString> with;
    qint64 seq = 0;
    static constexpr auto fields()
    {
        return std::make_tuple(optional(QLatin1String("room"), &ReadMarker::room),
                               optional(QLatin1String("with"), &ReadMarker::with),
                               required(QLatin1String("seq"), &ReadMarker::seq));
    }
};

// Someone is away (with why), or back (no `away`).
struct AwayChanged
{
    CONFAB_MESSAGE(AwayChanged, "presence", Server)
    QString nick;
    std::optional<QString> away;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("nick"), &AwayChanged::nick),
                               optional(QLatin1String("away"), &AwayChanged::away));
    }
};

struct Left
{
    CONFAB_MESSAGE(Left, "left", Server)
    QString room;
    static constexpr auto fields() { return std::make_tuple(required(QLatin1String("room"), &Left::room)); }
};

struct UserJoined
{
    CONFAB_MESSAGE(UserJoined, "user_joined", Server)
    QString room;
    QString nick;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &UserJoined::room),
                               required(QLatin1String("nick"), &UserJoined::nick));
    }
};

struct UserLeft
{
    CONFAB_MESSAGE(UserLeft, "user_left", Server)
    QString room;
    QString nick;
    QString reason;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &UserLeft::room),
                               required(QLatin1String("nick"), &UserLeft::nick),
                               required(QLatin1String("reason"), &UserLeft::reason));
    }
};

struct PrivateMessage
{
    CONFAB_MESSAGE(PrivateMessage, "private", Server)
    QString from;
    QString to;
    QString text;
    qint64 ts = 0;
    std::optional<bool> action;
    // Section 19: the message's number in the conversation between the two
    // (stored, like a room's seq), and, on the sender's echo, that the
    // recipient is offline and gets it when they next log in.
    std::optional<qint64> seq;
    std::optional<bool> waiting;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("from"), &PrivateMessage::from),
                               required(QLatin1String("to"), &PrivateMessage::to),
                               required(QLatin1String("text"), &PrivateMessage::text),
                               required(QLatin1String("ts"), &PrivateMessage::ts),
                               optional(QLatin1String("action"), &PrivateMessage::action),
                               optional(QLatin1String("seq"), &PrivateMessage::seq),
                               optional(QLatin1String("waiting"), &PrivateMessage::waiting));
    }
};

// A page of the private conversation with `with`, oldest first.
struct PrivatePage
{
    CONFAB_MESSAGE(PrivatePage, "private_page", Server)
    QString with;
    QList<PrivateMessage> messages;
    std::optional<qint64> read; // where the user had read up to (section 20)
    std::optional<bool> more;   // as in HistoryPage
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("with"), &PrivatePage::with),
                               required(QLatin1String("messages"), &PrivatePage::messages),
                               optional(QLatin1String("read"), &PrivatePage::read),
                               optional(QLatin1String("more"), &PrivatePage::more));
    }
};

struct NickChanged
{
    CONFAB_MESSAGE(NickChanged, "nick_changed", Server)
    QString oldNick;
    QString newNick;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("old"), &NickChanged::oldNick),
                               required(QLatin1String("new"), &NickChanged::newNick));
    }
};

struct TopicChanged
{
    CONFAB_MESSAGE(TopicChanged, "topic_changed", Server)
    QString room;
    QString topic;
    QString by;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &TopicChanged::room),
                               required(QLatin1String("topic"), &TopicChanged::topic),
                               required(QLatin1String("by"), &TopicChanged::by));
    }
};

struct RoomInfo
{
    QString name;
    QString topic;
    int members = 0;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("name"), &RoomInfo::name),
                               required(QLatin1String("topic"), &RoomInfo::topic),
                               required(QLatin1String("members"), &RoomInfo::members));
    }
    friend bool operator==(const RoomInfo &a, const RoomInfo &b) { return Detail::equalMembers(a, b); }
};

struct RoomList
{
    CONFAB_MESSAGE(RoomList, "room_list", Server)
    QList<RoomInfo> rooms;
    // True when there were more rooms than the list may hold in bytes: it
    // then has the rooms with the most members.
    std::optional<bool> more;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("rooms"), &RoomList::rooms),
                               optional(QLatin1String("more"), &RoomList::more));
    }
};

struct MemberList
{
    CONFAB_MESSAGE(MemberList, "member_list", Server)
    std::optional<QString> room; // null: every connected user
    QStringList members;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &MemberList::room),
                               required(QLatin1String("members"), &MemberList::members));
    }
};

struct HistoryPage
{
    CONFAB_MESSAGE(HistoryPage, "history_page", Server)
    QString room;
    QList<ChatMessage> messages;
    // True when the server cut the page short to keep it within its size
    // in bytes: there is more, as after a full page.
    std::optional<bool> more;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("room"), &HistoryPage::room),
                               required(QLatin1String("messages"), &HistoryPage::messages),
                               optional(QLatin1String("more"), &HistoryPage::more));
    }
};

struct Error
{
    CONFAB_MESSAGE(Error, "error", Server)
    ErrorCode code = ErrorCode::BadRequest;
    QString message;
    static constexpr auto fields()
    {
        return std::make_tuple(required(QLatin1String("code"), &Error::code),
                               required(QLatin1String("message"), &Error::message));
    }
};

// Sent just before the server closes a connection for a reason the client
// did not ask for (shutdown, timeouts), so that a client can tell the user why
// instead of guessing from a dropped socket. Not sent after `quit`.
struct Closing
{
    CONFAB_MESSAGE(Closing, "closing", Server)
    QString reason;
    static constexpr auto fields() { return std::make_tuple(required(QLatin1String("reason"), &Closing::reason)); }
};

#undef CONFAB_MESSAGE

} // namespace Confab::Protocol
