#pragma once

#include "chatcore.h"

// Bans from the whole server (protocol section 14): set and lifted by
// server operators, stored as the bans of the room key "", matched at
// connect (addresses) and at hello (nick, account, address), and enforced
// at once on whoever they match here — never on an operator.
class ServerBans final
{
public:
    explicit ServerBans(ChatCore &core) : m_core(core) {}

    void onServerBan(Session &session, const Confab::Protocol::ServerBan &request, const QJsonValue &id);
    void onServerUnban(Session &session, const Confab::Protocol::ServerUnban &request, const QJsonValue &id);
    void onServerBanList(Session &session, const QJsonValue &id);

    // The ban that matches `subject`, if any (expired ones dropped);
    // `addressesOnly`: before the user has said who they are.
    const Room::Ban *banFor(const Mask::Subject &subject, bool addressesOnly = false);
    // As stored (at start, and after another server changed them).
    void setBans(QList<Room::Ban> bans) { m_bans = std::move(bans); }
    // Whoever `mask` matches here is told why and disconnected.
    void enforce(const Mask &mask, const QString &reason);

private:
    Confab::Protocol::ServerBanList list();
    // Whether `session` is a server operator; if not, says not_permitted.
    bool isOperatorOrError(Session &session, const QJsonValue &id);

    ChatCore &m_core;
    QList<Room::Ban> m_bans;
};
