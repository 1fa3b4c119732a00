#include "presence.h"
#include "sessioninternal.h"

#include "conversation.h"
#include "names.h"

// Not the whole namespace: its Presence (a field's) would clash with ours.
using Confab::Protocol::AwayChanged;
using Confab::Protocol::nameKey;
using Confab::Protocol::SetAway;
using Confab::Protocol::StringMap;
using Confab::Protocol::Typing;
using namespace Qt::StringLiterals;

namespace ClientSession {

Presence::Presence(SessionCore &session)
    : m_session(session)
{
}

void Presence::setAway(const QString &message)
{
    if (m_session.isWelcomed())
        m_session.send(SetAway{message.trimmed().isEmpty() ? std::nullopt : std::optional<QString>(message.trimmed())});
}

void Presence::welcomedAgain()
{
    if (!m_awayMessage.isEmpty())
        setAway(m_awayMessage);
}

void Presence::onJoined(Conversation *room, const StringMap &away)
{
    for (auto it = away.cbegin(); it != away.cend(); ++it) {
        room->members()->setAway(it.key(), it.value());
        if (nameKey(it.key()) != nameKey(m_session.nick()))
            m_awayBook.set(it.key(), it.value());
    }
}

void Presence::onAwayChanged(const AwayChanged &change)
{
    const QString why = change.away.value_or(QString());
    if (nameKey(change.nick) == nameKey(m_session.nick())) {
        m_awayMessage = why;
    } else {
        const bool changed = m_awayBook.set(change.nick, why);
        // In a private chat, say it when it changes (not at every whisper).
        Conversation *chat = m_session.privateChat(change.nick);
        if (chat && changed)
            m_session.addEvent(chat, LogEntry::Event::AwayChanged, change.nick, why);
        if (chat)
            chat->setPeerAway(why);
    }
    for (Conversation *conversation : m_session.conversationList()) {
        if (conversation->type() == Conversation::Type::Room && conversation->hasMember(change.nick))
            conversation->members()->setAway(change.nick, why);
    }
    emit awayChanged(change.nick, why);
}

void Presence::onTyping(const Typing &typing)
{
    if (!typing.from)
        return;
    Conversation *conversation = typing.room ? m_session.room(*typing.room) : m_session.privateChat(*typing.from);
    if (conversation)
        conversation->setTyping(*typing.from, !typing.done.value_or(false));
}

void Presence::noteTyping(Conversation *conversation, bool typing)
{
    if (!conversation || !m_session.isWelcomed()
        || (conversation->type() == Conversation::Type::Room && !conversation->isJoined()))
        return;
    // No id: nothing answers a typing notice.
    if (const auto notice = m_typingSender.notice(conversation, typing, SessionInternal::now()))
        m_session.tell(*notice);
}

} // namespace ClientSession
