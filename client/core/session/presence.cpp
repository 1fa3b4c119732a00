// Away and typing (protocol sections 16 and 17).
// Part of ChatSession (chatsession.h).

#include "chatsession.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"

#include <QDateTime>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;
using namespace SessionInternal;

void ChatSession::setAway(const QString &message)
{
    if (m_supervisor.isWelcomed())
        send(SetAway{message.trimmed().isEmpty() ? std::nullopt : std::optional<QString>(message.trimmed())});
}

void ChatSession::onAwayChanged(const AwayChanged &change)
{
    const QString why = change.away.value_or(QString());
    if (nameKey(change.nick) == nameKey(m_nick)) {
        m_awayMessage = why;
    } else {
        const QString before = m_awayOf.value(nameKey(change.nick));
        if (why.isEmpty())
            m_awayOf.remove(nameKey(change.nick));
        else
            m_awayOf.insert(nameKey(change.nick), why);
        // In a private chat, say it when it changes (not at every whisper).
        Conversation *chat = privateChat(change.nick);
        if (chat && before != why)
            addEvent(chat, LogEntry::Event::AwayChanged, change.nick, why);
        if (chat)
            chat->setPeerAway(why);
    }
    for (Conversation *conversation : m_conversations.items()) {
        if (conversation->type() == Conversation::Type::Room && conversation->hasMember(change.nick))
            conversation->members()->setAway(change.nick, why);
    }
    emit awayChanged(change.nick, why);
}

void ChatSession::onTyping(const Typing &typing)
{
    if (!typing.from)
        return;
    Conversation *conversation = typing.room ? room(*typing.room) : privateChat(*typing.from);
    if (conversation)
        conversation->setTyping(*typing.from, !typing.done.value_or(false));
}

void ChatSession::noteTyping(Conversation *conversation, bool typing)
{
    constexpr qint64 RenewMs = 3000; // the server passes on one notice per 3 s
    if (!conversation || !m_supervisor.isWelcomed() || (conversation->type() == Conversation::Type::Room && !conversation->isJoined()))
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto last = m_typingSentAt.constFind(conversation);
    if (typing && last != m_typingSentAt.constEnd() && now - *last < RenewMs)
        return;
    if (!typing && last == m_typingSentAt.constEnd())
        return;
    Typing notice{std::nullopt, std::nullopt, std::nullopt, typing ? std::nullopt : std::optional<bool>(true)};
    if (conversation->type() == Conversation::Type::Room)
        notice.room = conversation->name();
    else
        notice.to = conversation->name();
    // No id: nothing answers a typing notice.
    m_supervisor.transport()->send(encode(notice));
    if (typing)
        m_typingSentAt.insert(conversation, now);
    else
        m_typingSentAt.remove(conversation);
}
