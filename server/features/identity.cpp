// Who a user is: hello (a guest, or a login checked by Accounts), nick,
// reserved nicks and operators' names (protocol sections 5 and 6).
// Part of ChatService (chatservice.h); the shared helpers are in
// chatinternal.h.

#include "chatservice.h"
#include "chatinternal.h"

#include "accountstore.h"
#include "connectionlimiter.h"

#include "logging.h"
#include "names.h"

#include <algorithm>

using namespace Confab::Protocol;
using namespace ChatInternal;

void ChatService::warnAboutOperatorsWithoutAccounts() const
{
    for (const QString &key : std::as_const(m_settings.operators)) {
        if (!m_accounts->hasAccount(key)) {
            qCWarning(lcChat).noquote()
                    << QStringLiteral("operator %1 has no account yet: the nick is reserved until it is made with "
                                      "'confab-server account add %1'")
                               .arg(key);
        }
    }
}

void ChatService::onHello(Session &session, const Hello &hello, const QJsonValue &id)
{
    if (session.isIdentified()) {
        sendError(session, ErrorCode::AlreadyIdentified, QStringLiteral("you are %1 already").arg(session.nick), id);
        return;
    }
    if (hello.protocol.value_or(Defaults::ProtocolVersion) != Defaults::ProtocolVersion) {
        sendError(session, ErrorCode::ProtocolUnsupported,
                  QStringLiteral("this server speaks protocol %1").arg(Defaults::ProtocolVersion), id);
        return;
    }
    if (!m_settings.password.isEmpty()) {
        // Guessing is slowed down per address, not per connection: a new
        // connection does not buy new tries.
        const QString address = ConnectionLimiter::addressKey(session.connection->peerAddress());
        if (const qint64 waitMs = m_accountRequests.serverPasswordRetryAfterMs(address)) {
            lastWord([&] {
                sendError(session, ErrorCode::RateLimited,
                          QStringLiteral("too many wrong passwords from your address; try again in %1 s")
                                  .arg((waitMs + 999) / 1000),
                          id);
            });
            hangUp(session.connection, QStringLiteral("too many wrong passwords"));
            return;
        }
        if (!constantTimeEquals(hello.password.value_or(QString()).toUtf8(), m_settings.password.toUtf8())) {
            if (hello.password)
                m_accountRequests.serverPasswordWrong(address);
            sendError(session, ErrorCode::AuthFailed,
                      hello.password ? QStringLiteral("wrong password")
                                     : QStringLiteral("this server needs a password"),
                      id);
            return;
        }
    }
    if (!hello.login) {
        if (m_settings.requireAccount) {
            sendError(session, ErrorCode::LoginRequired,
                      QStringLiteral("this server is for registered users: log in with your account"), id);
            return;
        }
        admit(session, hello.nick, QString(), QString(), id);
        return;
    }

    m_accountRequests.logIn(session, *hello.login, id,
                            [this, nick = hello.nick, id](Session &later, const QString &account,
                                                          const QString &accountKey) {
                                admit(later, nick, account, accountKey, id);
                            });
}

void ChatService::admit(Session &session, const QString &nick, const QString &account, const QString &accountKey,
                        const QJsonValue &id)
{
    const QString key = nameKey(nick);
    if (!m_settings.operators.contains(accountKey)) {
        if (const Room::Ban *ban = m_serverBans.banFor({accountKey, nick, session.connection->peerAddress()})) {
            refuseBanned(session, *ban, id);
            return;
        }
    }
    if (m_users.contains(key) || m_claiming.contains(key)) {
        sendError(session, ErrorCode::NickTaken, QStringLiteral("%1 is taken").arg(nick), id);
        return;
    }
    if (key != accountKey && m_accounts->hasAccount(key)) {
        sendError(session, ErrorCode::NickReserved,
                  QStringLiteral("%1 is a registered account; log in to use it").arg(nick), id);
        return;
    }
    if (key != accountKey && m_settings.operators.contains(key)) {
        sendError(session, ErrorCode::NickReserved,
                  QStringLiteral("%1 is reserved for a server operator").arg(nick), id);
        return;
    }
    claimNick(session, nick, id, [this, nick, account, accountKey, id](Session &later) {
        enter(later, nick, account, accountKey, id);
    });
}

void ChatService::enter(Session &session, const QString &nick, const QString &account, const QString &accountKey,
                        const QJsonValue &id)
{
    session.setNick(nick);
    session.nickSinceMs = tenureStart(session.nickKey);
    session.account = account;
    session.accountKey = accountKey == account ? account : accountKey;
    m_users.insert(session.nickKey, &session);
    announceUser(session);
    session.connection->setSendQueueLimit(m_settings.limits.sendQueueBytes);
    if (account.isEmpty())
        qCInfo(lcChat).noquote() << session.connection->describe() << "identified as" << nick;
    else
        qCInfo(lcChat).noquote() << session.connection->describe() << "identified as" << nick << "logged in to"
                                 << account;
    reply(session,
          Welcome{nick, m_settings.serverName, Defaults::ProtocolVersion, m_settings.motd,
                  account.isEmpty() ? std::nullopt : std::optional<QString>(account)},
          id);
    m_privateChat.deliverWaiting(session);
}

bool ChatService::isReservedFor(const Session &session, const QString &nickKey) const
{
    // An operator's nick is reserved even before its account exists.
    return nickKey != session.accountKey
           && (m_accounts->hasAccount(nickKey) || m_settings.operators.contains(nickKey));
}

void ChatService::onNick(Session &session, const ChangeNick &change, const QJsonValue &id)
{
    const QString key = nameKey(change.nick);
    if (key != session.nickKey && (m_users.contains(key) || m_claiming.contains(key))) {
        sendError(session, ErrorCode::NickTaken, QStringLiteral("%1 is taken").arg(change.nick), id);
        return;
    }
    if (key != session.nickKey && isReservedFor(session, key)) {
        sendError(session, ErrorCode::NickReserved,
                  QStringLiteral("%1 is a registered account; log in to use it").arg(change.nick), id);
        return;
    }
    if (key != session.nickKey) {
        claimNick(session, change.nick, id, [this, change, id](Session &later) { changeNick(later, change, id); });
        return;
    }
    changeNick(session, change, id);
}

void ChatService::changeNick(Session &session, const ChangeNick &change, const QJsonValue &id)
{
    const NickChanged event{session.nick, change.nick};
    releaseNick(session.nickKey);
    session.setNick(change.nick);
    session.nickSinceMs = tenureStart(session.nickKey);
    m_users.insert(session.nickKey, &session);
    announceUser(session);
    for (Room *room : std::as_const(session.rooms)) {
        announceMembership(event.oldNick, room, false);
        announceMembership(session, room, true);
    }
    qCInfo(lcChat).noquote() << session.connection->describe() << "is now" << change.nick;

    // Everyone who shares a room hears it once, however many rooms they share.
    const QList<Session *> audience = ChatCore::roomPeers(session);
    if (event.oldNick != event.newNick && !audience.isEmpty())
        deliver(plainDelivery(audience, encode(event)));
    if (event.oldNick != event.newNick)
        shareWithCluster(roomKeys(session), encode(event));
    reply(session, event, id);
}
