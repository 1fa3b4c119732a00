#pragma once

#include "messages.h"
#include "roommembers.h"

#include <QObject>

class ChatSession;
class Conversation;

// The moderation side of a session (protocol section 13): what the user may
// do in a room, as far as the client knows (the server decides; menus only
// offer what it would allow), and what the server says was done — roles,
// removals, mutes, modes, invitations, ban lists, the audit log — applied
// to the room and recorded in its log as typed events. The requests
// themselves go out through ChatSession.
class RoomModeration final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomModeration)

public:
    explicit RoomModeration(ChatSession &session);

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
    // A ban list or the audit log, as lines in `conversation`.
    void showBans(Conversation *conversation, const QString &title, const QList<Confab::Protocol::BanEntry> &bans);
    void showAudit(Conversation *conversation, const QList<Confab::Protocol::AuditEntry> &entries);

signals:
    // See ChatSession's signals of the same names.
    void modesChanged(Conversation *room);
    void removedFromRoom(Conversation *room, const QString &why);
    void invitedTo(const QString &room, const QString &by);

private:
    ChatSession &m_session;
};
