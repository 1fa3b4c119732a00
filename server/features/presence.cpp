// How a user is seen: away and typing notices (protocol sections 16 and 17).

#include "presence.h"

#include "names.h"

// Not the whole protocol namespace: it has a Presence of its own (fields.h).
using Confab::Protocol::AwayChanged;
using Confab::Protocol::encode;
using Confab::Protocol::ErrorCode;
using Confab::Protocol::nameKey;
using Confab::Protocol::SetAway;
using Confab::Protocol::Typing;

void Presence::onAway(Session &session, const SetAway &request, const QJsonValue &id)
{
    const QString message = request.message.value_or(QString()).trimmed();
    if (message.isEmpty() && session.away()) {
        session.rare().away.reset();
        session.trimRare();
    } else if (!message.isEmpty()) {
        session.rare().away = message;
    }
    const AwayChanged presence{session.nick, session.away()};
    // Everyone who shares a room hears it once; the user hears it as the answer.
    const QList<Session *> audience = ChatCore::roomPeers(session);
    if (!audience.isEmpty())
        m_core.deliver(ChatCore::plainDelivery(audience, encode(presence)));
    m_core.shareWithCluster(ChatCore::roomKeys(session), encode(presence));
    m_core.announceUser(session);
    // Answered once every server's member lists show it.
    m_core.whenClusterHasIt(session, [this, presence, id](Session &later) { m_core.reply(later, presence, id); });
}

void Presence::onTyping(Session &session, const Typing &typing, const QJsonValue &id)
{
    if (typing.room.has_value() == typing.to.has_value()) {
        m_core.sendError(session, ErrorCode::BadRequest, QStringLiteral("typing needs either room or to"), id);
        return;
    }
    if (typing.to) {
        m_core.findUser(session, *typing.to, QString(),
                        [this, typing, id](Session &later, const ChatCore::Target &target) {
                            this->typing(later, typing, target, id);
                        });
        return;
    }
    this->typing(session, typing, ChatCore::Target{}, id);
}

void Presence::typing(Session &session, const Typing &typing, const ChatCore::Target &target, const QJsonValue &id)
{
    // Passed on at most once every few seconds per conversation (a "done"
    // only after a notice that was passed on): typing costs the others
    // little, and never counts against what the user may say.
    constexpr qint64 TypingIntervalMs = 3000;
    QList<Session *> audience;
    QString conversationKey;
    Typing notice{std::nullopt, std::nullopt, session.nick,
                  typing.done.value_or(false) ? std::optional<bool>(true) : std::nullopt};
    if (typing.room) {
        Room *room = m_core.joinedRoom(session, *typing.room);
        if (!room) {
            m_core.sendError(session, ErrorCode::NotInRoom, QStringLiteral("you are not in %1").arg(*typing.room), id);
            return;
        }
        if (m_core.muteFor(session, room))
            return; // the muted say nothing, not even that they are typing
        notice.room = room->name;
        conversationKey = u'#' + room->key;
        for (Session *member : std::as_const(room->members)) {
            if (member != &session)
                audience.append(member);
        }
    } else {
        if (!target.found()) {
            m_core.sendError(session, ErrorCode::NoSuchUser, QStringLiteral("%1 is not online").arg(*typing.to), id);
            return;
        }
        notice.to = target.nick();
        conversationKey = nameKey(target.nick());
        if (target.local && target.local != &session)
            audience.append(target.local);
    }
    const qint64 now = m_core.nowMs();
    const auto last = session.typingPassedOn.constFind(conversationKey);
    const bool recentlyPassedOn = last != session.typingPassedOn.constEnd() && now - *last < TypingIntervalMs;
    if (notice.done) {
        if (last == session.typingPassedOn.constEnd())
            return; // nobody was told they were typing
        session.typingPassedOn.remove(conversationKey);
    } else {
        if (recentlyPassedOn)
            return;
        session.typingPassedOn.insert(conversationKey, now);
    }
    if (!audience.isEmpty())
        m_core.deliver(ChatCore::plainDelivery(audience, encode(notice)));
    if (notice.room)
        m_core.shareWithCluster({nameKey(*notice.room)}, encode(notice));
    else if (target.remote)
        m_core.publishNote({{QStringLiteral("to"), conversationKey}}, encode(notice), target.remote->server);
}
