// Bans from the whole server: server_ban, server_unban, server_ban_list
// (protocol section 14).

#include "serverbans.h"
#include "chatinternal.h"

#include "connection.h"

using namespace Confab::Protocol;
using namespace ChatInternal;

bool ServerBans::isOperatorOrError(Session &session, const QJsonValue &id)
{
    if (m_core.isServerOperator(session))
        return true;
    m_core.sendError(session, ErrorCode::NotPermitted, QStringLiteral("server bans are for server operators"), id);
    return false;
}

const Room::Ban *ServerBans::banFor(const Mask::Subject &subject, bool addressesOnly)
{
    dropExpired(m_bans);
    for (const Room::Ban &ban : std::as_const(m_bans)) {
        if (addressesOnly && ban.mask.kind() != Mask::Kind::Address)
            continue;
        if (ban.mask.matches(subject))
            return &ban;
    }
    return nullptr;
}

ServerBanList ServerBans::list()
{
    dropExpired(m_bans);
    return ServerBanList{banEntries(m_bans)};
}

void ServerBans::onServerBan(Session &session, const ServerBan &request, const QJsonValue &id)
{
    if (!isOperatorOrError(session, id))
        return;
    const std::optional<Mask> mask = m_core.maskOrError(session, request.mask, id);
    if (!mask)
        return;
    const QString reason = request.reason.value_or(QString());
    const ModerationStore::BanRecord record{
            mask->text(), session.account, reason,
            untilAfter(request.duration)};
    m_core.storeModeration(
            session, QString(), QStringLiteral("the server ban"),
            [this, maskKey = mask->key(), record](QString *error) {
                return m_core.moderation().putBan(QString(), maskKey, record, error);
            },
            id,
            [this, mask = *mask, record, reason, id](Session &later, Room *) {
                m_bans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); });
                m_bans.append(Room::Ban{mask, record});
                m_core.audit(later, nullptr, QStringLiteral("server_ban"), mask.text(), reason);
                m_core.reply(later, list(), id);
                m_core.publishNote({{QStringLiteral("serverBans"), true},
                             {QStringLiteral("ban"), mask.text()},
                             {QStringLiteral("reason"), reason}},
                                   QByteArray());
                enforce(mask, reason);
            });
}

void ServerBans::enforce(const Mask &mask, const QString &reason)
{
    // Never an operator.
    const QString why = reason.isEmpty() ? QStringLiteral("banned from this server") : reason;
    for (Session *other : m_core.openSessions()) {
        if (m_core.isServerOperator(*other))
            continue;
        if (!mask.matches({other->accountKey, other->nick, other->connection->peerAddress()}))
            continue;
        m_core.closeSession(*other, why);
    }
}

void ServerBans::onServerUnban(Session &session, const ServerUnban &request, const QJsonValue &id)
{
    if (!isOperatorOrError(session, id))
        return;
    const std::optional<Mask> mask = m_core.maskOrError(session, request.mask, id);
    if (!mask)
        return;
    m_core.storeModeration(
            session, QString(), QStringLiteral("the server unban"),
            [this, maskKey = mask->key()](QString *error) {
                return m_core.moderation().removeBan(QString(), maskKey, error);
            },
            id,
            [this, mask = *mask, id](Session &later, Room *) {
                if (m_bans.removeIf([&](const Room::Ban &ban) { return ban.mask.key() == mask.key(); }) > 0)
                           m_core.audit(later, nullptr, QStringLiteral("server_unban"), mask.text(), QString());
                m_core.reply(later, list(), id);
                m_core.publishNote({{QStringLiteral("serverBans"), true}}, QByteArray());
            });
}

void ServerBans::onServerBanList(Session &session, const QJsonValue &id)
{
    if (isOperatorOrError(session, id))
        m_core.reply(session, list(), id);
}
