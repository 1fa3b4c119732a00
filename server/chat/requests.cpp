// How a frame becomes a handled request: decoded, admitted by its row of
// the rule table (requestrules.h), held while the session waits for a hash
// or has had its share of the turn, then dispatched to its handler.

#include "chatservice.h"
#include "chatinternal.h"

#include "requestrules.h"

#include "logging.h"

using namespace Confab::Protocol;
using namespace ChatInternal;

namespace {

template <typename T>
constexpr bool isRequest = (int(T::sender) & int(Sender::Client)) != 0;

// Requests that arrive while a password is being hashed, kept in order.
constexpr qsizetype MaxWaitingFrames = 64;
// A client's share of one turn of the event loop: past this much time spent
// on its requests, or this many bytes of answers, what else it sent waits
// for its next turn (ChatService::yieldTurn()).
constexpr qint64 TurnBudgetNs = 2'000'000;
constexpr qint64 TurnBudgetBytes = 64 * 1024;

} // namespace

void ChatService::frameReceived(Connection *connection, const QByteArray &frame)
{
    const auto it = m_sessions.find(connection);
    if (it == m_sessions.end() || connection->isClosing())
        return;
    Session &session = *it->second;
    session.lastHeardMs = nowMs();
    session.pingSentAtMs = 0;
    if (session.yielded) {
        // Over its share of this turn: the rest of what it sent waits for
        // its next turn (bounded: its input is held meanwhile).
        session.rare().waitingFrames.append(frame);
        return;
    }
    if (session.busy) {
        // Requests are answered in order: these wait for the answer being
        // worked out (a password hash, a read of the database).
        if (session.rare().waitingFrames.size() >= MaxWaitingFrames) {
            sendError(session, ErrorCode::RateLimited, QStringLiteral("wait for the answer to your request"),
                      QJsonValue());
            return;
        }
        session.rare().waitingFrames.append(frame);
        return;
    }

    auto decoded = decode(frame, Sender::Client);
    if (auto *error = std::get_if<DecodeError>(&decoded)) {
        qCDebug(lcChat).noquote() << connection->describe() << "sent" << QString::fromUtf8(frame);
        sendError(session, error->code, error->reason, error->id);
        return;
    }
    const Envelope &envelope = std::get<Envelope>(decoded);
    if (lcChat().isDebugEnabled()) {
        // Passwords are never logged, not even for a classroom.
        const bool secret = std::holds_alternative<Hello>(envelope.message)
                            || std::holds_alternative<Register>(envelope.message)
                            || std::holds_alternative<ChangePassword>(envelope.message);
        qCDebug(lcChat).noquote() << connection->describe() << "sent"
                                  << (secret ? QStringLiteral("%1 (passwords not shown)").arg(typeName(envelope.message))
                                             : QString::fromUtf8(frame));
    }
    // A new turn of the event loop: the session's share starts afresh.
    if (session.turn != m_turn) {
        session.turn = m_turn;
        session.turnNs = 0;
        session.turnAnswerBytes = 0;
    }
    if (!m_turnTimer.isActive())
        m_turnTimer.start();
    QElapsedTimer spent;
    spent.start();
    const quint64 serial = session.serial;
    std::visit([&](const auto &request) { handle(session, request, envelope.id); }, envelope.message);
    // The session may have gone (a quit does not end it at once, a
    // refusal may): looked up again.
    const auto still = m_sessions.find(connection);
    if (still == m_sessions.end() || still->second->serial != serial)
        return;
    session.turnNs += spent.nsecsElapsed();
    if (!session.yielded && (session.turnNs >= TurnBudgetNs || session.turnAnswerBytes >= TurnBudgetBytes))
        yieldTurn(session);
}

void ChatService::yieldTurn(Session &session)
{
    // A fair share of the event loop: a client whose requests cost more
    // than a turn's worth (history pages, large lists) waits until everyone
    // else has had their turn; its input is held until then.
    session.yielded = true;
    session.connection->holdInput();
    QTimer::singleShot(0, this, [this, connection = session.connection, serial = session.serial] {
        const auto it = m_sessions.find(connection);
        if (it == m_sessions.end() || it->second->serial != serial)
            return;
        Session &later = *it->second;
        later.yielded = false;
        later.turn = m_turn;
        later.turnNs = 0;
        later.turnAnswerBytes = 0;
        serveWaitingFrames(later);
        if (!later.yielded && m_sessions.count(connection) && !connection->isClosing())
            connection->releaseInput();
    });
}

void ChatService::serveWaitingFrames(Session &session)
{
    // In order, until something makes the session wait again.
    Connection *connection = session.connection;
    const quint64 serial = session.serial;
    while (!session.busy && !session.yielded && session.hasWaitingFrames() && !connection->isClosing()) {
        frameReceived(connection, session.rare().waitingFrames.takeFirst());
        const auto it = m_sessions.find(connection);
        if (it == m_sessions.end() || it->second->serial != serial)
            return;
    }
    session.trimRare();
}

template <typename T>
void ChatService::handle(Session &session, const T &request, const QJsonValue &id)
{
    if constexpr (!isRequest<T>) {
        Q_UNUSED(request);
        Q_UNUSED(id);
        Q_UNUSED(session);
    } else {
        // The rule table decides before any handler runs; its bucket is
        // charged now, when the request is accepted.
        constexpr RequestRules::Rule rule = RequestRules::ruleFor<T>();
        if (!admitRequest(session, rule, T::type, id))
            return;
        if constexpr (std::is_same_v<T, Pong>)
            static_cast<void>(request); // its arrival already counted as a sign of life
        else if constexpr (std::is_same_v<T, Hello>)
            onHello(session, request, id);
        else if constexpr (std::is_same_v<T, Join>)
            m_roomRequests.onJoin(session, request, id);
        else if constexpr (std::is_same_v<T, Leave>)
            m_roomRequests.onLeave(session, request, id);
        else if constexpr (std::is_same_v<T, Say>)
            m_roomRequests.onSay(session, request, id);
        else if constexpr (std::is_same_v<T, Whisper>)
            m_privateChat.onWhisper(session, request, id);
        else if constexpr (std::is_same_v<T, ChangeNick>)
            onNick(session, request, id);
        else if constexpr (std::is_same_v<T, SetTopic>)
            m_roomRequests.onTopic(session, request, id);
        else if constexpr (std::is_same_v<T, ListRooms>)
            m_roomRequests.onList(session, id);
        else if constexpr (std::is_same_v<T, Who>)
            m_roomRequests.onWho(session, request, id);
        else if constexpr (std::is_same_v<T, GetHistory>)
            m_roomRequests.onHistory(session, request, id);
        else if constexpr (std::is_same_v<T, Ping>)
            reply(session, Pong{}, id);
        else if constexpr (std::is_same_v<T, Quit>)
            onQuit(session, request);
        else if constexpr (std::is_same_v<T, Typing>)
            m_presence.onTyping(session, request, id);
        else if constexpr (std::is_same_v<T, SetAway>)
            m_presence.onAway(session, request, id);
        else if constexpr (std::is_same_v<T, MarkRead>)
            m_readMarkers.onRead(session, request, id);
        else if constexpr (std::is_same_v<T, GetPrivateHistory>)
            m_privateChat.onPrivateHistory(session, request, id);
        else if constexpr (std::is_same_v<T, EditMessage>)
            m_messageChanges.onEdit(session, request, id);
        else if constexpr (std::is_same_v<T, DeleteMessage>)
            m_messageChanges.onDelete(session, request, id);
        else if constexpr (std::is_same_v<T, React>)
            m_messageChanges.onReact(session, request, id);
        else if constexpr (std::is_same_v<T, Register>)
            m_accountRequests.onRegister(session, request, id);
        else if constexpr (std::is_same_v<T, ChangePassword>)
            m_accountRequests.onChangePassword(session, request, id);
        else if constexpr (std::is_same_v<T, Claim>)
            m_roomModeration.onClaim(session, request, id);
        else if constexpr (std::is_same_v<T, Grant>)
            m_roomModeration.onGrant(session, request, id);
        else if constexpr (std::is_same_v<T, Kick>)
            m_roomModeration.onKick(session, request, id);
        else if constexpr (std::is_same_v<T, GetAudit>)
            m_roomModeration.onAudit(session, request, id);
        else if constexpr (std::is_same_v<T, Ban>)
            m_roomModeration.onBan(session, request, id);
        else if constexpr (std::is_same_v<T, Unban>)
            m_roomModeration.onUnban(session, request, id);
        else if constexpr (std::is_same_v<T, GetBanList>)
            m_roomModeration.onBanList(session, request, id);
        else if constexpr (std::is_same_v<T, Mute>)
            m_roomModeration.onMute(session, request, id);
        else if constexpr (std::is_same_v<T, Unmute>)
            m_roomModeration.onUnmute(session, request, id);
        else if constexpr (std::is_same_v<T, SetMode>)
            m_roomModeration.onMode(session, request, id);
        else if constexpr (std::is_same_v<T, Invite>)
            m_roomModeration.onInvite(session, request, id);
        else if constexpr (std::is_same_v<T, ServerBan>)
            m_serverBans.onServerBan(session, request, id);
        else if constexpr (std::is_same_v<T, ServerUnban>)
            m_serverBans.onServerUnban(session, request, id);
        else if constexpr (std::is_same_v<T, GetServerBanList>)
            m_serverBans.onServerBanList(session, id);
        else
            static_assert(!sizeof(T), "a request type has no handler");
    }
}

bool ChatService::admitRequest(Session &session, const RequestRules::Rule &rule, QLatin1String type,
                               const QJsonValue &id)
{
    using RequestRules::Access;
    if (rule.who != Access::Anyone && !session.isIdentified()) {
        sendError(session, ErrorCode::NotIdentified, QStringLiteral("send hello first"), id);
        return false;
    }
    if (rule.who == Access::LoggedIn && !session.isLoggedIn()) {
        sendError(session, ErrorCode::NotLoggedIn,
                  QStringLiteral("%1 is for users logged in to an account").arg(type), id);
        return false;
    }
    if (rule.bucket == RequestRules::Bucket::None)
        return true;
    if (session.buckets.tryTake(rule.bucket, m_bucketSpecs[std::size_t(rule.bucket)], nowMs()))
        return true;
    // A typing notice over the limit is dropped: not worth an error line.
    if (rule.bucket != RequestRules::Bucket::Typing)
        sendError(session, ErrorCode::RateLimited, RequestRules::refusal(rule.bucket), id);
    return false;
}

// ------------------------------------------------------------ requests
