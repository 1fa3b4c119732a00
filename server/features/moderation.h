#pragma once

#include "chatcore.h"
#include "invitations.h"

// A room's moderation (protocol section 13): claiming a room, roles, kicks,
// bans, mutes, modes, invitations and the audit log. Who ranks how is the
// core's (ChatCore::rankIn()); what a rank permits is Permissions'. Each
// change is stored first (ChatCore::storeModeration()), then applied,
// audited and told to the room; other servers read it again from the store.
class Moderation final
{
public:
    explicit Moderation(ChatCore &core) : m_core(core) {}

    void onClaim(Session &session, const Confab::Protocol::Claim &request, const QJsonValue &id);
    void onGrant(Session &session, const Confab::Protocol::Grant &request, const QJsonValue &id);
    void onKick(Session &session, const Confab::Protocol::Kick &request, const QJsonValue &id);
    void onAudit(Session &session, const Confab::Protocol::GetAudit &request, const QJsonValue &id);
    void onBan(Session &session, const Confab::Protocol::Ban &request, const QJsonValue &id);
    void onUnban(Session &session, const Confab::Protocol::Unban &request, const QJsonValue &id);
    void onBanList(Session &session, const Confab::Protocol::GetBanList &request, const QJsonValue &id);
    void onMute(Session &session, const Confab::Protocol::Mute &request, const QJsonValue &id);
    void onUnmute(Session &session, const Confab::Protocol::Unmute &request, const QJsonValue &id);
    void onMode(Session &session, const Confab::Protocol::SetMode &request, const QJsonValue &id);
    void onInvite(Session &session, const Confab::Protocol::Invite &request, const QJsonValue &id);

    // The active ban of `room` that keeps `session` out, if any.
    const Room::Ban *banFor(const Session &session, Room *room);
    QString bannedMessage(const Room *room, const Room::Ban &ban) const;
    // Who may join a room by invitation only (kept here until they join).
    Invitations &invitations() { return m_invitations; }
    // How a mute or invitation names a user: by account when logged in.
    static QString userKey(const Session &session);
    // The members here that a new ban of `room` matches leave it, unless
    // they rank as high as the one who set it (`setter`); also for a ban
    // set on another server.
    void enforceRoomBan(Room *room, const Mask &mask, Rank setter, const QString &by, const QString &reason);

private:
    void grant(Session &session, const Confab::Protocol::Grant &request, const ChatCore::Target &target,
               const QJsonValue &id);
    void kick(Session &session, const Confab::Protocol::Kick &request, const ChatCore::Target &target,
              const QJsonValue &id);
    void mute(Session &session, const Confab::Protocol::Mute &request, const ChatCore::Target &target,
              const QJsonValue &id);
    void unmute(Session &session, const Confab::Protocol::Unmute &request, const ChatCore::Target &target,
                const QJsonValue &id);
    void invite(Session &session, const Confab::Protocol::Invite &request, const ChatCore::Target &target,
                const QJsonValue &id);
    static QString userKey(const ChatCore::Target &target);
    // Stores a role change; once stored, applies it, tells the room and
    // runs `then` (else storage_failed to the requester).
    void changeRole(Session &actor, Room *room, const QString &accountKey, const QString &nick, Rank rank,
                    const QJsonValue &id, std::function<void(Session &, Room *)> then);
    // A stored role, in the room's memory and told to its members.
    void applyRole(Session &actor, Room *room, const QString &accountKey, const QString &nick, Rank rank,
                   const QJsonValue &id);
    // Tells the room's members and the requester (who may not be one).
    template <typename T>
    void tellRoom(Session &requester, Room *room, const T &event, const QJsonValue &id);
    // The room, if `session` is in it and may moderate it; otherwise an
    // error has been sent.
    Room *moderatedRoom(Session &session, const QString &name, Action action, const QJsonValue &id);
    Confab::Protocol::BanList banList(Room *room);
    // Whether the session may read the room's audit log; if not, says why.
    bool mayReadAudit(Session &session, const Room *room, const QString &name, const QJsonValue &id);

    ChatCore &m_core;
    Invitations m_invitations;
};
