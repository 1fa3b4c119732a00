#pragma once

#include "messages.h"
#include "roommembers.h"
#include "sessioncore.h"

#include <QObject>

#include <optional>

namespace ClientSession {

// The moderation side of a session (protocol section 13): what the user may
// do in a room, as far as the client knows (the server decides; menus only
// offer what it would allow), and what the server says was done — roles,
// removals, mutes, modes, invitations, ban lists, the audit log — applied
// to the room and recorded in its log as typed events; and the requests
// that ask for all of it. ChatSession passes its moderation calls here.
// The browser's twin is roommoderation.js.
class RoomModeration final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomModeration)

public:
    explicit RoomModeration(SessionCore &session);

    // The requests; `room` (or `context`: the active conversation when
    // null) is where the answer is shown.
    void claim(Conversation *room);
    void grant(Conversation *room, const QString &nick, RoomMembers::Rank rank);
    void kick(Conversation *room, const QString &nick, const QString &reason = {});
    // A bare nick becomes the mask nick:NICK.
    void ban(Conversation *room, const QString &nickOrMask, std::optional<qint64> duration = {},
             const QString &reason = {});
    void unban(Conversation *room, const QString &nickOrMask);
    // Without `show`, only banListReceived() tells (the settings dialog).
    void requestBanList(Conversation *room, bool show = false);
    void mute(Conversation *room, const QString &nick, std::optional<qint64> duration = {}, const QString &reason = {});
    void unmute(Conversation *room, const QString &nick);
    void invite(const QString &room, const QString &nick, Conversation *context = nullptr);
    void setModes(Conversation *room, std::optional<bool> inviteOnly, std::optional<QString> key,
                  std::optional<bool> topicLocked);
    // `room` empty: the whole server's log (server operators).
    void requestAudit(const QString &room, Conversation *context = nullptr);
    void serverBan(const QString &nickOrMask, std::optional<qint64> duration, const QString &reason,
                   Conversation *context = nullptr);
    void serverUnban(const QString &nickOrMask, Conversation *context = nullptr);
    void requestServerBanList(Conversation *context = nullptr);
    static QString maskFor(const QString &nickOrMask);

    RoomMembers::Rank myRank(const Conversation *room) const;
    bool mayModerate(const Conversation *room, const QString &nick) const; // kick, ban, mute
    bool mayGrant(const Conversation *room, const QString &nick) const;
    bool mayChangeModes(const Conversation *room) const;

    void onRoleChanged(const Confab::Protocol::RoleChanged &change);
    void onKicked(const Confab::Protocol::Kicked &kicked);
    void onMuted(const Confab::Protocol::Muted &muted);
    void onUnmuted(const Confab::Protocol::Unmuted &unmuted);
    void onModeChanged(const Confab::Protocol::ModeChanged &change);
    void onInvited(const Confab::Protocol::Invited &invited);
    // The lists asked for, as lines where they were asked for (if shown).
    void onBanList(const Confab::Protocol::BanList &list, const SessionCore::Pending &pending);
    void onServerBanList(const Confab::Protocol::ServerBanList &list, const SessionCore::Pending &pending);
    void onAuditPage(const Confab::Protocol::AuditPage &page, const SessionCore::Pending &pending);

signals:
    // See ChatSession's signals of the same names.
    void modesChanged(Conversation *room);
    void removedFromRoom(Conversation *room, const QString &why);
    void invitedTo(const QString &room, const QString &by);
    void banListReceived(const QString &room, const QList<Confab::Protocol::BanEntry> &bans);

private:
    // A ban list or the audit log, as lines in `conversation`.
    void showBans(Conversation *conversation, const QString &title, const QList<Confab::Protocol::BanEntry> &bans);
    void showAudit(Conversation *conversation, const QList<Confab::Protocol::AuditEntry> &entries);

    SessionCore &m_session;
};

} // namespace ClientSession
